/**
 * A fleet of simulated printers on loopback, one UDP port each: served from snmpsim
 * recordings or synthesised from the built-in models, with per-device faults.
 * @module
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { basename, join } from "node:path";
import type { Clock } from "../clock.js";
import { AbortError, ConfigError } from "../errors.js";
import type { Varbind } from "../snmp/varbind.js";
import { type RunningAgent, type SimV3User, startAgent } from "./agent.js";
import { SimClock, type SimClockOptions } from "./clock.js";
import { deviceVarbinds } from "./device-mib.js";
import { type DeviceFaults, parseFaultSpec } from "./faults.js";
import { MibView } from "./mib-view.js";
import { MODEL_IDS, modelById, type PrinterModelId } from "./models.js";
import { bindInFreeRange, FREE_RANGE_PORTS } from "./ports.js";
import { createProfile, type DeviceProfile, hash32 } from "./profile.js";
import { answerQuery, type SnmpAnswer, type SnmpQuery } from "./responder.js";
import { parseSnmprec } from "./snmprec.js";
import { bootState, type DeviceRuntime, type DeviceTruth, deviceTruth } from "./truth.js";

/** Serve every `.snmprec` file of a folder (or the listed files), one device each. */
export interface RecordingsSource {
  /** A folder of `.snmprec` files, or a list of files. */
  recordings: string | readonly string[];
}

/** Synthesise `count` devices from the built-in models. */
export interface SyntheticSource {
  /** Number of devices. */
  count: number;
  /** Models to cycle through (device i gets `models[i % models.length]`). Default: all built-in models. */
  models?: readonly PrinterModelId[];
  /** Seed: same seed, same fleet. Default 1. */
  seed?: number;
}

/** Where a fleet's devices come from. */
export type FleetSource = RecordingsSource | SyntheticSource;

/** Options for {@link startFleet}. */
export interface FleetOptions {
  /**
   * First UDP port; device i listens on `basePort + i`. Omitted or `0`: the fleet finds a free
   * contiguous range itself (a random base in {@link FREE_RANGE_PORTS}, tried again elsewhere when
   * any port of it is taken, at most `FREE_RANGE_ATTEMPTS` times), so suites and fleets can
   * run side by side; read the range from {@link PrinterFleet.firstPort}.
   */
  basePort?: number;
  /** Loopback address. Default `127.0.0.1` (`::1` for IPv6). */
  host?: string;
  /**
   * The fleet's clock, or options to build one. Any other {@link Clock} (an agent's
   * `ManualClock`, say) is followed 1:1 from the moment the fleet starts, so printers and
   * agent share one time. Default: real time (rate 1).
   */
  clock?: SimClock | Clock | SimClockOptions;
  /** Per-device faults: a `--faults` spec string or a map from device index. */
  faults?: string | ReadonlyMap<number, DeviceFaults>;
  /** v1/v2c community of synthetic devices (recordings also accept their file name). Default `public`. */
  community?: string;
  /** SNMPv3 users every device accepts. */
  v3Users?: readonly SimV3User[];
  /** Devices bound concurrently while starting. Default 256. */
  startConcurrency?: number;
  /** Cancels a start in progress (already bound devices are closed). */
  abortSignal?: AbortSignal;
}

/** One simulated printer of a fleet. */
export interface FleetDevice {
  /** Position in the fleet (what `--faults` indexes). */
  readonly index: number;
  /** Bound address. */
  readonly host: string;
  /** Bound UDP port. */
  readonly port: number;
  /** Model id, or the recording name. */
  readonly model: string;
  /** Communities it accepts (v1/v2c). */
  readonly communities: readonly string[];
  /** SNMPv3 engine id, hex. */
  readonly engineId: string;
  /** Its faults ({} when healthy). */
  readonly faults: DeviceFaults;
  /** Serial number it reports now (undefined when it reports none: a recording without one, fault `noSerial`). */
  readonly serial: string | undefined;
  /** MAC address it reports now (lower-case, colon separated), when known. */
  readonly mac: string | undefined;
  /** What it reports right now (synthetic devices only; undefined for a recording). */
  truth(): DeviceTruth | undefined;
  /** Every varbind it answers right now, sorted (before walk faults). */
  varbinds(): readonly Varbind[];
  /** Reboots it now: sysUpTime restarts from 0 and the SNMPv3 engineBoots grows. */
  reboot(): void;
}

