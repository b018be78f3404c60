/**
 * Poll plans: what a steady poll of a printer asks for, derived from one full reading.
 *
 * A full reading walks every Printer-MIB, HOST-RESOURCES and vendor table (a few kB per
 * device). Most of it never changes between polls: descriptions, capacities, labels, the
 * identity. A {@link PollPlan} keeps the full reading's varbinds and lists exactly the
 * object instances that carry what does change — sysUpTime, device/printer status and
 * error state, the console, prtMarker life counts, supply levels, the billing meters the
 * vendor meter maps read, the alert counters and known alert rows, the serial and MAC —
 * so a steady poll is one GET (split only at the session's PDU limit). The answers are
 * laid over the kept varbinds and decoded by the same decoders as a full reading
 * ({@link decodeReading}), so both give the same {@link DeviceReading} shape and values.
 *
 * Pure: no I/O. {@link PrinterReader.readPlanned} does the polling.
 * @module
 */

import { formatMac, prtGeneralSerialOids } from "./mib/identity.js";
import type { MeterMapRegistry } from "./mib/meters.js";
import { Oid } from "./mib/oids.js";
import type { DeviceReading } from "./mib/reading.js";
import { VENDOR_SUPPLY_LEVELS } from "./mib/supplies.js";
import { textOf, VarbindSet } from "./mib/values.js";
import { vendorIdentityFor } from "./mib/vendor-identity.js";
import { isException, isUnder, type Varbind, type VarbindType } from "./varbind.js";

/**
 * What a steady poll reads: `all` the plan's objects (the poll interval's reading), or
 * `meters` only the page counters with sysUpTime and the identity objects that make them
 * trustworthy (a billing read when no reading is fresh enough).
 */
export type PollScope = "all" | "meters";

/** The objects of `plan` a poll of `scope` GETs, in plan order. */
export function objectsInScope(plan: PollPlan, scope: PollScope): PlannedObject[] {
  if (scope === "all") return plan.objects;
  return plan.objects.filter((o) => o.check === "meter" || o.check === "uptime" || o.check === "identity");
}

/** Version of the {@link PollPlan} JSON form; a plan of another version is not used. */
export const POLL_PLAN_VERSION = 1;

/**
 * How a steady poll checks the answer for one planned object, besides its presence and type:
 * - `value`: any value (a status, the console, a level of a vendor column, an alert row);
 * - `meter`: any value: a page counter (prtMarker life counts, PWG counters, the objects of the
 *   device's vendor meter maps) — what a meters-only poll ({@link PollScope} `meters`) reads;
 * - `uptime`: sysUpTime must not go backwards (RFC 3418: it restarts at 0 when the agent
 *   re-initialises), else the device rebooted;
 * - `identity`: must equal the planned value (the serial's own object, the MAC's
 *   ifPhysAddress), else the device was replaced;
 * - `events`: must equal the planned value: prtAlertAllEvents / prtAlertCriticalEvents
 *   (RFC 3805 §2.2.13 — counters of alerts added to prtAlertTable) moved, so the table changed;
 * - `level`: a prtMarkerSuppliesLevel that must not rise (a consumable's remaining amount, or a
 *   receptacle's remaining space, only rises when the supply is replaced or emptied).
 */
export type PlannedCheck = "value" | "meter" | "uptime" | "identity" | "events" | "level";

/** One object instance a steady poll GETs. */
export interface PlannedObject {
  /** The instance, dotted. */
  oid: string;
  /** How its answer is checked. */
  check: PlannedCheck;
}

/**
 * A GETNEXT that finds rows added at the end of a table (RFC 3805 §2.2.13: prtAlertIndex
 * only grows), sent when the device has no prtAlertAllEvents counter: its answer must lie
 * outside `column`.
 */
export interface TableEndProbe {
  /** The GETNEXT start: the column's last known row, or the column itself when it has none. */
  from: string;
  /** The column whose end it checks. */
  column: string;
}

/**
 * What to poll on a device between full readings, and the full reading's varbinds that
 * the answers are laid over. Store it with the device ({@link serializePollPlan}).
 */
export interface PollPlan {
  /** {@link POLL_PLAN_VERSION} of the SDK that made it. */
  version: typeof POLL_PLAN_VERSION;
  /** `host:port` the plan was made for. */
  target: string;
  /** When the full reading it was derived from was taken, ISO 8601 UTC (full discovery is redone after `fullReadingEveryMs`). */
  discoveredAt: string;
  /** The objects every steady poll GETs, in request order. */
  objects: PlannedObject[];
  /** Table-end probes (GETNEXT), empty when the device counts its alerts. */
  probes: TableEndProbe[];
  /** The varbinds of the last reading (full, or full with the last steady answers laid over). */
  varbinds: Varbind[];
}

