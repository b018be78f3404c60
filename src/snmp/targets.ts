/**
 * Target lists for fleet polls — hosts, `host:port`, port ranges `host:p1-p2`, IPv4
 * CIDR blocks — expanded lazily and bounded, and credential profiles per address range
 * so that SNMPv3 secrets only ever go to the ranges they were configured for.
 * @module
 */
import { isIP } from "node:net";
import { ConfigError } from "../errors.js";
import type { SnmpCredentials } from "./session.js";

/** One device address to read. */
export interface PrinterTarget {
  /** IP address or host name. */
  host: string;
  /** UDP port. */
  port: number;
}

/** Options for {@link expandTargets}. */
export interface ExpandTargetsOptions {
  /** Port when a spec names none (default 161). */
  defaultPort?: number;
  /** Refuse specs that would expand to more targets than this (default 65,536). */
  maxTargets?: number;
}

/** `host:port` (IPv6 in brackets). */
export function formatTarget(t: PrinterTarget): string {
  return `${isIP(t.host) === 6 ? `[${t.host}]` : t.host}:${t.port}`;
}

function ipv4ToInt(ip: string): number {
  return ip.split(".").reduce((n, p) => n * 256 + Number(p), 0);
}

function intToIpv4(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join(".");
}

function parsePort(text: string, spec: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < 1 || n > 65535)
    throw new ConfigError("ARG_TARGET", `"${spec}": port "${text}" is not a UDP port (1..65535)`);
  return n;
}

interface ParsedSpec {
  hosts: { first: number; last: number } | { name: string };
  portFirst: number;
  portLast: number;
}

function parseSpec(spec: string, defaultPort: number): ParsedSpec {
  const s = spec.trim();
  if (!s) throw new ConfigError("ARG_TARGET", "empty target");
  let hostPart = s;
  let portPart: string | null = null;
  const bracket = /^\[([^\]]+)\](?::(.+))?$/.exec(s);
  if (bracket) {
    hostPart = bracket[1] ?? "";
    portPart = bracket[2] ?? null;
  } else if ((s.match(/:/g) ?? []).length === 1) {
    const i = s.indexOf(":");
    hostPart = s.slice(0, i);
    portPart = s.slice(i + 1);
  }
  let portFirst = defaultPort;
  let portLast = defaultPort;
  if (portPart !== null) {
    const range = /^(\d+)-(\d+)$/.exec(portPart);
    if (range) {
      portFirst = parsePort(range[1] ?? "", spec);
      portLast = parsePort(range[2] ?? "", spec);
      if (portLast < portFirst) throw new ConfigError("ARG_TARGET", `"${spec}": port range goes backwards`);
    } else {
      portFirst = portLast = parsePort(portPart, spec);
    }
  }
  const cidr = /^(\d{1,3}(?:\.\d{1,3}){3})\/(\d{1,2})$/.exec(hostPart);
  if (cidr) {
    const ip = cidr[1] ?? "";
    const bits = Number(cidr[2]);
    if (isIP(ip) !== 4 || bits > 32)
      throw new ConfigError("ARG_TARGET", `"${spec}" is not a valid IPv4 CIDR block`);
    const size = 2 ** (32 - bits);
    const base = Math.floor(ipv4ToInt(ip) / size) * size;
    // Network and broadcast addresses are not devices, except in /31 and /32.
    return bits >= 31
      ? { hosts: { first: base, last: base + size - 1 }, portFirst, portLast }
      : { hosts: { first: base + 1, last: base + size - 2 }, portFirst, portLast };
  }
  if (hostPart.includes("/"))
    throw new ConfigError("ARG_TARGET", `"${spec}": only IPv4 CIDR blocks are supported`);
  if (isIP(hostPart) === 4) {
    const n = ipv4ToInt(hostPart);
    return { hosts: { first: n, last: n }, portFirst, portLast };
  }
  if (!isIP(hostPart) && !/^[A-Za-z0-9]([A-Za-z0-9.-]{0,252})$/.test(hostPart))
    throw new ConfigError("ARG_TARGET", `"${spec}" is not a host, host:port, host:p1-p2 or CIDR block`);
  return { hosts: { name: hostPart }, portFirst, portLast };
}

function sizeOf(p: ParsedSpec): number {
  const hosts = "name" in p.hosts ? 1 : p.hosts.last - p.hosts.first + 1;
  return hosts * (p.portLast - p.portFirst + 1);
}

/**
 * Counts the targets `specs` expand to, validating every spec, without building them.
 * Throws a {@link ConfigError} (`ARG_TARGET`, `ARG_TOO_MANY_TARGETS`) naming the bad spec.
 */
export function countTargets(specs: readonly string[], options: ExpandTargetsOptions = {}): number {
  const max = options.maxTargets ?? 65_536;
  let total = 0;
  for (const spec of specs) {
    total += sizeOf(parseSpec(spec, options.defaultPort ?? 161));
    if (total > max)
      throw new ConfigError(
        "ARG_TOO_MANY_TARGETS",
        `targets expand to more than ${max} addresses (at "${spec}"); narrow the ranges or raise maxTargets`,
      );
  }
  return total;
}

