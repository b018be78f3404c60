/**
 * Decoding a request body into text, by one rule shared by the reference server and
 * `esol verify`: UTF-8 or UTF-16 only, chosen by the `Content-Type` charset, the byte-order
 * mark and the XML declaration, which must all agree; anything else is refused rather
 * than guessed, so every reader of the bytes (our verifier, node-soap, xmlsec1 on a saved
 * copy) sees the same characters.
 *
 * Sources: RFC 7303 §3 and §8.1 (charset parameter, BOM, XML declaration for
 * `text/xml`/`application/xml`), XML 1.0 §4.3.3 and Appendix F (encoding detection).
 * @module
 */
import { SecurityError } from "../errors.js";

/** The encodings a request may use. */
export type EnvelopeEncoding = "utf-8" | "utf-16le" | "utf-16be";

/** What {@link decodeEnvelope} read. */
export interface DecodedEnvelope {
  /** The text, without a byte-order mark. */
  text: string;
  /** The encoding the bytes were decoded with. */
  encoding: EnvelopeEncoding;
}

const refuse = (message: string): never => {
  throw new SecurityError("WSS_UNSUPPORTED_CHARSET", message);
};

/** The `charset` parameter of a Content-Type value (lowercase, unquoted), or undefined. */
export function charsetOf(contentType: string | undefined): string | undefined {
  if (!contentType) return undefined;
  for (const param of contentType.split(";").slice(1)) {
    const eq = param.indexOf("=");
    if (eq < 0) continue;
    if (param.slice(0, eq).trim().toLowerCase() !== "charset") continue;
    return param
      .slice(eq + 1)
      .trim()
      .replace(/^"(.*)"$/, "$1")
      .trim()
      .toLowerCase();
  }
  return undefined;
}

/** Encoding family a charset label names: `utf-8`, `utf-16` (either order), or undefined for others. */
function family(label: string): { family: "utf-8" | "utf-16"; order?: EnvelopeEncoding } | undefined {
  switch (label) {
    case "utf-8":
    case "utf8":
    case "us-ascii":
    case "ascii":
      return { family: "utf-8" };
    case "utf-16":
    case "utf16":
      return { family: "utf-16" };
    case "utf-16le":
      return { family: "utf-16", order: "utf-16le" };
    case "utf-16be":
      return { family: "utf-16", order: "utf-16be" };
    default:
      return undefined;
  }
}

const quote = (s: string): string => JSON.stringify(s.slice(0, 40));

/**
 * Decodes a request body. The charset of `contentType` (when given) must be UTF-8
 * (`us-ascii` is read as its UTF-8 subset) or UTF-16; a byte-order mark, when present,
 * must agree with it; UTF-16 without a BOM is read in the order its first character
 * shows (big-endian when declared `utf-16` and undetectable, RFC 2781 §4.3); the XML
 * declaration's `encoding`, when present, must name the same family. Bytes that are not
 * valid in the chosen encoding are refused (no U+FFFD substitution: two different byte
 * strings must never become the same text).
 * @param body The bytes (after Content-Encoding is undone).
 * @param contentType The `Content-Type` header, when there is one (`esol verify --content-type`).
 * @throws SecurityError `WSS_UNSUPPORTED_CHARSET` (the server answers HTTP 415).
 * @example
 * ```ts
 * const { text } = decodeEnvelope(bodyBytes, req.headers["content-type"]);
 * ```
 */
export function decodeEnvelope(body: Uint8Array, contentType?: string): DecodedEnvelope {
  const label = charsetOf(contentType);
  const declared = label === undefined ? undefined : family(label);
  if (label !== undefined && !declared)
    refuse(`charset ${quote(label)} is not accepted: send UTF-8 (or UTF-16)`);

  let bom: EnvelopeEncoding | undefined;
  let skip = 0;
  if (body[0] === 0xef && body[1] === 0xbb && body[2] === 0xbf) [bom, skip] = ["utf-8", 3];
  else if (body[0] === 0xff && body[1] === 0xfe) [bom, skip] = ["utf-16le", 2];
  else if (body[0] === 0xfe && body[1] === 0xff) [bom, skip] = ["utf-16be", 2];
  if (bom === "utf-16le" && body[2] === 0 && body[3] === 0) refuse("UTF-32 is not accepted: send UTF-8");

  let encoding: EnvelopeEncoding;
  if (bom) {
    const bomFamily = bom === "utf-8" ? "utf-8" : "utf-16";
    if (declared && (declared.family !== bomFamily || (declared.order && declared.order !== bom)))
      refuse(`the byte-order mark (${bom}) contradicts the declared charset ${quote(label as string)}`);
    encoding = bom;
  } else {
    // XML 1.0 Appendix F: "<" as UTF-16 without a BOM is 3C 00 or 00 3C.
    const sniffed: EnvelopeEncoding | undefined =
      body[0] === 0x3c && body[1] === 0x00
        ? "utf-16le"
        : body[0] === 0x00 && body[1] === 0x3c
          ? "utf-16be"
          : undefined;
    if (declared?.family === "utf-16") encoding = declared.order ?? sniffed ?? "utf-16be";
    else {
      if (sniffed && declared)
        refuse(`the body is UTF-16 but the declared charset is ${quote(label as string)}`);
      encoding = sniffed ?? "utf-8";
    }
  }
  if (declared?.family === "utf-8" && label !== "utf-8" && label !== "utf8") {
    // us-ascii: only its 7-bit subset of UTF-8.
    for (let i = skip; i < body.length; i++)
      if ((body[i] as number) >= 0x80)
        refuse(`a byte above 0x7F in a body declared ${quote(label as string)}`);
  }

  let text: string;
  try {
    text = new TextDecoder(encoding, { fatal: true, ignoreBOM: true }).decode(body.subarray(skip));
  } catch {
    return refuse(`the body is not valid ${encoding.toUpperCase()}`);
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);

  // XML 1.0 §4.3.3: the declaration's encoding must describe the bytes it was read from.
  const decl = /^<\?xml\s[^?]*?\bencoding\s*=\s*["']([A-Za-z0-9._-]+)["']/.exec(text);
  if (decl) {
    const named = (decl[1] as string).toLowerCase();
    const f = family(named);
    if (!f) refuse(`the XML declaration names encoding ${quote(named)}: send UTF-8 (or UTF-16)`);
    const actual = encoding === "utf-8" ? "utf-8" : "utf-16";
    if (f?.family !== actual)
      refuse(`the XML declaration names encoding ${quote(named)} but the body is ${actual.toUpperCase()}`);
  }
  return { text, encoding };
}