/**
 * Why a poll fell back to a full reading:
 * `noPlan` first reading; `planVersion` a plan of another SDK version; `planCorrupt` stored
 * plan unreadable; `planTarget` a plan of another address; `planExpired` daily discovery due;
 * `rebooted` sysUpTime went backwards; `replaced` serial or MAC changed; `tableChanged`
 * alert counters moved or a table gained rows; `supplyReplaced` a supply level rose;
 * `missingObject` a planned object answered noSuchObject/noSuchInstance; `answerMismatch`
 * an answer for another OID or of another type.
 */
export type PlanFallbackCode =
  | "noPlan"
  | "planVersion"
  | "planCorrupt"
  | "planTarget"
  | "planExpired"
  | "rebooted"
  | "replaced"
  | "tableChanged"
  | "supplyReplaced"
  | "missingObject"
  | "answerMismatch";

/** Why a poll was a full reading instead of a steady one. */
export interface PlanFallback {
  /** Stable reason code. */
  code: PlanFallbackCode;
  /** Human-readable detail (OIDs and values concerned). */
  message: string;
}

/** Options of {@link buildPollPlan}. */
export interface BuildPollPlanOptions {
  /** `host:port` of the device. */
  target: string;
  /** The meter maps the reading was decoded with (their value columns and objects are polled). */
  meterMaps: MeterMapRegistry;
  /** When the reading was taken (default: the reading's `readAt`). */
  discoveredAt?: Date;
}

/** Columns whose every row carries a value that changes between polls. */
const VALUE_COLUMNS: readonly string[] = [
  Oid.hrPrinterStatus,
  Oid.hrPrinterDetectedErrorState,
  Oid.prtConsoleDisplayBufferText,
];

/** Standard meter columns (see `decodeStandardMeters`). */
const METER_COLUMNS: readonly string[] = [Oid.prtMarkerLifeCount, Oid.prtMarkerPowerOnCount];

/** PWG impression counter columns the meter decoder reports (see `decodeStandardMeters`). */
const PWG_VALUE_COLUMNS = [4, 5, 7].map((c) => `${Oid.pwgImpressionCounters}.${c}`);

/** Alert columns decodeAlerts finds rows by; the first with rows is polled and probed. */
const ALERT_ROW_COLUMNS = [
  Oid.prtAlertTime,
  Oid.prtAlertSeverityLevel,
  Oid.prtAlertCode,
  Oid.prtAlertDescription,
];

/**
 * Derives the poll plan of a device from one full reading: its varbinds and their decoding.
 * Generic: the billing meters come from the meter-map model (every row of a labelled or
 * indexed map's value column, every object of a scalar map), never from a vendor list here.
 *
 * @example
 * ```ts
 * const plan = buildPollPlan(varbinds, reading, { target: "192.0.2.10:161", meterMaps: defaultMeterMaps });
 * console.log(plan.objects.length, "objects per steady poll");
 * ```
 */
