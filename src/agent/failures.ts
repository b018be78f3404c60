/**
 * How the engine judges a failure: one no resend can fix and that every call meets
 * ({@link stuckRemedy}: the agent gets stuck and re-checks slowly), one that parks a single
 * entry ({@link isPermanent}), or one retried with backoff (everything else).
 * @module
 */
import {
  ConfigError,
  InternalError,
  isSdkError,
  type SdkError,
  SecurityError,
  SoapFaultError,
  TransportError,
  UnsignedFaultError,
  ValidationError,
} from "../errors.js";

const CLOCK_CODES: ReadonlySet<string> = new Set(["WSS_EXPIRED", "WSS_NOT_YET_VALID", "WSS_MESSAGE_EXPIRED"]);

/**
 * What to do about a failure that no resend can fix and that every server call meets (so
 * retrying only repeats it): an untrusted server certificate, a signing key the server
 * does not trust, a server that requires signatures, clocks that disagree, an endpoint
 * that does not exist. Undefined for everything else (retryable failures, and per-entry
 * refusals such as `INVALID_VALUE`, which park the entry instead).
 * @example
 * ```ts
 * agent.on("stuck", (s) => alert(`${s.code}: ${s.message} — ${s.remedy}`));
 * ```
 */
export function stuckRemedy(err: unknown): string | undefined {
  if (!isSdkError(err) || err.retryable) return undefined;
  const code = err.code;
  if (err instanceof ConfigError && code !== "CLIENT_CLOSED")
    return "fix the agent configuration named in the message, then restart the agent";
  if (code === "TLS_ERROR")
    return /does not name/.test(err.message)
      ? "set `server.url` to the host name the server's certificate names (or reissue the certificate), then restart the agent"
      : "set `server.ca` in the agent config to the server's certificate (or the CA that issued it), a PEM file, then restart the agent";
  if (code === "BAD_RESPONSE" && /answered in SOAP 1\.2/.test(err.message))
    return "`server.url` is a SOAP 1.2 endpoint; this agent speaks SOAP 1.1: set it to the service's SOAP 1.1 address (ask the server's operator), then restart the agent";
  if (code === "DNS_ERROR")
    return "`server.url` names a host that does not resolve: fix it in the agent config, then restart the agent";
  if (code === "HTTP_401" || code === "HTTP_403" || code === "HTTP_404")
    return "the server refuses this endpoint: check `server.url` (host and path, e.g. `/esolutions/v1`) with the server's operator";
  if (code === "WSS_LIFETIME")
    return "the signed Timestamp's lifetime (Created to Expires) exceeds the server's limit: ask the server's operator to raise the limit (verifier option `maxLifetimeMs`, default 300 s), or give the agent a signer with a shorter `ttlMs` (library: `createMessageSigner`)";
  if (CLOCK_CODES.has(code))
    return "the agent's clock and the server's disagree beyond the allowed skew: set the agent host's clock (NTP)";
  // A fault that did not verify: judged by what the server said (unauthenticated), never by
  // the failed check alone; a per-entry refusal is retried with backoff, not parked (isPermanent).
  if (err instanceof UnsignedFaultError) return stuckRemedy(err.fault);
  // Raised by the agent's own check of a response, not a refusal by the server.
  if (err instanceof SecurityError)
    return "the server's responses do not verify against `security.serverCert`: set it to the server's signing certificate, then restart the agent";
  if (code === "WSS_UNTRUSTED_KEY" || code === "WSS_FAILED_AUTHENTICATION")
    return "the server does not trust this agent's signing certificate: send its subject and SHA-256 thumbprint (in the message) to the server's operator to trust it (reference server: `esol server --trust <cert.pem>`), or set `security.key`/`security.cert` to the pair the server trusts";
  if (code === "UNKNOWN_PROXY")
    return "the server does not know this proxy (its store was reset or restored from before the registration): the agent registers the proxy and its devices again at its next sync; nothing to do unless this repeats";
  if (code === "WSS_UNSIGNED")
    return "the server requires signed requests: set `security.key` and `security.cert` in the agent config, then restart the agent";
  if (
    err instanceof SoapFaultError &&
    code.startsWith("WSS_") &&
    code !== "WSS_REPLAY" &&
    code !== "WSS_BUSY"
  )
    return "the server refused the agent's WS-Security header: check `security` in the agent config against what the server accepts (docs/error-codes.md)";
  return undefined;
}

/** `<code>: <message>` of an SDK error, else the message: the reason kept with an entry. */
export function errorLine(err: unknown): string {
  if (isSdkError(err)) return `${err.code}: ${err.message}`;
  return err instanceof Error ? err.message : String(err);
}

/** `err` as an {@link SdkError}; anything else becomes an {@link InternalError} (kept as `cause`). */
export function asSdkError(err: unknown): SdkError {
  return InternalError.from(err);
}

/**
 * Whether no resend can fix a failure: a SOAP fault the server marked not retryable
 * (`UNKNOWN_DEVICE`, `INVALID_VALUE`, a refused signature), or an HTTP 4xx other than 429
 * without a fault, or a message the client refused to send (`ValidationError`
 * `INVALID_VALUE`, e.g. a billing read of a device with no billing meters: the schema
 * requires 1–64). Everything else (5xx, 429, resets, timeouts, a response that failed
 * verification) is retried: the server stores each key once, so a resend is harmless.
 */
export function isPermanent(err: unknown): boolean {
  if (err instanceof SoapFaultError) return !err.retryable;
  // Raised before anything was sent: the same entry fails the same way at every attempt.
  if (err instanceof ValidationError) return !err.retryable;
  if (err instanceof TransportError) {
    const status = err.status ?? 0;
    return !err.retryable && status >= 400 && status < 500 && status !== 429;
  }
  return false;
}
