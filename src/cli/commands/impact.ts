import { writeFile } from "node:fs/promises";
import type { Command } from "commander";
import { ConfigError } from "../../errors.js";
import {
  formatImpactTable,
  formatSavingsTable,
  type ImpactAlgorithm,
  type ImpactKeyReference,
  type ImpactSavings,
  judgeImpact,
  type MeasureImpactOptions,
  measureImpact,
  measureSavings,
  measureSnmpPoll,
  renderImpactHtml,
  type SnmpPollMeasurement,
  snmpPerDevicePerDay,
  toImpactJson,
} from "../../impact/index.js";
import { action } from "../action.js";

interface ImpactCliOptions {
  devices: string;
  json?: boolean;
  html?: string;
  gzip: boolean;
  alg?: string;
  keyRef?: string;
  unsigned?: boolean;
  signResponses?: boolean;
  supplies: boolean;
  billingCycle: string;
  snmp: boolean;
  snmpModel?: string;
  snmpRecording?: string;
  compare?: boolean;
  port?: string;
}

/** Parses `1,10,100` into device counts. */
function parseDevices(text: string): number[] {
  const parts = text.split(",").map((s) => s.trim());
  const counts = parts.map((p) => {
    if (!/^\d+$/.test(p)) throw new ConfigError("ARG_INVALID", `--devices: "${p}" is not a whole number`);
    return Number(p);
  });
  if (counts.length === 0) throw new ConfigError("ARG_INVALID", "--devices: give at least one count");
  return counts;
}

function oneOf<T extends string>(
  value: string | undefined,
  allowed: readonly T[],
  flag: string,
): T | undefined {
  if (value === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(value)) {
    throw new ConfigError("ARG_INVALID", `${flag}: "${value}" is not one of ${allowed.join(", ")}`);
  }
  return value as T;
}

/** `esol impact`: measures every transaction on loopback against the vendor's formulas. */
export function registerImpact(program: Command): void {
  program
    .command("impact")
    .description(
      "run every transaction signed over HTTPS on loopback against the reference server and compare the bytes on the wire with the vendor's formulas",
    )
    .option("--devices <list>", "device counts, comma-separated", "1,10,100,1000")
    .addHelpText(
      "after",
      "\nExamples:\n  esol impact                                  # table: ours vs the vendor's formulas at 1, 10, 100, 1000 devices\n  esol impact --devices 1,10,100 --json        # one JSON object { transactions, options, snmp, site }\n  esol impact --html impact.html               # self-contained page with charts and site traffic\n  esol impact --alg rsa-sha256 --key-ref bst   # what RSA with an embedded certificate costs",
    )
    .option("--json", "print one JSON object { transactions, options, snmp, site }")
    .option("--html <file>", "write a self-contained HTML page with charts and site traffic")
    .option("--no-gzip", "send request bodies uncompressed")
    .option(
      "--alg <name>",
      "signature algorithm: rsa-sha256, rsa-sha512, ecdsa-sha256, ecdsa-sha384 (default ecdsa-sha256)",
    )
    .option(
      "--key-ref <kind>",
      "key reference after registration: bst, thumbprint-sha1, thumbprint-sha256 (default thumbprint-sha256)",
    )
    .option("--unsigned", "send requests without WS-Security")
    .option("--sign-responses", "have the server sign its responses")
    .option("--no-supplies", "leave the supplies service off")
    .option("--billing-cycle <cycle>", "monthly, quarterly or semiannual", "monthly")
    .option("--no-snmp", "do not measure an SNMP poll of a simulated printer")
    .option("--snmp-model <id>", "simulated printer model for the SNMP poll (default xerox)")
    .option("--snmp-recording <file>", "poll a simulator serving this .snmprec recording instead")
    .option(
      "--port <p>",
      "first of 4 loopback ports to use (server, TLS relay, SNMP agent, SNMP relay); default: free ports",
    )
    .option("--compare", "also measure with each size choice undone, to show what each saves")
    .action(
      action(async (o: ImpactCliOptions) => {
        if (o.json && o.html) throw new ConfigError("ARG_INVALID", "--json and --html exclude each other");
        const algorithm = oneOf<ImpactAlgorithm>(
          o.alg,
          ["rsa-sha256", "rsa-sha512", "ecdsa-sha256", "ecdsa-sha384"],
          "--alg",
        );
        const keyReference = oneOf<ImpactKeyReference>(
          o.keyRef,
          ["bst", "thumbprint-sha1", "thumbprint-sha256"],
          "--key-ref",
        );
        const billingCycle = oneOf(
          o.billingCycle,
          ["monthly", "quarterly", "semiannual"] as const,
          "--billing-cycle",
        );
        let port: number | undefined;
        if (o.port !== undefined) {
          port = Number(o.port);
          if (!/^\d+$/.test(o.port) || port < 1 || port > 65532) {
            throw new ConfigError("ARG_INVALID", `--port: "${o.port}" is not a port in 1..65532`);
          }
        }
        let snmp: SnmpPollMeasurement | null = null;
        if (o.snmp) {
          snmp = await measureSnmpPoll({
            ...(port !== undefined ? { agentPort: port + 2, relayPort: port + 3 } : {}),
            ...(o.snmpModel ? { model: o.snmpModel } : {}),
            ...(o.snmpRecording ? { recording: o.snmpRecording } : {}),
          });
        }
        const options: MeasureImpactOptions = {
          devices: parseDevices(o.devices),
          gzip: o.gzip,
          signed: !o.unsigned,
          signResponses: o.signResponses === true,
          supplies: o.supplies,
          snmp,
          ...(port !== undefined ? { serverPort: port, relayPort: port + 1 } : {}),
          ...(algorithm ? { algorithm } : {}),
          ...(keyReference ? { keyReference } : {}),
          ...(billingCycle ? { billingCycle } : {}),
        };
        const savings: ImpactSavings | undefined = o.compare ? await measureSavings(options) : undefined;
        const report = savings ? savings.variants[0]!.report : await measureImpact(options);
        if (o.json) {
          process.stdout.write(`${JSON.stringify(toImpactJson(report))}\n`);
          return;
        }
        let out = formatImpactTable(report);
        if (snmp) {
          out += `SNMP: one full reading of one device (${snmp.device}) = ${snmp.requestBytes} B out + ${snmp.responseBytes} B back (UDP payload, ${snmp.datagrams} datagrams)\n`;
          if (snmp.steady)
            out += `SNMP: one steady poll (poll plan) = ${snmp.steady.requestBytes} B out + ${snmp.steady.responseBytes} B back (${snmp.steady.datagrams} datagrams); ${snmpPerDevicePerDay(snmp).bytesPerDevicePerDay} B per device per day\n`;
        }
        const over = judgeImpact(report).filter((v) => v.overAt.length > 0);
        for (const v of over) out += `above the vendor: ${v.vendorRow} at x = ${v.overAt.join(", ")}\n`;
        const savingsTable = savings ? formatSavingsTable(savings) : undefined;
        if (savingsTable) out += `\n${savingsTable}`;
        if (o.html) {
          await writeFile(
            o.html,
            renderImpactHtml(report, { generatedAt: new Date(), ...(savingsTable ? { savingsTable } : {}) }),
          );
          out += `wrote ${o.html}\n`;
        }
        process.stdout.write(out);
      }),
    );
}
