/**
 * Least-squares line through measured sizes: the `a·x + b` form the vendor published,
 * so our figures can be read next to theirs.
 * @module
 */
import { ValidationError } from "../errors.js";
import type { LinearSize } from "./vendor.js";

/** One measured size: `bytes` for `devices` devices. */
export interface SizeSample {
  /** Number of devices in the message. */
  devices: number;
  /** Bytes measured. */
  bytes: number;
}

/**
 * Fits `perDevice · devices + fixed` by ordinary least squares. With a single device
 * count (or all samples at the same count) the slope is unknowable and reported as 0,
 * the fixed part being the mean.
 *
 * @throws ValidationError `INVALID_SAMPLES` when there is no sample or a value is not finite.
 * @example
 * ```ts
 * fitLinear([{ devices: 1, bytes: 1100 }, { devices: 10, bytes: 2000 }]); // { perDevice: 100, fixed: 1000 }
 * ```
 */
export function fitLinear(samples: readonly SizeSample[]): LinearSize {
  if (samples.length === 0)
    throw new ValidationError("INVALID_SAMPLES", "cannot fit a line through no samples");
  for (const s of samples) {
    if (!Number.isFinite(s.devices) || !Number.isFinite(s.bytes)) {
      throw new ValidationError(
        "INVALID_SAMPLES",
        `sample is not finite: devices=${s.devices} bytes=${s.bytes}`,
      );
    }
  }
  const n = samples.length;
  const meanX = samples.reduce((t, s) => t + s.devices, 0) / n;
  const meanY = samples.reduce((t, s) => t + s.bytes, 0) / n;
  let sxx = 0;
  let sxy = 0;
  for (const s of samples) {
    sxx += (s.devices - meanX) ** 2;
    sxy += (s.devices - meanX) * (s.bytes - meanY);
  }
  if (sxx === 0) return { perDevice: 0, fixed: round2(meanY) };
  const perDevice = sxy / sxx;
  return { perDevice: round2(perDevice), fixed: round2(meanY - perDevice * meanX) };
}

/** Rounds to two decimals: figures in bytes need no more, and JSON stays readable. */
function round2(v: number): number {
  return Math.round(v * 100) / 100;
}
