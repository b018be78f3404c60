/**
 * The SDK's one notion of time: a {@link Clock}. The agent schedules polls, syncs and retries
 * on one, the simulator's printers advance their meters on one, so a test (or `esol demo`) can
 * run a month in seconds.
 *
 * - {@link SystemClock}: wall time.
 * - {@link ScaledClock}: simulated time running `rate` times faster than real time (0 = frozen),
 *   moved forward by hand with {@link ScaledClock.advance}; with `untilRealTime` it replays a
 *   past span fast and then runs at wall time, so what it stamps is never in the future.
 * - {@link ManualClock}: moves only when told, and awaits the work each timer starts.
 *
 * How scaled time reaches the wire: an agent stamps readings (`readAt`, `ReadAt` on the wire) with
 * its clock as is, while WS-Security timestamps use wall time (`securityClock`, because the server
 * checks them against its own clock). A read stamped later than the server's time is not a read
 * a real server takes (the reference server's rule: `readsFromTheFuture` in `src/server/validate.ts`),
 * so an agent on a fast clock talking to a real-time server uses `untilRealTime`
 * (`esol agent --clock-rate` does), or the server runs on the same clock (`esol demo`).
 * @module
 */
import { ConfigError } from "./errors.js";

/** An opaque handle returned by {@link Clock.setTimeout}. */
export interface TimerHandle {
  /** Cancels the timer; harmless when it already fired. */
  cancel(): void;
}

/** A source of time and timers. Milliseconds are the clock's own (simulated) milliseconds. */
export interface Clock {
  /** Current epoch milliseconds on this clock. */
  now(): number;
  /**
   * Calls `fn` once `delayMs` of this clock's time has passed. A promise returned by
   * `fn` is awaited by clocks that step deterministically ({@link ManualClock}).
   */
  setTimeout(fn: () => unknown, delayMs: number): TimerHandle;
  /** Simulated milliseconds per real millisecond right now (1 for wall time, 0 when frozen). */
  readonly rate: number;
}

/** Wall-clock time: `Date.now()` and Node timers. */
export class SystemClock implements Clock {
  /** Always 1. */
  readonly rate = 1;

  /** `Date.now()`. */
  now(): number {
    return Date.now();
  }

  /** A Node timer. */
  setTimeout(fn: () => unknown, delayMs: number): TimerHandle {
    const t = setTimeout(fn, Math.max(0, delayMs));
    return { cancel: () => clearTimeout(t) };
  }
}

/** Options of {@link ScaledClock}. */
export interface ScaledClockOptions {
  /** Simulated milliseconds per real millisecond, e.g. 3600 (an hour per second); 0 freezes it. Must be >= 0. */
  rate: number;
  /** Simulated epoch milliseconds at `anchorRealMs`. Default: the real time at `anchorRealMs`. */
  startMs?: number;
  /**
   * Real epoch milliseconds that corresponds to `startMs`. Two processes given the same
   * `startMs`, `anchorRealMs` and `rate` agree on simulated time (agent and simulator).
   * Default: the real time at construction.
   */
  anchorRealMs?: number;
  /**
   * Scaled time runs until it reaches real time, then at real time (rate 1): the clock never
   * shows a time later than `realNow()`, so timestamps taken from it are never in the future.
   * Needs `startMs` before `anchorRealMs` (a past span to replay). Default false.
   */
  untilRealTime?: boolean;
  /** Real-time source (epoch ms), for tests. Default `Date.now`. Timers still use Node's real timers. */
  realNow?: () => number;
}

/**
 * Simulated time running `rate` times faster than real time; timers fire when simulated time
 * reaches them (after `delayMs / rate` real milliseconds while scaling).
 *
 * @example
 * ```ts
 * import { ScaledClock } from "esolutions-sdk";
 *
 * const clock = new ScaledClock({ rate: 86_400 }); // one simulated day per real second
 * clock.setTimeout(() => console.log("a day later"), 86_400_000);
 * // Replay the last 30 days in 30 s, then run at wall time: never stamps the future.
 * const replay = new ScaledClock({ rate: 86_400, startMs: Date.now() - 30 * 86_400_000, untilRealTime: true });
 * ```
 */
