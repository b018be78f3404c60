import type { Command } from "commander";
import pino from "pino";
import { Agent, type AgentLogger, type AgentStuck } from "../../agent/agent.js";
import { type AgentConfig, loadAgentConfig } from "../../agent/config.js";
import { parseDurationMs } from "../../agent/duration.js";
import { Outbox } from "../../agent/outbox.js";
import { outboxStatusReport } from "../../agent/status-report.js";
import { type Clock, ScaledClock, SystemClock } from "../../clock.js";
import { ConfigError } from "../../errors.js";
import { action, listenForStop } from "../action.js";
import { registerAgentCheck } from "./agent-check.js";
import { agentWithHttp, type HttpFlags } from "./agent-http.js";

interface AgentFlags extends HttpFlags {
  config?: string;
  once?: boolean;
  clockRate?: string;
  clockStart: string;
}

function requireConfig(path: string | undefined): string {
  if (!path) throw new ConfigError("ARG_MISSING", "--config FILE is required");
  return path;
}

/**
 * The agent's clock for `--clock-rate R [--clock-start WHEN]`: simulated time starts at WHEN (a
 * past ISO-8601 time, or a duration ago such as `30d`), runs R times faster until it meets real
 * time, then at real time. Readings it stamps are never in the future, so a real-time server
 * accepts them (issue 19 item 8).
 */
export function clockFrom(
  rateText: string | undefined,
  startText: string,
  realNowMs: number = Date.now(),
): Clock | undefined {
  if (rateText === undefined) return undefined;
  const rate = Number(rateText);
  if (!Number.isFinite(rate) || rate <= 0)
    throw new ConfigError("ARG_INVALID", `--clock-rate must be a number > 0, got "${rateText}"`);
  if (rate === 1) return undefined;
  const ago = parseDurationMs(startText);
  const startMs = ago !== undefined ? realNowMs - ago : Date.parse(startText);
  if (!Number.isFinite(startMs) || startMs >= realNowMs)
    throw new ConfigError(
      "ARG_INVALID",
      `--clock-start must be a time in the past (ISO 8601) or a duration ago such as 30d, got "${startText}"`,
    );
  return new ScaledClock({ rate, startMs, anchorRealMs: realNowMs, untilRealTime: true });
}

const line = (text: string): void => {
  process.stdout.write(`${text}\n`);
};

/** Failed targets printed per poll; the rest are counted (`failed=`, per code). */
const MAX_FAILURE_LINES = 10;

/** The one-line form of a stuck state: the code once, the facts, then the remedy. */
export function stuckLine(s: AgentStuck): string {
  return `stuck ${s.code}: ${s.message} — ${s.remedy}`;
}

/** Prints the agent's events as one line each on stdout (logs go to stderr as JSON). */
function narrate(agent: Agent): void {
  agent.on("poll", (p) => {
    const byCode = Object.entries(p.failedByCode)
      .map(([code, n]) => ` ${code}=${n}`)
      .join("");
    line(`poll ${new Date(p.atMs).toISOString()} read=${p.read} failed=${p.failed}${byCode}`);
    for (const f of p.failures.slice(0, MAX_FAILURE_LINES)) line(`  failed ${f.code}: ${f.message}`);
    if (p.failures.length > MAX_FAILURE_LINES)
      line(`  … ${p.failures.length - MAX_FAILURE_LINES} more failed target(s)`);
  });
  agent.on("stuck", (s) => line(stuckLine(s)));
  agent.on("recovered", (s) => line(`recovered ${s.code}`));
  agent.on("sync", (s) =>
    line(
      `sync ${new Date(s.atMs).toISOString()} directives=${s.directives.length} statuses=${s.statuses.length}`,
    ),
  );
  agent.on("sent", (e) =>
    line(`sent ${e.kind} count=${e.keys.length} accepted=${e.accepted} duplicates=${e.duplicates}`),
  );
  agent.on("parked", (e) => line(`parked ${e.kind} ${e.key}: ${e.reason}`));
  agent.on("device-new", ({ device }) => line(`device-new ${device.serial} ${device.address}`));
  agent.on("device-replaced", (e) =>
    line(`device-replaced ${e.previous.serial} -> ${e.device.serial} ${e.device.address}`),
  );
  agent.on("device-silent", ({ device }) => line(`device-silent ${device.serial} ${device.address}`));
  agent.on("alarm", (a) => line(`alarm ${a.kind}${a.serial ? ` ${a.serial}` : ""}: ${a.message}`));
  agent.on("alarm-cleared", (a) =>
    line(`alarm-cleared ${a.kind}${a.serial ? ` ${a.serial}` : a.address ? ` ${a.address}` : ""}`),
  );
  agent.on("error", (err) => process.stderr.write(`warning ${err.code}: ${err.message.split("\n")[0]}\n`));
}

/**
 * `esol agent --config FILE`: runs the client engine until SIGINT/SIGTERM (prints
 * `started <proxyId>` when running); `--once` polls, syncs, delivers and exits.
 * `esol agent status --config FILE` prints the outbox state as JSON, including parked
 * entries with their reasons and quarantined rows; `esol agent requeue` retries parked ones.
 */