/** A running fleet. */
export interface PrinterFleet {
  /** The devices, in port order. */
  readonly devices: readonly FleetDevice[];
  /** The shared simulated clock. */
  readonly clock: SimClock;
  /** Bound address. */
  readonly host: string;
  /** First and last bound port. */
  readonly firstPort: number;
  /** Last bound port. */
  readonly lastPort: number;
  /** Stops every device. Idempotent. */
  close(): Promise<void>;
}

const SERIAL_OIDS = [
  "1.3.6.1.2.1.43.5.1.1.17.1",
  "1.3.6.1.4.1.253.8.53.3.2.1.3.1",
  "1.3.6.1.4.1.2435.2.3.9.4.2.1.5.5.1.0",
  "1.3.6.1.4.1.11.2.3.9.4.2.1.1.3.3.0",
];
const SYS_UPTIME = "1.3.6.1.2.1.1.3.0";
const HR_UPTIME = "1.3.6.1.2.1.25.1.1.0";

/** Loads `.snmprec` files (a folder's, sorted by name) as `{ name, varbinds }`. */
export function loadRecordings(source: string | readonly string[]): {
  /** File name without `.snmprec` (also a community the device accepts). */
  name: string;
  /** What the recording answers, sorted. */
  varbinds: Varbind[];
}[] {
  let files: string[];
  if (typeof source === "string") {
    let isDir: boolean;
    try {
      isDir = statSync(source).isDirectory();
    } catch (err) {
      throw new ConfigError("SIM_RECORDINGS", `cannot read recordings at ${source}`, { cause: err });
    }
    files = isDir
      ? readdirSync(source)
          .filter((f) => f.endsWith(".snmprec"))
          .sort()
          .map((f) => join(source, f))
      : [source];
  } else files = [...source];
  if (files.length === 0) throw new ConfigError("SIM_RECORDINGS", `no .snmprec files in ${String(source)}`);
  return files.map((file) => {
    let text: string;
    try {
      text = readFileSync(file, "utf8");
    } catch (err) {
      throw new ConfigError("SIM_RECORDINGS", `cannot read recording ${file}`, { cause: err });
    }
    return { name: basename(file, ".snmprec"), varbinds: parseSnmprec(text, { source: file }) };
  });
}

/** The serial a recorded device answers after a `serial` fault: same length, another device. */
function swappedSerial(serial: string): string {
  return `${serial.slice(0, -1)}${serial.endsWith("X") ? "Y" : "X"}`;
}

/** Text of an OctetString varbind, else undefined. */
function textOf(vb: Varbind | undefined): string | undefined {
  return vb?.type === "OctetString" ? vb.value.toString("latin1").replace(/\0+$/, "").trim() : undefined;
}

interface DeviceCore {
  model: string;
  communities: string[];
  engineId: Buffer;
  faults: DeviceFaults;
  runtime: DeviceRuntime;
  /** Varbinds at simulated elapsed ms (cached by the caller). */
  view(elapsedMs: number): MibView;
  /** Values that change with time even in a static recording. */
  overlay?(elapsedMs: number): Map<string, Varbind>;
  upAtStartMs: number;
  profile?: DeviceProfile;
  serialAt?(elapsedMs: number): string;
  staticMac?: string;
}

function resolveFaults(
  spec: string | ReadonlyMap<number, DeviceFaults> | undefined,
  count: number,
): ReadonlyMap<number, DeviceFaults> {
  if (spec === undefined) return new Map();
  if (typeof spec === "string") return parseFaultSpec(spec, count);
  for (const i of spec.keys())
    if (!Number.isInteger(i) || i < 0 || i >= count)
      throw new ConfigError("SIM_FAULT_SPEC", `fault for device ${i} is outside the fleet (0..${count - 1})`);
  return spec;
}