export class ScaledClock implements Clock {
  readonly #rate: number;
  readonly #startMs: number;
  readonly #anchorRealMs: number;
  readonly #realNow: () => number;
  /** Real epoch ms at which scaled time meets real time (`untilRealTime`), else +Infinity. */
  readonly #landsAtRealMs: number;
  #offsetMs = 0;

  /** Throws `ConfigError` `CONFIG_INVALID` for a negative or non-finite rate, or `untilRealTime` without a past start. */
  constructor(options: ScaledClockOptions) {
    if (!Number.isFinite(options.rate) || options.rate < 0)
      throw new ConfigError("CONFIG_INVALID", `clock rate must be a finite number >= 0, got ${options.rate}`);
    this.#rate = options.rate;
    this.#realNow = options.realNow ?? Date.now;
    this.#anchorRealMs = options.anchorRealMs ?? this.#realNow();
    this.#startMs = options.startMs ?? this.#anchorRealMs;
    this.#landsAtRealMs = Number.POSITIVE_INFINITY;
    if (options.untilRealTime) {
      if (!(this.#startMs < this.#anchorRealMs))
        throw new ConfigError(
          "CONFIG_INVALID",
          "a clock that runs until real time needs a start before the real time it is anchored at",
        );
      // start + (t − anchor) × rate = t  ⇒  t = anchor + (anchor − start) / (rate − 1); never when rate ≤ 1.
      if (this.#rate > 1)
        this.#landsAtRealMs = this.#anchorRealMs + (this.#anchorRealMs - this.#startMs) / (this.#rate - 1);
    }
  }

  /** Simulated milliseconds per real millisecond now: 1 once an `untilRealTime` clock has met real time. */
  get rate(): number {
    return this.#realNow() >= this.#landsAtRealMs ? 1 : this.#rate;
  }

  /** Simulated epoch milliseconds at `anchorRealMs` (before any {@link ScaledClock.advance}). */
  get startMs(): number {
    return this.#startMs;
  }

  /** Simulated epoch milliseconds (whole ms; never goes backwards). */
  now(): number {
    return Math.floor(this.#exactNow());
  }

  /** Simulated milliseconds since `startMs`. */
  elapsedMs(): number {
    return this.#exactNow() - this.#startMs;
  }

  /**
   * Moves simulated time forward by `ms` (a test's "a month passes"); pending timers keep their
   * real deadlines. An `untilRealTime` clock moved forward by hand may then run ahead of real time.
   * Throws `ConfigError` `CONFIG_INVALID` for a negative or non-finite `ms`.
   */
  advance(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0)
      throw new ConfigError("CONFIG_INVALID", `advance needs a finite number of ms >= 0, got ${ms}`);
    this.#offsetMs += ms;
  }

  /**
   * Real epoch milliseconds at which this clock shows `simMs` (+Infinity on a frozen clock that
   * is not there yet). Earlier times map to the past.
   */
  realTimeAt(simMs: number): number {
    const sim = simMs - this.#offsetMs;
    if (sim >= this.#landsAtRealMs) return sim;
    if (this.#rate === 0) return sim <= this.#startMs ? this.#anchorRealMs : Number.POSITIVE_INFINITY;
    return this.#anchorRealMs + (sim - this.#startMs) / this.#rate;
  }

  /**
   * Fires when simulated time reaches `now() + delayMs`: after `delayMs / rate` real ms while
   * scaling, mapped through {@link ScaledClock.realTimeAt} for an `untilRealTime` clock. Never
   * fires on a frozen clock.
   */
  setTimeout(fn: () => unknown, delayMs: number): TimerHandle {
    let t: ReturnType<typeof setTimeout>;
    if (this.#rate === 0) {
      if (delayMs > 0) return { cancel: () => undefined };
      t = setTimeout(fn, 0);
      return { cancel: () => clearTimeout(t) };
    }
    if (this.#landsAtRealMs === Number.POSITIVE_INFINITY) {
      t = setTimeout(fn, Math.max(0, delayMs / this.#rate));
      return { cancel: () => clearTimeout(t) };
    }
    const realDelay = this.realTimeAt(this.#exactNow() + Math.max(0, delayMs)) - this.#realNow();
    // Node timers take at most 2^31 − 1 ms; a longer wait re-arms itself.
    const MAX = 2_147_483_647;
    const arm = (ms: number): void => {
      t = setTimeout(() => (ms > MAX ? arm(ms - MAX) : fn()), Math.min(MAX, Math.max(0, ms)));
    };
    arm(realDelay);
    return { cancel: () => clearTimeout(t) };
  }

  #exactNow(): number {
    const real = this.#realNow();
    if (real >= this.#landsAtRealMs) return real + this.#offsetMs;
    return this.#startMs + (real - this.#anchorRealMs) * this.#rate + this.#offsetMs;
  }
}

interface ManualTimer {
  at: number;
  order: number;
  fn: () => unknown;
  cancelled: boolean;
}

/**
 * A clock that only moves when {@link ManualClock.advance} is called. Timers fire in
 * time order and each one's returned promise is awaited before the next fires, so a
 * test drives the agent through a simulated month deterministically.
 *
 * @example
 * ```ts
 * import { ManualClock } from "esolutions-sdk";
 *
 * const clock = new ManualClock(Date.parse("2026-11-01T00:00:00Z"));
 * await clock.advance(30 * 86_400_000); // fires every poll and sync of the month, in order
 * ```
 */
export class ManualClock implements Clock {
  /** Reported as 1: time does not flow on its own. */
  readonly rate = 1;
  #now: number;
  #order = 0;
  #timers: ManualTimer[] = [];

  /** Starts at `startMs` (default: the real time at construction). */
  constructor(startMs = Date.now()) {
    this.#now = startMs;
  }

  /** Current simulated epoch milliseconds. */
  now(): number {
    return this.#now;
  }

  /** Registers a timer at `now() + delayMs`. */
  setTimeout(fn: () => unknown, delayMs: number): TimerHandle {
    const timer: ManualTimer = {
      at: this.#now + Math.max(0, delayMs),
      order: this.#order++,
      fn,
      cancelled: false,
    };
    this.#timers.push(timer);
    return {
      cancel: () => {
        timer.cancelled = true;
      },
    };
  }

  /** Epoch milliseconds of the earliest pending timer, if any. */
  nextTimerAt(): number | undefined {
    let best: number | undefined;
    for (const t of this.#timers) if (!t.cancelled && (best === undefined || t.at < best)) best = t.at;
    return best;
  }

  /**
   * Moves time forward by `ms`, firing (and awaiting) every timer that falls due on the
   * way, including timers those timers set. Throws `ConfigError` `CONFIG_INVALID` for a
   * negative or non-finite `ms`.
   */
  async advance(ms: number): Promise<void> {
    if (!Number.isFinite(ms) || ms < 0)
      throw new ConfigError("CONFIG_INVALID", `advance needs ms >= 0, got ${ms}`);
    await this.advanceTo(this.#now + ms);
  }

  /** Moves time forward to `targetMs` (never backwards), firing due timers in order. */
  async advanceTo(targetMs: number): Promise<void> {
    for (;;) {
      this.#timers = this.#timers.filter((t) => !t.cancelled);
      let next: ManualTimer | undefined;
      for (const t of this.#timers)
        if (t.at <= targetMs && (!next || t.at < next.at || (t.at === next.at && t.order < next.order)))
          next = t;
      if (!next) break;
      this.#timers.splice(this.#timers.indexOf(next), 1);
      if (next.at > this.#now) this.#now = next.at;
      await next.fn();
    }
    if (targetMs > this.#now) this.#now = targetMs;
  }
}

/**
 * The epoch-ms reader of a clock-shaped option: a {@link Clock}, or the plain function returning
 * epoch ms that such options took before 0.2 (deprecated, accepted until 0.3). Internal: options
 * are typed `Clock | (() => number)` and call this once.
 */
export function epochMsOf(clock: Clock | (() => number) | undefined): () => number {
  if (clock === undefined) return Date.now;
  if (typeof clock === "function") return clock;
  return () => clock.now();
}

/** The `Date` of epoch ms, null for null (the SQLite edge: columns keep epoch ms). Internal. */
export function dateOf(ms: number | null): Date | null {
  return ms === null ? null : new Date(ms);
}