export function buildPollPlan(
  varbinds: readonly Varbind[],
  reading: DeviceReading,
  options: BuildPollPlanOptions,
): PollPlan {
  const kept = varbinds.filter((vb) => !isException(vb));
  const mib = new VarbindSet(kept);
  const identity = reading.identity;
  const objects = new Map<string, PlannedCheck>();
  const add = (oid: string, check: PlannedCheck): void => {
    if (mib.get(oid) && !objects.has(oid)) objects.set(oid, check);
  };
  const addColumn = (column: string, check: PlannedCheck): void => {
    for (const index of mib.column(column).keys()) add(`${column}.${index}`, check);
  };

  add(Oid.sysUpTime, "uptime");
  for (const oid of identityObjects(mib, reading)) add(oid, "identity");
  add(Oid.prtAlertAllEvents, "events");
  add(Oid.prtAlertCriticalEvents, "events");
  if (identity.printerIndex !== null) add(`${Oid.hrDeviceStatus}.${identity.printerIndex}`, "value");
  for (const column of VALUE_COLUMNS) addColumn(column, "value");
  for (const column of [...METER_COLUMNS, ...PWG_VALUE_COLUMNS]) addColumn(column, "meter");
  addColumn(Oid.prtMarkerSuppliesLevel, "level");
  for (const v of VENDOR_SUPPLY_LEVELS)
    if (v.enterprise === identity.enterprise) addColumn(v.column, "value");
  for (const map of options.meterMaps.forDevice(identity)) {
    if (map.kind === "scalar") for (const rule of map.meters) add(rule.oid, "meter");
    else addColumn(map.valueColumn, "meter");
  }
  const alertColumn = ALERT_ROW_COLUMNS.find((c) => mib.column(c).size > 0) ?? Oid.prtAlertSeverityLevel;
  addColumn(alertColumn, "value");

  const probes: TableEndProbe[] = [];
  if (!mib.get(Oid.prtAlertAllEvents)) {
    for (const column of [alertColumn, Oid.prtMarkerSuppliesLevel]) {
      const rows = [...mib.column(column).keys()];
      const last = rows.length > 0 ? lastRow(column, rows) : null;
      probes.push({ from: last ?? column, column });
    }
  }
  return {
    version: POLL_PLAN_VERSION,
    target: options.target,
    discoveredAt: (options.discoveredAt ?? new Date(reading.readAt)).toISOString(),
    objects: [...objects].map(([oid, check]) => ({ oid, check })),
    probes,
    varbinds: kept,
  };
}

/** The instance of `column` with the greatest row index (OID order). */
function lastRow(column: string, rows: readonly string[]): string {
  const oids = rows.map((r) => `${column}.${r}`);
  return oids.reduce((a, b) => (compareDotted(a, b) >= 0 ? a : b));
}

function compareDotted(a: string, b: string): number {
  const pa = a.split(".").map(Number);
  const pb = b.split(".").map(Number);
  for (let i = 0; i < Math.min(pa.length, pb.length); i++) {
    const d = (pa[i] as number) - (pb[i] as number);
    if (d !== 0) return d;
  }
  return pa.length - pb.length;
}

/** The objects that say which device this is: the serial's own object and the MAC's ifPhysAddress row. */
function identityObjects(mib: VarbindSet, reading: DeviceReading): string[] {
  const id = reading.identity;
  const out: string[] = [];
  switch (id.serialSource) {
    case null:
      break;
    case "prtGeneralSerialNumber": {
      // The row that holds it: the printer's, row 1 or another (see prtGeneralSerialOids).
      const row = prtGeneralSerialOids(mib).find((oid) =>
        textOf(mib.get(oid))?.includes(id.serial ?? "\u0000"),
      );
      out.push(row ?? Oid.prtGeneralSerialNumber);
      break;
    }
    case "sysDescr":
      out.push(Oid.sysDescr);
      break;
    case "ieee1284DeviceId": {
      // The device id the serial was read from: PWG's, else the vendor's.
      const ids = [
        Oid.pwgDeviceId,
        vendorIdentityFor(id.enterprise)?.deviceId?.oid ??
          (id.enterprise === 253 ? Oid.xeroxDeviceId : Oid.brotherDeviceId),
      ];
      out.push(ids.find((oid) => textOf(mib.get(oid))?.includes(id.serial ?? "\u0000")) ?? Oid.pwgDeviceId);
      break;
    }
    default: {
      const source = id.serialSource;
      for (const v of [vendorIdentityFor(id.enterprise)].filter((x) => x !== undefined))
        for (const s of v.serial) if (s.name === source) out.push(s.oid);
      if (out.length === 0) {
        // An unknown enterprise: the serial came from whichever vendor object holds it.
        for (const vb of mib.column("1.3.6.1.4.1").values())
          if (vb.type === "OctetString" && vb.value.toString("latin1").includes(id.serial ?? "\u0000")) {
            out.push(vb.oid);
            break;
          }
      }
    }
  }
  if (id.mac)
    for (const vb of mib.column(Oid.ifPhysAddress).values())
      if (vb.type === "OctetString" && formatMac(vb.value) === id.mac) {
        out.push(vb.oid);
        break;
      }
  return out;
}

/** The outcome of checking a steady poll's answers against a plan. */
export type SteadyAnswerCheck =
  | {
      /** The answers fit: these are the plan's varbinds with the answers laid over. */
      varbinds: Varbind[];
      /** Absent when the answers fit. */
      fallback?: undefined;
    }
  | {
      /** Absent when the answers do not fit. */
      varbinds?: undefined;
      /** Why a full reading is needed. */
      fallback: PlanFallback;
    };

