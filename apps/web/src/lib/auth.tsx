// The browser's half of a session (see docs/security.md, "Tokens in the web app"):
//  - the access token (short-lived) lives only in this module's memory, never in storage;
//  - the refresh token (single use, rotated on every refresh) lives in localStorage, so a reload and
//    the other tabs continue the session;
//  - refreshes are serialized across tabs with the Web Locks API and always spend the refresh token
//    currently in storage, so two tabs never present the same token (which the server would treat
//    as reuse and revoke the session);
//  - sign-out removes the refresh token; the other tabs see the `storage` event and sign out too.
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from "react";

const REFRESH_KEY = "switchboard.refresh";
const LOCK_NAME = "switchboard.refresh";
/** Refresh this long before the access token expires (10 s, or a quarter of a very short lifetime). */
const earlyMs = (lifetimeMs: number) => Math.min(10_000, lifetimeMs / 4);

export interface SessionTokens {
  access_token: string;
  expires_in: number;
  refresh_token: string;
  user: { id: string };
}

interface Memory {
  accessToken: string;
  /** When to refresh: a little before the access token expires. */
  refreshAt: number;
  userId: string;
}

let memory: Memory | null = null;
const listeners = new Set<(m: Memory | null) => void>();
const setMemory = (next: Memory | null) => {
  memory = next;
  listeners.forEach((l) => l(next));
};

function storedRefreshToken(): string | null {
  try {
    return localStorage.getItem(REFRESH_KEY);
  } catch {
    return null;
  }
}

function adopt(session: SessionTokens) {
  localStorage.setItem(REFRESH_KEY, session.refresh_token);
  const lifetimeMs = session.expires_in * 1000;
  setMemory({ accessToken: session.access_token, refreshAt: Date.now() + lifetimeMs - earlyMs(lifetimeMs), userId: session.user.id });
}

async function withRefreshLock<T>(fn: () => Promise<T>): Promise<T> {
  const locks = typeof navigator !== "undefined" ? navigator.locks : undefined;
  return locks ? locks.request(LOCK_NAME, fn) : fn();
}

let inflight: Promise<string | null> | null = null;

/**
 * Exchanges the stored refresh token for a new pair (one at a time per tab, and across tabs).
 * null: there is no session any more (signed out here or elsewhere, revoked, banned).
 */
export function refreshSession(): Promise<string | null> {
  inflight ??= withRefreshLock(async () => {
    const refreshToken = storedRefreshToken();
    if (!refreshToken) {
      setMemory(null);
      return null;
    }
    // Another tab may have refreshed while we waited for the lock: its refresh token is ours to spend now.
    const response = await fetch("/api/v1/auth/refresh", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ refresh_token: refreshToken }),
    });
    if (response.status === 400 || response.status === 401) {
      if (storedRefreshToken() === refreshToken) localStorage.removeItem(REFRESH_KEY);
      setMemory(null);
      return null;
    }
    if (!response.ok) throw new Error(`refresh failed with HTTP ${response.status}`); // transient: keep the session
    const session = (await response.json()) as SessionTokens;
    adopt(session);
    return session.access_token;
  }).finally(() => {
    inflight = null;
  });
  return inflight;
}

/** The access token to send now, refreshed first when it is missing or about to expire; null when signed out. */
export async function getAccessToken(): Promise<string | null> {
  if (memory && memory.refreshAt > Date.now()) return memory.accessToken;
  if (!storedRefreshToken()) return null;
  return refreshSession();
}

/** Revokes the session on the server (best effort) and forgets it here; other tabs follow. */
function endSession() {
  const refreshToken = storedRefreshToken();
  const accessToken = memory?.accessToken;
  localStorage.removeItem(REFRESH_KEY);
  setMemory(null);
  if (!refreshToken && !accessToken) return;
  void fetch("/api/v1/auth/signout", {
    method: "POST",
    keepalive: true,
    headers: { "content-type": "application/json", ...(accessToken && { Authorization: `Bearer ${accessToken}` }) },
    body: JSON.stringify(refreshToken ? { refresh_token: refreshToken } : {}),
  }).catch(() => {});
}

interface AuthState {
  /** The current access token (changes on every refresh), or null when signed out. Use getAccessToken() to send one. */
  token: string | null;
  /** The signed-in user's id: stable across refreshes (caches are keyed by it). */
  userId: string | null;
  /** False while a reload restores the session from the refresh token. */
  ready: boolean;
  /** Why the user was signed out (shown on the sign-in page), e.g. an expired session. */
  notice: string | null;
  signIn(session: SessionTokens): void;
  signOut(notice?: string): void;
}

const AuthContext = createContext<AuthState | null>(null);

export function AuthProvider({ children, onSignOut }: { children: ReactNode; onSignOut?: () => void }) {
  const [current, setCurrent] = useState<Memory | null>(memory);
  const [ready, setReady] = useState(() => memory !== null || storedRefreshToken() === null);
  const [notice, setNotice] = useState<string | null>(null);

  useEffect(() => {
    listeners.add(setCurrent);
    // A reload: the access token was in memory only; the refresh token brings the session back.
    if (!memory && storedRefreshToken()) {
      refreshSession()
        .catch(() => null)
        .finally(() => setReady(true));
    }
    // Another tab signed out (the refresh token vanished) or signed in (one appeared).
    const onStorage = (event: StorageEvent) => {
      if (event.key !== REFRESH_KEY && event.key !== null) return;
      if (!storedRefreshToken()) {
        if (memory) setNotice("You signed out in another tab.");
        setMemory(null);
      } else if (!memory) {
        void refreshSession().catch(() => null);
      }
    };
    window.addEventListener("storage", onStorage);
    return () => {
      listeners.delete(setCurrent);
      window.removeEventListener("storage", onStorage);
    };
  }, []);

  const signIn = useCallback((session: SessionTokens) => {
    adopt(session);
    setNotice(null);
    setReady(true);
  }, []);
  const signOut = useCallback(
    (why?: string) => {
      endSession();
      setNotice(why ?? null);
      onSignOut?.();
    },
    [onSignOut],
  );
  const value = useMemo(
    () => ({ token: current?.accessToken ?? null, userId: current?.userId ?? null, ready, notice, signIn, signOut }),
    [current, ready, notice, signIn, signOut],
  );
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}

export function useAuth(): AuthState {
  const value = useContext(AuthContext);
  if (!value) throw new Error("useAuth outside AuthProvider");
  return value;
}

/** For non-React code: is there a session in this tab right now? */
export function hasSession(): boolean {
  return memory !== null;
}