/**
 * Expands target specs lazily, host by host (memory stays flat however large the
 * ranges). All specs are validated and counted first.
 *
 * @example
 * ```ts
 * [...expandTargets(["127.0.0.1:20001-20003", "10.0.0.0/30"])].map(formatTarget);
 * // ["127.0.0.1:20001", "127.0.0.1:20002", "127.0.0.1:20003", "10.0.0.1:161", "10.0.0.2:161"]
 * ```
 */
export function* expandTargets(
  specs: readonly string[],
  options: ExpandTargetsOptions = {},
): Generator<PrinterTarget> {
  countTargets(specs, options);
  for (const spec of specs) {
    const p = parseSpec(spec, options.defaultPort ?? 161);
    if ("name" in p.hosts) {
      for (let port = p.portFirst; port <= p.portLast; port++) yield { host: p.hosts.name, port };
    } else {
      for (let n = p.hosts.first; n <= p.hosts.last; n++)
        for (let port = p.portFirst; port <= p.portLast; port++) yield { host: intToIpv4(n), port };
    }
  }
}

/** Parses one `host[:port]` into a {@link PrinterTarget}; ranges are refused here. */
export function parseTarget(spec: string, defaultPort = 161): PrinterTarget {
  const p = parseSpec(spec, defaultPort);
  if (sizeOf(p) !== 1)
    throw new ConfigError("ARG_TARGET", `"${spec}" names several targets; give one host[:port]`);
  return "name" in p.hosts
    ? { host: p.hosts.name, port: p.portFirst }
    : { host: intToIpv4(p.hosts.first), port: p.portFirst };
}

/**
 * Credentials to try, in order, for the devices of some address ranges. A profile
 * holding SNMPv3 credentials must name its ranges: v3 secrets are never sent elsewhere.
 *
 * @example
 * ```ts
 * const profiles: CredentialProfile[] = [
 *   { ranges: ["10.1.0.0/16"], credentials: [{ version: "v3", user: "fleet", authKey: "…", privKey: "…" }] },
 *   { credentials: [{ version: "v2c", community: "public" }, { version: "v2c", community: "private" }] },
 * ];
 * ```
 */
export interface CredentialProfile {
  /** IPv4 CIDR blocks, IP addresses or host names this profile is for; absent = every target. */
  ranges?: string[];
  /** Credentials tried in order until one gets an answer. */
  credentials: SnmpCredentials[];
}

function inRange(host: string, range: string): boolean {
  const cidr = /^(\d{1,3}(?:\.\d{1,3}){3})\/(\d{1,2})$/.exec(range);
  if (cidr) {
    if (isIP(host) !== 4) return false;
    const size = 2 ** (32 - Number(cidr[2]));
    return Math.floor(ipv4ToInt(host) / size) === Math.floor(ipv4ToInt(cidr[1] ?? "") / size);
  }
  return host.toLowerCase() === range.toLowerCase();
}

/** Validates profiles: v3 credentials need explicit ranges; ranges must be well-formed. */
export function checkProfiles(profiles: readonly CredentialProfile[]): void {
  profiles.forEach((p, i) => {
    if (!Array.isArray(p.credentials) || p.credentials.length === 0)
      throw new ConfigError("CONFIG_SNMP_PROFILE", `credential profile ${i + 1} has no credentials`);
    const hasV3 = p.credentials.some((c) => c.version === "v3");
    if (hasV3 && (!p.ranges || p.ranges.length === 0))
      throw new ConfigError(
        "CONFIG_SNMP_V3_WITHOUT_RANGE",
        `credential profile ${i + 1} holds SNMPv3 credentials but no ranges: v3 secrets must be limited to the ranges they are for`,
      );
    for (const r of p.ranges ?? []) {
      const cidr = /^(\d{1,3}(?:\.\d{1,3}){3})\/(\d{1,2})$/.exec(r);
      if (cidr ? isIP(cidr[1] ?? "") !== 4 || Number(cidr[2]) > 32 : !r)
        throw new ConfigError(
          "CONFIG_SNMP_PROFILE",
          `credential profile ${i + 1}: "${r}" is not a CIDR block or host`,
        );
    }
  });
}

/**
 * The credentials to try for `host`, in order: every profile whose ranges include the
 * host, then the profiles without ranges. Empty when none applies.
 */
export function credentialsFor(host: string, profiles: readonly CredentialProfile[]): SnmpCredentials[] {
  const ranged = profiles.filter((p) => p.ranges?.some((r) => inRange(host, r)));
  const open = profiles.filter((p) => !p.ranges || p.ranges.length === 0);
  // A v3 credential in an open profile is refused by checkProfiles; filter again so a
  // caller who skipped the check still never leaks one.
  return [
    ...ranged.flatMap((p) => p.credentials),
    ...open.flatMap((p) => p.credentials.filter((c) => c.version !== "v3")),
  ];
}
