/**
 * A strict xmldom parse for the reference tree the property tests compare with (the signer and
 * verifier read XML with the SDK's own reader in src/wssec/xml.ts).
 */
import { DOMParser, type Document } from "@xmldom/xmldom";
import { SecurityError } from "../../src/errors.js";

/**
 * Parses XML with xmldom, every parser warning and error treated as fatal (the
 * reference tree for tests; the verifier uses `parseXml`). Run {@link checkWireForm}
 * first on untrusted input.
 * @throws SecurityError `WSS_MALFORMED`.
 */
export function parseStrict(text: string): Document {
  const parser = new DOMParser({
    onError: (level: string, message: string) => {
      throw new SecurityError(
        "WSS_MALFORMED",
        `XML ${level}: ${String(message).split("\n")[0]?.slice(0, 120)}`,
      );
    },
  });
  try {
    return parser.parseFromString(text, "text/xml");
  } catch (err) {
    if (err instanceof SecurityError) throw err;
    const cause = (err as { cause?: unknown }).cause;
    if (cause instanceof SecurityError) throw cause;
    const msg = err instanceof Error ? err.message.split("\n")[0]?.slice(0, 120) : "unreadable";
    throw new SecurityError("WSS_MALFORMED", `XML error: ${msg}`, { cause: err });
  }
}
