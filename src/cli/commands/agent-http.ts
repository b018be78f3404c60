import type { Agent, AgentOptions } from "../../agent/agent.js";
import type { AgentConfig } from "../../agent/config.js";
import { readerForDevices } from "../../agent/device-reader.js";
import { type AgentHttpServer, parseListenAddress, startAgentHttpServer } from "../../agent/http.js";
import { type AgentMetrics, agentMetrics, observeReader } from "../../agent/metrics.js";
import type { Clock } from "../../clock.js";

/** The `--http` flag of `esol agent`. */
export interface HttpFlags {
  http?: string;
}

/**
 * Builds the agent with a reader whose failures feed `esol_agent_snmp_errors_total`, creates
 * its metrics before it starts (so the first poll counts) and, with `--http`, serves them,
 * printing `http <url>` once bound.
 */
export async function agentWithHttp(
  config: AgentConfig,
  flags: HttpFlags,
  clock: Clock,
  create: (options: Pick<AgentOptions, "reader" | "clock">) => Agent,
): Promise<{ agent: Agent; http: AgentHttpServer | undefined }> {
  let metrics: AgentMetrics | undefined;
  const d = config.devices;
  const reader = observeReader(
    readerForDevices(d, {
      fullReadingEveryMs: config.schedule.fullReadingEveryMs,
      // Readings are stamped and poll plans age on the agent's clock (`--clock-rate` included),
      // as with the Agent's own reader.
      clock,
    }),
    (err) => metrics?.observeRead(err),
  );
  const agent = create({ reader, clock });
  metrics = agentMetrics(agent);
  if (flags.http === undefined) return { agent, http: undefined };
  const http = await startAgentHttpServer(agent, parseListenAddress(flags.http), { metrics });
  process.stdout.write(`http ${http.url}\n`);
  return { agent, http };
}
