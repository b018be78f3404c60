import { readFileSync } from "node:fs";
import type { Command } from "commander";
import { parse as parseYaml } from "yaml";
import { ConfigError } from "../../errors.js";
import { type CredentialProfile, type PollProgress, PrinterReader } from "../../snmp/index.js";
import { action } from "../action.js";
import { addSnmpOptions, credentialsFrom, formatReading, type SnmpCliOptions, timingFrom } from "./read.js";

interface PollCliOptions extends SnmpCliOptions {
  concurrency?: string;
  profiles?: string;
  v3Range?: string[];
}

function progressBar(p: PollProgress): string {
  const width = 30;
  const filled = p.total ? Math.round((p.done / p.total) * width) : width;
  return `\r[${"#".repeat(filled)}${".".repeat(width - filled)}] ${p.done}/${p.total}  failed ${p.failed}  `;
}

function loadProfiles(file: string): CredentialProfile[] {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    throw new ConfigError("CONFIG_FILE", `cannot read profiles file ${file}: ${(err as Error).message}`);
  }
  const parsed: unknown = parseYaml(text);
  const list = Array.isArray(parsed) ? parsed : (parsed as { profiles?: unknown })?.profiles;
  if (!Array.isArray(list))
    throw new ConfigError(
      "CONFIG_SNMP_PROFILE",
      `${file}: expected a list of { ranges, credentials } profiles`,
    );
  return list as CredentialProfile[];
}

/** `esol poll TARGETS...`: read many printers; NDJSON with --json, a progress bar on a terminal. */
export function registerPoll(program: Command): void {
  addSnmpOptions(
    program
      .command("poll")
      .description("read many printers over SNMP (hosts, host:port, host:p1-p2, IPv4 CIDR)")
      .argument("<targets...>", "targets")
      .option("--concurrency <n>", "devices read at once", "64")
      .option(
        "--profiles <file>",
        "YAML/JSON list of credential profiles { ranges, credentials } tried in order",
      )
      .option(
        "--v3-range <cidr>",
        "ranges the --v3 credentials may be sent to (repeatable; required with --v3)",
        (v, p: string[] = []) => [...p, v],
      )
      .addHelpText(
        "after",
        "\nExamples:\n  esol poll 192.0.2.0/24 --concurrency 128 --json > readings.ndjson\n  esol poll 127.0.0.1:16100-16119 10.1.1.20 --community public\n  esol poll 10.1.0.0/16 --profiles profiles.yaml --json   # credentials per address range\n  esol poll 10.1.20.0/24 --v3 --v3-range 10.1.20.0/24 --user esol --auth-key 'auth-pass-1' --priv-key 'priv-pass-1'",
      ),
  ).action(
    action(async (targets: string[], o: PollCliOptions) => {
      const concurrency = Number(o.concurrency);
      if (!Number.isInteger(concurrency) || concurrency < 1)
        throw new ConfigError("ARG_INVALID", "--concurrency must be a positive integer");
      let profiles: CredentialProfile[];
      if (o.profiles) profiles = loadProfiles(o.profiles);
      else if (o.v3) {
        if (!o.v3Range?.length)
          throw new ConfigError(
            "ARG_INVALID",
            "--v3 in a poll needs --v3-range: v3 secrets go only to ranges you name",
          );
        profiles = [{ ranges: o.v3Range, credentials: credentialsFrom(o) }];
      } else profiles = [{ credentials: credentialsFrom(o) }];
      const reader = new PrinterReader({
        ...timingFrom(o),
        ...(o.allowInsecure && { allowInsecureProtocols: true }),
        profiles,
      });
      const controller = new AbortController();
      const stop = () => controller.abort();
      process.once("SIGINT", stop);
      process.once("SIGTERM", stop);
      const tty = process.stderr.isTTY === true;
      let ok = 0;
      let total = 0;
      try {
        for await (const r of reader.poll(targets, {
          concurrency,
          abortSignal: controller.signal,
          ...(tty && { onProgress: (p: PollProgress) => process.stderr.write(progressBar(p)) }),
        })) {
          total++;
          if (r.reading) ok++;
          const line = o.json
            ? JSON.stringify(
                r.reading ?? { target: r.target, error: { code: r.error.code, message: r.error.message } },
              )
            : r.reading
              ? formatReading(r.reading)
              : `${r.target}  error ${r.error.code}: ${r.error.message}`;
          process.stdout.write(`${line}\n`);
        }
      } finally {
        if (tty) process.stderr.write("\n");
        process.off("SIGINT", stop);
        process.off("SIGTERM", stop);
      }
      if (total > 0 && ok === 0) process.exitCode = 1;
    }),
  );
}
