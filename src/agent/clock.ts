/**
 * The agent's notion of time. Everything the engine schedules goes through a
 * {@link Clock}, so a test (or `esol demo`) can run a month of polls and syncs in
 * seconds: {@link ScaledClock} runs simulated time `rate` times faster than real time,
 * {@link ManualClock} only moves when told and awaits the work each timer starts.
 * @module
 */
import { ConfigError } from "../errors.js";

/** An opaque handle returned by {@link Clock.setTimeout}. */
export interface TimerHandle {
  /** Cancels the timer; harmless when it already fired. */
  cancel(): void;
}

/** A source of time and timers. Milliseconds are simulated (the clock's own) milliseconds. */
export interface Clock {
  /** Current epoch milliseconds on this clock. */
  now(): number;
  /**
   * Calls `fn` once `delayMs` of this clock's time has passed. A promise returned by
   * `fn` is awaited by clocks that step deterministically ({@link ManualClock}).
   */
  setTimeout(fn: () => unknown, delayMs: number): TimerHandle;
  /** Simulated milliseconds per real millisecond (1 for wall time). */
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

  /** A Node timer that does not keep the process alive on its own only when `unref` is asked for. */
  setTimeout(fn: () => unknown, delayMs: number): TimerHandle {
    const t = setTimeout(fn, Math.max(0, delayMs));
    return { cancel: () => clearTimeout(t) };
  }
}

/** Options of {@link ScaledClock}. */
export interface ScaledClockOptions {
  /** Simulated milliseconds per real millisecond, e.g. 3600 (an hour per second). Must be > 0. */
  rate: number;
  /** Simulated epoch milliseconds at `anchorRealMs`. Default: the real time at construction. */
  startMs?: number;
  /**
   * Real epoch milliseconds that corresponds to `startMs`. Two processes given the same
   * `startMs`, `anchorRealMs` and `rate` agree on simulated time (agent and simulator).
   * Default: the real time at construction.
   */
  anchorRealMs?: number;
}

/**
 * Simulated time running `rate` times faster than real time; timers fire after
 * `delayMs / rate` real milliseconds.
 *
 * @example
 * ```ts
 * const clock = new ScaledClock({ rate: 86_400 }); // one simulated day per real second
 * clock.setTimeout(() => console.log("a day later"), 86_400_000);
 * ```
 */
export class ScaledClock implements Clock {
  /** Simulated milliseconds per real millisecond. */
  readonly rate: number;
  readonly #startMs: number;
  readonly #anchorRealMs: number;

  constructor(options: ScaledClockOptions) {
    if (!Number.isFinite(options.rate) || options.rate <= 0)
      throw new ConfigError("CONFIG_INVALID", `clock rate must be a finite number > 0, got ${options.rate}`);
    this.rate = options.rate;
    const real = Date.now();
    this.#anchorRealMs = options.anchorRealMs ?? real;
    this.#startMs = options.startMs ?? this.#anchorRealMs;
  }

  /** Simulated epoch milliseconds. */
  now(): number {
    return Math.floor(this.#startMs + (Date.now() - this.#anchorRealMs) * this.rate);
  }

  /** Fires after `delayMs / rate` real milliseconds. */
  setTimeout(fn: () => unknown, delayMs: number): TimerHandle {
    const t = setTimeout(fn, Math.max(0, delayMs / this.rate));
    return { cancel: () => clearTimeout(t) };
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
   * way, including timers those timers set.
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
