import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Command } from "commander";
import { generate } from "selfsigned";
import { Agent } from "../../agent/agent.js";
import { parseAgentConfig } from "../../agent/config.js";
import { ManualClock } from "../../clock.js";
import { ConfigError, SdkError } from "../../errors.js";
import { CommunicationServer } from "../../server/index.js";
import {
  createProfile,
  deviceTruth,
  modelById,
  type PrinterModelId,
  SimClock,
  startFleet,
} from "../../sim/index.js";
import { CommunicationClient } from "../../soap/client.js";
import type { ExchangeRecord, OperationName } from "../../soap/models.js";
import type { MessageSecurity } from "../../soap/security.js";
import { createMessageSigner, createRequestVerifier } from "../../wssec/index.js";
import { action } from "../action.js";

interface DemoFlags {
  devices: string;
  port: string;
  basePort: string;
  days: string;
  start?: string;
  xml?: boolean;
  keep?: boolean;
}

/**
 * `--start`: `YYYY-MM-DD` or an ISO-8601 date-time with `Z` or an offset, as UTC epoch ms at
 * the start of that day (UTC). The demo's simulated clock starts there, so what it prints (how many
 * billing cycles it crosses) depends on this flag, not on the day it runs.
 */
function startOfDay(text: string): number {
  const ms = /^\d{4}-\d{2}-\d{2}$/.test(text)
    ? Date.parse(`${text}T00:00:00Z`)
    : /^\d{4}-\d{2}-\d{2}T[\d:.]+(Z|[+-]\d{2}:\d{2})$/.test(text)
      ? Date.parse(text)
      : Number.NaN;
  if (!Number.isFinite(ms))
    throw new ConfigError(
      "ARG_INVALID",
      `--start must be a date YYYY-MM-DD or an ISO-8601 date-time with Z or an offset, got "${text}"`,
    );
  return Math.floor(ms / 86_400_000) * 86_400_000;
}

function integer(text: string, flag: string, min: number, max: number): number {
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < min || n > max)
    throw new ConfigError("ARG_INVALID", `${flag} must be an integer ${min}..${max}, got "${text}"`);
  return n;
}

/** A signing identity valid over the simulated run (`fromMs`..`toMs`) and over real time now. */
async function identity(cn: string, fromMs: number, toMs: number): Promise<{ key: string; cert: string }> {
  const now = Date.now();
  const pair = await generate([{ name: "commonName", value: cn }], {
    keyType: "ec",
    curve: "P-256",
    algorithm: "sha256",
    notBeforeDate: new Date(Math.min(now, fromMs) - 86_400_000),
    notAfterDate: new Date(Math.max(now, toMs) + 365 * 86_400_000),
  });
  return { key: pair.private, cert: pair.cert };
}

const out = (text = ""): void => {
  process.stdout.write(`${text}\n`);
};
const bytes = (n: number): string => `${n.toLocaleString("en-US")} B`;
const hhmm = (ms: number): string => new Date(ms).toISOString().replace("T", " ").slice(0, 16);

/**
 * `esol demo`: a reference server (HTTPS, signed requests and responses), a simulated
 * fleet and an agent on loopback, on one simulated clock that jumps from event to event,
 * through registration, service enabling, polls, a billing cycle and supplies reports.
 * Prints every transaction with its bytes on the wire; exits 0 when the server's store
 * holds one billing read per device equal to the simulated meters.
 */
