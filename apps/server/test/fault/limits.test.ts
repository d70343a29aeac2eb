// Fault rows that need no private cluster, on PGlite and PostgreSQL (describeDb): hostile bodies
// (depth, size, invalid text), a held row lock, a burst of imports, and a 50k-row import on PGlite.
import { request } from "node:http";
import { connect } from "node:net";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createTRPCClient, httpBatchStreamLink } from "@trpc/client";
import type { AppRouter } from "@switchboard/api";
import { createHealthProbe, sql } from "@switchboard/db";
import { describeDb } from "@switchboard/db/testing";
import { startTestServer } from "../helpers.ts";
import { signUpWithBusiness } from "./load.ts";

/** A raw request whose body we control byte by byte; resolves with the status and how much was written before it. */
function rawPost(url: string, path: string, opts: { headers?: Record<string, string>; totalBytes: number; chunk?: number }) {
  return new Promise<{ status: number; written: number }>((resolve, reject) => {
    const chunk = Buffer.alloc(opts.chunk ?? 64 * 1024, "a");
    let written = 0;
    let answered = false;
    const req = request(`${url}${path}`, { method: "POST", headers: { "content-type": "application/json", ...opts.headers } }, (res) => {
      answered = true;
      res.resume();
      resolve({ status: res.statusCode ?? 0, written });
      req.destroy();
    });
    // The server answers and closes the connection while we are still uploading: the write side may see
    // EPIPE/ECONNRESET before the response is parsed. Either way the upload was cut off; status 0 then.
    req.on("error", (error: NodeJS.ErrnoException) => {
      if (answered) return;
      if (error.code === "EPIPE" || error.code === "ECONNRESET") setTimeout(() => resolve({ status: 0, written }), 50);
      else reject(error);
    });
    const pump = () => {
      while (!answered && written < opts.totalBytes) {
        written += chunk.length;
        if (!req.write(chunk)) return void req.once("drain", pump);
      }
      if (!answered) req.end();
    };
    pump();
  });
}

