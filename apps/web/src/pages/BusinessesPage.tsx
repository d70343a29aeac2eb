// Your businesses: switch between them and create a new one (you become its owner).
import { useState, type FormEvent } from "react";
import { useNavigate, useSearchParams } from "react-router";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useTRPC } from "../lib/trpc.ts";
import { useBusiness } from "../lib/session.tsx";
import { describeError, errorInfo } from "../lib/errors.ts";
import { formatDate } from "../lib/format.ts";
import { useToast } from "../components/toast.tsx";
import { Empty, ErrorBanner, Field, TableSkeleton } from "../components/ui.tsx";

export function BusinessesPage() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const toast = useToast();
  const [params] = useSearchParams();
  const { businessId, select } = useBusiness();
  const list = useQuery(trpc.businesses.list.queryOptions());
  const [name, setName] = useState("");
  const create = useMutation(
    trpc.businesses.create.mutationOptions({
      onSuccess: async (business) => {
        setName("");
        await Promise.all([
          queryClient.invalidateQueries({ queryKey: trpc.me.get.queryKey() }),
          queryClient.invalidateQueries({ queryKey: trpc.businesses.list.queryKey() }),
        ]);
        select(business.id);
        toast.show(`Created ${business.name}`);
        navigate("/contacts");
      },
    }),
  );
  const leave = useMutation(
    trpc.businesses.leave.mutationOptions({
      onSuccess: async () => {
        await Promise.all([
          queryClient.invalidateQueries({ queryKey: trpc.me.get.queryKey() }),
          queryClient.invalidateQueries({ queryKey: trpc.businesses.list.queryKey() }),
        ]);
        toast.show("You left the business");
      },
      onError: (error) => toast.show(describeError(error), { tone: "error" }),
    }),
  );
  const info = create.error ? errorInfo(create.error) : null;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    create.mutate({ name });
  };
  return (
    <>
      <div className="page-head">
        <h1>Businesses</h1>
      </div>
      <div className="grid-2">
        <section className="card" aria-labelledby="your-businesses">
          <h2 id="your-businesses">Your businesses</h2>
          <ErrorBanner error={list.error} onRetry={() => void list.refetch()} />
          {list.isPending ? (
            <TableSkeleton rows={3} columns={3} />
          ) : list.data && list.data.data.length === 0 ? (
            <Empty>You're not a member of any business yet.</Empty>
          ) : (
            <div className="table-wrap">
              <table>
                <thead>
                  <tr>
                    <th>Name</th>
                    <th>Role</th>
                    <th className="hide-sm">Created</th>
                    <th />
                  </tr>
                </thead>
                <tbody>
                  {list.data?.data.map((b) => (
                    <tr key={b.id} className={b.id === businessId ? "selected" : undefined}>
                      <td>{b.name}</td>
                      <td>
                        <span className={`badge${b.role === "owner" ? " badge-owner" : ""}`}>{b.role}</span>
                      </td>
                      <td className="hide-sm">{formatDate(b.created_at)}</td>
                      <td className="row">
                        {b.id === businessId ? (
                          <span className="muted small">Current</span>
                        ) : (
                          <button type="button" className="btn btn-sm" onClick={() => select(b.id)}>
                            Switch
                          </button>
                        )}
                        <button
                          type="button"
                          className="btn btn-sm btn-danger"
                          disabled={leave.isPending}
                          aria-label={`Leave ${b.name}`}
                          onClick={() => {
                            if (confirm(`Leave ${b.name}? You lose access until someone invites you again.`)) leave.mutate({ businessId: b.id });
                          }}
                        >
                          Leave
                        </button>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </section>
        <section className="card" aria-labelledby="new-business">
          <h2 id="new-business">Create a business</h2>
          {info && !info.fieldErrors.name && (
            <div className="alert alert-error" role="alert">
              {info.message}
            </div>
          )}
          <form onSubmit={submit} noValidate>
            <Field label="Business name" value={name} onChange={(e) => setName(e.target.value)} error={info?.fieldErrors.name} autoFocus={params.get("new") === "1"} required />
            <button type="submit" className="btn btn-primary" disabled={create.isPending}>
              {create.isPending ? "Creating…" : "Create business"}
            </button>
          </form>
        </section>
      </div>
    </>
  );
}
