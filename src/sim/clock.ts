/**
 * The simulator's clock: simulated time runs `rate` times faster than real time and can be
 * moved forward by hand, so a test can print a month of pages in a second without sleeping.
 * @module
 */
import { ConfigError } from "../errors.js";

/** Options for {@link SimClock}. */
export interface SimClockOptions {
  /** Simulated milliseconds per real millisecond. 0 freezes the clock (only {@link SimClock.advance} moves it). Default 1. */
  rate?: number;
  /** Simulated epoch milliseconds at start. Default: the real time at construction. */
  startMs?: number;
  /** Real-time source, for tests. Default `Date.now`. */
  realNow?: () => number;
}

/**
 * Simulated wall clock shared by every device of a fleet.
 *
 * @example
 * ```ts
 * const clock = new SimClock({ rate: 0 });     // frozen: only advance() moves it
 * clock.advance(30 * 24 * 3600_000);           // a month later
 * ```
 */
export class SimClock {
  /** Simulated milliseconds per real millisecond. */
  readonly rate: number;
  readonly #realNow: () => number;
  readonly #realStart: number;
  readonly #simStart: number;
  #offsetMs = 0;

  constructor(options: SimClockOptions = {}) {
    const rate = options.rate ?? 1;
    if (!Number.isFinite(rate) || rate < 0)
      throw new ConfigError("SIM_CLOCK_RATE", `clock rate must be a finite number >= 0, got ${rate}`);
    this.rate = rate;
    this.#realNow = options.realNow ?? Date.now;
    this.#realStart = this.#realNow();
    this.#simStart = options.startMs ?? this.#realStart;
  }

  /** Simulated epoch milliseconds at construction. */
  get startMs(): number {
    return this.#simStart;
  }

  /** Current simulated epoch milliseconds (never goes backwards). */
  now(): number {
    return this.#simStart + (this.#realNow() - this.#realStart) * this.rate + this.#offsetMs;
  }

  /** Simulated milliseconds since construction. */
  elapsedMs(): number {
    return this.now() - this.#simStart;
  }

  /** Moves simulated time forward by `ms` (a test's "a month passes"). */
  advance(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0)
      throw new ConfigError("SIM_CLOCK_ADVANCE", `advance needs a finite number of ms >= 0, got ${ms}`);
    this.#offsetMs += ms;
  }
}
