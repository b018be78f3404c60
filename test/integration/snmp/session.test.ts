import dgram from "node:dgram";
import { afterEach, describe, expect, it } from "vitest";
import { AbortError, SnmpError } from "../../../src/errors.js";
import { type DeviceReading, PrinterReader, SnmpSession } from "../../../src/snmp/index.js";
import type { Varbind } from "../../../src/snmp/varbind.js";
import {
  loadRecording,
  startGarbageAgent,
  startTestAgent,
  startTestAgents,
  type TestAgent,
} from "./agents.js";

const BROTHER = loadRecording("test/fixtures/snmprec/brother-mfc-l2710dw.snmprec");
const XEROX = loadRecording("test/fixtures/snmp/xerox-billing-altalink.snmprec");
const SUPPLIES = "1.3.6.1.2.1.43.11.1.1";

// Every agent here binds a free port of its own (read it from agent.port).
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()?.();
});
async function agent(options: Parameters<typeof startTestAgent>[0]): Promise<TestAgent> {
  const a = await startTestAgent(options);
  cleanups.push(() => a.close());
  return a;
}
async function agents(specs: Parameters<typeof startTestAgents>[0]): Promise<TestAgent[]> {
  const started = await startTestAgents(specs);
  for (const a of started) cleanups.push(() => a.close());
  return started;
}
function session(options: ConstructorParameters<typeof SnmpSession>[0]): SnmpSession {
  const s = new SnmpSession(options);
  cleanups.push(async () => s.close());
  return s;
}
const stable = (r: DeviceReading) => ({ ...r, readAt: "", target: "" });
const fast = { timeoutMs: 300, retries: 0 };

