/**
 * Retry policy of {@link CommunicationClient}: which failures are worth repeating, how
 * long to wait (exponential backoff with jitter, or the server's `Retry-After`), and an
 * abortable sleep. Pure apart from `sleep`.
 * @module
 */
import { AbortError, isSdkError, SoapFaultError } from "../errors.js";

/**
 * Milliseconds a `Retry-After` header asks for: delta-seconds or an HTTP date.
 * Undefined when absent or unreadable; never negative.
 * @example
 * ```ts
 * parseRetryAfter("2", Date.now()); // 2000
 * parseRetryAfter("Wed, 25 Nov 2026 18:00:05 GMT", Date.parse("2026-11-25T18:00:00Z")); // 5000
 * ```
 */
export function parseRetryAfter(value: string | undefined, nowMs: number): number | undefined {
  if (value === undefined) return undefined;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  if (!/[a-z]/i.test(v)) return undefined;
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}

/**
 * Backoff before retry number `retry` (1 = first retry): `retryDelayMs · 2^(retry-1)`
 * capped at `maxRetryDelayMs`, then "equal jitter" (half fixed, half random) so that many
 * clients that failed together do not come back together, yet no wait collapses to zero.
 * The one backoff formula of the SDK: the client's retries, the outbox's redeliveries and the
 * agent's sync retries and stuck re-checks (`random = () => 1`: no jitter) all use it.
 */
export function backoffDelayMs(
  retry: number,
  retryDelayMs: number,
  maxRetryDelayMs: number,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(maxRetryDelayMs, retryDelayMs * 2 ** Math.min(30, Math.max(0, retry - 1)));
  return Math.floor(ceiling / 2 + random() * (ceiling / 2));
}

/**
 * Whether repeating the same request may succeed: transport failures and timeouts the
 * error marks retryable (5xx, 429, reset, refused, timeout), and SOAP faults the server
 * marks `Retryable` — never a `soap:Client` fault, never a 4xx, never an abort.
 */
export function isRetryable(err: unknown): boolean {
  if (!isSdkError(err)) return false;
  if (err instanceof SoapFaultError) {
    const local = err.faultCode.slice(err.faultCode.indexOf(":") + 1);
    return err.retryable && local !== "Client";
  }
  return err.retryable;
}

/** Resolves after `ms`, or rejects with `AbortError` as soon as `signal` fires. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(new AbortError());
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(new AbortError());
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
