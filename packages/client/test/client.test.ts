// The typed client against a real server: sign up, then call procedures with the token and the
// business header, and see errors arrive as TRPCClientError with the server's code.
import { afterAll, beforeAll, expect, it } from "vitest";
import { randomBytes } from "node:crypto";
import type { AddressInfo } from "node:net";
import pino from "pino";
import { describeDb } from "@switchboard/db/testing";
import { createServer, stopServer } from "@switchboard/server";
import { createSwitchboardClient, TRPCClientError, type RouterOutputs } from "../src/index.ts";

describeDb("createSwitchboardClient", (ctx) => {
  let url: string;
  let server: ReturnType<typeof createServer>;
  beforeAll(async () => {
    server = createServer({
      database: ctx.database,
      config: { jwt: { secret: randomBytes(32), ttlSeconds: 600 }, kAnonymity: 5, analyticsTokenKey: randomBytes(32) },
      logger: pino({ level: "silent" }),
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => stopServer(server));

  it("signs up, creates a business and contacts, and reads them back typed", async () => {
    const anonymous = createSwitchboardClient({ url });
    const session = await anonymous.auth.signUp.mutate({ email: "node@example.com", password: "a long password", display_name: "Node" });
    expect(session.token_type).toBe("bearer");

    const business = await createSwitchboardClient({ url, token: session.access_token }).businesses.create.mutate({ name: "Scripted Inc" });
    const businessId = business.id;
    const client = createSwitchboardClient({ url, token: session.access_token, businessId });

    await client.contacts.create.mutate({ full_name: "Linus Torvalds", email: "linus@example.org" });
    await client.contacts.create.mutate({ full_name: "Margaret Hamilton", company: "MIT", assigned_to: session.user.id });
    // Batched: two calls in one HTTP request.
    const [page, me]: [RouterOutputs["contacts"]["list"], RouterOutputs["me"]["get"]] = await Promise.all([
      client.contacts.list.query({ include_user_details: "basic" }),
      client.me.get.query(),
    ]);
    expect(page.data.map((c) => c.full_name).sort()).toEqual(["Linus Torvalds", "Margaret Hamilton"]);
    expect(page.data.find((c) => c.full_name === "Margaret Hamilton")!.assigned_to).toEqual({
      id: session.user.id,
      display_name: "Node",
      email: "node@example.com",
    });
    expect(me.memberships).toEqual([expect.objectContaining({ business_id: businessId, role: "owner" })]);
  });

  it("surfaces errors with their code", async () => {
    const client = createSwitchboardClient({ url, token: "not-a-token" });
    const error = await client.contacts.list.query({}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TRPCClientError);
    expect((error as TRPCClientError<never>).data).toMatchObject({ code: "UNAUTHORIZED", httpStatus: 401 });
  });
});
