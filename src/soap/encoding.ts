/**
 * HTTP content-coding helpers shared by the client and the reference server: whether a
 * peer accepts gzip, and bounded gunzip. Pure functions, no I/O.
 * @module
 */
import { gunzipSync, inflateSync } from "node:zlib";

/**
 * True when an `Accept-Encoding` header value accepts `gzip` (RFC 9110 §12.5.3): a
 * `gzip` / `x-gzip` entry, or `*`, with a q-value above zero. An explicit `gzip;q=0`
 * refuses it even when `*` is also listed.
 * @example
 * ```ts
 * acceptsGzip("gzip, deflate, br"); // true
 * acceptsGzip("gzip;q=0, *");       // false
 * ```
 */
export function acceptsGzip(header: string | string[] | undefined): boolean {
  if (header === undefined) return false;
  const value = Array.isArray(header) ? header.join(",") : header;
  let gzipQ: number | undefined;
  let anyQ: number | undefined;
  for (const part of value.split(",")) {
    const [rawName = "", ...params] = part.split(";");
    const name = rawName.trim().toLowerCase();
    if (name === "") continue;
    let q = 1;
    for (const p of params) {
      const m = /^\s*q\s*=\s*([0-9.]+)\s*$/i.exec(p);
      if (m?.[1] !== undefined) {
        const parsed = Number(m[1]);
        q = Number.isFinite(parsed) ? parsed : 0;
      }
    }
    if (name === "gzip" || name === "x-gzip") gzipQ = Math.max(gzipQ ?? 0, q);
    else if (name === "*") anyQ = q;
  }
  return (gzipQ ?? anyQ ?? 0) > 0;
}

/** Why {@link decodeBody} failed. */
export type DecodeFailure = "too-large" | "corrupt";

/**
 * Undoes a `Content-Encoding` of `gzip`, `x-gzip` or `deflate`, never producing more than
 * `maxBytes` (a gzip bomb stops at the bound instead of filling memory). Other codings,
 * `identity` and none return `body` unchanged.
 * @returns the decoded bytes, or the reason they cannot be had.
 */
export function decodeBody(
  body: Buffer,
  contentEncoding: string | undefined,
  maxBytes: number,
): { ok: true; body: Buffer } | { ok: false; reason: DecodeFailure } {
  const encoding = (contentEncoding ?? "").trim().toLowerCase();
  const inflate =
    encoding === "gzip" || encoding === "x-gzip"
      ? gunzipSync
      : encoding === "deflate"
        ? inflateSync
        : undefined;
  if (!inflate) return { ok: true, body };
  try {
    return { ok: true, body: inflate(body, { maxOutputLength: maxBytes }) };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ERR_BUFFER_TOO_LARGE" || err instanceof RangeError)
      return { ok: false, reason: "too-large" };
    return { ok: false, reason: "corrupt" };
  }
}