describeDb("fault injection: bodies, locks, heavy work", (ctx) => {
  let app: Awaited<ReturnType<typeof startTestServer>>;
  let token: string;
  let businessId: string;
  let contactId: string;
  const json = (path: string, body: unknown, init: RequestInit = {}) =>
    fetch(`${app.url}${path}`, {
      method: "POST",
      ...init,
      headers: { "content-type": "application/json", authorization: `Bearer ${token}`, "x-business-id": businessId, ...init.headers },
      body: typeof body === "string" ? body : JSON.stringify(body),
    });
  beforeAll(async () => {
    // Readiness on a connection of its own (as main does), so it answers while the pool is busy.
    const healthProbe = createHealthProbe(ctx.database, { url: ctx.url });
    app = await startTestServer(ctx.database, { limits: { heavyConcurrency: 1, heavyQueue: 1 }, healthProbe });
    ({ token, businessId } = await signUpWithBusiness(app.url, "faults"));
    const created = await json("/api/v1/contacts", { full_name: "Locked Row" });
    contactId = ((await created.json()) as { id: string }).id;
  });
  afterAll(() => app?.stop());

  it("a 5,000-deep JSON body is a 400 on REST and tRPC, never a 500", async () => {
    const deep = "[".repeat(5000) + "]".repeat(5000);
    for (const path of ["/api/v1/contacts", "/api/v1/auth/signin", "/trpc/contacts.create", "/trpc/auth.signIn"]) {
      const res = await json(path, `{"full_name":${deep}}`);
      expect(res.status, path).toBe(400);
      expect(await res.text(), path).toMatch(/nested too deeply/);
    }
  });

  it("every REST route that takes a body answers a 5,000-deep JSON body with 400 and a U+0000 body with no 5xx (fuzz from the OpenAPI document)", async () => {
    const doc = (await (await fetch(`${app.url}/api/openapi.json`)).json()) as {
      paths: Record<string, Record<string, { requestBody?: unknown }>>;
    };
    const deep = `{"a":${"[".repeat(5000)}${"]".repeat(5000)}}`;
    const nul = JSON.stringify({ full_name: "x\u0000", name: "x\u0000", email: "x\u0000@example.com", query: "x\u0000", csv: "full_name\nx\u0000" });
    let routes = 0;
    for (const [template, methods] of Object.entries(doc.paths)) {
      for (const [method, operation] of Object.entries(methods)) {
        if (!operation.requestBody) continue;
        routes++;
        const path = `/api/v1${template.replace(/\{[^}]+\}/g, contactId)}`;
        for (const body of [deep, nul]) {
          const res = await json(path, body, { method: method.toUpperCase() });
          expect(res.status, `${method} ${template}`).toBeLessThan(500);
          if (body === deep) expect(res.status, `${method} ${template}`).toBe(400);
        }
      }
    }
    expect(routes).toBeGreaterThan(10);
  });

  it("U+0000 and lone surrogates are a 400 with a field error on REST and tRPC; nothing raw from the database leaks", async () => {
    for (const bad of ["nul\u0000byte", "lone \ud800 surrogate", "\udc00"]) {
      const rest = await json("/api/v1/contacts", { full_name: bad });
      expect(rest.status).toBe(400);
      expect(await rest.json()).toMatchObject({ code: "BAD_REQUEST", field_errors: { full_name: [expect.stringMatching(/NUL|Unicode/)] } });
      const trpc = await json("/trpc/contacts.create", { full_name: "ok", company: bad });
      expect(trpc.status).toBe(400);
      const body = (await trpc.json()) as { error: { message: string; data: { zodError: { fieldErrors: Record<string, string[]> } } } };
      expect(body.error.data.zodError.fieldErrors.company).toHaveLength(1);
      expect(body.error.message).not.toMatch(/invalid byte sequence|22021|22P05|postgres/i);
      const search = await json("/api/v1/contacts/search", { query: bad });
      expect(search.status).toBe(400);
    }
    const signin = await json("/api/v1/auth/signin", { email: "a@example.com", password: "pass\u0000word" });
    expect(signin.status).toBe(400);
  });

  it("POST /contacts/{id}/restore with no body is not a malformed-JSON 400: no Content-Length, Content-Length: 0, or an empty chunked body", async () => {
    const { port } = new URL(app.url);
    const rawRequest = (extraHeaders: string, body: string) =>
      new Promise<string>((resolve, reject) => {
        const socket = connect(Number(port), "127.0.0.1", () => {
          socket.write(
            `POST /api/v1/contacts/${contactId}/restore HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer ${token}\r\n` +
              `X-Business-Id: ${businessId}\r\nConnection: close\r\n${extraHeaders}\r\n${body}`,
          );
        });
        let response = "";
        socket.on("data", (chunk: Buffer) => (response += chunk.toString()));
        socket.on("end", () => resolve(response));
        socket.on("error", reject);
      });
    for (const [headers, body] of [
      ["", ""],
      ["Content-Length: 0\r\n", ""],
      ["Transfer-Encoding: chunked\r\n", "0\r\n\r\n"],
    ] as const) {
      const response = await rawRequest(headers, body);
      const status = Number(response.slice(9, 12));
      expect(response, headers || "no length").not.toMatch(/Malformed JSON|UNSUPPORTED_MEDIA_TYPE/);
      expect([200, 404, 409], headers || "no length").toContain(status);
    }
  });

  it("100 MB bodies are refused before they are buffered: by Content-Length, while streaming, and unauthenticated imports before a byte is read", async () => {
    const hundredMb = 100 * 1024 * 1024;
    // Declared too large: refused at once, whatever follows.
    const declared = await rawPost(app.url, "/trpc/auth.signIn", { headers: { "content-length": String(hundredMb) }, totalBytes: hundredMb });
    expect([413, 0]).toContain(declared.status);
    expect(declared.written).toBeLessThan(hundredMb / 4);
    // Chunked (no Content-Length): refused once the limit is crossed, long before 100 MB arrive.
    for (const path of ["/trpc/auth.signIn", "/api/v1/auth/signin", "/trpc/imports.contactsCsv", "/api/v1/imports/contacts"]) {
      const authed = path.includes("imports") ? { authorization: `Bearer ${token}` } : undefined;
      const chunked = await rawPost(app.url, path, { headers: { ...authed, "transfer-encoding": "chunked" }, totalBytes: hundredMb });
      expect([413, 0], path).toContain(chunked.status);
      expect(chunked.written, path).toBeLessThan(hundredMb / 4);
    }
    // The large-body route wants a signed-in caller first.
    const anonymous = await rawPost(app.url, "/trpc/imports.contactsCsv", { headers: { "transfer-encoding": "chunked" }, totalBytes: hundredMb });
    expect([401, 0]).toContain(anonymous.status);
    expect(anonymous.written).toBeLessThan(hundredMb / 4);
  });

  it("a tRPC batch over the cap is a 400", async () => {
    const paths = Array.from({ length: 50 }, () => "me.get").join(",");
    const res = await fetch(`${app.url}/trpc/${paths}?batch=1&input=${encodeURIComponent("{}")}`, { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(400);
  });

  it("imports beyond the heavy-operation bound get 503 + Retry-After; interactive requests are answered meanwhile", async () => {
    const csv = "full_name,email\n" + Array.from({ length: 3000 }, (_, i) => `Burst ${i},burst${i}@example.com`).join("\n");
    const imports = Array.from({ length: 6 }, () => json("/api/v1/imports/contacts", { csv }));
    const lists = Array.from({ length: 6 }, () =>
      fetch(`${app.url}/api/v1/contacts?limit=1`, { headers: { authorization: `Bearer ${token}`, "x-business-id": businessId } }),
    );
    const listed = await Promise.all(lists);
    expect(listed.map((r) => r.status)).toEqual([200, 200, 200, 200, 200, 200]);
    const results = await Promise.all(imports);
    const statuses = results.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 200).length).toBeGreaterThanOrEqual(1);
    const refused = results.filter((r) => r.status === 503);
    expect(refused.length).toBeGreaterThanOrEqual(1);
    for (const r of refused) expect(r.headers.get("retry-after")).toBeTruthy();
    expect(statuses.every((s) => s === 200 || s === 503 || s === 409)).toBe(true);
  });

  it("a request stuck past the per-request deadline gets 503 + Retry-After (the lock holder still holds)", async () => {
    const quick = await startTestServer(ctx.database, { config: app.config, limits: { requestTimeoutMs: 300 } });
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let locked!: () => void;
    const lockTaken = new Promise<void>((resolve) => (locked = resolve));
    // PGlite: the open transaction holds the one connection; PostgreSQL: the table lock holds the list.
    const holder = ctx.database.db.transaction(async (tx) => {
      await tx.execute(sql`lock table public.contacts in access exclusive mode`);
      locked();
      await gate;
    });
    try {
      await lockTaken;
      const res = await fetch(`${quick.url}/api/v1/contacts?limit=1`, { headers: { authorization: `Bearer ${token}`, "x-business-id": businessId } });
      expect(res.status).toBe(503);
      expect(res.headers.get("retry-after")).toBeTruthy();
      expect(await res.json()).toMatchObject({ code: "SERVICE_UNAVAILABLE", message: expect.stringMatching(/took too long/) });
      expect(quick.logs.some((l) => l.msg === "request deadline exceeded")).toBe(true);
    } finally {
      release();
      await holder;
      await quick.stop();
    }
  });

  it.skipIf(ctx.kind !== "postgres")(
    "a held row lock costs only the PATCHes on that row (503 + Retry-After at lock_timeout); lists and readiness answer while it is held [PostgreSQL only: PGlite has one connection, a lock there is the whole database]",
    async () => {
      let release!: () => void;
      const gate = new Promise<void>((resolve) => (release = resolve));
      let locked!: () => void;
      const lockTaken = new Promise<void>((resolve) => (locked = resolve));
      let held = true;
      const holder = ctx.database.db.transaction(async (tx) => {
        await tx.execute(sql`select id from public.contacts where id = ${contactId}::uuid for update`);
        locked();
        await gate;
      });
      await lockTaken;
      const patches = Array.from({ length: 12 }, (_, i) =>
        json(`/api/v1/contacts/${contactId}`, { full_name: `Patched ${i}` }, { method: "PATCH" }),
      );
      const others = [
        ...Array.from({ length: 5 }, () =>
          fetch(`${app.url}/api/v1/contacts?limit=5`, { headers: { authorization: `Bearer ${token}`, "x-business-id": businessId } }),
        ),
        fetch(`${app.url}/healthz/ready`),
        fetch(`${app.url}/healthz/live`),
      ];
      const otherStatuses = (await Promise.all(others)).map((r) => r.status);
      const patched = await Promise.all(patches);
      expect(held).toBe(true); // everything above was answered while the lock was still held
      release();
      held = false;
      await holder;
      expect(otherStatuses).toEqual([200, 200, 200, 200, 200, 200, 200]);
      for (const r of patched) {
        expect(r.status).toBe(503);
        expect(r.headers.get("retry-after")).toBeTruthy();
        expect(await r.json()).toMatchObject({ code: "SERVICE_UNAVAILABLE" });
      }
    },
  );

  it.skipIf(ctx.kind !== "pglite")(
    "a 50k-row import on PGlite leaves the event loop serving and streams progress as it happens [PGlite only: on PostgreSQL the statements run in the server process's I/O, not on its thread]",
    async () => {
      const csv = "full_name\n" + Array.from({ length: 50_000 }, (_, i) => `Row ${i}`).join("\n");
      // The streaming link, as the web app uses for this procedure (@switchboard/client depends on this package).
      const client = createTRPCClient<AppRouter>({
        links: [httpBatchStreamLink({ url: `${app.url}/trpc`, headers: { authorization: `Bearer ${token}` } })],
      });
      const events: string[] = [];
      let answeredDuringImport = 0;
      const stream = await client.imports.contactsCsvStream.mutate({ businessId, csv });
      for await (const event of stream) {
        events.push(event.type);
        if (event.type === "progress" && events.length % 10 === 2) {
          const res = await fetch(`${app.url}/healthz/live`);
          if (res.status === 200) answeredDuringImport++;
          events.push("served");
        }
      }
      expect(events.at(-1)).toBe("done");
      expect(events.filter((e) => e === "progress").length).toBeGreaterThan(10);
      // Other requests were answered between progress events, i.e. before the import finished.
      expect(answeredDuringImport).toBeGreaterThan(2);
      expect(events.indexOf("served")).toBeLessThan(events.indexOf("done"));
    },
  );
});