/**
 * Checks a steady poll's answers against the plan: `answers` are the GET answers for
 * {@link objectsInScope} (same order), `probeAnswers` the GETNEXT answers for `plan.probes`
 * (none for scope `meters`).
 * Returns the merged varbinds to decode, or why a full reading is needed.
 *
 * @example
 * ```ts
 * const checked = checkSteadyAnswers(plan, answers, probeAnswers);
 * if (checked.fallback) console.log("full reading:", checked.fallback.code);
 * ```
 */
export function checkSteadyAnswers(
  plan: PollPlan,
  answers: readonly Varbind[],
  probeAnswers: readonly Varbind[],
  scope: PollScope = "all",
): SteadyAnswerCheck {
  const objects = objectsInScope(plan, scope);
  const probes = scope === "all" ? plan.probes : [];
  const previous = new Map(plan.varbinds.map((vb) => [vb.oid, vb]));
  const fallback = (code: PlanFallbackCode, message: string): SteadyAnswerCheck => ({
    fallback: { code, message },
  });
  if (answers.length !== objects.length)
    return fallback("answerMismatch", `${answers.length} answers to a GET of ${objects.length} objects`);
  for (let i = 0; i < objects.length; i++) {
    const want = objects[i] as PlannedObject;
    const got = answers[i] as Varbind;
    const before = previous.get(want.oid);
    if (got.oid !== want.oid) return fallback("answerMismatch", `asked ${want.oid}, answered ${got.oid}`);
    if (isException(got)) return fallback("missingObject", `${want.oid} answered ${got.type}`);
    if (!before || got.type !== before.type)
      return fallback(
        "answerMismatch",
        `${want.oid} answered ${got.type}, the plan has ${before?.type ?? "nothing"}`,
      );
    if (want.check === "uptime" && Number(got.value) < Number(before.value))
      return fallback("rebooted", `sysUpTime went back from ${String(before.value)} to ${String(got.value)}`);
    if ((want.check === "identity" || want.check === "events") && !sameValue(got, before))
      return fallback(
        want.check === "identity" ? "replaced" : "tableChanged",
        want.check === "identity"
          ? `${want.oid} changed from ${show(before)} to ${show(got)}`
          : `alert counter ${want.oid} moved from ${show(before)} to ${show(got)}`,
      );
    if (want.check === "level") {
      const a = Number(before.value);
      const b = Number(got.value);
      if (a >= 0 && b > a)
        return fallback("supplyReplaced", `supply level ${want.oid} rose from ${a} to ${b}`);
    }
  }
  if (probeAnswers.length !== probes.length)
    return fallback("answerMismatch", `${probeAnswers.length} answers to ${probes.length} table-end probes`);
  for (let i = 0; i < probes.length; i++) {
    const probe = probes[i] as TableEndProbe;
    const got = probeAnswers[i] as Varbind;
    if (!isException(got) && isUnder(got.oid, probe.column) && got.oid !== probe.from)
      return fallback("tableChanged", `a row was added after ${probe.from} (${got.oid})`);
  }
  const merged = new Map(previous);
  for (const vb of answers) merged.set(vb.oid, vb);
  return { varbinds: [...merged.values()] };
}

function sameValue(a: Varbind, b: Varbind): boolean {
  if (a.type !== b.type) return false;
  if (Buffer.isBuffer(a.value) && Buffer.isBuffer(b.value)) return a.value.equals(b.value);
  return a.value === b.value;
}

function show(vb: Varbind): string {
  return Buffer.isBuffer(vb.value) ? JSON.stringify(vb.value.toString("latin1")) : String(vb.value);
}

/** JSON form of a varbind value: bytes as hex, Counter64 as decimal text. */
type StoredVarbind = [oid: string, type: VarbindType, value: string | number | null];

/**
 * The plan as versioned JSON text, to store with the device (the agent keeps it in its
 * SQLite file). {@link parsePollPlan} reads it back.
 */
export function serializePollPlan(plan: PollPlan): string {
  const varbinds: StoredVarbind[] = plan.varbinds.map((vb) => [
    vb.oid,
    vb.type,
    Buffer.isBuffer(vb.value)
      ? vb.value.toString("hex")
      : typeof vb.value === "bigint"
        ? vb.value.toString()
        : vb.value,
  ]);
  return JSON.stringify({ ...plan, varbinds });
}

