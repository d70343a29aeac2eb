// The procedures' OpenAPI meta produces the REST contract's paths (the server mounts them at /api/v1).
import { generateOpenApiDocument } from "trpc-to-openapi";
import { expect, it } from "vitest";
import { appRouter } from "../src/root.ts";

it("every REST endpoint of the contract is generated from the procedures", () => {
  const doc = generateOpenApiDocument(appRouter, { title: "Switchboard", version: "1", baseUrl: "http://localhost/api/v1" });
  const ops = Object.entries(doc.paths ?? {}).flatMap(([path, item]) =>
    Object.keys(item as object).map((method) => `${method.toUpperCase()} ${path}`),
  );
  expect(ops).toEqual(
    expect.arrayContaining([
      "POST /auth/signup",
      "POST /auth/signin",
      "GET /me",
      "PATCH /me",
      "PATCH /me/onboarding",
      "POST /businesses",
      "GET /businesses",
      "GET /businesses/{businessId}/members",
      "POST /businesses/{businessId}/leave",
      "POST /businesses/{businessId}/invitations",
      "GET /businesses/{businessId}/invitations",
      "DELETE /businesses/{businessId}/invitations/{invitationId}",
      "GET /invitations",
      "POST /invitations/{invitationId}/accept",
      "POST /invitations/{invitationId}/decline",
      "POST /invitations/accept",
      "POST /auth/password-reset/request",
      "POST /auth/password-reset/confirm",
      "PATCH /businesses/{businessId}/members/{userId}",
      "DELETE /businesses/{businessId}/members/{userId}",
      "GET /contacts",
      "GET /contacts/{id}",
      "POST /contacts/search",
      "POST /contacts",
      "PATCH /contacts/{id}",
      "DELETE /contacts/{id}",
      "POST /contacts/{id}/restore",
      "POST /contacts/{id}/assign",
      "POST /contacts/bulk-assign",
      "GET /contacts/{contact_id}/transactions",
      "POST /contacts/{contact_id}/transactions",
      "POST /imports/contacts",
      "GET /imports",
    ]),
  );
  // Nobody is added without consent: the old direct add is gone.
  expect(ops).not.toContain("POST /businesses/{businessId}/members");
  // The contact schema documents all three detail levels of assigned_to.
  const text = JSON.stringify(doc);
  expect(text).toContain("last_sign_in");
  expect(text).toContain("include_user_details");
});