export function registerDemo(program: Command): void {
  program
    .command("demo")
    .description("run server, simulated fleet and agent together on loopback and show the whole conversation")
    .option("--devices <n>", "simulated printers", "5")
    .option("--port <n>", "TCP port of the reference server (0 = any free port)", "0")
    .option("--base-port <n>", "UDP port of the first simulated printer (0 = any free range)", "0")
    .option("--days <n>", "simulated days to run", "3")
    .option(
      "--start <date>",
      "simulated start day, YYYY-MM-DD (UTC); default today. A run that crosses a month end bills twice",
    )
    .option("--xml", "also print the first request and response envelope of each operation")
    .option("--keep", "keep the temporary folder (server and outbox databases, keys)")
    .addHelpText(
      "after",
      "\nExamples:\n  esol demo                          # 5 printers, 3 simulated days, about 2 s\n  esol demo --devices 50 --days 35   # a whole billing month for 50 printers\n  esol demo --start 2026-01-30       # crosses a month end: two billing cycles\n  esol demo --xml                    # also print the envelopes on the wire",
    )
    .action(
      action(async (flags: DemoFlags) => {
        const devices = integer(flags.devices, "--devices", 1, 500);
        const port = integer(flags.port, "--port", 0, 65535);
        const basePort = integer(flags.basePort, "--base-port", 0, 65535 - devices);
        const days = integer(flags.days, "--days", 1, 90);
        // Midnight UTC of the start day: the first sync enables services, the one in the 01:00 window bills.
        const t0 =
          flags.start !== undefined
            ? startOfDay(flags.start)
            : Math.floor(Date.now() / 86_400_000) * 86_400_000;
        const dir = mkdtempSync(join(tmpdir(), "esol-demo-"));
        const startedReal = Date.now();
        const clock = new ManualClock(t0);
        const now = () => clock.now();
        let server: CommunicationServer | undefined;
        let fleet: Awaited<ReturnType<typeof startFleet>> | undefined;
        let agent: Agent | undefined;
        try {
          out(
            `esol demo: ${devices} simulated printers, reference server and agent on loopback, ${days} simulated days`,
          );
          out(`  workspace ${dir}`);
          const [clientId, serverSign] = await Promise.all([
            identity("esol-demo-proxy", t0, t0 + (days + 1) * 86_400_000),
            identity("esol-demo-server", t0, t0 + (days + 1) * 86_400_000),
          ]);
          server = new CommunicationServer({
            dbPath: join(dir, "server.db"),
            port,
            clock,
            verifier: createRequestVerifier({ trust: [clientId.cert], clock }),
            responseSecurity: createMessageSigner({ key: serverSign.key, cert: serverSign.cert, clock }),
            supplies: { intervalMs: 86_400_000 },
          });
          const { url, certificatePem } = await server.start();
          out(
            `  server  ${url} (HTTPS, requests must be signed by the proxy's key, responses signed by the server)`,
          );
          fleet = await startFleet(
            { count: devices, seed: 1 },
            {
              ...(basePort > 0 ? { basePort } : {}),
              clock: new SimClock({ rate: 1, startMs: t0, realNow: now }),
            },
          );
          out(
            `  fleet   udp 127.0.0.1:${fleet.firstPort}-${fleet.lastPort} (${fleet.devices.map((d) => d.model).join(", ")})`,
          );

          // Record the envelopes the signer sees, to show them with --xml.
          const shown = new Set<string>();
          let lastRequest = "";
          const signer = createMessageSigner({
            key: clientId.key,
            cert: clientId.cert,
            verifyResponsesWith: serverSign.cert,
            clock,
          });
          const recording: MessageSecurity = {
            secureRequest: async (envelope, context) => {
              lastRequest = await signer.secureRequest(envelope, context);
              return lastRequest;
            },
            verifyResponse: async (envelope, context) => {
              if (flags.xml && !shown.has(context.operation)) {
                shown.add(context.operation);
                out(
                  `    --- ${context.operation} request ---\n${lastRequest}\n    --- ${context.operation} response ---\n${envelope}`,
                );
              }
              await signer.verifyResponse?.(envelope, context);
            },
          };
          const totals = new Map<OperationName, { calls: number; request: number; response: number }>();
          const onExchange = (e: ExchangeRecord): void => {
            const t = totals.get(e.operation) ?? { calls: 0, request: 0, response: 0 };
            t.calls++;
            t.request += e.requestBytes;
            t.response += e.responseBytes;
            totals.set(e.operation, t);
            out(
              `  ${hhmm(now())}  ${e.operation.padEnd(20)} HTTP ${e.status}  request ${bytes(e.requestBytes).padStart(9)}  response ${bytes(e.responseBytes).padStart(9)}${e.error ? `  (${e.error.message.split("\n")[0]})` : ""}`,
            );
          };
          const transport = new CommunicationClient({
            endpoint: url,
            ca: certificatePem ?? [],
            security: recording,
            onExchange,
            maxRetries: 1,
          });
          const config = parseAgentConfig({
            proxy: { id: "demo-proxy-1", site: "Demo site" },
            server: { url },
            devices: {
              targets: [`127.0.0.1:${fleet.firstPort}-${fleet.lastPort}`],
              timeout: "1s",
              retries: 1,
            },
            schedule: { pollInterval: "2h", syncWindow: "01:00-05:00", syncJitter: "30m" },
            outbox: { path: join(dir, "outbox.db") },
            log: { level: "silent" },
          });
          const quiet = { debug() {}, info() {}, warn() {}, error() {} };
          agent = new Agent(config, {
            clock,
            transport,
            logger: quiet,
            random: () => 0.5,
            software: "esol demo",
          });
          let polls = 0;
          agent.on("poll", (p) => {
            polls++;
            if (polls <= 2 || polls % 12 === 0)
              out(
                `  ${hhmm(p.atMs)}  poll #${polls}: ${p.read} read, ${p.failed} failed${p.suppliesCommitted ? `, ${p.suppliesCommitted} supplies reports committed` : ""}`,
              );
          });
          agent.on("device-new", ({ device }) =>
            out(
              `  ${hhmm(now())}  new device ${device.serial} (${device.vendor ?? "?"} ${device.model ?? ""}) at ${device.address}`,
            ),
          );
          agent.on("sync", (s) => {
            const kinds = new Map<string, number>();
            for (const d of s.directives) kinds.set(d.kind, (kinds.get(d.kind) ?? 0) + 1);
            const list = [...kinds].map(([k, n]) => `${n} ${k}`).join(", ") || "no directives";
            out(`  ${hhmm(s.atMs)}  sync done: ${list}`);
          });
          agent.on("sent", (e) =>
            out(
              `  ${hhmm(now())}  delivered ${e.keys.length} ${e.kind} (stored ${e.accepted}, duplicates ${e.duplicates})`,
            ),
          );
          agent.on("parked", (e) => out(`  ${hhmm(now())}  PARKED ${e.kind} ${e.key}: ${e.reason}`));
          agent.on("error", (e) => out(`  ${hhmm(now())}  warning ${e.code}: ${e.message.split("\n")[0]}`));

          out();
          out(
            "== day 1: first poll, registration, first sync (services enabled), then the daily sync window",
          );
          await agent.start();
          await clock.advance(86_400_000);
          for (let d = 2; d <= days; d++) {
            out(`== day ${d}`);
            await clock.advance(86_400_000);
          }
          await agent.stop();

          const store = server.exportStore();
          out();
          out("== what the server stored");
          out(
            `  proxies ${store.proxies.length}, devices ${store.devices.length} (billing on: ${store.devices.filter((d) => d.services.billing).length}, supplies on: ${store.devices.filter((d) => d.services.supplies).length})`,
          );
          let matching = 0;
          for (const read of store.billingReads) {
            const device = fleet.devices.find((d) => d.serial === read.serial);
            const model = device ? modelById(device.model as PrinterModelId) : undefined;
            const truth =
              device && model
                ? deviceTruth(createProfile(model, 1, device.index), Date.parse(read.readAt) - t0)
                : undefined;
            const life = read.meters.find((m) => m.name === "Marker Life Count")?.value;
            const ok = truth !== undefined && life === truth.lifeCount;
            if (ok) matching++;
            out(
              `  billing ${read.cycle} ${read.serial.padEnd(14)} ${read.meters.map((m) => `${m.name}=${m.value}`).join(", ")}  ${ok ? "= simulated meter" : "≠ simulated meter"}`,
            );
          }
          out(`  supplies reports ${store.suppliesReports.length}`);
          out();
          out("== bytes on the wire per operation (requests and responses, headers included)");
          for (const [op, t] of totals)
            out(
              `  ${op.padEnd(20)} ${String(t.calls).padStart(3)} calls  request ${bytes(t.request).padStart(10)}  response ${bytes(t.response).padStart(10)}`,
            );
          const requested = store.billingRequests.length;
          const fulfilled = store.billingRequests.filter((r) => r.fulfilledAt !== null).length;
          out();
          out(
            `demo done in ${((Date.now() - startedReal) / 1000).toFixed(1)} s: ${fulfilled}/${requested} billing requests fulfilled, ${matching}/${store.billingReads.length} reads equal to the simulated meters`,
          );
          if (
            requested === 0 ||
            fulfilled !== requested ||
            matching !== store.billingReads.length ||
            store.suppliesReports.length === 0
          )
            throw new SdkError("DEMO_INCOMPLETE", "the demo did not complete the whole conversation");
        } finally {
          await agent?.stop().catch(() => undefined);
          await fleet?.close().catch(() => undefined);
          await server?.close().catch(() => undefined);
          if (!flags.keep) rmSync(dir, { recursive: true, force: true });
        }
      }),
    );
}
