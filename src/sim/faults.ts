/**
 * Faults a simulated printer can show, and the `--faults` spec that assigns them to devices.
 * Pure parsing; the agent and the device models apply them.
 * @module
 */
import { ConfigError } from "../errors.js";
import type { WalkFault } from "./responder.js";

/** What is wrong with one simulated device. Every field is optional; none means healthy. */
export interface DeviceFaults {
  /** Never answers (a powered-off or firewalled printer). */
  timeout?: boolean;
  /** Answers every request after this many real milliseconds. */
  slowMs?: number;
  /** Never answers GETBULK (old JetDirect style); GET and GETNEXT still work. */
  noBulk?: boolean;
  /** Walk misbehaviour past the middle of the Printer-MIB. */
  walk?: WalkFault;
  /** Answers with malformed BER (a truncated, mis-sized message). */
  badBer?: boolean;
  /** Counter32 meters start just below 2^32 so they wrap after a few hundred pages. */
  counterWrap?: boolean;
  /** Reboots every this many simulated milliseconds: sysUpTime restarts, v3 engineBoots grows. */
  rebootEveryMs?: number;
  /** After this many simulated milliseconds the device answers with another serial (a swapped device). */
  serialChangeAfterMs?: number;
  /** Accepts only this community (a device configured with a community the reader does not know). */
  community?: string;
  /**
   * Reports no serial number: prtGeneralSerialNumber (RFC 3805) and the vendor serial OID are
   * absent, so an agent cannot bill it (`SNMP_NO_SERIAL`, alarm `device-not-billable`).
   * Synthetic devices only.
   */
  noSerial?: boolean;
}

/** Help text for the `--faults` spec (also printed by `esol sim --help`). */
export const FAULT_SPEC_HELP = `comma-separated DEVICES:FAULT[=ARG]; DEVICES is a 0-based index, a range 3-7 or *.
  timeout          never answers
  slow=MS          answers after MS real milliseconds (default 1000)
  nobulk           never answers GETBULK (GET and GETNEXT work)
  backwards        half-way through the Printer-MIB, GETNEXT returns a lower OID
  loop             half-way through the Printer-MIB, GETNEXT returns the OID asked for
  truncate         the walk ends (endOfMibView) half-way through the Printer-MIB
  badber           answers with malformed BER (truncated message)
  wrap             prtMarkerLifeCount starts just below 2^32 and wraps
  reboot=SECONDS   reboots every SECONDS of simulated time (default 86400): sysUpTime restarts, engineBoots grows
  serial=SECONDS   after SECONDS of simulated time becomes another device: new serial and MAC (default 86400)
  community=NAME   accepts only community NAME (default "wrong")
  noserial         reports no serial number (prtGeneralSerialNumber and the vendor OID absent)
e.g. 2:timeout,5:slow=800,7:loop,10-12:wrap,*:reboot=3600`;

const DAY_S = 86_400;

function positiveNumber(raw: string, item: string): number {
  const n = Number(raw);
  if (raw.trim() === "" || !Number.isFinite(n) || n <= 0)
    throw new ConfigError("SIM_FAULT_SPEC", `fault "${item}": "${raw}" is not a positive number`);
  return n;
}

/** Applies one `FAULT[=ARG]` to `faults` (mutates). */
function applyFault(faults: DeviceFaults, name: string, arg: string | undefined, item: string): void {
  const noArg = (): void => {
    if (arg !== undefined) throw new ConfigError("SIM_FAULT_SPEC", `fault "${item}": ${name} takes no value`);
  };
  switch (name) {
    case "timeout":
      noArg();
      faults.timeout = true;
      return;
    case "slow":
      faults.slowMs = arg === undefined ? 1000 : positiveNumber(arg, item);
      return;
    case "nobulk":
      noArg();
      faults.noBulk = true;
      return;
    case "backwards":
    case "loop":
    case "truncate":
      noArg();
      faults.walk = name;
      return;
    case "badber":
      noArg();
      faults.badBer = true;
      return;
    case "wrap":
      noArg();
      faults.counterWrap = true;
      return;
    case "reboot":
      faults.rebootEveryMs = (arg === undefined ? DAY_S : positiveNumber(arg, item)) * 1000;
      return;
    case "serial":
      faults.serialChangeAfterMs = (arg === undefined ? DAY_S : positiveNumber(arg, item)) * 1000;
      return;
    case "noserial":
      noArg();
      faults.noSerial = true;
      return;
    case "community":
      if (arg === "") throw new ConfigError("SIM_FAULT_SPEC", `fault "${item}": empty community`);
      faults.community = arg ?? "wrong";
      return;
    default:
      throw new ConfigError(
        "SIM_FAULT_SPEC",
        `fault "${item}": unknown fault "${name}" (known: timeout, slow, nobulk, backwards, loop, truncate, badber, wrap, reboot, serial, community, noserial)`,
      );
  }
}

/**
 * Parses a `--faults` spec into per-device faults for a fleet of `deviceCount` devices.
 * Refuses an unknown fault, a bad number or an index outside the fleet, naming the item.
 *
 * @example
 * ```ts
 * const faults = parseFaultSpec("2:timeout,5:slow=800,7:loop", 10);
 * faults.get(5); // { slowMs: 800 }
 * ```
 */
export function parseFaultSpec(spec: string, deviceCount: number): Map<number, DeviceFaults> {
  const out = new Map<number, DeviceFaults>();
  for (const rawItem of spec.split(",")) {
    const item = rawItem.trim();
    if (item === "") continue;
    const m = /^(\*|\d+|\d+-\d+):([a-z]+)(?:=(.*))?$/.exec(item);
    if (!m)
      throw new ConfigError("SIM_FAULT_SPEC", `fault "${item}" is not DEVICES:FAULT[=ARG] (e.g. 2:timeout)`);
    const [, devices = "", name = "", arg] = m;
    let first: number;
    let last: number;
    if (devices === "*") {
      first = 0;
      last = deviceCount - 1;
    } else if (devices.includes("-")) {
      const [a = "", b = ""] = devices.split("-");
      first = Number(a);
      last = Number(b);
      if (first > last)
        throw new ConfigError("SIM_FAULT_SPEC", `fault "${item}": range ${devices} is reversed`);
    } else {
      first = Number(devices);
      last = first;
    }
    if (last >= deviceCount)
      throw new ConfigError(
        "SIM_FAULT_SPEC",
        `fault "${item}": device ${last} is outside the fleet (0..${deviceCount - 1})`,
      );
    for (let d = first; d <= last; d++) {
      const faults = out.get(d) ?? {};
      applyFault(faults, name, arg, item);
      out.set(d, faults);
    }
  }
  return out;
}
