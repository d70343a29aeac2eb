// The signed-in user's access token, kept in localStorage so a reload stays signed in.
import { createContext, useCallback, useContext, useMemo, useState, type ReactNode } from "react";

const TOKEN_KEY = "switchboard.token";

interface AuthState {
  token: string | null;
  /** Why the user was signed out (shown on the sign-in page), e.g. an expired session. */
  notice: string | null;
  signIn(token: string): void;
  signOut(notice?: string): void;
}

const AuthContext = createContext<AuthState | null>(null);

function readToken(): string | null {
  try {
    return localStorage.getItem(TOKEN_KEY);
  } catch {
    return null;
  }
}

export function AuthProvider({ children, onSignOut }: { children: ReactNode; onSignOut?: () => void }) {
  const [token, setToken] = useState<string | null>(readToken);
  const [notice, setNotice] = useState<string | null>(null);
  const signIn = useCallback((next: string) => {
    localStorage.setItem(TOKEN_KEY, next);
    setNotice(null);
    setToken(next);
  }, []);
  const signOut = useCallback(
    (why?: string) => {
      localStorage.removeItem(TOKEN_KEY);
      setNotice(why ?? null);
      setToken(null);
      onSignOut?.();
    },
    [onSignOut],
  );
  const value = useMemo(() => ({ token, notice, signIn, signOut }), [token, notice, signIn, signOut]);
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}

export function useAuth(): AuthState {
  const value = useContext(AuthContext);
  if (!value) throw new Error("useAuth outside AuthProvider");
  return value;
}

/** For non-React code (the tRPC link, REST downloads): the current token. */
export function currentToken(): string | null {
  return readToken();
}
