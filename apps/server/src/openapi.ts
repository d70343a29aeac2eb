// The OpenAPI 3 document of /api/v1, generated from the same appRouter (trpc-to-openapi meta), then
// completed with what the generator does not know: our error body, the bearer scheme and X-Business-Id.
import { generateOpenApiDocument, type OpenAPIObject, type OpenApiRouter } from "trpc-to-openapi";

export const REST_BASE_PATH = "/api/v1";

type Json = Record<string, unknown>;
type SchemaObject = NonNullable<NonNullable<OpenAPIObject["components"]>["schemas"]>[string];
type Operation = {
  security?: unknown[];
  parameters?: Array<Json & { name?: string; in?: string; $ref?: string }>;
  requestBody?: { content?: Record<string, { schema?: Json }> };
  responses?: Record<string, unknown>;
};

const ERROR_RESPONSES: Record<string, { ref: string; description: string }> = {
  "400": { ref: "BadRequest", description: "Invalid input: `field_errors` names each bad field; malformed JSON" },
  "401": { ref: "Unauthorized", description: "Missing, expired or invalid access token; wrong email or password" },
  "403": { ref: "Forbidden", description: "Signed in, but the role does not allow this" },
  "404": { ref: "NotFound", description: "No such resource, or not visible to the caller (another tenant's business)" },
  "409": { ref: "Conflict", description: "Duplicate (e.g. email already used)" },
  "429": { ref: "TooManyRequests", description: "Throttled; retry after the `Retry-After` seconds" },
  "500": { ref: "InternalError", description: "Unexpected server error" },
};

const errorSchema: SchemaObject = {
  type: "object",
  description: "Every error response of /api/v1 has this shape.",
  properties: {
    code: {
      type: "string",
      description: "Stable machine-readable code",
      enum: [
        "BAD_REQUEST",
        "UNAUTHORIZED",
        "FORBIDDEN",
        "NOT_FOUND",
        "CONFLICT",
        "TOO_MANY_REQUESTS",
        "PAYLOAD_TOO_LARGE",
        "UNSUPPORTED_MEDIA_TYPE",
        "INTERNAL_SERVER_ERROR",
      ],
    },
    message: { type: "string" },
    field_errors: {
      type: "object",
      description: "Invalid input only: messages per field (dotted path)",
      additionalProperties: { type: "array", items: { type: "string" } },
    },
  },
  required: ["code", "message"],
};

function hasBusinessIdInput(doc: OpenAPIObject, op: Operation): boolean {
  if (op.parameters?.some((p) => p.name === "businessId" && p.in !== "header")) return true;
  let schema = op.requestBody?.content?.["application/json"]?.schema;
  const ref = schema?.$ref;
  if (typeof ref === "string") schema = doc.components?.schemas?.[ref.split("/").pop()!] as Json | undefined;
  const props = schema?.properties as Json | undefined;
  return !!props && "businessId" in props;
}

/** Builds the document served at /api/openapi.json. */
export function buildOpenApiDocument(router: OpenApiRouter, opts: { version?: string } = {}): OpenAPIObject {
  const doc = generateOpenApiDocument(router, {
    title: "Switchboard API",
    description:
      "Multi-tenant contact management. Authenticate with `POST /auth/signin` and send `Authorization: Bearer <access_token>`. " +
      "Business-scoped calls take the business in the `X-Business-Id` header (optional when you belong to exactly one business).",
    version: opts.version ?? "1.0.0",
    baseUrl: REST_BASE_PATH,
    securitySchemes: { bearerAuth: { type: "http", scheme: "bearer", bearerFormat: "JWT" } },
  });
  const components = (doc.components ??= {});
  components.schemas = { ...components.schemas, Error: errorSchema };
  components.parameters = {
    ...components.parameters,
    XBusinessId: {
      name: "X-Business-Id",
      in: "header",
      required: false,
      description: "The business to act in. Optional when the caller has exactly one active membership.",
      schema: { type: "string", format: "uuid" },
    },
  };
  components.responses = Object.fromEntries(
    Object.values(ERROR_RESPONSES).map(({ ref, description }) => [
      ref,
      {
        description,
        ...(ref === "TooManyRequests" && {
          headers: { "Retry-After": { description: "Seconds to wait", schema: { type: "integer" } } },
        }),
        content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } },
      },
    ]),
  );
  for (const pathItem of Object.values(doc.paths ?? {})) {
    for (const [method, value] of Object.entries(pathItem as Record<string, Operation>)) {
      if (!["get", "post", "patch", "put", "delete"].includes(method)) continue;
      const op = value;
      const responses = (op.responses ??= {});
      const statuses = new Set(Object.keys(responses).filter((s) => Number(s) >= 400));
      // Every operation can be refused for bad input, credentials (sign-in too) or throttling.
      for (const s of ["400", "401", "404", "409", "429", "500"]) statuses.add(s);
      if (op.security?.length) statuses.add("403");
      for (const s of [...statuses].sort()) {
        const known = ERROR_RESPONSES[s];
        responses[s] = known
          ? { $ref: `#/components/responses/${known.ref}` }
          : { description: "Error", content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } } };
      }
      if (hasBusinessIdInput(doc, op)) {
        op.parameters = [...(op.parameters ?? []), { $ref: "#/components/parameters/XBusinessId" }];
      }
    }
  }
  return doc;
}
