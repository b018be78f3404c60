/**
 * Checks on the raw request text that run before any XML parser sees it (and an
 * xmldom parser with every warning fatal, used as a reference in tests). Refusing DOCTYPE, comments, processing
 * instructions and CDATA here is what makes the bytes node-soap's sax parser reads
 * mean the same as the canonical bytes that were signed (sax reads `<v>12<!---->34</v>`
 * as `34`; c14n drops the comment and signs `1234`).
 * @module
 */
import { SecurityError } from "../errors.js";

/** Limits of {@link checkWireForm}. */
export interface WireLimits {
  /** Largest accepted envelope in UTF-8 bytes. */
  maxBytes: number;
  /** Deepest accepted element nesting. */
  maxDepth: number;
}

/** Defaults: 10 MiB (a 10,000-device billing submission is ~3 MiB), 64 levels. */
export const DEFAULT_WIRE_LIMITS: WireLimits = { maxBytes: 10 * 1024 * 1024, maxDepth: 64 };

const NAME_CHAR = /[^\s/>=]/;
const ENTITY = /^&(?:amp|lt|gt|quot|apos|#[0-9]{1,7}|#x[0-9a-fA-F]{1,6});/;

/**
 * Refuses, in one linear pass and before parsing: oversize input, DOCTYPE and entity
 * declarations, undeclared entity references, comments, processing instructions
 * (other than the XML declaration), CDATA sections, nesting deeper than
 * `maxDepth`, text outside the root and multiple roots.
 * @throws SecurityError `WSS_TOO_LARGE` or `WSS_MALFORMED`.
 */
export function checkWireForm(text: string, limits: WireLimits = DEFAULT_WIRE_LIMITS): void {
  // Cheap upper bound first: UTF-8 needs at most 3 bytes per UTF-16 unit.
  if (
    text.length > limits.maxBytes ||
    (text.length * 3 > limits.maxBytes && Buffer.byteLength(text) > limits.maxBytes)
  ) {
    throw new SecurityError("WSS_TOO_LARGE", `envelope larger than ${limits.maxBytes} bytes`);
  }
  const malformed = (reason: string, at: number) =>
    new SecurityError("WSS_MALFORMED", `${reason} at offset ${at}`);
  let i = 0;
  const n = text.length;
  if (text.charCodeAt(0) === 0xfeff) i = 1;
  if (text.startsWith("<?xml", i) && /\s/.test(text[i + 5] ?? "")) {
    const end = text.indexOf("?>", i);
    if (end < 0) throw malformed("unterminated XML declaration", i);
    i = end + 2;
  }
  let depth = 0;
  let roots = 0;
  while (i < n) {
    const lt = text.indexOf("<", i);
    const textEnd = lt < 0 ? n : lt;
    // Character data: only outside the root must it be whitespace; entity refs are checked everywhere.
    for (let j = i; j < textEnd; j++) {
      const c = text.charCodeAt(j);
      if (depth === 0 && c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d)
        throw malformed("text outside the root element", j);
      if (c === 0x26 && !ENTITY.test(text.slice(j, j + 12)))
        throw malformed("undeclared entity reference", j);
      if (c === 0x3e && text.startsWith("]]>", j - 2)) throw malformed("']]>' in text", j);
    }
    if (lt < 0) break;
    const next = text[lt + 1];
    if (next === "!") {
      if (text.startsWith("<!--", lt)) throw malformed("comment in envelope", lt);
      if (text.startsWith("<![CDATA[", lt)) throw malformed("CDATA section in envelope", lt);
      throw malformed("DOCTYPE or markup declaration", lt);
    }
    if (next === "?") throw malformed("processing instruction in envelope", lt);
    if (next === "/") {
      const gt = text.indexOf(">", lt);
      if (gt < 0) throw malformed("unterminated end tag", lt);
      depth--;
      if (depth < 0) throw malformed("end tag without start tag", lt);
      i = gt + 1;
      continue;
    }
    if (!NAME_CHAR.test(next ?? "")) throw malformed("'<' not starting a tag", lt);
    // Start tag: find its end outside quoted attribute values ('>' is legal inside them).
    let j = lt + 1;
    let quote = 0;
    for (; j < n; j++) {
      const c = text.charCodeAt(j);
      if (quote !== 0) {
        if (c === quote) quote = 0;
        else if (c === 0x3c) throw malformed("'<' in attribute value", j);
        else if (c === 0x26 && !ENTITY.test(text.slice(j, j + 12)))
          throw malformed("undeclared entity reference", j);
      } else if (c === 0x22 || c === 0x27) quote = c;
      else if (c === 0x3e) break;
      else if (c === 0x3c) throw malformed("'<' inside a tag", j);
    }
    if (j >= n) throw malformed("unterminated start tag", lt);
    const selfClosing = text.charCodeAt(j - 1) === 0x2f;
    if (depth === 0) {
      roots++;
      if (roots > 1) throw malformed("more than one root element", lt);
    }
    if (!selfClosing) {
      depth++;
      if (depth > limits.maxDepth) throw malformed(`element nesting deeper than ${limits.maxDepth}`, lt);
    }
    i = j + 1;
  }
  if (roots === 0) throw malformed("no root element", 0);
  if (depth !== 0) throw malformed("unclosed element", n);
}
