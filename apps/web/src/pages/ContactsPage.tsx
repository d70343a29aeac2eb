// Contacts: a paged table (cursor pagination, "Load more" + infinite scroll), sort, assignee filter,
// debounced ranked search, the "User details" level, bulk assign, and the detail panel.
import { useEffect, useMemo, useRef, useState } from "react";
import { useNavigate, useParams } from "react-router";
import { keepPreviousData, useInfiniteQuery, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useTRPC } from "../lib/trpc.ts";
import { useBusiness } from "../lib/session.tsx";
import { describeError } from "../lib/errors.ts";
import { useDebouncedValue } from "../lib/useDebounce.ts";
import { formatDate } from "../lib/format.ts";
import { useToast } from "../components/toast.tsx";
import { NoBusiness } from "../components/Layout.tsx";
import { Dialog, Empty, ErrorBanner, TableSkeleton } from "../components/ui.tsx";
import { UserRef, type DetailLevel } from "../components/UserRef.tsx";
import { DetailLevelControl } from "../components/DetailLevelControl.tsx";
import { Highlight } from "../components/Highlight.tsx";
import { ContactForm, MemberOptions, type Contact, type MemberOption } from "../components/ContactForm.tsx";
import { ContactPanel } from "../components/ContactPanel.tsx";

type Sort = "created_desc" | "name_asc" | "name_desc";
const DETAIL_KEY = "switchboard.userDetails";
const PAGE_SIZE = 50;

export function ContactsPage() {
  const { businessId } = useBusiness();
  if (!businessId) return <NoBusiness />;
  return <Contacts key={businessId} businessId={businessId} />;
}

function useMemberOptions(businessId: string): MemberOption[] {
  const trpc = useTRPC();
  const members = useQuery(trpc.businesses.members.queryOptions({ businessId }, { retry: false }));
  return useMemo(
    () =>
      (members.data?.data ?? [])
        .filter((m) => m.is_active)
        .map((m) => ({ id: m.id, label: m.display_name ?? m.email ?? m.id })),
    [members.data],
  );
}

