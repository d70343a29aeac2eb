// The REST API driven by an off-the-shelf client (openapi-fetch) typed from the server's own
// /api/openapi.json (openapi-typescript → test/openapi.d.ts, kept fresh by openapi-types.test.ts):
// if the document lied about a path, a parameter or a body, this would not compile or would fail.
import createClient from "openapi-fetch";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { describeDb } from "@switchboard/db/testing";
import type { components, paths } from "./openapi.d.ts";
import { startTestServer } from "./helpers.ts";

type ErrorBody = components["schemas"]["Error"];

describeDb("REST /api/v1 through a generated OpenAPI client", (ctx) => {
  let app: Awaited<ReturnType<typeof startTestServer>>;
  const api = (token?: string) =>
    createClient<paths>({
      baseUrl: `${app.url}/api/v1`,
      headers: token ? { Authorization: `Bearer ${token}` } : {},
    });

  let alice: { token: string; id: string };
  let bob: { token: string; id: string };
  let acmeId: string;
  let globexId: string;
  const contactIds: string[] = [];

  beforeAll(async () => {
    app = await startTestServer(ctx.database);
  });
  afterAll(() => app?.stop());

  describe("the happy path", () => {
    it("signs up and signs in", async () => {
      const signup = await api().POST("/auth/signup", {
        body: { email: "Alice@Example.com", password: "correct horse", display_name: "Alice", full_name: "Alice Liddell", phone: "+1 555 0100" },
      });
      expect(signup.response.status).toBe(200);
      expect(signup.data).toMatchObject({ token_type: "bearer", user: { email: "alice@example.com", display_name: "Alice" } });

      const signin = await api().POST("/auth/signin", { body: { email: "alice@example.com", password: "correct horse" } });
      expect(signin.response.status).toBe(200);
      alice = { token: signin.data!.access_token, id: signin.data!.user.id };
      expect(signin.data!.expires_in).toBeGreaterThan(0);

      const bobUp = await api().POST("/auth/signup", { body: { email: "bob@example.com", password: "hunter2hunter2", display_name: "Bob" } });
      bob = { token: bobUp.data!.access_token, id: bobUp.data!.user.id };
    });

    it("creates businesses and lists mine", async () => {
      const created = await api(alice.token).POST("/businesses", { body: { name: "Acme" } });
      expect(created.response.status).toBe(200);
      acmeId = created.data!.id;
      const other = await api(bob.token).POST("/businesses", { body: { name: "Globex" } });
      globexId = other.data!.id;

      const mine = await api(alice.token).GET("/businesses");
      expect(mine.data!.data).toEqual([expect.objectContaining({ id: acmeId, name: "Acme", role: "owner" })]);
    });

    it("creates contacts in the business named by X-Business-Id", async () => {
      const people = [
        { full_name: "Ada Lovelace", email: "ada@analytical.org", company: "Analytical Engines", assigned_to: alice.id },
        { full_name: "Grace Hopper", email: "grace@navy.mil", phone: "+1 202 555 0199" },
        { full_name: "Émile Zola", email: "emile@example.fr", company: "L'Aurore" },
      ];
      for (const body of people) {
        const res = await api(alice.token).POST("/contacts", { params: { header: { "X-Business-Id": acmeId } }, body });
        expect(res.response.status, JSON.stringify(res.error)).toBe(200);
        expect(res.data).toMatchObject({ business_id: acmeId, full_name: body.full_name });
        contactIds.push(res.data!.id);
      }
    });

    it("lists at none, basic and full detail", async () => {
      const none = await api(alice.token).GET("/contacts", {
        params: { header: { "X-Business-Id": acmeId }, query: { include_user_details: "none", limit: 50 } },
      });
      expect(none.response.status).toBe(200);
      expect(none.data!.data).toHaveLength(3);
      const adaNone = none.data!.data.find((c) => c.full_name === "Ada Lovelace")!;
      expect(adaNone.assigned_to).toBe(alice.id);
      expect(adaNone.created_by).toBe(alice.id);
      expect(none.data!.data.find((c) => c.full_name === "Grace Hopper")!.assigned_to).toBeNull();

      // Without the header: Alice has exactly one membership, so it is optional.
      const basic = await api(alice.token).GET("/contacts", { params: { query: { include_user_details: "basic" } } });
      expect(basic.response.status).toBe(200);
      const adaBasic = basic.data!.data.find((c) => c.full_name === "Ada Lovelace")!;
      expect(adaBasic.assigned_to).toEqual({ id: alice.id, display_name: "Alice", email: "alice@example.com" });

      const full = await api(alice.token).GET("/contacts", {
        params: { header: { "X-Business-Id": acmeId }, query: { include_user_details: "full" } },
      });
      const adaFull = full.data!.data.find((c) => c.full_name === "Ada Lovelace")!;
      expect(adaFull.created_by).toMatchObject({
        id: alice.id,
        display_name: "Alice",
        email: "alice@example.com",
        full_name: "Alice Liddell",
        phone: "+1 555 0100",
        is_active: true,
      });
      expect(adaFull.created_by).toHaveProperty("last_sign_in");
    });

    it("pages with limit and next_cursor", async () => {
      const first = await api(alice.token).GET("/contacts", { params: { query: { limit: 2 } } });
      expect(first.data!.data).toHaveLength(2);
      expect(first.data!.next_cursor).toEqual(expect.any(String));
      const second = await api(alice.token).GET("/contacts", { params: { query: { limit: 2, cursor: first.data!.next_cursor! } } });
      expect(second.data!.data).toHaveLength(1);
      expect(second.data!.next_cursor).toBeNull();
      const ids = [...first.data!.data, ...second.data!.data].map((c) => c.id).sort();
      expect(ids).toEqual([...contactIds].sort());
    });

    it("gets one contact by id and finds contacts by search", async () => {
      const one = await api(alice.token).GET("/contacts/{id}", {
        params: { path: { id: contactIds[1]! }, query: { include_user_details: "full" } },
      });
      expect(one.response.status).toBe(200);
      expect(one.data).toMatchObject({ id: contactIds[1], full_name: "Grace Hopper", assigned_to: null });

      const found = await api(alice.token).POST("/contacts/search", { body: { query: "emile", include_user_details: "basic", limit: 10 } });
      expect(found.response.status).toBe(200);
      expect(found.data!.data.map((c) => c.full_name)).toContain("Émile Zola");
    });

    it("patches, deletes, and then the contact is a 404", async () => {
      const patched = await api(alice.token).PATCH("/contacts/{id}", {
        params: { path: { id: contactIds[1]! } },
        body: { company: "US Navy" },
      });
      expect(patched.response.status).toBe(200);
      expect(patched.data).toMatchObject({ id: contactIds[1], company: "US Navy", full_name: "Grace Hopper" });

      const deleted = await api(alice.token).DELETE("/contacts/{id}", { params: { path: { id: contactIds[1]! } } });
      expect(deleted.response.status).toBe(200);

      const gone = await api(alice.token).GET("/contacts/{id}", { params: { path: { id: contactIds[1]! } } });
      expect(gone.response.status).toBe(404);
      expect(gone.error).toMatchObject({ code: "NOT_FOUND" });

      const restored = await api(alice.token).POST("/contacts/{id}/restore", { params: { path: { id: contactIds[1]! } }, body: {} });
      expect(restored.response.status, JSON.stringify(restored.error)).toBe(200);
      const back = await api(alice.token).GET("/contacts/{id}", { params: { path: { id: contactIds[1]! } } });
      expect(back.response.status).toBe(200);
      await api(alice.token).DELETE("/contacts/{id}", { params: { path: { id: contactIds[1]! } } });
      // Clients that send no body at all for a path-only POST are served too (not a 415).
      const bare = await fetch(`${app.url}/api/v1/contacts/${contactIds[1]}/restore`, {
        method: "POST",
        headers: { authorization: `Bearer ${alice.token}` },
      });
      expect(bare.status).toBe(200);
      await api(alice.token).DELETE("/contacts/{id}", { params: { path: { id: contactIds[1]! } } });
    });

    it("logs one line per request with its SQL statement count", () => {
      const lines = app.requestLogs();
      const list = lines.find((l) => l.method === "GET" && l.path === "/api/v1/contacts" && l.status === 200);
      expect(list).toBeDefined();
      // BEGIN, the claims, the page (one statement) and COMMIT, give or take the business lookup.
      expect(list!.sql_statements).toBeGreaterThanOrEqual(3);
      expect(list!.sql_statements).toBeLessThanOrEqual(6);
      expect(lines.every((l) => typeof l.duration_ms === "number" && typeof l.sql_statements === "number")).toBe(true);
    });
  });

  describe("errors: JSON { code, message, field_errors? } with the right status", () => {
    const countAcme = async () =>
      (await api(alice.token).GET("/contacts", { params: { query: { limit: 200, include_user_details: "none" } } })).data!.data.length;

    it("400 with field errors for invalid input, and nothing written", async () => {
      const before = await countAcme();
      const res = await api(alice.token).POST("/contacts", { body: { full_name: "", email: "not-an-email" } });
      expect(res.response.status).toBe(400);
      const error = res.error as ErrorBody;
      expect(error.code).toBe("BAD_REQUEST");
      expect(error.message).toEqual(expect.any(String));
      expect(Object.keys(error.field_errors ?? {}).sort()).toEqual(["email", "full_name"]);
      expect(await countAcme()).toBe(before);
    });

    it("400 for a bad query parameter and for a malformed id", async () => {
      const res = await api(alice.token).GET("/contacts", {
        params: { query: { include_user_details: "everything" as "full", limit: 999 } },
      });
      expect(res.response.status).toBe(400);
      expect(Object.keys((res.error as ErrorBody).field_errors ?? {}).sort()).toEqual(["include_user_details", "limit"]);

      const bad = await api(alice.token).GET("/contacts/{id}", { params: { path: { id: "not-a-uuid" } } });
      expect(bad.response.status).toBe(400);
      expect(bad.error).toMatchObject({ code: "BAD_REQUEST", field_errors: { id: expect.any(Array) } });
    });

    it("400 for a malformed JSON body, not a 500", async () => {
      const res = await api(alice.token).POST("/contacts", {
        body: { full_name: "x" },
        bodySerializer: () => '{"full_name": "Broken',
      });
      expect(res.response.status).toBe(400);
      expect(res.error).toMatchObject({ code: "BAD_REQUEST" });
    });

    it("401 without a token, with a tampered token, and for a wrong password", async () => {
      const anonymous = await api().GET("/contacts");
      expect(anonymous.response.status).toBe(401);
      expect(anonymous.error).toMatchObject({ code: "UNAUTHORIZED" });

      const [header, payload, signature] = alice.token.split(".");
      const forged = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload!, "base64url").toString()), sub: bob.id })).toString("base64url");
      const tampered = await api(`${header}.${forged}.${signature}`).GET("/contacts");
      expect(tampered.response.status).toBe(401);

      const wrong = await api().POST("/auth/signin", { body: { email: "alice@example.com", password: "wrong password" } });
      const unknown = await api().POST("/auth/signin", { body: { email: "nobody@example.com", password: "wrong password" } });
      expect(wrong.response.status).toBe(401);
      expect(unknown.response.status).toBe(401);
      expect(wrong.error).toEqual(unknown.error);
    });

    it("404 for another tenant's business via X-Business-Id, same as a business that does not exist", async () => {
      const foreign = await api(bob.token).GET("/contacts", { params: { header: { "X-Business-Id": acmeId } } });
      const missing = await api(bob.token).GET("/contacts", {
        params: { header: { "X-Business-Id": "00000000-0000-4000-8000-000000000000" } },
      });
      expect(foreign.response.status).toBe(404);
      expect(missing.response.status).toBe(404);
      expect(foreign.error).toEqual(missing.error);
      // And Bob's own business still works for him.
      const own = await api(bob.token).GET("/contacts", { params: { header: { "X-Business-Id": globexId } } });
      expect(own.response.status).toBe(200);
      expect(own.data!.data).toEqual([]);
    });

    it("409 for a duplicate", async () => {
      const again = await api().POST("/auth/signup", { body: { email: "alice@example.com", password: "another one", display_name: "A2" } });
      expect(again.response.status).toBe(409);
      expect(again.error).toMatchObject({ code: "CONFLICT" });

      const dup = await api(alice.token).POST("/contacts", { body: { full_name: "Ada Again", email: "ada@analytical.org" } });
      expect(dup.response.status).toBe(409);
      expect(dup.error).toMatchObject({ code: "CONFLICT" });
    });

    it("429 with Retry-After after repeated failed sign-ins", async () => {
      const attempt = () => api().POST("/auth/signin", { body: { email: "bob@example.com", password: "not bob's password" } });
      const statuses: number[] = [];
      for (let i = 0; i < 8; i++) statuses.push((await attempt()).response.status);
      expect(statuses.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
      expect(statuses.slice(5)).toEqual([429, 429, 429]);
      const throttled = await attempt();
      expect(throttled.error).toMatchObject({ code: "TOO_MANY_REQUESTS" });
      expect(Number(throttled.response.headers.get("retry-after"))).toBeGreaterThan(0);
      // Even the right password waits: this address is blocked for this email (the owner elsewhere is not).
      const right = await api().POST("/auth/signin", { body: { email: "bob@example.com", password: "hunter2hunter2" } });
      expect(right.response.status).toBe(429);
    });
  });
});
