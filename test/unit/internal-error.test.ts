import { describe, expect, it } from "vitest";
import { ConfigError, InternalError, isSdkError, SdkError } from "../../src/errors.js";

describe("INTERNAL has one meaning: an unexpected failure, kept as cause", () => {
  it("wraps a non-SDK error as InternalError INTERNAL with its first message line and the error as cause", () => {
    const bug = new TypeError("cannot read properties of undefined (reading 'x')\n    at frame");
    const wrapped = InternalError.from(bug);
    expect(wrapped).toBeInstanceOf(InternalError);
    expect(wrapped).toBeInstanceOf(SdkError);
    expect(isSdkError(wrapped)).toBe(true);
    expect(wrapped.code).toBe("INTERNAL");
    expect(wrapped.retryable).toBe(false);
    expect(wrapped.cause).toBe(bug);
    expect(wrapped.toLine()).toBe("error INTERNAL: cannot read properties of undefined (reading 'x')");
    expect(InternalError.from("plain text").message).toBe("plain text");
  });

  it("keeps an SdkError as it is (its own code, not INTERNAL)", () => {
    const known = new ConfigError("CONFIG_INVALID", "devices.targets[0]: not an address");
    expect(InternalError.from(known)).toBe(known);
  });
});
