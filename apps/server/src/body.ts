// One body policy for every route (tRPC and REST): the size is checked from Content-Length before a
// byte is read and again while streaming, JSON nesting depth is checked before parsing, and the
// parsed body is handed to the adapter as req.body (both adapters use it instead of reading again).
import type { IncomingMessage } from "node:http";

export class BodyError extends Error {
  override name = "BodyError";
  constructor(
    readonly status: 400 | 413,
    readonly code: "BAD_REQUEST" | "PAYLOAD_TOO_LARGE",
    message: string,
  ) {
    super(message);
  }
}

const tooLarge = (limit: number) => new BodyError(413, "PAYLOAD_TOO_LARGE", `Request body too large (max ${limit} bytes)`);

/** Refuses by Content-Length at once; null when the declared size is fine (or not declared). */
export function declaredSizeError(req: IncomingMessage, limit: number): BodyError | null {
  const declared = req.headers["content-length"];
  if (declared !== undefined && Number(declared) > limit) return tooLarge(limit);
  return null;
}

/** Reads the body as UTF-8, refusing it as soon as more than `limit` bytes have arrived. */
export function readBody(req: IncomingMessage, limit: number): Promise<string> {
  const early = declaredSizeError(req, limit);
  if (early) return Promise.reject(early);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const cleanup = () => {
      req.off("data", onData);
      req.off("end", onEnd);
      req.off("error", onError);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        cleanup();
        req.pause(); // stop buffering; the response closes the connection
        reject(tooLarge(limit));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      cleanup();
      resolve(Buffer.concat(chunks).toString("utf8"));
    };
    const onError = (error: Error) => {
      cleanup();
      reject(error);
    };
    req.on("data", onData);
    req.on("end", onEnd);
    req.on("error", onError);
  });
}

/** The deepest nesting of arrays/objects in JSON text, without parsing it (strings are skipped). */
export function jsonDepthExceeds(text: string, maxDepth: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92 /* \ */) i++;
      else if (c === 34 /* " */) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 123 /* { */ || c === 91 /* [ */) {
      if (++depth > maxDepth) return true;
    } else if (c === 125 /* } */ || c === 93 /* ] */) depth--;
  }
  return false;
}

/** Body text → JSON value (undefined for an empty body); BodyError(400) when malformed or too deep. */
export function parseJsonBody(text: string, maxDepth: number): unknown {
  if (text.trim() === "") return undefined;
  if (jsonDepthExceeds(text, maxDepth)) throw new BodyError(400, "BAD_REQUEST", `JSON nested too deeply (max depth ${maxDepth})`);
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new BodyError(400, "BAD_REQUEST", "Malformed JSON body");
  }
}