describe("PrinterReader over UDP against net-snmp's Agent", () => {
  it("reads a full v2c reading: serial, MAC, supplies, status", async () => {
    const a = await agent({ varbinds: BROTHER });
    const r = await new PrinterReader().read(`127.0.0.1:${a.agent.port}`);
    expect(r.target).toBe(`127.0.0.1:${a.agent.port}`);
    expect(r.identity).toMatchObject({ vendor: "Brother", serial: "000A5J431816", mac: "3c:2a:f4:bf:f5:1b" });
    expect(r.supplies.map((s) => [s.index, s.max, s.level, s.state])).toEqual([
      ["1.1", -2, -3, "someRemaining"],
      ["1.2", 12000, 11501, "ok"],
    ]);
    expect(r.status.errorStateHex).toBe("00");
    expect(r.problems).toEqual([]);
    // Identity scalars come in one GET, every table in shared GETBULKs, and the vendor's own
    // scalar objects (here Brother's scan counter) in one more GET sent beside the walk.
    expect(a.queries.filter((q) => q.kind === "get")).toHaveLength(2);
    expect(a.queries.filter((q) => q.kind === "getNext")).toHaveLength(0);
    expect(a.queries.length).toBeLessThanOrEqual(7);
  });

  it("reads Xerox billing meters by label over the wire", async () => {
    const a = await agent({ varbinds: XEROX });
    const r = await new PrinterReader().read(`127.0.0.1:${a.agent.port}`);
    expect(r.identity.serial).toBe("3TB123456");
    expect(r.meters.find((m) => m.name === "Black Impressions")?.value).toBe(100221);
  });

  it("reads the same over SNMPv1: noSuchName GETs split and retried, walks by GETNEXT", async () => {
    const a = await agent({ varbinds: BROTHER });
    const v2 = await new PrinterReader().read(`127.0.0.1:${a.agent.port}`);
    a.queries.length = 0;
    const v1 = await new PrinterReader({ credentials: { version: "v1", community: "public" } }).read(
      `127.0.0.1:${a.agent.port}`,
    );
    expect(stable(v1)).toEqual(stable(v2));
    expect(a.queries.every((q) => q.version === "v1" && q.kind !== "getBulk")).toBe(true);
    // The first GET failed as a whole (several OIDs are absent) and was split.
    expect(a.queries.filter((q) => q.kind === "get").length).toBeGreaterThan(1);
  });

  it("GET keeps the answered OIDs when a v1 agent refuses one of them", async () => {
    const a = await agent({ varbinds: BROTHER });
    const s = session({
      host: "127.0.0.1",
      port: a.agent.port,
      credentials: { version: "v1", community: "public" },
    });
    const vbs = await s.get(["1.3.6.1.2.1.1.1.0", "1.3.6.1.2.1.1.99.0", "1.3.6.1.2.1.1.3.0"]);
    expect(vbs.map((v) => [v.oid, v.type])).toEqual([
      ["1.3.6.1.2.1.1.1.0", "OctetString"],
      ["1.3.6.1.2.1.1.99.0", "NoSuchObject"],
      ["1.3.6.1.2.1.1.3.0", "TimeTicks"],
    ]);
  });

  it("reads over SNMPv3 authPriv (SHA-256 / AES) and refuses a wrong auth key or priv key", async () => {
    const user = {
      name: "fleet",
      authProtocol: "sha256" as const,
      authKey: "authpass123",
      privProtocol: "aes" as const,
      privKey: "privpass123",
    };
    const a = await agent({ varbinds: BROTHER, users: [user], communities: [] });
    const target = `127.0.0.1:${a.agent.port}`;
    const profile = (authKey: string, privKey: string) =>
      new PrinterReader({
        ...fast,
        profiles: [
          {
            ranges: ["127.0.0.1"],
            credentials: [
              { version: "v3", user: "fleet", authProtocol: "sha256", authKey, privProtocol: "aes", privKey },
            ],
          },
        ],
      });
    const ok = await profile("authpass123", "privpass123").read(target);
    expect(ok.identity.serial).toBe("000A5J431816");
    // net-snmp's Agent drops a message whose digest or encryption is wrong without a
    // report, so the manager sees silence; an unknown user gets a report.
    for (const [auth, priv] of [
      ["wrongauth123", "privpass123"],
      ["authpass123", "wrongpriv123"],
    ] as const) {
      const err = await profile(auth, priv)
        .read(target)
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(SnmpError);
      expect((err as SnmpError).code).toBe("SNMP_TIMEOUT");
    }
    const unknownUser = new PrinterReader({
      ...fast,
      profiles: [
        {
          ranges: ["127.0.0.1"],
          credentials: [
            {
              version: "v3",
              user: "mallory",
              authProtocol: "sha256",
              authKey: "authpass123",
              privKey: "privpass123",
            },
          ],
        },
      ],
    });
    const err = await unknownUser.read(target).catch((e: unknown) => e);
    expect((err as SnmpError).code).toBe("SNMP_AUTH_FAILED");
  });

  it("re-synchronises once when an SNMPv3 agent's engine boots go back (notInTimeWindow)", async () => {
    const user = { name: "fleet", authKey: "authpass123", privKey: "privpass123" };
    let engine = { engineBoots: 5, engineTime: 1000 };
    const a = await agent({
      varbinds: BROTHER,
      users: [user],
      communities: [],
      behaviour: () => engine,
    });
    const s = session({
      host: "127.0.0.1",
      port: a.agent.port,
      ...fast,
      credentials: { version: "v3", user: "fleet", authKey: "authpass123", privKey: "privpass123" },
    });
    expect((await s.get(["1.3.6.1.2.1.1.3.0"]))[0]?.type).toBe("TimeTicks");
    engine = { engineBoots: 2, engineTime: 5 };
    expect((await s.get(["1.3.6.1.2.1.1.3.0"]))[0]?.type).toBe("TimeTicks");
    // One refused attempt, then a fresh discovery and the retry.
    expect(s.stats.requests).toBe(3);
  });

  it("fails with SNMP_TIMEOUT when the device does not answer", async () => {
    const a = await agent({ varbinds: BROTHER, behaviour: () => ({ drop: true }) });
    const err = await new PrinterReader(fast).read(`127.0.0.1:${a.agent.port}`).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SnmpError);
    expect((err as SnmpError).code).toBe("SNMP_TIMEOUT");
    expect((err as SnmpError).retryable).toBe(true);
  });

  it("tries the communities of a profile in order", async () => {
    const a = await agent({ varbinds: BROTHER, communities: ["s3cret"] });
    const reader = new PrinterReader({
      ...fast,
      profiles: [
        {
          credentials: [
            { version: "v2c", community: "public" },
            { version: "v2c", community: "s3cret" },
          ],
        },
      ],
    });
    expect((await reader.read(`127.0.0.1:${a.agent.port}`)).identity.serial).toBe("000A5J431816");
  });

  it("never sends v3 credentials to a device outside their range", async () => {
    const a = await agent({ varbinds: BROTHER });
    const reader = new PrinterReader({
      profiles: [
        {
          ranges: ["10.0.0.0/8"],
          credentials: [{ version: "v3", user: "fleet", authKey: "authpass123", privKey: "privpass123" }],
        },
        { credentials: [{ version: "v2c", community: "public" }] },
      ],
    });
    await reader.read(`127.0.0.1:${a.agent.port}`);
    expect(a.queries.length).toBeGreaterThan(0);
    expect(a.queries.every((q) => q.version === "v2c")).toBe(true);
  });

  it("aborts a reading when its abortSignal fires", async () => {
    const a = await agent({ varbinds: BROTHER, behaviour: () => ({ delayMs: 5000 }) });
    const controller = new AbortController();
    const started = new PrinterReader({ timeoutMs: 10_000 }).read(`127.0.0.1:${a.agent.port}`, {
      abortSignal: controller.signal,
    });
    setTimeout(() => controller.abort(), 50);
    const err = await started.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AbortError);
  });
});

