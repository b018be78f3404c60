import type { Command } from "commander";
import { checkAgent } from "../../agent/check.js";
import { ConfigError, SdkError } from "../../errors.js";
import { action } from "../action.js";

/**
 * `esol agent check --config FILE`: one line per check (`ok|FAIL|skip <name>: <detail>`),
 * exit 0 only when every check passed.
 */
export function registerAgentCheck(agent: Command): void {
  agent
    .command("check")
    .description("test config, key, server TLS, a signed call and every SNMP target before the first run")
    .option("--config <file>", "agent configuration")
    .addHelpText(
      "after",
      [
        "",
        "Prints one line per check: config valid, key matches certificate, server reachable over TLS",
        "with the configured trust, a signed no-op call accepted (a Sync without statuses; otherwise the",
        "server's exact refusal), each target range answering SNMP with the configured credentials",
        "(answered/tried, silent targets named). Exits 0 only when every check passed.",
        "",
        "Examples:",
        "  esol agent check --config agent.json",
        "  esol agent check --config /etc/esol/agent.json && systemctl start esol-agent",
      ].join("\n"),
    )
    .action(
      action(async (_o: { config?: string }, command: Command) => {
        const path = (command.optsWithGlobals() as { config?: string }).config;
        if (!path) throw new ConfigError("ARG_MISSING", "--config FILE is required");
        const failed: string[] = [];
        for await (const r of checkAgent(path)) {
          if (r.outcome === "fail") failed.push(r.name);
          const tag = r.outcome === "ok" ? "ok  " : r.outcome === "fail" ? "FAIL" : "skip";
          process.stdout.write(`${tag} ${r.name}: ${r.detail}\n`);
        }
        if (failed.length > 0)
          throw new SdkError("CHECK_FAILED", `${failed.length} check(s) failed: ${failed.join(", ")}`);
        process.stdout.write("all checks passed\n");
      }),
    );
}
