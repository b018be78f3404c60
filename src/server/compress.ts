/**
 * Making response bodies small before they go out: the envelope text without what a
 * SOAP 1.1 reader does not need, then gzip when the client accepts it and it pays.
 * @module
 */
import { gzipSync } from "node:zlib";
import { acceptsGzip } from "../soap/encoding.js";

/** Bodies below this many bytes go out uncompressed: gzip's framing and Vary would eat the gain. */
export const GZIP_MIN_BYTES = 1024;

/**
 * The envelope without a leading XML declaration (UTF-8 is XML's default, and the HTTP
 * Content-Type names the charset) and with runs of whitespace between the root element's
 * attributes cut to one space (node-soap writes two before its namespace declarations).
 * Only the prologue and the root start tag are touched: element content stays byte for byte.
 * @example
 * ```ts
 * compactEnvelope('<?xml version="1.0" encoding="utf-8"?><soap:Envelope a="1"  b="2">…');
 * // '<soap:Envelope a="1" b="2">…'
 * ```
 */
export function compactEnvelope(envelope: string): string {
  let text = envelope;
  const declaration = /^\uFEFF?<\?xml\s[^?]*\?>\s*/.exec(text);
  // An encoding other than UTF-8 would change meaning without the declaration: keep it then.
  if (declaration && !/encoding\s*=\s*["'](?!utf-?8["'])/i.test(declaration[0]))
    text = text.slice(declaration[0].length);
  if (!text.startsWith("<")) return text;
  let out = "";
  let quote: string | undefined;
  let i = 1;
  for (; i < text.length; i++) {
    const c = text.charAt(i);
    if (quote) {
      if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'") {
      quote = c;
    } else if (c === ">") {
      break;
    } else if (/\s/.test(c)) {
      // Collapse the whole run; drop it entirely before the end of the tag.
      let j = i;
      while (j < text.length && /\s/.test(text.charAt(j))) j++;
      const next = text.charAt(j);
      if (next !== ">" && next !== "/") out += " ";
      i = j - 1;
      continue;
    }
    out += c;
  }
  if (i >= text.length) return text; // no end of the start tag: leave malformed text alone
  return `<${out}${text.slice(i)}`;
}

/** A response body as it will be sent. */
export interface EncodedBody {
  /** The bytes to send (gzip when `Content-Encoding` says so). */
  body: Buffer;
  /** Headers to add: `Content-Encoding` when gzipped, `Vary` whenever Accept-Encoding decided. */
  headers: Record<string, string>;
}

/**
 * Gzips `body` when the request's `Accept-Encoding` allows gzip and the body has at least
 * `minBytes` bytes. Bodies of that size carry `Vary: Accept-Encoding` either way, because
 * their coding depends on the request header; smaller bodies never vary.
 */
export function encodeResponseBody(
  body: Buffer,
  acceptEncoding: string | string[] | undefined,
  minBytes: number = GZIP_MIN_BYTES,
): EncodedBody {
  if (body.length < minBytes) return { body, headers: {} };
  if (!acceptsGzip(acceptEncoding)) return { body, headers: { Vary: "Accept-Encoding" } };
  return { body: gzipSync(body), headers: { "Content-Encoding": "gzip", Vary: "Accept-Encoding" } };
}
