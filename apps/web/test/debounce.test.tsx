import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { act, renderHook } from "@testing-library/react";
import { useDebouncedValue } from "../src/lib/useDebounce.ts";

describe("useDebouncedValue", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("only publishes the value once typing has paused for the delay", () => {
    const { result, rerender } = renderHook(({ value }) => useDebouncedValue(value, 250), { initialProps: { value: "" } });
    rerender({ value: "a" });
    act(() => vi.advanceTimersByTime(100));
    rerender({ value: "ad" });
    act(() => vi.advanceTimersByTime(200));
    rerender({ value: "ada" });
    act(() => vi.advanceTimersByTime(249));
    // Each keystroke restarted the wait: nothing published yet.
    expect(result.current).toBe("");
    act(() => vi.advanceTimersByTime(1));
    expect(result.current).toBe("ada");
  });
});
