// test/openapi.d.ts (the REST test's client types) must be what openapi-typescript makes of the
// document the running server serves today; otherwise the REST test would be checking a stale contract.
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, expect, it } from "vitest";
import { describeDb } from "@switchboard/db/testing";
import { generateOpenApiTypes, openApiTypesFile } from "../scripts/openapi-types.ts";
import { startTestServer } from "./helpers.ts";

describeDb("generated OpenAPI client types", (ctx) => {
  let app: Awaited<ReturnType<typeof startTestServer>>;
  beforeAll(async () => {
    app = await startTestServer(ctx.database);
  });
  afterAll(() => app?.stop());

  it("test/openapi.d.ts matches /api/openapi.json (regenerate: npm run openapi:types -w @switchboard/server)", async () => {
    const document = (await (await fetch(`${app.url}/api/openapi.json`)).json()) as unknown;
    const fresh = await generateOpenApiTypes(document);
    expect(readFileSync(openApiTypesFile, "utf8") === fresh, "test/openapi.d.ts is stale").toBe(true);
  });
});
