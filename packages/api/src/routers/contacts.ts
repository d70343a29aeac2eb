import type { TRPCRouterRecord } from "@trpc/server";
import { userProcedure } from "../trpc.ts";
import { Contact } from "./common.types.ts";
import {
  assignContacts,
  contactById,
  createContact,
  deleteContact,
  listContacts,
  restoreContact,
  searchContacts,
  updateContact,
} from "./contacts-queries.ts";
import {
  AssignInput,
  BulkAssignInput,
  BulkAssignResult,
  ContactByIdInput,
  ContactList,
  ContactPage,
  ContactRefInput,
  CreateContactInput,
  DeletedContact,
  ListContactsInput,
  SearchContactsInput,
  UpdateContactInput,
} from "./contacts.types.ts";
import { requestedBusinessId } from "./shared-queries.ts";

const tags = ["contacts"];

export const contactsRouter = {
  list: userProcedure
    .meta({ openapi: { method: "GET", path: "/contacts", tags, protect: true, summary: "List contacts (cursor pagination)" } })
    .input(ListContactsInput)
    .output(ContactPage)
    .query(({ ctx, input }) => listContacts(ctx.tx, requestedBusinessId(input.businessId, ctx.businessIdHeader), input)),
  byId: userProcedure
    .meta({ openapi: { method: "GET", path: "/contacts/{id}", tags, protect: true, summary: "One contact" } })
    .input(ContactByIdInput)
    .output(Contact)
    .query(({ ctx, input }) =>
      contactById(ctx.tx, requestedBusinessId(input.businessId, ctx.businessIdHeader), input.id, input.include_user_details),
    ),
  search: userProcedure
    .meta({ openapi: { method: "POST", path: "/contacts/search", tags, protect: true, summary: "Search contacts by name, email, company, phone" } })
    .input(SearchContactsInput)
    .output(ContactList)
    .query(({ ctx, input }) =>
      searchContacts(
        ctx.tx,
        requestedBusinessId(input.businessId, ctx.businessIdHeader),
        input.query,
        input.include_user_details,
        input.limit,
      ),
    ),
  create: userProcedure
    .meta({ openapi: { method: "POST", path: "/contacts", tags, protect: true, summary: "Create a contact" } })
    .input(CreateContactInput)
    .output(Contact)
    .mutation(({ ctx, input }) => createContact(ctx.tx, requestedBusinessId(input.businessId, ctx.businessIdHeader), input)),
  update: userProcedure
    .meta({ openapi: { method: "PATCH", path: "/contacts/{id}", tags, protect: true, summary: "Update a contact (partial)" } })
    .input(UpdateContactInput)
    .output(Contact)
    .mutation(({ ctx, input }) => updateContact(ctx.tx, requestedBusinessId(input.businessId, ctx.businessIdHeader), input)),
  delete: userProcedure
    .meta({ openapi: { method: "DELETE", path: "/contacts/{id}", tags, protect: true, summary: "Soft-delete a contact" } })
    .input(ContactRefInput)
    .output(DeletedContact)
    .mutation(({ ctx, input }) => deleteContact(ctx.tx, requestedBusinessId(input.businessId, ctx.businessIdHeader), input.id)),
  restore: userProcedure
    .meta({ openapi: { method: "POST", path: "/contacts/{id}/restore", tags, protect: true, summary: "Restore a soft-deleted contact" } })
    .input(ContactRefInput)
    .output(Contact)
    .mutation(({ ctx, input }) => restoreContact(ctx.tx, requestedBusinessId(input.businessId, ctx.businessIdHeader), input.id)),
  assign: userProcedure
    .meta({ openapi: { method: "POST", path: "/contacts/{id}/assign", tags, protect: true, summary: "Assign a contact (null unassigns)" } })
    .input(AssignInput)
    .output(Contact)
    .mutation(async ({ ctx, input }) => {
      const requested = requestedBusinessId(input.businessId, ctx.businessIdHeader);
      await assignContacts(ctx.tx, requested, [input.id], input.assigned_to);
      return contactById(ctx.tx, requested, input.id, "basic");
    }),
  bulkAssign: userProcedure
    .meta({ openapi: { method: "POST", path: "/contacts/bulk-assign", tags, protect: true, summary: "Assign many contacts at once (all or nothing)" } })
    .input(BulkAssignInput)
    .output(BulkAssignResult)
    .mutation(async ({ ctx, input }) => ({
      updated: await assignContacts(ctx.tx, requestedBusinessId(input.businessId, ctx.businessIdHeader), input.ids, input.assigned_to),
    })),
} satisfies TRPCRouterRecord;
