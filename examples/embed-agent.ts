/**
 * Embedding the Agent in an existing service: the service keeps its own HTTP API and
 * logging, and runs the eSolutions client engine inside the same process. The agent polls,
 * syncs daily and delivers its outbox on its own schedule; the service shows its status and
 * can ask for a poll or a sync now.
 *
 *   npx tsx embed-agent.ts agent.json 8080
 *   curl localhost:8080/status        # registered?, outbox counts, known devices
 *   curl -X POST localhost:8080/poll  # poll every printer now
 *   curl -X POST localhost:8080/sync  # talk to the Communication Server now
 */
import { createServer, type ServerResponse } from "node:http";
import { Agent, type AgentLogger, isSdkError, loadAgentConfig } from "esolutions-sdk";

const [configFile = "agent.json", port = "8080"] = process.argv.slice(2);

// The service's own logger (without one, the agent writes nothing: its outcomes are events and status()).
const logger: AgentLogger = {
  debug: () => {},
  info: (obj, msg) => console.log(`[esol] ${msg ?? ""} ${JSON.stringify(obj)}`),
  warn: (obj, msg) => console.warn(`[esol] ${msg ?? ""} ${JSON.stringify(obj)}`),
  error: (obj, msg) => console.error(`[esol] ${msg ?? ""} ${JSON.stringify(obj)}`),
};

// A bad config throws ConfigError CONFIG_INVALID naming the field, before anything starts.
const agent = new Agent(loadAgentConfig(configFile), { logger });
agent.on("device-new", ({ device }) => console.log(`new printer ${device.serial} at ${device.address}`));
agent.on("sent", (e) => console.log(`delivered ${e.keys.length} ${e.kind} (${e.accepted} new)`));
agent.on("parked", (e) => console.warn(`parked ${e.kind} ${e.key}: ${e.reason}`));
// Failures are retried by the agent; listening to `error` keeps them visible (never thrown).
agent.on("error", (err) => console.warn(`agent: ${err.code}: ${err.message}`));
// A setting no resend can fix (untrusted server certificate or signing key): reported once, with the remedy.
agent.on("stuck", (s) => console.error(`agent stuck: ${s.code}: ${s.message} — ${s.remedy}`));

function reply(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json" }).end(`${JSON.stringify(body)}\n`);
}

const http = createServer((req, res) => {
  const route = `${req.method} ${req.url}`;
  const work =
    route === "GET /status"
      ? Promise.resolve(agent.status())
      : route === "POST /poll"
        ? agent.pollNow()
        : route === "POST /sync"
          ? agent.syncNow()
          : undefined;
  if (!work) return reply(res, 404, { error: "GET /status, POST /poll or POST /sync" });
  work.then(
    (result) => reply(res, 200, result ?? {}),
    (err: unknown) => reply(res, 503, { error: isSdkError(err) ? err.code : String(err) }),
  );
});

await agent.start(); // opens the outbox, then polls, registers and syncs in the background
// Port 0 asks the OS for a free port; the line names the one it gave.
http.listen(Number(port), "127.0.0.1", () => {
  const address = http.address();
  console.log(`listening http://127.0.0.1:${typeof address === "object" && address ? address.port : port}`);
});

// Stop cleanly: no new requests, then the agent waits for work in progress and closes its
// outbox. Everything committed stays committed and is delivered after the next start.
for (const signal of ["SIGINT", "SIGTERM"] as const)
  process.once(signal, () => {
    http.close();
    void agent.stop().then(() => process.exit(0));
  });
