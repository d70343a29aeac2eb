// Who is signed in (me.get) and which business they are working in. The business id travels in
// every business-scoped input as `businessId`; the choice survives reloads.
import { createContext, useCallback, useContext, useMemo, useState, type ReactNode } from "react";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useAuth } from "./auth.tsx";
import { useTRPC, type RouterOutputs } from "./trpc.ts";

const BUSINESS_KEY = "switchboard.business";

export type Me = RouterOutputs["me"]["get"];
export type Membership = Me["memberships"][number];

export function useMe() {
  const trpc = useTRPC();
  const { token } = useAuth();
  return useQuery({ ...trpc.me.get.queryOptions(), enabled: token !== null, staleTime: 30_000 });
}

interface BusinessState {
  businessId: string | null;
  current: Membership | null;
  memberships: Membership[];
  select(businessId: string): void;
  /** Owners and admins manage members. */
  canManageMembers: boolean;
}

const BusinessContext = createContext<BusinessState | null>(null);

export function BusinessProvider({ children }: { children: ReactNode }) {
  const me = useMe();
  const queryClient = useQueryClient();
  const [selected, setSelected] = useState<string | null>(() => localStorage.getItem(BUSINESS_KEY));
  const memberships = useMemo(() => me.data?.memberships ?? [], [me.data]);
  const current = memberships.find((m) => m.business_id === selected) ?? memberships[0] ?? null;
  const select = useCallback(
    (businessId: string) => {
      localStorage.setItem(BUSINESS_KEY, businessId);
      setSelected(businessId);
      // Business-scoped lists must not show the previous business's rows for a frame.
      void queryClient.invalidateQueries({ predicate: (q) => JSON.stringify(q.queryKey).includes("businessId") });
    },
    [queryClient],
  );
  const value = useMemo<BusinessState>(
    () => ({
      businessId: current?.business_id ?? null,
      current,
      memberships,
      select,
      canManageMembers: current?.role === "owner" || current?.role === "admin",
    }),
    [current, memberships, select],
  );
  return <BusinessContext.Provider value={value}>{children}</BusinessContext.Provider>;
}

export function useBusiness(): BusinessState {
  const value = useContext(BusinessContext);
  if (!value) throw new Error("useBusiness outside BusinessProvider");
  return value;
}