describe("walk faults", () => {
  it("falls back to GETNEXT when GETBULK is dropped", async () => {
    const a = await agent({ varbinds: BROTHER, behaviour: () => ({ dropBulk: true }) });
    const s = session({ host: "127.0.0.1", port: a.agent.port, ...fast });
    const rows: Varbind[] = [];
    for await (const vb of s.walk(SUPPLIES)) rows.push(vb);
    expect(rows).toHaveLength(8);
    expect(s.stats.bulkFallback).toBe(true);
    const r = await new PrinterReader(fast).read(`127.0.0.1:${a.agent.port}`);
    expect(r.supplies).toHaveLength(2);
  });

  it("falls back to GETNEXT when GETBULK answers genErr", async () => {
    const a = await agent({
      varbinds: BROTHER,
      override: (q) => (q.kind === "getBulk" ? { errorStatus: 5, errorIndex: 0, varbinds: [] } : undefined),
    });
    const s = session({ host: "127.0.0.1", port: a.agent.port, ...fast });
    const { varbinds, problems } = await s.walkSubtrees([SUPPLIES, "1.3.6.1.2.1.2.2.1.6"]);
    expect(problems).toEqual([]);
    expect(varbinds).toHaveLength(12);
    expect(s.stats.bulkFallback).toBe(true);
  });

  for (const fault of ["loop", "backwards"] as const) {
    it(`stops a walk that goes ${fault === "loop" ? "round in a loop" : "backwards"} and reports it`, async () => {
      const a = await agent({ varbinds: BROTHER, walkFault: fault });
      const s = session({ host: "127.0.0.1", port: a.agent.port, ...fast });
      const err = await (async () => {
        for await (const _ of s.walk("1.3.6.1.2.1.43")) {
        }
      })().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(SnmpError);
      expect((err as SnmpError).code).toBe("SNMP_WALK_NOT_INCREASING");
      // The reader keeps what it could read and names the broken subtree.
      const r = await new PrinterReader(fast).read(`127.0.0.1:${a.agent.port}`);
      expect(r.identity.serial).toBe("000A5J431816");
      expect(r.problems.some((p) => p.code === "SNMP_WALK_NOT_INCREASING")).toBe(true);
    });
  }

  it("cuts a walk that never ends at maxRowsPerTable", async () => {
    // An agent that always has one more row under the table.
    const endless = (oid: string): Varbind => ({
      oid: `${oid.startsWith(SUPPLIES) ? oid : `${SUPPLIES}.9.1`}.1`,
      type: "Integer",
      value: 1,
    });
    const a = await agent({
      varbinds: BROTHER,
      override: (q) => {
        if (q.kind === "getNext") return { errorStatus: 0, errorIndex: 0, varbinds: q.oids.map(endless) };
        if (q.kind === "getBulk") {
          const out: Varbind[] = [];
          const cursors = [...q.oids];
          for (let r = 0; r < (q.maxRepetitions ?? 1); r++)
            cursors.forEach((c, i) => {
              const vb = endless(c);
              cursors[i] = vb.oid;
              out.push(vb);
            });
          return { errorStatus: 0, errorIndex: 0, varbinds: out };
        }
        return undefined;
      },
    });
    const s = session({ host: "127.0.0.1", port: a.agent.port, ...fast, maxRowsPerTable: 50 });
    const { varbinds, problems } = await s.walkSubtrees([SUPPLIES]);
    expect(problems.map((p) => p.error.code)).toEqual(["SNMP_TABLE_TOO_LARGE"]);
    expect(varbinds).toHaveLength(50);
  });

  it("refuses an answer for other OIDs than asked", async () => {
    const a = await agent({
      varbinds: BROTHER,
      override: (q) =>
        q.kind === "get"
          ? {
              errorStatus: 0,
              errorIndex: 0,
              varbinds: q.oids.map((o) => ({ oid: `${o}.7`, type: "Integer", value: 1 }) as Varbind),
            }
          : undefined,
    });
    const s = session({ host: "127.0.0.1", port: a.agent.port, ...fast });
    const err = await s.get(["1.3.6.1.2.1.1.1.0"]).catch((e: unknown) => e);
    expect((err as SnmpError).code).toBe("SNMP_OID_MISMATCH");
  });
});