export function registerAgent(program: Command): void {
  const cmd = program
    .command("agent")
    .description("run the eSolutions client engine: poll printers, sync daily, deliver the outbox")
    .option("--config <file>", "agent configuration (JSON or YAML), see examples/agent.json")
    .option("--once", "poll once, sync once, deliver what is due, then exit")
    .option(
      "--clock-rate <r>",
      "replay time R times faster from --clock-start until it meets real time, then run at real time (pair with `esol sim --clock-rate`)",
    )
    .option(
      "--clock-start <when>",
      "where --clock-rate starts: a past ISO-8601 time or a duration ago (readings are never stamped in the future)",
      "30d",
    )
    .option(
      "--http <addr>",
      "serve /healthz, /metrics, /status.json and / on HOST:PORT (port 0: any; off by default)",
    )
    .addHelpText(
      "after",
      [
        "",
        "Examples:",
        "  esol agent --config examples/agent.json            # run until SIGINT/SIGTERM",
        "  esol agent --config agent.yaml --once              # one poll, one sync, deliver, exit",
        "  esol agent status --config examples/agent.json     # outbox counts and parked entries",
        "  esol agent check --config agent.json               # test config, keys, server, signature, SNMP",
        "  esol agent --config agent.json --http 127.0.0.1:9464   # health, metrics, status page",
        "",
        "Prints `started <proxyId>` on stdout when running, then one line per event (poll, sync, sent, parked,",
        "device-new, device-replaced, device-silent, stuck, recovered; a failed poll target as `  failed <code>: <reason>`);",
        "structured logs (pino JSON) go to stderr. Stops on SIGINT/SIGTERM.",
        "",
        "  esol agent status --config FILE    outbox counts, parked entries (with reasons) and quarantined rows, JSON",
        "  esol agent requeue --config FILE   put parked entries back in the queue after fixing their cause",
        "  esol agent check --config FILE     test everything before the first run, one line per check",
        "",
        "--http HOST:PORT (loopback unless an address is given) prints `http <url>` once bound, then serves",
        "/healthz (200, or 503 with the reason when the last successful sync is older than health.maxSyncAge,",
        "default 30h), /metrics (Prometheus text format), /status.json and a status page at /.",
      ].join("\n"),
    )
    .action(
      action(async (flags: AgentFlags) => {
        const config = loadAgentConfig(requireConfig(flags.config));
        const clock = clockFrom(flags.clockRate, flags.clockStart);
        // The library is quiet by default; the CLI keeps its structured logs on stderr.
        const logger: AgentLogger = pino(
          { level: config.log.level, base: { proxyId: config.proxy.id } },
          // Synchronous: a log line never lands after the final `error <code>: …` line.
          pino.destination({ dest: 2, sync: true }),
        );
        const { agent, http } = await agentWithHttp(
          config,
          flags,
          clock ?? new SystemClock(),
          (options) =>
            new Agent(config, {
              ...options,
              logger,
              autoSchedule: !flags.once,
            }),
        );
        narrate(agent);
        if (flags.once) {
          await agent.start();
          await agent.pollNow();
          await agent.syncNow();
          await agent.flushNow();
          const stats = agent.status().outbox;
          await agent.stop();
          await http?.close();
          line(
            `done pending=${stats.pending} sent=${stats.sent} parked=${stats.parked} quarantined=${stats.quarantined}`,
          );
          return;
        }
        const stop = listenForStop();
        try {
          await agent.start();
          line(`started ${config.proxy.id} outbox ${config.outbox.path}`);
          await stop.requested;
        } finally {
          stop.dispose();
          await agent.stop();
          await http?.close();
        }
      }),
    );

  cmd
    .command("status")
    .description("print the outbox state as JSON: counts, parked entries with reasons, quarantined rows")
    .option("--config <file>", "agent configuration")
    .action(
      action(async (_o: AgentFlags, command: Command) =>
        withOutbox(command, (outbox, config) => {
          const status = outboxStatusReport(outbox, config);
          line(JSON.stringify(status, null, 2));
        }),
      ),
    );

  registerAgentCheck(cmd);

  cmd
    .command("requeue")
    .description("put parked outbox entries back in the queue (after fixing why the server refused them)")
    .option("--config <file>", "agent configuration")
    .action(
      action(async (_o: AgentFlags, command: Command) =>
        withOutbox(command, (outbox) => line(`requeued ${outbox.requeueParked()}`)),
      ),
    );
}

/** Opens the outbox named by `--config` (refusing a damaged file), runs `fn`, closes it. */
function withOutbox(command: Command, fn: (outbox: Outbox, config: AgentConfig) => void): void {
  const config = loadAgentConfig(requireConfig((command.optsWithGlobals() as AgentFlags).config));
  const outbox = Outbox.open(config.outbox.path, { onCorrupt: "throw" });
  try {
    fn(outbox, config);
  } finally {
    outbox.close();
  }
}
