import { describe, expect, it } from "vitest";
import { TRPCClientError } from "@trpc/client";
import { describeError, errorInfo, isSessionError, NETWORK_MESSAGE, RestError } from "../src/lib/errors.ts";

/** A client error exactly as tRPC builds it from a server error response. */
function trpcError(code: string, httpStatus: number, message: string, zodError: unknown = null) {
  return TRPCClientError.from({ error: { code: -32600, message, data: { code, httpStatus, zodError } } });
}

describe("error messages", () => {
  it("turns a failed fetch into a connection message", () => {
    expect(describeError(new TypeError("Failed to fetch"))).toBe(NETWORK_MESSAGE);
    expect(errorInfo(TRPCClientError.from(new TypeError("NetworkError when attempting to fetch resource."))).code).toBe("NETWORK");
  });

  it("gives every tRPC error code a human sentence, never the raw code", () => {
    const codes: [string, number][] = [
      ["BAD_REQUEST", 400], ["UNAUTHORIZED", 401], ["FORBIDDEN", 403], ["NOT_FOUND", 404], ["CONFLICT", 409],
      ["PAYLOAD_TOO_LARGE", 413], ["TOO_MANY_REQUESTS", 429], ["INTERNAL_SERVER_ERROR", 500], ["TIMEOUT", 408],
      ["PRECONDITION_FAILED", 412], ["METHOD_NOT_SUPPORTED", 405], ["UNPROCESSABLE_CONTENT", 422], ["SERVICE_UNAVAILABLE", 503],
    ];
    for (const [code, status] of codes) {
      const message = describeError(trpcError(code, status, ""));
      expect(message, code).not.toContain(code);
      expect(message.length, code).toBeGreaterThan(10);
    }
  });

  it("keeps readable server messages for conflicts and throttling, hides technical ones", () => {
    expect(describeError(trpcError("CONFLICT", 409, "Email already registered"))).toBe("Email already registered");
    expect(describeError(trpcError("TOO_MANY_REQUESTS", 429, "Too many sign-in attempts, retry in 30 s"))).toBe("Too many sign-in attempts, retry in 30 s");
    expect(describeError(trpcError("INTERNAL_SERVER_ERROR", 500, "relation users does not exist"))).toBe("Something went wrong on our side. Please try again.");
    expect(describeError(trpcError("BAD_REQUEST", 400, '[{"code":"invalid_type"}]'))).not.toContain("invalid_type");
    expect(describeError(trpcError("NOT_FOUND", 404, "Not found"))).toMatch(/couldn't find/);
  });

  it("extracts field errors from the server's flattened zod error", () => {
    const info = errorInfo(trpcError("BAD_REQUEST", 400, "[...]", { formErrors: [], fieldErrors: { email: ["Invalid email"], phone: ["Invalid phone number", "x"] } }));
    expect(info.fieldErrors).toEqual({ email: "Invalid email", phone: "Invalid phone number" });
    expect(info.message).toBe("Please fix the highlighted fields.");
  });

  it("recognises an ended session but not a wrong password", () => {
    expect(isSessionError(trpcError("UNAUTHORIZED", 401, "Access token expired"))).toBe(true);
    expect(describeError(trpcError("UNAUTHORIZED", 401, "Access token expired"))).toBe("Your session has ended. Please sign in again.");
    expect(isSessionError(trpcError("UNAUTHORIZED", 401, "Invalid email or password"))).toBe(false);
    expect(describeError(trpcError("UNAUTHORIZED", 401, "Invalid email or password"))).toBe("Invalid email or password");
  });

  it("maps REST error bodies the same way", () => {
    expect(describeError(new RestError(403, "FORBIDDEN", ""))).toBe("You don't have permission to do that.");
    expect(isSessionError(new RestError(401, "UNAUTHORIZED", ""))).toBe(true);
    expect(describeError(new Error("boom"))).toBe("Something went wrong on our side. Please try again.");
  });
});
