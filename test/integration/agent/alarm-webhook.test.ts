import { once } from "node:events";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { type AlarmWebhookBody, postAlarmWebhook } from "../../../src/agent/alarms.js";
import { createWorld, T0, type World } from "./harness.js";

const HOUR = 3_600_000;
let world: World | undefined;
let hook: Server | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
  hook?.closeAllConnections();
  if (hook?.listening) await new Promise((r) => hook?.close(r));
  hook = undefined;
});

/** A loopback receiver on an OS port answering each POST with the next status of `statuses` (then 204). */
async function receiver(
  statuses: Array<number | "hang">,
): Promise<{ url: string; bodies: AlarmWebhookBody[]; hits: () => number }> {
  const bodies: AlarmWebhookBody[] = [];
  let hits = 0;
  hook = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      hits++;
      const status = statuses.shift() ?? 204;
      if (status === "hang") return;
      if (status < 300) bodies.push(JSON.parse(Buffer.concat(chunks).toString("utf8")) as AlarmWebhookBody);
      res.writeHead(status).end();
    });
  });
  hook.listen(0, "127.0.0.1");
  await once(hook, "listening");
  const { port } = hook.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/alarms`, bodies, hits: () => hits };
}

const body: AlarmWebhookBody = {
  event: "alarm",
  proxyId: "p1",
  alarm: {
    kind: "device-silent",
    id: "device-silent:S1",
    raisedAt: new Date(T0),
    raisedAtMs: T0,
    serial: "S1",
    message: "m",
    remedy: "r",
  },
};

describe("alarms.webhook", () => {
  it("retries 5xx and 429 with growing waits, stops at the first 2xx", async () => {
    const r = await receiver([503, 429]);
    const waits: number[] = [];
    const out = await postAlarmWebhook(r.url, body, { sleep: async (ms) => void waits.push(ms) });
    expect(out).toEqual({ ok: true, status: 204, attempts: 3 });
    expect(waits).toEqual([5000, 10_000]);
    // The JSON form: the alarm's raisedAt Date travels as its ISO 8601 string.
    expect(r.bodies).toEqual([JSON.parse(JSON.stringify(body))]);
    expect(r.bodies[0]?.alarm.raisedAt).toBe("2026-11-01T00:00:00.000Z");
  });

  it("does not retry a 4xx, gives up after `attempts`, and times out a receiver that never answers", async () => {
    let r = await receiver([404]);
    expect(await postAlarmWebhook(r.url, body, { sleep: async () => {} })).toEqual({
      ok: false,
      status: 404,
      attempts: 1,
    });
    hook?.closeAllConnections();
    await new Promise((res) => hook?.close(res));
    r = await receiver([500, 500, 500]);
    expect(await postAlarmWebhook(r.url, body, { attempts: 3, sleep: async () => {} })).toEqual({
      ok: false,
      status: 500,
      attempts: 3,
    });
    hook?.closeAllConnections();
    await new Promise((res) => hook?.close(res));
    r = await receiver(["hang", "hang"]);
    const out = await postAlarmWebhook(r.url, body, { attempts: 2, timeoutMs: 200, sleep: async () => {} });
    expect(out.ok).toBe(false);
    expect(out.status).toBeNull();
    expect(out.attempts).toBe(2);
    expect(r.hits()).toBe(2);
  });

  it("posts the agent's alarm and its clearing, without holding up polling and syncing while the receiver hangs", async () => {
    world = await createWorld({ devices: 2 });
    const r = await receiver(["hang"]);
    const agent = world.agent({}, (raw) => {
      raw.alarms = { communicationLostAfter: "3h", webhook: r.url };
    });
    await agent.start();
    await world.clock.advanceTo(T0 + 2 * HOUR);
    await world.server.close();
    let polls = 0;
    agent.on("poll", () => polls++);
    // The first POST hangs (until its 10 s timeout): the agent goes on regardless.
    await world.clock.advanceTo(T0 + 2 * HOUR + 2 * 24 * HOUR);
    expect(polls).toBe(2);
    expect(agent.status().alarms.map((a) => a.kind)).toEqual(["communication-lost"]);
    await world.server.start();
    await world.clock.advance(24 * HOUR);
    expect(agent.status().alarms).toEqual([]);
    // The clearing is posted (the receiver answers 204 from its second request on).
    for (let i = 0; i < 200 && !r.bodies.some((b) => b.event === "alarm-cleared"); i++)
      await new Promise((res) => setTimeout(res, 10));
    const cleared = r.bodies.find((b) => b.event === "alarm-cleared");
    expect(cleared).toMatchObject({ proxyId: "proxy-it-1", alarm: { kind: "communication-lost" } });
  });
});