describe("malformed packets", () => {
  it("survives malformed BER answers: counts them, times out, and the process keeps working", async () => {
    const garbage = await startGarbageAgent();
    cleanups.push(() => garbage.close());
    const s = session({ host: "127.0.0.1", port: garbage.port, ...fast });
    const err = await s.get(["1.3.6.1.2.1.1.1.0"]).catch((e: unknown) => e);
    expect((err as SnmpError).code).toBe("SNMP_TIMEOUT");
    expect(garbage.received()).toBe(1);
    expect(s.stats.malformedPackets).toBeGreaterThanOrEqual(4);
    // Same process, next device: still fine.
    const a = await agent({ varbinds: BROTHER });
    expect((await new PrinterReader().read(`127.0.0.1:${a.agent.port}`)).identity.serial).toBe(
      "000A5J431816",
    );
  });

  it("ignores datagrams from another address or port than the device", async () => {
    const a = await agent({ varbinds: BROTHER, behaviour: () => ({ delayMs: 200 }) });
    const s = session({ host: "127.0.0.1", port: a.agent.port, timeoutMs: 2000, retries: 0 });
    const pending = s.get(["1.3.6.1.2.1.1.1.0"]);
    pending.catch(() => {});
    await new Promise((r) => setTimeout(r, 50));
    // A stranger sends garbage to the session's own port: it must not even be decoded.
    const stranger = dgram.createSocket("udp4");
    cleanups.push(() => new Promise((r) => stranger.close(() => r())));
    const localPort = (s as unknown as { session: { dgram: dgram.Socket } }).session.dgram.address().port;
    stranger.send(Buffer.from([0x30, 0x82, 0xff]), localPort, "127.0.0.1");
    const [vb] = await pending;
    expect(vb?.type).toBe("OctetString");
    expect(s.stats.malformedPackets).toBe(0);
  });
});

describe("fleet poll", () => {
  it("polls a port range with a concurrency limit, yielding readings and failures with progress", async () => {
    // base + 2 answers nothing, like a printer that is off.
    const [first] = await agents([
      { varbinds: BROTHER },
      { varbinds: XEROX },
      { varbinds: BROTHER, behaviour: () => ({ drop: true }) },
    ]);
    const base = first?.agent.port as number;
    const progress: number[] = [];
    const results = [];
    for await (const r of new PrinterReader(fast).poll([`127.0.0.1:${base}-${base + 2}`], {
      concurrency: 2,
      onProgress: (p) => progress.push(p.done * 100 + p.total),
    }))
      results.push(r);
    const byTarget = Object.fromEntries(
      results.map((r) => [r.target, r.reading?.identity.serial ?? r.error?.code]),
    );
    expect(byTarget).toEqual({
      [`127.0.0.1:${base}`]: "000A5J431816",
      [`127.0.0.1:${base + 1}`]: "3TB123456",
      [`127.0.0.1:${base + 2}`]: "SNMP_TIMEOUT",
    });
    expect(progress).toEqual([103, 203, 303]);
  });

  it("stops when its abortSignal fires, and when the consumer stops early", async () => {
    const [first] = await agents([
      { varbinds: BROTHER },
      { varbinds: BROTHER, behaviour: () => ({ delayMs: 3000 }) },
    ]);
    const base = first?.agent.port as number;
    const targets = [`127.0.0.1:${base}-${base + 1}`];
    const controller = new AbortController();
    const seen: string[] = [];
    const err = await (async () => {
      for await (const r of new PrinterReader({ timeoutMs: 10_000 }).poll(targets, {
        abortSignal: controller.signal,
      })) {
        seen.push(r.target);
        controller.abort();
      }
    })().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AbortError);
    expect(seen[0]).toBe(`127.0.0.1:${base}`);

    const early: string[] = [];
    for await (const r of new PrinterReader({ timeoutMs: 10_000 }).poll(targets)) {
      early.push(r.target);
      break;
    }
    expect(early).toEqual([`127.0.0.1:${base}`]);
  });
});