/** The outcome of {@link parsePollPlan}: a plan, or why it cannot be used. */
export type ParsedPollPlan =
  | {
      /** The plan. */
      plan: PollPlan;
      /** Absent when the plan is usable. */
      fallback?: undefined;
    }
  | {
      /** Absent when the plan cannot be used. */
      plan?: undefined;
      /** `planVersion` (another SDK version's plan) or `planCorrupt`. */
      fallback: PlanFallback;
    };

const NUMBER_TYPES = new Set<VarbindType>(["Integer", "Counter32", "Gauge32", "TimeTicks"]);
const CHECKS = new Set<PlannedCheck>(["value", "meter", "uptime", "identity", "events", "level"]);
const DOTTED = /^\d+(\.\d+)+$/;

/**
 * Reads a plan stored by {@link serializePollPlan}. Never throws: a plan of another
 * {@link POLL_PLAN_VERSION} or one that does not parse gives the reason instead, and the
 * device gets a full reading.
 *
 * @example
 * ```ts
 * const parsed = parsePollPlan(row.plan);
 * const result = await reader.readPlanned(target, parsed.plan ?? null);
 * ```
 */
export function parsePollPlan(text: string): ParsedPollPlan {
  const corrupt = (message: string): ParsedPollPlan => ({ fallback: { code: "planCorrupt", message } });
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    return corrupt(`stored poll plan is not JSON: ${(err as Error).message}`);
  }
  if (typeof raw !== "object" || raw === null) return corrupt("stored poll plan is not an object");
  const p = raw as Record<string, unknown>;
  if (p.version !== POLL_PLAN_VERSION)
    return {
      fallback: {
        code: "planVersion",
        message: `stored poll plan has version ${JSON.stringify(p.version)}, this SDK reads version ${POLL_PLAN_VERSION}`,
      },
    };
  if (
    typeof p.target !== "string" ||
    typeof p.discoveredAt !== "string" ||
    Number.isNaN(Date.parse(p.discoveredAt))
  )
    return corrupt("stored poll plan lacks its target or discovery time");
  if (!Array.isArray(p.objects) || !Array.isArray(p.probes) || !Array.isArray(p.varbinds))
    return corrupt("stored poll plan lacks its objects, probes or varbinds");
  const objects: PlannedObject[] = [];
  for (const o of p.objects as unknown[]) {
    const x = o as Partial<PlannedObject> | null;
    if (!x || typeof x.oid !== "string" || !DOTTED.test(x.oid) || !CHECKS.has(x.check as PlannedCheck))
      return corrupt("stored poll plan has a malformed object");
    objects.push({ oid: x.oid, check: x.check as PlannedCheck });
  }
  const probes: TableEndProbe[] = [];
  for (const o of p.probes as unknown[]) {
    const x = o as Partial<TableEndProbe> | null;
    if (
      !x ||
      typeof x.from !== "string" ||
      typeof x.column !== "string" ||
      !DOTTED.test(x.from) ||
      !DOTTED.test(x.column)
    )
      return corrupt("stored poll plan has a malformed probe");
    probes.push({ from: x.from, column: x.column });
  }
  const varbinds: Varbind[] = [];
  for (const entry of p.varbinds as unknown[]) {
    const vb = Array.isArray(entry) ? storedVarbind(entry as unknown[]) : null;
    if (!vb) return corrupt("stored poll plan has a malformed varbind");
    varbinds.push(vb);
  }
  return {
    plan: {
      version: POLL_PLAN_VERSION,
      target: p.target,
      discoveredAt: p.discoveredAt,
      objects,
      probes,
      varbinds,
    },
  };
}

function storedVarbind([oid, type, value]: unknown[]): Varbind | null {
  if (typeof oid !== "string" || !DOTTED.test(oid)) return null;
  const t = type as VarbindType;
  if (NUMBER_TYPES.has(t)) return typeof value === "number" ? ({ oid, type: t, value } as Varbind) : null;
  if (t === "OctetString" || t === "Opaque")
    return typeof value === "string" && /^(?:[0-9a-f]{2})*$/.test(value)
      ? { oid, type: t, value: Buffer.from(value, "hex") }
      : null;
  if (t === "ObjectIdentifier" || t === "IpAddress")
    return typeof value === "string" ? { oid, type: t, value } : null;
  if (t === "Counter64")
    return typeof value === "string" && /^\d+$/.test(value) ? { oid, type: t, value: BigInt(value) } : null;
  if (t === "Null") return { oid, type: t, value: null };
  return null;
}
