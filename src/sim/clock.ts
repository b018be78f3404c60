/**
 * The simulator's clock: a {@link ScaledClock} (the SDK's one clock type, `src/clock.ts`) with
 * the simulator's defaults and error codes, so a test can print a month of pages in a second
 * without sleeping.
 * @module
 */
import { ScaledClock } from "../clock.js";
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
 * Simulated wall clock shared by every device of a fleet: a {@link ScaledClock} whose rate
 * defaults to 1 and whose bad arguments are `SIM_CLOCK_RATE` / `SIM_CLOCK_ADVANCE`.
 *
 * @example
 * ```ts
 * import { SimClock } from "esolutions-sdk/sim";
 *
 * const clock = new SimClock({ rate: 0 });     // frozen: only advance() moves it
 * clock.advance(30 * 24 * 3600_000);           // a month later
 * ```
 */
export class SimClock extends ScaledClock {
  /** Throws `ConfigError` `SIM_CLOCK_RATE` for a negative or non-finite rate. */
  constructor(options: SimClockOptions = {}) {
    const rate = options.rate ?? 1;
    if (!Number.isFinite(rate) || rate < 0)
      throw new ConfigError("SIM_CLOCK_RATE", `clock rate must be a finite number >= 0, got ${rate}`);
    super({
      rate,
      ...(options.startMs !== undefined ? { startMs: options.startMs } : {}),
      ...(options.realNow ? { realNow: options.realNow } : {}),
    });
  }

  /** Moves simulated time forward by `ms`. Throws `ConfigError` `SIM_CLOCK_ADVANCE` for a negative or non-finite `ms`. */
  override advance(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0)
      throw new ConfigError("SIM_CLOCK_ADVANCE", `advance needs a finite number of ms >= 0, got ${ms}`);
    super.advance(ms);
  }
}
