/**
 * The agent's clocks moved to `src/clock.ts` (one clock type for the SDK, issue 18 item 6);
 * this module re-exports them so existing imports keep compiling.
 * @module
 */
export {
  type Clock,
  ManualClock,
  ScaledClock,
  type ScaledClockOptions,
  SystemClock,
  type TimerHandle,
} from "../clock.js";
