import type { Command } from "commander";
import { ConfigError } from "../../errors.js";
import {
  FAULT_SPEC_HELP,
  type FleetSource,
  MODEL_IDS,
  type PrinterModelId,
  SIM_SCENARIO_NAMES,
  type SimV3User,
  simScenario,
  startFleet,
} from "../../sim/index.js";
import { action, listenForStop } from "../action.js";

interface SimOptions {
  recordings?: string;
  count?: string;
  basePort?: string;
  host: string;
  faults?: string;
  clockRate: string;
  seed: string;
  models?: string;
  community: string;
  v3User?: string;
  scenario?: string;
}

function integer(text: string | undefined, flag: string, min: number, max: number): number {
  const n = Number(text);
  if (text === undefined || !/^\d+$/.test(text) || n < min || n > max)
    throw new ConfigError("ARG_INVALID", `${flag} must be an integer ${min}..${max}, got "${text ?? ""}"`);
  return n;
}

/** `NAME:AUTHPASS[:PRIVPASS]` → an SHA / AES user. */
function parseV3User(text: string): SimV3User {
  const [name = "", authKey = "", privKey, ...rest] = text.split(":");
  if (name === "" || authKey.length < 8 || (privKey !== undefined && privKey.length < 8) || rest.length > 0)
    throw new ConfigError(
      "ARG_INVALID",
      "--v3-user must be NAME:AUTHPASS[:PRIVPASS] with passwords of at least 8 characters",
    );
  return privKey === undefined ? { name, authKey } : { name, authKey, privKey };
}

/**
 * `esol sim`: starts simulated printers on loopback, one UDP port each, prints
 * `listening HOST:FIRST-LAST` and runs until SIGINT/SIGTERM.
 */
export function registerSim(program: Command): void {
  program
    .command("sim")
    .description("simulate a fleet of SNMP printers on loopback, one UDP port each")
    .option(
      "--recordings <dir>",
      "serve every .snmprec file of DIR (community = file name without .snmprec, or public)",
    )
    .option("--count <n>", "synthesise N printers from the built-in models")
    .option(
      "--base-port <port>",
      "UDP port of the first device; device i listens on base+i (0: any free range, printed on the listening line)",
      "0",
    )
    .option("--host <addr>", "loopback address to bind: 127.0.0.1 or ::1", "127.0.0.1")
    .option("--faults <spec>", "per-device faults, e.g. 2:timeout,5:slow=800,7:loop (spec below)")
    .option("--clock-rate <r>", "simulated seconds per real second (2592000 = a month per second)", "1")
    .option("--seed <n>", "seed of a synthetic fleet (same seed, same fleet)", "1")
    .option("--models <list>", `comma-separated models to cycle through (${MODEL_IDS.join(", ")})`)
    .option("--community <name>", "v1/v2c community of every device", "public")
    .option("--v3-user <spec>", "SNMPv3 user NAME:AUTHPASS[:PRIVPASS] (SHA, AES-128)")
    .option(
      "--scenario <name>",
      `a site scenario that makes an agent raise an alarm (${SIM_SCENARIO_NAMES.join(", ")}); sets the faults, --count defaults to 4; what the agent side must do is printed on stderr`,
    )
    .addHelpText(
      "after",
      `\nFault spec (--faults): ${FAULT_SPEC_HELP}\n\nPrints one line \`listening HOST:FIRST-LAST\` on stdout when every device is bound; stops on SIGINT/SIGTERM.`,
    )
    .addHelpText(
      "after",
      "\nExamples:\n  esol sim --count 20 --base-port 16100                      # 20 printers on 127.0.0.1:16100-16119\n  esol sim --count 20                                        # 20 printers on any free range (see the listening line)\n  esol sim --count 10 --base-port 16100 --clock-rate 3600    # meters advance an hour a second\n  esol sim --count 10 --base-port 16100 --faults 2:timeout,5:slow=800,7:loop\n  esol sim --recordings ./recordings --base-port 16100       # one printer per .snmprec file\n  esol sim --count 5 --base-port 16100 --v3-user esol:authpass1:privpass1\n  esol sim --scenario serial-swap --clock-rate 3600            # device 1 becomes another printer after 2 simulated days",
    )
    .action(
      action(async (opts: SimOptions) => {
        if (opts.scenario !== undefined && (opts.recordings !== undefined || opts.faults !== undefined))
          throw new ConfigError(
            "ARG_INVALID",
            "--scenario sets the fleet and its faults: drop --recordings / --faults",
          );
        const scenario =
          opts.scenario === undefined
            ? undefined
            : simScenario(opts.scenario, {
                ...(opts.count !== undefined ? { count: integer(opts.count, "--count", 2, 65535) } : {}),
                seed: integer(opts.seed, "--seed", 0, 2 ** 31),
              });
        if (!scenario && (opts.recordings === undefined) === (opts.count === undefined))
          throw new ConfigError("ARG_INVALID", "give exactly one of --recordings DIR or --count N");
        const basePort = integer(opts.basePort, "--base-port", 0, 65535);
        const rate = Number(opts.clockRate);
        if (!Number.isFinite(rate) || rate < 0)
          throw new ConfigError("ARG_INVALID", `--clock-rate must be a number >= 0, got "${opts.clockRate}"`);
        const source: FleetSource = scenario
          ? scenario.source
          : opts.recordings !== undefined
            ? { recordings: opts.recordings }
            : {
                count: integer(opts.count, "--count", 1, 65535),
                seed: integer(opts.seed, "--seed", 0, 2 ** 31),
                ...(opts.models !== undefined
                  ? { models: opts.models.split(",").map((m) => m.trim()) as PrinterModelId[] }
                  : {}),
              };
        const stop = listenForStop();
        try {
          const fleet = await startFleet(source, {
            basePort,
            host: opts.host,
            clock: { rate },
            community: opts.community,
            ...(opts.faults !== undefined ? { faults: opts.faults } : {}),
            ...(scenario ? { faults: scenario.faults } : {}),
            ...(opts.v3User !== undefined ? { v3Users: [parseV3User(opts.v3User)] } : {}),
          });
          const host = fleet.host.includes(":") ? `[${fleet.host}]` : fleet.host;
          if (scenario)
            process.stderr.write(
              `scenario ${scenario.name} (alarm ${scenario.alarm}): ${scenario.description}; agent side: ${scenario.agentSide.note}\n`,
            );
          process.stdout.write(`listening ${host}:${fleet.firstPort}-${fleet.lastPort}\n`);
          try {
            await stop.requested;
          } finally {
            await fleet.close();
          }
        } finally {
          stop.dispose();
        }
      }),
    );
}