/** The fleet's {@link SimClock}: the one given, one following another {@link Clock}, or a new one. */
function fleetClock(clock: SimClock | Clock | SimClockOptions | undefined): SimClock {
  if (clock instanceof SimClock) return clock;
  if (clock && "now" in clock && typeof clock.now === "function") {
    const source = clock;
    return new SimClock({ rate: 1, startMs: source.now(), realNow: () => source.now() });
  }
  return new SimClock((clock as SimClockOptions | undefined) ?? {});
}

/**
 * Starts a fleet of simulated printers, one UDP port each from `options.basePort` (or from a
 * free range it finds itself when `basePort` is omitted or 0).
 *
 * @example
 * ```ts
 * const fleet = await startFleet({ count: 20, seed: 7 }, { clock: { rate: 0 }, faults: "3:timeout" });
 * fleet.clock.advance(30 * 86_400_000);            // a month of printing
 * const expected = fleet.devices[0]?.truth();       // what a reader should find
 * await fleet.close();
 * ```
 */
export async function startFleet(source: FleetSource, options: FleetOptions = {}): Promise<PrinterFleet> {
  const host = options.host ?? "127.0.0.1";
  if (host !== "127.0.0.1" && host !== "::1" && host !== "localhost")
    throw new ConfigError("SIM_HOST", `the simulator binds loopback only (127.0.0.1 or ::1), not ${host}`);
  const clock = fleetClock(options.clock);
  const community = options.community ?? "public";
  const cores: DeviceCore[] = [];

  if ("recordings" in source) {
    const recordings = loadRecordings(source.recordings);
    const faults = resolveFaults(options.faults, recordings.length);
    for (const [i, f] of faults) {
      if (f.counterWrap)
        throw new ConfigError(
          "SIM_FAULT_UNSUPPORTED",
          `fault wrap on device ${i}: a recording's meters do not advance; use a synthetic fleet (--count)`,
        );
      if (f.noSerial)
        throw new ConfigError(
          "SIM_FAULT_UNSUPPORTED",
          `fault noserial on device ${i}: a recording answers what was recorded; use a synthetic fleet (--count) or a recording without serial OIDs`,
        );
    }
    recordings.forEach((rec, i) => {
      const view = new MibView(rec.varbinds);
      const up = view.get(SYS_UPTIME);
      const upAtStartMs = up?.type === "TimeTicks" ? up.value * 10 : 0;
      const engineId = Buffer.alloc(17);
      engineId.write("8000b98380", 0, "hex");
      for (let k = 0; k < 3; k++) engineId.writeUInt32BE(hash32(0x5eed, i, 100 + k), 5 + k * 4);
      const deviceFaults = faults.get(i) ?? {};
      const runtime: DeviceRuntime = { manualReboots: 0 };
      const mac = view.varbinds.find(
        (vb) =>
          vb.oid.startsWith("1.3.6.1.2.1.2.2.1.6.") && vb.type === "OctetString" && vb.value.length === 6,
      );
      const serial = SERIAL_OIDS.map((oid) => textOf(view.get(oid))).find((s) => s !== undefined && s !== "");
      const swapped = (elapsedMs: number): boolean =>
        deviceFaults.serialChangeAfterMs !== undefined && elapsedMs >= deviceFaults.serialChangeAfterMs;
      const core: DeviceCore = {
        model: rec.name,
        communities: deviceFaults.community ? [deviceFaults.community] : [...new Set([rec.name, community])],
        engineId,
        faults: deviceFaults,
        runtime,
        upAtStartMs,
        view: () => view,
        overlay: (elapsedMs) => {
          const { bootAtMs } = bootState(elapsedMs, upAtStartMs, deviceFaults, runtime);
          const ticks = Math.floor((elapsedMs - bootAtMs) / 10) % 4294967296;
          const out = new Map<string, Varbind>();
          if (up) out.set(SYS_UPTIME, { oid: SYS_UPTIME, type: "TimeTicks", value: ticks });
          if (view.get(HR_UPTIME)) out.set(HR_UPTIME, { oid: HR_UPTIME, type: "TimeTicks", value: ticks });
          if (swapped(elapsedMs))
            for (const oid of SERIAL_OIDS) {
              const text = textOf(view.get(oid));
              if (text)
                out.set(oid, { oid, type: "OctetString", value: Buffer.from(swappedSerial(text), "latin1") });
            }
          return out;
        },
      };
      if (serial !== undefined)
        core.serialAt = (elapsedMs) => (swapped(elapsedMs) ? swappedSerial(serial) : serial);
      if (mac?.type === "OctetString")
        core.staticMac = [...mac.value].map((b) => b.toString(16).padStart(2, "0")).join(":");
      cores.push(core);
    });
  } else {
    const { count } = source;
    if (!Number.isInteger(count) || count < 1)
      throw new ConfigError("SIM_COUNT", `device count must be a positive integer, got ${count}`);
    const models = (source.models ?? MODEL_IDS).map((id) => modelById(id));
    if (models.length === 0) throw new ConfigError("SIM_UNKNOWN_MODEL", "the model list is empty");
    const seed = source.seed ?? 1;
    const faults = resolveFaults(options.faults, count);
    for (let i = 0; i < count; i++) {
      const profile = createProfile(models[i % models.length] as (typeof models)[number], seed, i);
      const deviceFaults = faults.get(i) ?? {};
      const runtime: DeviceRuntime = { manualReboots: 0 };
      cores.push({
        model: profile.model.id,
        communities: [deviceFaults.community ?? community],
        engineId: profile.engineId,
        faults: deviceFaults,
        runtime,
        upAtStartMs: profile.upAtStartMs,
        profile,
        view: (elapsedMs) =>
          new MibView(deviceVarbinds(profile, deviceTruth(profile, elapsedMs, deviceFaults, runtime))),
      });
    }
  }

  const requestedBase = options.basePort ?? 0;
  if (
    !Number.isInteger(requestedBase) ||
    requestedBase < 0 ||
    (requestedBase > 0 && requestedBase + cores.length - 1 > 65535)
  )
    throw new ConfigError(
      "SIM_PORT",
      `ports ${requestedBase}-${requestedBase + cores.length - 1} are not all valid UDP ports (1..65535)`,
    );
  if (requestedBase === 0 && cores.length > FREE_RANGE_PORTS.last - FREE_RANGE_PORTS.first)
    throw new ConfigError(
      "SIM_PORT",
      `a free range of ${cores.length} ports does not fit ${FREE_RANGE_PORTS.first}-${FREE_RANGE_PORTS.last}: give --base-port`,
    );

  // Synthetic views are rebuilt when simulated time moves by a TimeTick (10 ms) or more, so a
  // frozen or hand-driven clock answers exactly what truth() says; a small LRU keeps memory
  // flat for big fleets.
  const VIEW_REUSE_MS = 10;
  const cache = new Map<number, { atMs: number; view: MibView }>();
  const CACHE_SIZE = 1024;
  const viewOf = (i: number, core: DeviceCore, elapsedMs: number): MibView => {
    if (!core.profile) return core.view(elapsedMs);
    const hit = cache.get(i);
    if (hit && Math.abs(hit.atMs - elapsedMs) < VIEW_REUSE_MS) {
      cache.delete(i);
      cache.set(i, hit);
      return hit.view;
    }
    const view = core.view(elapsedMs);
    cache.set(i, { atMs: elapsedMs, view });
    if (cache.size > CACHE_SIZE) cache.delete(cache.keys().next().value as number);
    return view;
  };
  const invalidate = (i: number): void => {
    cache.delete(i);
  };

  const answerFor =
    (i: number, core: DeviceCore) =>
    (query: SnmpQuery): SnmpAnswer | null => {
      const elapsedMs = clock.elapsedMs();
      const answer = answerQuery(
        viewOf(i, core, elapsedMs),
        query,
        core.faults.walk ? { walkFault: core.faults.walk } : {},
      );
      const overlay = core.overlay?.(elapsedMs);
      if (answer && overlay && overlay.size > 0)
        answer.varbinds = answer.varbinds.map((vb) => overlay.get(vb.oid) ?? vb);
      return answer;
    };

  const agents: RunningAgent[] = [];
  const closeAll = async (): Promise<void> => {
    await Promise.all(agents.splice(0).map((a) => a.close()));
  };
  const concurrency = Math.max(1, options.startConcurrency ?? 256);
  const bindAll = async (basePort: number): Promise<void> => {
    try {
      for (let start = 0; start < cores.length; start += concurrency) {
        if (options.abortSignal?.aborted) throw new AbortError("fleet start was aborted");
        const batch = cores.slice(start, start + concurrency);
        const started = await Promise.allSettled(
          batch.map((core, k) => {
            const i = start + k;
            // snmpEngineTime follows real seconds since the last boot the manager could see: a
            // manager's notion of it advances in real time (RFC 3414 time window of 150 s), even when
            // the simulated clock is frozen or runs a month per second.
            const engine = { boots: -1, bootRealMs: 0 };
            return startAgent({
              host: host === "localhost" ? "127.0.0.1" : host,
              port: basePort + i,
              communities: core.communities,
              users: options.v3Users ?? [],
              engineId: core.engineId,
              answer: answerFor(i, core),
              behaviour: () => {
                const elapsedMs = clock.elapsedMs();
                const { engineBoots } = bootState(elapsedMs, core.upAtStartMs, core.faults, core.runtime);
                if (engineBoots !== engine.boots) {
                  engine.boots = engineBoots;
                  engine.bootRealMs = performance.now();
                }
                return {
                  drop: core.faults.timeout === true,
                  ...(core.faults.slowMs !== undefined ? { delayMs: core.faults.slowMs } : {}),
                  dropBulk: core.faults.noBulk === true,
                  malformed: core.faults.badBer === true,
                  engineBoots,
                  engineTime: 1 + Math.floor((performance.now() - engine.bootRealMs) / 1000),
                };
              },
            });
          }),
        );
        for (const r of started) if (r.status === "fulfilled") agents.push(r.value);
        const failed = started.find((r): r is PromiseRejectedResult => r.status === "rejected");
        if (failed) throw failed.reason;
      }
    } catch (err) {
      await closeAll();
      throw err;
    }
  };

  const basePort =
    requestedBase > 0
      ? await bindAll(requestedBase).then(() => requestedBase)
      : await bindInFreeRange(cores.length, (base) => bindAll(base).then(() => base));
  const lastPort = basePort + cores.length - 1;

  const devices: FleetDevice[] = cores.map((core, i) => ({
    index: i,
    host,
    port: basePort + i,
    model: core.model,
    communities: core.communities,
    engineId: core.engineId.toString("hex"),
    faults: core.faults,
    get serial() {
      return core.profile ? this.truth()?.serial || undefined : core.serialAt?.(clock.elapsedMs());
    },
    get mac() {
      return core.profile ? this.truth()?.mac : core.staticMac;
    },
    truth: () =>
      core.profile ? deviceTruth(core.profile, clock.elapsedMs(), core.faults, core.runtime) : undefined,
    varbinds: () => {
      const elapsedMs = clock.elapsedMs();
      const overlay = core.overlay?.(elapsedMs);
      const vbs = viewOf(i, core, elapsedMs).varbinds;
      return overlay && overlay.size > 0 ? vbs.map((vb) => overlay.get(vb.oid) ?? vb) : vbs;
    },
    reboot: () => {
      core.runtime.manualReboots++;
      core.runtime.manualBootAtMs = clock.elapsedMs();
      invalidate(i);
    },
  }));

  let closed: Promise<void> | undefined;
  return {
    devices,
    clock,
    host,
    firstPort: basePort,
    lastPort,
    close: () => {
      closed ??= closeAll();
      return closed;
    },
  };
}
