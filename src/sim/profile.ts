/**
 * Per-device fixed facts of a synthetic fleet (a {@link DeviceProfile}) and the hash every
 * "random" choice derives from, so the same seed gives the same fleet. Pure; no I/O.
 * @module
 */
import type { PrinterModel } from "./models.js";

/** 32-bit integer hash (murmur3 finaliser) of a few integers; the root of every "random" choice. */
export function hash32(...values: number[]): number {
  let h = 0x9e3779b9;
  for (const v of values) {
    h ^= Math.imul(((v | 0) ^ (v / 4294967296)) | 0, 0x85ebca6b);
    h = Math.imul((h << 13) | (h >>> 19), 5) + 0xe6546b64;
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Uniform number in [0, 1) from {@link hash32}. */
export function unit(...values: number[]): number {
  return hash32(...values) / 4294967296;
}

/** Everything fixed about one synthetic device (per-device memory is this object only). */
export interface DeviceProfile {
  /** Position in the fleet. */
  index: number;
  /** Fleet seed. */
  seed: number;
  /** Model. */
  model: PrinterModel;
  /** Pages per simulated millisecond. */
  blackPerMs: number;
  /** Colour pages per simulated millisecond. */
  colourPerMs: number;
  /** Black pages already printed at fleet start. */
  baseBlack: number;
  /** Colour pages already printed at fleet start. */
  baseColour: number;
  /** Supply consumption at fleet start, in pages, per supply. */
  supplyOffsetPages: readonly number[];
  /** Simulated milliseconds the device had been up at fleet start. */
  upAtStartMs: number;
  /** SNMPv3 engine id (unique per device). */
  engineId: Buffer;
}

const DAY_MS = 86_400_000;

/** Builds device `index` of a fleet with `seed`, of `model`. Same inputs, same device. */
export function createProfile(model: PrinterModel, seed: number, index: number): DeviceProfile {
  const r = (salt: number): number => unit(seed, index, salt);
  const scale = 0.5 + r(1);
  const engineId = Buffer.alloc(17);
  engineId.write("8000b98380", 0, "hex");
  for (let i = 0; i < 3; i++) engineId.writeUInt32BE(hash32(seed, index, 100 + i), 5 + i * 4);
  return {
    index,
    seed,
    model,
    blackPerMs: (model.pagesPerDay.black * scale) / DAY_MS,
    colourPerMs: (model.pagesPerDay.colour * scale) / DAY_MS,
    baseBlack: Math.floor(model.pagesPerDay.black * scale * (30 + r(2) * 1500)),
    baseColour: Math.floor(model.pagesPerDay.colour * scale * (30 + r(3) * 1500)),
    supplyOffsetPages: model.supplies.map((s, i) => Math.floor(r(10 + i) * s.pagesPerSupply)),
    upAtStartMs: Math.floor(r(4) * 20 * DAY_MS),
    engineId,
  };
}
