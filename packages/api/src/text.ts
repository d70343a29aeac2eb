// Text PostgreSQL cannot store: U+0000 (22021) and lone UTF-16 surrogates (not valid UTF-8, 22P05).
// Checked once for every input (see rejectInvalidText in trpc.ts); schemas can use SafeString too.
import { z, type core } from "zod";

export const INVALID_TEXT_MESSAGE = "Text contains a NUL character or an invalid Unicode sequence";

// A high surrogate not followed by a low one, or a low one not preceded by a high one.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export const isStorableText = (value: string) => !value.includes("\u0000") && !LONE_SURROGATE.test(value);

/** A string schema that refuses text PostgreSQL cannot store. */
export const SafeString = z.string().refine(isStorableText, { message: INVALID_TEXT_MESSAGE });

/** Zod issues for every string (or object key) in `input` that cannot be stored; walks without recursion. */
export function invalidTextIssues(input: unknown, maxIssues = 20): core.$ZodIssue[] {
  const issues: core.$ZodIssue[] = [];
  const stack: Array<{ value: unknown; path: PropertyKey[] }> = [{ value: input, path: [] }];
  while (stack.length && issues.length < maxIssues) {
    const { value, path } = stack.pop()!;
    if (typeof value === "string") {
      if (!isStorableText(value)) issues.push({ code: "custom", path, message: INVALID_TEXT_MESSAGE, input: undefined });
    } else if (Array.isArray(value)) {
      value.forEach((item, i) => stack.push({ value: item, path: [...path, i] }));
    } else if (value && typeof value === "object") {
      for (const [key, item] of Object.entries(value)) {
        if (!isStorableText(key)) issues.push({ code: "custom", path, message: INVALID_TEXT_MESSAGE, input: undefined });
        stack.push({ value: item, path: [...path, key] });
      }
    }
  }
  return issues;
}

/** Any input, refused with a real ZodError (field paths and all) when it holds text that cannot be stored. */
export const StorableInput = z.unknown().superRefine((value, ctx) => {
  for (const issue of invalidTextIssues(value)) ctx.addIssue({ code: "custom", path: issue.path, message: issue.message });
});
