// Invitations addressed to the signed-in user's email: accept (join the business with the invited
// role) or decline. An emailed link (/invitations#token=…) is accepted here too; its token is kept in
// sessionStorage across sign-in/sign-up because redirects drop the URL fragment.
import { useState } from "react";
import { useNavigate } from "react-router";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useTRPC } from "../lib/trpc.ts";
import { useBusiness } from "../lib/session.tsx";
import { describeError } from "../lib/errors.ts";
import { formatDate } from "../lib/format.ts";
import { useToast } from "../components/toast.tsx";
import { Empty, ErrorBanner, TableSkeleton } from "../components/ui.tsx";

const TOKEN_KEY = "switchboard.invitationToken";

/** Called once at startup: an invitation link's token survives the sign-in redirect. */
export function rememberInvitationToken(location: Location = window.location) {
  if (location.pathname !== "/invitations") return;
  const token = new URLSearchParams(location.hash.slice(1)).get("token");
  if (token) sessionStorage.setItem(TOKEN_KEY, token);
}

export function pendingInvitationToken(): string | null {
  return sessionStorage.getItem(TOKEN_KEY);
}

export function InvitationsPage() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const toast = useToast();
  const { select } = useBusiness();
  const [linkToken, setLinkToken] = useState(pendingInvitationToken);
  const mine = useQuery(trpc.invitations.mine.queryOptions());
  const onError = (error: unknown) => toast.show(describeError(error), { tone: "error" });
  const joined = async (business: { id: string; name: string }) => {
    sessionStorage.removeItem(TOKEN_KEY);
    setLinkToken(null);
    await Promise.all([
      queryClient.invalidateQueries({ queryKey: trpc.me.get.queryKey() }),
      queryClient.invalidateQueries({ queryKey: trpc.businesses.list.queryKey() }),
      queryClient.invalidateQueries({ queryKey: trpc.invitations.mine.queryKey() }),
    ]);
    select(business.id);
    toast.show(`You joined ${business.name}`);
    navigate("/contacts");
  };
  const accept = useMutation(trpc.invitations.accept.mutationOptions({ onSuccess: joined, onError }));
  const acceptByToken = useMutation(
    trpc.invitations.acceptByToken.mutationOptions({
      onSuccess: joined,
      onError: (error) => {
        sessionStorage.removeItem(TOKEN_KEY);
        setLinkToken(null);
        onError(error);
      },
    }),
  );
  const decline = useMutation(
    trpc.invitations.decline.mutationOptions({
      onSuccess: async () => {
        toast.show("Invitation declined");
        await queryClient.invalidateQueries({ queryKey: trpc.invitations.mine.queryKey() });
      },
      onError,
    }),
  );
  const busy = accept.isPending || decline.isPending || acceptByToken.isPending;
  return (
    <>
      <div className="page-head">
        <h1>Invitations</h1>
      </div>
      {linkToken && (
        <section className="card" aria-labelledby="invitation-link">
          <h2 id="invitation-link">Invitation link</h2>
          <p className="small">You opened an invitation link. Accept it to join the business (it must be addressed to your email).</p>
          <div className="row">
            <button type="button" className="btn btn-primary" disabled={busy} onClick={() => acceptByToken.mutate({ token: linkToken })}>
              Accept invitation link
            </button>
            <button
              type="button"
              className="btn"
              onClick={() => {
                sessionStorage.removeItem(TOKEN_KEY);
                setLinkToken(null);
              }}
            >
              Dismiss
            </button>
          </div>
        </section>
      )}
      <section className="card" aria-labelledby="my-invitations">
        <h2 id="my-invitations">Waiting for your answer</h2>
        <ErrorBanner error={mine.error} onRetry={() => void mine.refetch()} />
        {mine.isPending ? (
          <TableSkeleton rows={2} columns={4} />
        ) : mine.data && mine.data.data.length === 0 ? (
          <Empty>No pending invitations for your email.</Empty>
        ) : (
          <div className="table-wrap">
            <table>
              <thead>
                <tr>
                  <th>Business</th>
                  <th>Role</th>
                  <th className="hide-sm">Invited by</th>
                  <th className="hide-sm">Expires</th>
                  <th />
                </tr>
              </thead>
              <tbody>
                {mine.data?.data.map((i) => (
                  <tr key={i.id}>
                    <td>{i.business_name}</td>
                    <td>{i.role}</td>
                    <td className="hide-sm">{i.invited_by_name ?? "—"}</td>
                    <td className="hide-sm">{formatDate(i.expires_at)}</td>
                    <td className="row">
                      <button
                        type="button"
                        className="btn btn-sm btn-primary"
                        disabled={busy}
                        aria-label={`Accept the invitation to ${i.business_name}`}
                        onClick={() => accept.mutate({ invitationId: i.id })}
                      >
                        Accept
                      </button>
                      <button
                        type="button"
                        className="btn btn-sm"
                        disabled={busy}
                        aria-label={`Decline the invitation to ${i.business_name}`}
                        onClick={() => decline.mutate({ invitationId: i.id })}
                      >
                        Decline
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </>
  );
}
