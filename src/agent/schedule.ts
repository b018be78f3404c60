/**
 * The engine's schedule decisions as pure functions of the time (epoch ms, from the agent's
 * injected {@link Clock}) and the persisted state: whether to sync at start, when to poll
 * next, when to retry a failed sync session, when to re-check while stuck. The `Agent` only
 * arms timers with what these return, so each rule is unit-tested without timers or I/O.
 * All backoffs use the SDK's one formula, {@link backoffDelayMs}.
 * @module
 */
import { backoffDelayMs } from "../soap/retry.js";
import { nextSyncAt, type TransmissionWindow, windowOpenedAt } from "./duration.js";

/** One day in ms: the longest an agent goes without a sync session. */
export const DAY_MS = 86_400_000;

/** What {@link syncDueAtStart} decides on. */
export interface StartState {
  /** Now, epoch ms. */
  nowMs: number;
  /** Epoch ms of the last successful sync, null when never. */
  lastSyncAtMs: number | null;
  /** Whether `RegisterProxy` was acknowledged. */
  registered: boolean;
  /** The transmission window in force. */
  window: TransmissionWindow;
  /** `AgentOptions.syncOnStart`. */
  syncOnStart: boolean;
}

/**
 * Whether a starting agent syncs right away (else it waits for the next window): when it
 * was never registered, when a whole day went by without a sync, or when it (re)starts inside
 * a window occurrence it has not synced in yet. Never with `syncOnStart: false`.
 * @example
 * ```ts
 * syncDueAtStart({ nowMs, lastSyncAtMs: null, registered: false, window, syncOnStart: true }); // true
 * ```
 */
export function syncDueAtStart(s: StartState): boolean {
  if (!s.syncOnStart) return false;
  const last = s.lastSyncAtMs ?? 0;
  const openedAt = windowOpenedAt(s.nowMs, s.window);
  return !s.registered || s.nowMs - last >= DAY_MS || (openedAt !== undefined && last < openedAt);
}

/**
 * Delay (ms) before the next poll: one `intervalMs` after the previous poll *started*, so a
 * long poll does not push the series later; 0 when that time has passed.
 */
export function nextPollDelayMs(startedAtMs: number, intervalMs: number, nowMs: number): number {
  return Math.max(0, startedAtMs + intervalMs - nowMs);
}

/** What {@link sessionRetry} decides on. */
export interface SessionRetryInput {
  /** Now, epoch ms (after the failure). */
  nowMs: number;
  /** Epoch ms the failed session started. */
  startedAtMs: number;
  /** Consecutive failed sessions, this one included (≥ 1). */
  failures: number;
  /** The server's `Retry-After` (ms), 0 when none. */
  retryAfterMs: number;
  /** `schedule.retryDelayMs`. */
  retryDelayMs: number;
  /** `schedule.maxRetryDelayMs`. */
  maxRetryDelayMs: number;
  /** The transmission window in force. */
  window: TransmissionWindow;
  /** `schedule.syncJitterMs`. */
  syncJitterMs: number;
  /** Random source in [0, 1) for the jitters (called for the backoff first, then the window). */
  random: () => number;
}

/**
 * When to retry a sync session that could not reach the server: after the backoff for
 * `failures` (at least `Retry-After`), but never later than the next window's sync.
 */
export function sessionRetry(i: SessionRetryInput): {
  /** The backoff (ms) alone. */
  waitMs: number;
  /** Epoch ms of the retry. */
  atMs: number;
} {
  const waitMs = Math.max(
    backoffDelayMs(i.failures, i.retryDelayMs, i.maxRetryDelayMs, i.random),
    i.retryAfterMs,
  );
  const next = nextSyncAt(i.startedAtMs, i.window, i.syncJitterMs, i.random);
  return { waitMs, atMs: Math.min(i.nowMs + waitMs, next) };
}

/** The previous stuck state, as far as {@link stuckRecheck} needs it. */
export interface PreviousStuck {
  /** Its error code. */
  code: string;
  /** Epoch ms of its last failed check. */
  lastCheckAtMs: number;
  /** Failed checks so far. */
  checks: number;
}

/**
 * The re-check schedule while stuck on `code`: the same failure met again within one check
 * (same `nowMs`) is one check; each further failed check doubles the wait from `recheckMs`
 * up to `max(recheckMs, maxRetryDelayMs)`, without jitter (a re-check is one call, not a
 * crowd to spread). Another code starts over at one check.
 */
export function stuckRecheck(
  prev: PreviousStuck | null,
  code: string,
  nowMs: number,
  recheckMs: number,
  maxRetryDelayMs: number,
): {
  /** Whether `prev` was stuck on the same code. */
  same: boolean;
  /** Failed checks, this one included. */
  checks: number;
  /** Delay (ms) before the next re-check. */
  waitMs: number;
} {
  const same = prev !== null && prev.code === code;
  const checks = !same ? 1 : prev.lastCheckAtMs === nowMs ? prev.checks : prev.checks + 1;
  const waitMs = backoffDelayMs(checks, recheckMs, Math.max(recheckMs, maxRetryDelayMs), () => 1);
  return { same, checks, waitMs };
}
