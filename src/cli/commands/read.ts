import type { Command } from "commander";
import { ConfigError } from "../../errors.js";
import {
  type DeviceReading,
  PrinterReader,
  parseTarget,
  type SnmpAuthProtocol,
  type SnmpCredentials,
  type SnmpPrivProtocol,
} from "../../snmp/index.js";
import { action } from "../action.js";

/** The SNMP options `esol read` and `esol poll` share. */
export interface SnmpCliOptions {
  community?: string[];
  snmpVersion?: string;
  v3?: boolean;
  user?: string;
  authProto?: string;
  authKey?: string;
  privProto?: string;
  privKey?: string;
  timeoutMs?: string;
  retries?: string;
  allowInsecure?: boolean;
  json?: boolean;
}

const collect = (value: string, previous: string[] = []): string[] => [
  ...previous,
  ...value
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean),
];

/** Adds the shared SNMP credential and timing options to a command. */
export function addSnmpOptions(cmd: Command): Command {
  return cmd
    .option("--community <c>", "community string; repeat or comma-separate to try several in order", collect)
    .option("--snmp-version <v>", "v1 or v2c for community access", "v2c")
    .option("--v3", "use SNMPv3 (USM)")
    .option("--user <u>", "SNMPv3 user")
    .option(
      "--auth-proto <p>",
      "SNMPv3 auth protocol: sha, sha224, sha256, sha384, sha512 (md5 needs --allow-insecure)",
    )
    .option("--auth-key <k>", "SNMPv3 auth pass phrase")
    .option("--priv-proto <p>", "SNMPv3 privacy protocol: aes, aes256b, aes256r (des needs --allow-insecure)")
    .option("--priv-key <k>", "SNMPv3 privacy pass phrase")
    .option("--timeout-ms <n>", "per-request timeout in milliseconds", "2000")
    .option("--retries <n>", "extra attempts per request after a timeout", "1")
    .option("--allow-insecure", "allow MD5 / DES for SNMPv3")
    .option("--json", "print JSON");
}

function positiveInt(text: string | undefined, name: string, min: number): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < min)
    throw new ConfigError("ARG_INVALID", `${name} must be an integer >= ${min}`);
  return n;
}

/** Timing options as numbers, validated. */
export function timingFrom(o: SnmpCliOptions): { timeoutMs?: number; retries?: number } {
  const timeoutMs = positiveInt(o.timeoutMs, "--timeout-ms", 1);
  const retries = positiveInt(o.retries, "--retries", 0);
  return {
    ...(timeoutMs !== undefined && { timeoutMs }),
    ...(retries !== undefined && { retries }),
  };
}

/** The credentials the options describe, in the order to try them. */
export function credentialsFrom(o: SnmpCliOptions): SnmpCredentials[] {
  if (o.v3) {
    if (!o.user) throw new ConfigError("ARG_INVALID", "--v3 needs --user");
    const c: SnmpCredentials = { version: "v3", user: o.user };
    if (o.authKey) {
      c.authKey = o.authKey;
      c.authProtocol = (o.authProto ?? "sha") as SnmpAuthProtocol;
    }
    if (o.privKey) {
      c.privKey = o.privKey;
      c.privProtocol = (o.privProto ?? "aes") as SnmpPrivProtocol;
    }
    return [c];
  }
  if (o.snmpVersion !== "v1" && o.snmpVersion !== "v2c")
    throw new ConfigError("ARG_INVALID", `--snmp-version must be v1 or v2c (got "${o.snmpVersion}")`);
  const version = o.snmpVersion;
  const communities = o.community?.length ? o.community : ["public"];
  return communities.map((community) => ({ version, community }));
}

/** Human-readable summary of one reading. */
export function formatReading(r: DeviceReading): string {
  const id = r.identity;
  const lines = [
    `${r.target}  ${id.vendor ?? "unknown vendor"} ${id.model ?? ""}`.trimEnd(),
    `  serial     ${id.serial ?? "-"}${id.serialSource ? ` (${id.serialSource})` : ""}`,
    `  mac        ${id.mac ?? "-"}    firmware ${id.firmware ?? "-"}`,
    `  status     ${r.status.printerStatus ?? "-"} / ${r.status.deviceStatus ?? "-"}${
      r.status.errorState.length ? `  [${r.status.errorState.join(", ")}]` : ""
    }`,
  ];
  for (const m of r.meters) lines.push(`  meter      ${m.name}: ${m.value}${m.unit ? ` ${m.unit}` : ""}`);
  for (const s of r.supplies)
    lines.push(
      `  supply     ${s.index} ${s.description ?? "?"}: ${s.percent !== null ? `${s.percent}%` : s.state}`,
    );
  for (const a of r.alerts)
    lines.push(`  alert      ${a.severity ?? "?"} ${a.code ?? ""} ${a.description ?? ""}`);
  for (const p of r.problems) lines.push(`  problem    ${p.code}: ${p.message}`);
  return lines.join("\n");
}

/** `esol read HOST[:PORT]`: one reading of one printer. */
export function registerRead(program: Command): void {
  addSnmpOptions(
    program
      .command("read")
      .description("read one printer over SNMP: identity, meters, supplies, status, alerts")
      .argument("<target>", "HOST[:PORT]")
      .addHelpText(
        "after",
        "\nExamples:\n  esol read 192.0.2.10                               # SNMP v2c, community public, port 161\n  esol read 127.0.0.1:16100 --json                   # a simulated printer (esol sim)\n  esol read 192.0.2.10 --community private,public    # communities tried in order\n  esol read 192.0.2.10 --v3 --user esol --auth-proto sha256 --auth-key 'auth-pass-1' \\\n      --priv-proto aes --priv-key 'priv-pass-1'",
      ),
  ).action(
    action(async (targetSpec: string, o: SnmpCliOptions) => {
      const target = parseTarget(targetSpec);
      const credentials = credentialsFrom(o);
      const reader = new PrinterReader({
        ...timingFrom(o),
        ...(o.allowInsecure && { allowInsecureProtocols: true }),
        profiles: [o.v3 ? { ranges: [target.host], credentials } : { credentials }],
      });
      const controller = new AbortController();
      const stop = () => controller.abort();
      process.once("SIGINT", stop);
      try {
        const reading = await reader.read(target, { abortSignal: controller.signal });
        process.stdout.write(o.json ? `${JSON.stringify(reading)}\n` : `${formatReading(reading)}\n`);
      } finally {
        process.off("SIGINT", stop);
      }
    }),
  );
}
