import { describe, expect, it } from "vitest";
import { SecurityError } from "../../../src/errors.js";
import { charsetOf, decodeEnvelope } from "../../../src/wssec/charset.js";

const code = (fn: () => unknown): string => {
  try {
    fn();
  } catch (err) {
    if (err instanceof SecurityError) return err.code;
    throw err;
  }
  return "accepted";
};
const XML = '<?xml version="1.0" encoding="utf-8"?><a>ü</a>';

describe("decodeEnvelope: one charset rule for the server and esol verify", () => {
  it("reads the charset parameter in its spellings", () => {
    expect(charsetOf("text/xml;charset=UTF-8")).toBe("utf-8");
    expect(charsetOf('text/xml; action="x"; Charset = "utf-16"')).toBe("utf-16");
    expect(charsetOf("text/xml")).toBeUndefined();
  });

  it("strips a UTF-8 BOM and decodes UTF-16 by BOM or first character", () => {
    expect(decodeEnvelope(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(XML)])).text).toBe(XML);
    const u16 = XML.replace("utf-8", "utf-16");
    expect(decodeEnvelope(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(u16, "utf16le")])).text).toBe(
      u16,
    );
    expect(decodeEnvelope(Buffer.from(u16, "utf16le")).encoding).toBe("utf-16le");
    expect(decodeEnvelope(Buffer.from(u16, "utf16le").swap16(), "text/xml; charset=utf-16").encoding).toBe(
      "utf-16be",
    );
  });

  it("refuses other charsets, contradictions, UTF-32 and invalid bytes", () => {
    expect(code(() => decodeEnvelope(Buffer.from(XML), "text/xml; charset=windows-1252"))).toBe(
      "WSS_UNSUPPORTED_CHARSET",
    );
    expect(code(() => decodeEnvelope(Buffer.from(XML.replace("utf-8", "utf-16"))))).toBe(
      "WSS_UNSUPPORTED_CHARSET",
    );
    expect(code(() => decodeEnvelope(Buffer.from(XML), "text/xml; charset=us-ascii"))).toBe(
      "WSS_UNSUPPORTED_CHARSET",
    );
    expect(code(() => decodeEnvelope(Buffer.from([0xff, 0xfe, 0, 0, 0x3c, 0, 0, 0])))).toBe(
      "WSS_UNSUPPORTED_CHARSET",
    );
    expect(
      code(() => decodeEnvelope(Buffer.from([0x3c, 0x61, 0x3e, 0xc3, 0x28, 0x3c, 0x2f, 0x61, 0x3e]))),
    ).toBe("WSS_UNSUPPORTED_CHARSET");
    expect(code(() => decodeEnvelope(Buffer.from("<a/>"), "text/xml; charset=us-ascii"))).toBe("accepted");
  });
});
