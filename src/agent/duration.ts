/**
 * Pure parsers for the human units of an agent configuration: durations (`"2h"`,
 * `"30s"`, `"500ms"`) and daily transmission windows (`"01:00-05:00"`).
 * @module
 */

const UNIT_MS: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

/**
 * Parses a duration such as `"2h"`, `"30s"`, `"500ms"`, `"1h30m"` or a plain number of
 * milliseconds. Returns milliseconds, or `undefined` when the text is not a duration
 * (callers turn that into an error that names the field).
 *
 * @example
 * ```ts
 * parseDurationMs("2h");    // 7_200_000
 * parseDurationMs("1m30s"); // 90_000
 * ```
 */
export function parseDurationMs(value: string | number): number | undefined {
  if (typeof value === "number") return Number.isFinite(value) && value >= 0 ? value : undefined;
  const text = value.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Number(text);
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h|d|w)/gy;
  let total = 0;
  let matched = 0;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    total += Number(m[1]) * (UNIT_MS[m[2] as string] as number);
    matched = re.lastIndex;
  }
  if (matched === 0 || matched !== text.length) return undefined;
  return Math.round(total);
}

/** Formats milliseconds in the largest exact unit, for logs and errors (`7200000` → `"2h"`). */
export function formatDuration(ms: number): string {
  for (const unit of ["w", "d", "h", "m", "s"] as const) {
    const size = UNIT_MS[unit] as number;
    if (ms >= size && ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}

/** A daily window of local minutes, `[startMinute, endMinute)`; wraps midnight when end < start. */
export interface TransmissionWindow {
  /** Minutes after midnight (UTC) the window opens. */
  startMinute: number;
  /** Minutes after midnight (UTC) the window closes; smaller than start when it wraps midnight. */
  endMinute: number;
}

/**
 * Parses `"HH:MM-HH:MM"` into a {@link TransmissionWindow}; `undefined` when malformed.
 * `"00:00-24:00"` means all day.
 */
export function parseWindow(text: string): TransmissionWindow | undefined {
  const m = /^(\d{2}):(\d{2})\s*-\s*(\d{2}):(\d{2})$/.exec(text.trim());
  if (!m) return undefined;
  const start = Number(m[1]) * 60 + Number(m[2]);
  const end = Number(m[3]) * 60 + Number(m[4]);
  if (Number(m[2]) > 59 || Number(m[4]) > 59 || start >= 1440 || end > 1440 || start === end)
    return undefined;
  return { startMinute: start, endMinute: end };
}

/** Parses one `"HH:MM"` into minutes after midnight; `undefined` when malformed. */
export function parseTimeOfDay(text: string): number | undefined {
  const m = /^(\d{2}):(\d{2})$/.exec(text.trim());
  if (!m || Number(m[1]) > 24 || Number(m[2]) > 59) return undefined;
  const minutes = Number(m[1]) * 60 + Number(m[2]);
  return minutes <= 1440 ? minutes : undefined;
}

/** Length of the window in milliseconds. */
export function windowLengthMs(window: TransmissionWindow): number {
  const minutes =
    window.endMinute > window.startMinute
      ? window.endMinute - window.startMinute
      : 1440 - window.startMinute + window.endMinute;
  return minutes * 60_000;
}

/**
 * The next sync instant: the next opening of `window` strictly after `afterMs`, plus a
 * jitter in `[0, min(jitterMs, window length))` so that a thousand clients don't call
 * at the same second. `random` returns a number in [0, 1).
 *
 * @example
 * ```ts
 * nextSyncAt(Date.parse("2026-11-25T12:00:00Z"), parseWindow("01:00-05:00")!, 1_800_000, () => 0);
 * // → Date.parse("2026-11-26T01:00:00Z")
 * ```
 */
export function nextSyncAt(
  afterMs: number,
  window: TransmissionWindow,
  jitterMs: number,
  random: () => number,
): number {
  const day = Math.floor(afterMs / 86_400_000) * 86_400_000;
  let open = day + window.startMinute * 60_000;
  while (open <= afterMs) open += 86_400_000;
  const spread = Math.max(0, Math.min(jitterMs, windowLengthMs(window) - 1));
  return open + Math.floor(random() * spread);
}

/**
 * The opening of the window occurrence that contains `atMs`, or `undefined` when `atMs`
 * is outside the window (used to catch up on a sync missed while the agent was down).
 */
export function windowOpenedAt(atMs: number, window: TransmissionWindow): number | undefined {
  let open = Math.floor(atMs / 86_400_000) * 86_400_000 + window.startMinute * 60_000;
  if (open > atMs) open -= 86_400_000;
  return atMs < open + windowLengthMs(window) ? open : undefined;
}
