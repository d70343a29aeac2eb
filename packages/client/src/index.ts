// A typed tRPC client for Node scripts and other services: the same procedures as the web app, with
// `Authorization: Bearer …` and `X-Business-Id` sent on every call.
import { createTRPCClient, httpBatchLink, httpBatchStreamLink, splitLink, TRPCClientError } from "@trpc/client";
import type { AppRouter, RouterInputs, RouterOutputs } from "@switchboard/api";

export type { AppRouter, RouterInputs, RouterOutputs };
export { TRPCClientError };

export interface SwitchboardClientOptions {
  /** The server's base URL, e.g. http://127.0.0.1:3000 (the tRPC endpoint /trpc is appended). */
  url: string;
  /** An access token from auth.signIn, or a function returning the current one (read per request). */
  token?: string | null | (() => string | null | undefined);
  /** Default business for business-scoped procedures (an explicit `businessId` input wins). */
  businessId?: string | null | (() => string | null | undefined);
  /** A fetch implementation (default: the global one). */
  fetch?: typeof fetch;
}

export type SwitchboardClient = ReturnType<typeof createTRPCClient<AppRouter>>;

const read = <T>(value: T | (() => T)): T => (typeof value === "function" ? (value as () => T)() : value);

export function trpcUrl(url: string): string {
  const base = url.replace(/\/+$/, "");
  return base.endsWith("/trpc") ? base : `${base}/trpc`;
}

export function createSwitchboardClient(options: SwitchboardClientOptions): SwitchboardClient {
  const url = trpcUrl(options.url);
  const headers = () => {
    const result: Record<string, string> = {};
    const token = read(options.token);
    const businessId = read(options.businessId);
    if (token) result.authorization = `Bearer ${token}`;
    if (businessId) result["x-business-id"] = businessId;
    return result;
  };
  const common = { url, headers, ...(options.fetch && { fetch: options.fetch }) };
  return createTRPCClient<AppRouter>({
    links: [
      // Procedures that yield progress (e.g. imports.contactsCsvStream) need the streaming link.
      splitLink({
        condition: (op) => op.path.endsWith("Stream"),
        true: httpBatchStreamLink(common),
        false: httpBatchLink(common),
      }),
    ],
  });
}