function Contacts({ businessId }: { businessId: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const toast = useToast();
  const navigate = useNavigate();
  const { contactId } = useParams();

  const [search, setSearch] = useState("");
  const query = useDebouncedValue(search.trim(), 250);
  const [sort, setSort] = useState<Sort>("created_desc");
  const [assignee, setAssignee] = useState<string>("");
  const [detailLevel, setDetailLevelState] = useState<DetailLevel>(() => (localStorage.getItem(DETAIL_KEY) as DetailLevel | null) ?? "basic");
  const setDetailLevel = (level: DetailLevel) => {
    localStorage.setItem(DETAIL_KEY, level);
    setDetailLevelState(level);
  };
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [bulkAssignee, setBulkAssignee] = useState("");
  const [editing, setEditing] = useState<Contact | "new" | null>(null);
  const members = useMemberOptions(businessId);

  const list = useInfiniteQuery({
    ...trpc.contacts.list.infiniteQueryOptions(
      { businessId, include_user_details: detailLevel, limit: PAGE_SIZE, sort, assigned_to: assignee || undefined },
      { getNextPageParam: (page) => page.next_cursor ?? undefined },
    ),
    enabled: query.length === 0,
    placeholderData: keepPreviousData,
  });
  const searchResults = useQuery({
    ...trpc.contacts.search.queryOptions({ businessId, query, include_user_details: detailLevel, limit: 50 }),
    enabled: query.length > 0,
    placeholderData: keepPreviousData,
  });

  const searching = query.length > 0;
  const rows: Contact[] = searching ? (searchResults.data?.data ?? []) : (list.data?.pages.flatMap((p) => p.data) ?? []);
  const loading = searching ? searchResults.isPending : list.isPending;
  const error = searching ? searchResults.error : list.error;

  const invalidateContacts = () => queryClient.invalidateQueries({ queryKey: trpc.contacts.pathKey() });
  const onError = (e: unknown) => toast.show(describeError(e), { tone: "error" });

  const restore = useMutation(
    trpc.contacts.restore.mutationOptions({
      onSuccess: async () => {
        toast.show("Contact restored");
        await invalidateContacts();
      },
      onError,
    }),
  );
  const remove = useMutation(
    trpc.contacts.delete.mutationOptions({
      onSuccess: async (_result, variables) => {
        if (contactId === variables.id) navigate("/contacts");
        toast.show("Contact deleted", { action: { label: "Undo", onClick: () => restore.mutate({ businessId, id: variables.id }) } });
        await invalidateContacts();
      },
      onError,
    }),
  );
  const assign = useMutation(trpc.contacts.assign.mutationOptions({ onSuccess: invalidateContacts, onError }));
  const bulkAssign = useMutation(
    trpc.contacts.bulkAssign.mutationOptions({
      onSuccess: async (result) => {
        toast.show(`Assigned ${result.updated} contact${result.updated === 1 ? "" : "s"}`);
        setSelected(new Set());
        await invalidateContacts();
      },
      onError,
    }),
  );

  // Infinite scroll: when the sentinel under the table comes into view, fetch the next page.
  const sentinel = useRef<HTMLDivElement>(null);
  const { hasNextPage, isFetchingNextPage, fetchNextPage } = list;
  useEffect(() => {
    const el = sentinel.current;
    if (!el || searching || typeof IntersectionObserver === "undefined") return;
    const observer = new IntersectionObserver((entries) => {
      if (entries.some((e) => e.isIntersecting) && hasNextPage && !isFetchingNextPage) void fetchNextPage();
    });
    observer.observe(el);
    return () => observer.disconnect();
  }, [searching, hasNextPage, isFetchingNextPage, fetchNextPage]);

  const toggle = (id: string) =>
    setSelected((prev) => {
      const next = new Set(prev);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });
  const allSelected = rows.length > 0 && rows.every((r) => selected.has(r.id));

  return (
    <>
      <div className="page-head">
        <h1>Contacts</h1>
        <button type="button" className="btn btn-primary" onClick={() => setEditing("new")}>
          New contact
        </button>
      </div>
      <div className="toolbar">
        <div className="search">
          <label htmlFor="contact-search" className="sr-only">
            Search contacts
          </label>
          <input id="contact-search" type="search" placeholder="Search by name, email, phone, company…" value={search} onChange={(e) => setSearch(e.target.value)} />
        </div>
        <label htmlFor="assignee-filter" className="sr-only">
          Assignee
        </label>
        <select id="assignee-filter" value={assignee} onChange={(e) => setAssignee(e.target.value)} disabled={searching}>
          <option value="">Anyone</option>
          <option value="me">Assigned to me</option>
          <option value="unassigned">Unassigned</option>
          <MemberOptions members={members} />
        </select>
        <label htmlFor="contact-sort" className="sr-only">
          Sort
        </label>
        <select id="contact-sort" value={sort} onChange={(e) => setSort(e.target.value as Sort)} disabled={searching}>
          <option value="created_desc">Newest first</option>
          <option value="name_asc">Name A–Z</option>
          <option value="name_desc">Name Z–A</option>
        </select>
        <DetailLevelControl value={detailLevel} onChange={setDetailLevel} />
      </div>
      {selected.size > 0 && (
        <div className="alert alert-info row" role="region" aria-label="Bulk actions">
          <span>{selected.size} selected</span>
          <label htmlFor="bulk-assignee" className="sr-only">
            Assign selected to
          </label>
          <select id="bulk-assignee" value={bulkAssignee} onChange={(e) => setBulkAssignee(e.target.value)}>
            <option value="">Unassigned</option>
            <MemberOptions members={members} />
          </select>
          <button
            type="button"
            className="btn btn-sm btn-primary"
            disabled={bulkAssign.isPending}
            onClick={() => bulkAssign.mutate({ businessId, ids: [...selected], assigned_to: bulkAssignee || null })}
          >
            Assign selected
          </button>
          <button type="button" className="btn btn-sm btn-ghost" onClick={() => setSelected(new Set())}>
            Clear
          </button>
        </div>
      )}
      <div className={`workspace${contactId ? " with-panel" : ""}`}>
        <div>
          <ErrorBanner error={error} onRetry={() => void (searching ? searchResults.refetch() : list.refetch())} />
          {loading ? (
            <TableSkeleton columns={6} />
          ) : (
            <div className="table-wrap" aria-busy={list.isFetching || searchResults.isFetching}>
              <table aria-label={searching ? "Search results" : "Contacts"}>
                <thead>
                  <tr>
                    <th style={{ width: 32 }}>
                      <input
                        type="checkbox"
                        aria-label="Select all"
                        checked={allSelected}
                        onChange={() => setSelected(allSelected ? new Set() : new Set(rows.map((r) => r.id)))}
                      />
                    </th>
                    <th>Name</th>
                    <th>Email</th>
                    <th className="hide-sm">Phone</th>
                    <th className="hide-sm">Company</th>
                    <th>Assignee</th>
                    <th className="hide-sm">Created by</th>
                    <th className="hide-sm">Created</th>
                  </tr>
                </thead>
                <tbody>
                  {rows.map((c) => (
                    <tr
                      key={c.id}
                      className={`clickable${c.id === contactId ? " selected" : ""}`}
                      onClick={() => navigate(`/contacts/${c.id}`)}
                    >
                      <td onClick={(e) => e.stopPropagation()}>
                        <input type="checkbox" aria-label={`Select ${c.full_name}`} checked={selected.has(c.id)} onChange={() => toggle(c.id)} />
                      </td>
                      <td>
                        <a href={`/contacts/${c.id}`} onClick={(e) => e.preventDefault()}>
                          <Highlight text={c.full_name} query={query} />
                        </a>
                      </td>
                      <td>
                        <Highlight text={c.email} query={query} />
                      </td>
                      <td className="hide-sm">{c.phone ?? "—"}</td>
                      <td className="hide-sm">
                        <Highlight text={c.company} query={query} />
                      </td>
                      <td>
                        <UserRef user={c.assigned_to} />
                      </td>
                      <td className="hide-sm">
                        <UserRef user={c.created_by} />
                      </td>
                      <td className="hide-sm">{formatDate(c.created_at)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
              {rows.length === 0 && (
                <Empty>{searching ? `No contacts match “${query}”.` : "No contacts yet. Create one or import a CSV."}</Empty>
              )}
            </div>
          )}
          {!searching && (
            <div className="row" style={{ justifyContent: "center", marginTop: 12 }}>
              <div ref={sentinel} />
              {list.hasNextPage && (
                <button type="button" className="btn" onClick={() => void list.fetchNextPage()} disabled={list.isFetchingNextPage}>
                  {list.isFetchingNextPage ? "Loading…" : "Load more"}
                </button>
              )}
            </div>
          )}
          {searching && searchResults.data && <p className="muted small">Best matches first.</p>}
        </div>
        {contactId && (
          <ContactPanel
            businessId={businessId}
            contactId={contactId}
            detailLevel={detailLevel}
            members={members}
            onClose={() => navigate("/contacts")}
            onEdit={(c) => setEditing(c)}
            onDelete={(c) => remove.mutate({ businessId, id: c.id })}
            onAssign={(c, userId) => assign.mutate({ businessId, id: c.id, assigned_to: userId })}
          />
        )}
      </div>
      <Dialog open={editing !== null} title={editing === "new" ? "New contact" : "Edit contact"} onClose={() => setEditing(null)}>
        {editing !== null && (
          <ContactForm
            businessId={businessId}
            contact={editing === "new" ? undefined : editing}
            members={members}
            onCancel={() => setEditing(null)}
            onSaved={async (saved) => {
              setEditing(null);
              toast.show(editing === "new" ? `Created ${saved.full_name}` : "Changes saved");
              await invalidateContacts();
            }}
          />
        )}
      </Dialog>
    </>
  );
}
