// The typed tRPC client: types come from the server's AppRouter (type-only import, so no server
// code reaches the bundle); requests go to /trpc with the bearer token of the signed-in user.
import { createTRPCClient, httpBatchLink, httpBatchStreamLink, splitLink } from "@trpc/client";
import { createTRPCContext } from "@trpc/tanstack-react-query";
import type { AppRouter, RouterInputs, RouterOutputs } from "@switchboard/api";

export type { AppRouter, RouterInputs, RouterOutputs };

export const { TRPCProvider, useTRPC, useTRPCClient } = createTRPCContext<AppRouter>();

/** getToken refreshes the access token first when it is about to expire (lib/auth.tsx). */
export function createApiClient(getToken: () => Promise<string | null>) {
  const headers = async (): Promise<Record<string, string>> => {
    const token = await getToken().catch(() => null);
    return token ? { Authorization: `Bearer ${token}` } : {};
  };
  return createTRPCClient<AppRouter>({
    links: [
      // Streamed procedures (import progress) need the streaming link; everything else batches.
      splitLink({
        condition: (op) => op.path.startsWith("imports.") && op.path.toLowerCase().includes("stream"),
        true: httpBatchStreamLink({ url: "/trpc", headers }),
        false: httpBatchLink({ url: "/trpc", headers }),
      }),
    ],
  });
}
