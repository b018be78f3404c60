import { createSocket } from "node:dgram";
import { readdirSync, readFileSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { FREE_RANGE_PORTS, type PrinterFleet, startFleet } from "../../../src/sim/index.js";
import { parseSnmprec } from "../../../src/sim/snmprec.js";
import {
  closeAll,
  get,
  getBulk,
  getNext,
  type Session,
  snmp,
  subtree,
  v2Session,
  v3Session,
} from "./snmp-client.js";

// Every fleet here finds its own free ports (no basePort): read them from firstPort / device.port.
const FIXTURES = "test/fixtures/snmprec";
/** The recordings of FIXTURES, in the order a fleet serves them (by file name). */
const RECORDED = readdirSync(FIXTURES)
  .filter((f) => f.endsWith(".snmprec"))
  .map((f) => f.replace(/\.snmprec$/, ""))
  .sort();
/** The device of a recordings fleet that serves `name`. */
function served(f: PrinterFleet, name: string) {
  const device = f.devices.find((d) => d.model === name);
  if (!device) throw new Error(`no device serves ${name}`);
  return device;
}
const DAY = 86_400_000;
const fleets: PrinterFleet[] = [];
const sessions: Session[] = [];

afterEach(async () => {
  closeAll(sessions);
  await Promise.all(fleets.splice(0).map((f) => f.close()));
});

async function fleet(...args: Parameters<typeof startFleet>): Promise<PrinterFleet> {
  const f = await startFleet(...args);
  fleets.push(f);
  return f;
}
function session(...args: Parameters<typeof v2Session>): Session {
  const s = v2Session(...args);
  sessions.push(s);
  return s;
}

function plain(value: unknown): unknown {
  return Buffer.isBuffer(value) ? value.toString("hex") : value;
}

describe("a fleet served from recordings", () => {
  it("answers a GETBULK walk of the Printer-MIB with exactly the recording's subtree, in order", async () => {
    const f = await fleet({ recordings: FIXTURES }, {});
    expect(f.devices.map((d) => d.model)).toEqual(RECORDED);
    expect(RECORDED).toEqual(expect.arrayContaining(["brother-mfc-l2710dw", "xerox-altalink-c8045"]));
    for (const device of f.devices) {
      const recording = parseSnmprec(readFileSync(`${FIXTURES}/${device.model}.snmprec`, "utf8"));
      const expected = recording.filter((vb) => vb.oid.startsWith("1.3.6.1.2.1.43."));
      const walked = await subtree(session(device.port, device.model), "1.3.6.1.2.1.43", 7);
      expect(walked.map((vb) => vb.oid)).toEqual(expected.map((vb) => vb.oid));
      expect(walked.map((vb) => plain(vb.value))).toEqual(expected.map((vb) => plain(vb.value)));
    }
  });

  it("accepts the file name and public as communities, over v1 too, and ignores any other", async () => {
    const f = await fleet({ recordings: FIXTURES }, {});
    const brother = f.devices[0];
    if (!brother) throw new Error("no device");
    expect(brother.serial).toBe("000A5J431816");
    const [byName] = await get(session(brother.port, "brother-mfc-l2710dw"), ["1.3.6.1.2.1.25.3.2.1.3.1"]);
    expect(String(byName?.value)).toBe("Brother MFC-L2710DW series");
    const v1 = await subtree(session(brother.port, "public", { v1: true }), "1.3.6.1.2.1.43.11");
    expect(v1).toHaveLength(8);
    await expect(
      get(session(brother.port, "private", { timeout: 300 }), ["1.3.6.1.2.1.1.1.0"]),
    ).rejects.toThrow(snmp.RequestTimedOutError);
  });

  it("answers missing OIDs with noSuchObject / noSuchInstance (v2c) and noSuchName (v1)", async () => {
    const f = await fleet({ recordings: FIXTURES }, {});
    const port = served(f, "xerox-altalink-c8045").port;
    const vbs = await get(session(port), [
      "1.3.6.1.2.1.43.11.1.1.9.1.1",
      "1.3.6.1.2.1.43.11.1.1.9.1.13",
      "1.3.6.1.2.1.1.9.0",
    ]);
    expect(vbs.map((vb) => vb.type)).toEqual([
      snmp.ObjectType.Integer,
      snmp.ObjectType.NoSuchInstance,
      snmp.ObjectType.NoSuchObject,
    ]);
    await expect(get(session(port, "public", { v1: true }), ["1.3.6.1.2.1.1.9.0"])).rejects.toThrow(
      /NoSuchName/,
    );
    const [end] = await getNext(session(port), ["1.3.6.1.6.3.10.2.1.3.0"]);
    expect(end?.type).toBe(snmp.ObjectType.EndOfMibView);
  });

  it("answers another serial after a serial fault, and refuses wrap (recorded meters do not advance)", async () => {
    const f = await fleet({ recordings: FIXTURES }, { faults: "0:serial=60", clock: { rate: 0 } });
    const brother = "1.3.6.1.4.1.2435.2.3.9.4.2.1.5.5.1.0";
    const [before] = await get(session(f.firstPort), [brother]);
    expect(String(before?.value)).toBe("000A5J431816");
    f.clock.advance(60_000);
    const [after] = await get(session(f.firstPort), [brother]);
    expect(String(after?.value)).toBe(f.devices[0]?.serial);
    expect(f.devices[0]?.serial).not.toBe("000A5J431816");
    await expect(startFleet({ recordings: FIXTURES }, { faults: "1:wrap" })).rejects.toMatchObject({
      code: "SIM_FAULT_UNSUPPORTED",
    });
  });

  it("keeps sysUpTime running and restarts it on reboot()", async () => {
    const f = await fleet({ recordings: FIXTURES }, { clock: { rate: 0 } });
    const device = served(f, "xerox-altalink-c8045");
    f.clock.advance(60_000);
    const [before] = await get(session(device.port), ["1.3.6.1.2.1.1.3.0"]);
    expect(before?.value).toBe(4280423 + 6000);
    device.reboot();
    f.clock.advance(2_000);
    const [after] = await get(session(device.port), ["1.3.6.1.2.1.1.3.0"]);
    expect(after?.value).toBe(200);
  });
});

describe("a synthetic fleet", () => {
  it("answers what truth() says, and a month later answers the advanced meters", async () => {
    const f = await fleet({ count: 5, seed: 11 }, { clock: { rate: 0 } });
    const oids = ["1.3.6.1.2.1.43.5.1.1.17.1", "1.3.6.1.2.1.43.10.2.1.4.1.1", "1.3.6.1.2.1.43.11.1.1.9.1.1"];
    for (const device of f.devices) {
      const truth = device.truth();
      const vbs = await get(session(device.port), oids);
      expect(String(vbs[0]?.value)).toBe(truth?.serial);
      expect(vbs[1]?.value).toBe(truth?.lifeCount);
      expect(vbs[2]?.value).toBe(truth?.supplies[0]?.level);
    }
    const device = f.devices[2];
    const before = device?.truth()?.lifeCount as number;
    f.clock.advance(30 * DAY);
    const [life] = await get(session(device?.port as number), ["1.3.6.1.2.1.43.10.2.1.4.1.1"]);
    expect(life?.value).toBe(device?.truth()?.lifeCount);
    expect(life?.value as number).toBeGreaterThan(before);
    f.clock.advance(500);
    const [up] = await get(session(device?.port as number), ["1.3.6.1.2.1.1.3.0"]);
    expect(up?.value).toBe(device?.truth()?.uptimeTicks);
  });

  it("serves a full walk identical to varbinds(), by GETBULK and by v1 GETNEXT", async () => {
    const f = await fleet({ count: 5, seed: 2 }, { clock: { rate: 0 } });
    for (const device of f.devices) {
      const expected = device.varbinds().map((vb) => vb.oid);
      expect((await subtree(session(device.port), "1.3.6.1", 25)).map((vb) => vb.oid)).toEqual(expected);
      expect(
        (await subtree(session(device.port, "public", { v1: true }), "1.3.6.1")).map((vb) => vb.oid),
      ).toEqual(expected);
    }
  });

  it("answers SNMPv3 authPriv (SHA / AES) users and refuses a wrong key", async () => {
    const user = { name: "meter", authKey: "auth-secret-1", privKey: "priv-secret-1" };
    const f = await fleet({ count: 2 }, { v3Users: [user], clock: { rate: 0 } });
    const device = f.devices[1];
    const s = v3Session(device?.port as number, user);
    sessions.push(s);
    const [serial] = await get(s, ["1.3.6.1.2.1.43.5.1.1.17.1"]);
    expect(String(serial?.value)).toBe(device?.serial);
    const bad = v3Session(device?.port as number, { ...user, authKey: "not-the-key" }, 500);
    sessions.push(bad);
    await expect(get(bad, ["1.3.6.1.2.1.1.3.0"])).rejects.toThrow();
  });

  it("announces a reboot to an SNMPv3 manager through a higher engineBoots", async () => {
    const user = { name: "meter", authKey: "auth-secret-1", privKey: "priv-secret-1" };
    const f = await fleet({ count: 1 }, { v3Users: [user], clock: { rate: 0 } });
    const s = v3Session(f.firstPort, user);
    sessions.push(s);
    await get(s, ["1.3.6.1.2.1.1.3.0"]);
    expect(s.engineTimeBoots).toBe(1);
    f.devices[0]?.reboot();
    const [up] = await get(s, ["1.3.6.1.2.1.1.3.0"]);
    expect(up?.value).toBe(0);
    expect(s.engineTimeBoots).toBe(2);
  });

  it("refuses a taken port with SIM_PORT_IN_USE and releases the ports it had bound", async () => {
    // Hold the third port of a free range, then ask for the whole range.
    const probe = await fleet({ count: 3 });
    const base = probe.firstPort;
    await probe.close();
    await fleet({ count: 1 }, { basePort: base + 2 });
    await expect(startFleet({ count: 3 }, { basePort: base })).rejects.toMatchObject({
      code: "SIM_PORT_IN_USE",
    });
    const again = await fleet({ count: 2 }, { basePort: base });
    expect(again.devices).toHaveLength(2);
  });

  it("without basePort binds a free contiguous range of its own; fleets started together never overlap", async () => {
    const [a, b] = await Promise.all([fleet({ count: 30 }), fleet({ count: 30 })]);
    if (!a || !b) throw new Error("no fleet");
    for (const f of [a, b]) {
      expect(f.lastPort - f.firstPort).toBe(29);
      expect(f.devices.map((d) => d.port)).toEqual(Array.from({ length: 30 }, (_, i) => f.firstPort + i));
      expect(f.firstPort).toBeGreaterThanOrEqual(FREE_RANGE_PORTS.first);
      expect(f.lastPort).toBeLessThanOrEqual(FREE_RANGE_PORTS.last);
      const [up] = await get(session(f.lastPort), ["1.3.6.1.2.1.1.3.0"]);
      expect(up?.type).toBe(snmp.ObjectType.TimeTicks);
    }
    expect(a.lastPort < b.firstPort || b.lastPort < a.firstPort).toBe(true);
  });

  it("serves IPv6 loopback (::1)", async () => {
    const f = await fleet({ count: 1 }, { host: "::1" });
    const s = snmp.createSession("::1", "public", {
      port: f.firstPort,
      version: snmp.Version2c,
      transport: "udp6",
      timeout: 1500,
      retries: 0,
    });
    s.on("error", () => {});
    sessions.push(s);
    const [serial] = await get(s, ["1.3.6.1.2.1.43.5.1.1.17.1"]);
    expect(String(serial?.value)).toBe(f.devices[0]?.serial);
  });

  it("stops starting when its abortSignal fires, releasing what it had bound", async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(startFleet({ count: 3 }, { abortSignal: controller.signal })).rejects.toMatchObject({
      code: "ABORTED",
    });
    const probe = await fleet({ count: 40 });
    const base = probe.firstPort;
    await probe.close();
    const later = new AbortController();
    const starting = startFleet(
      { count: 40 },
      { basePort: base, abortSignal: later.signal, startConcurrency: 8 },
    );
    later.abort();
    await expect(starting).rejects.toMatchObject({ code: "ABORTED" });
    // Every port it had bound is free again: the same range starts.
    expect((await fleet({ count: 40 }, { basePort: base })).devices).toHaveLength(40);
  });

  it("refuses a non-loopback host", async () => {
    await expect(startFleet({ count: 1 }, { host: "0.0.0.0" })).rejects.toMatchObject({
      code: "SIM_HOST",
    });
  });
});

/** A raw SNMPv2c GET sysUpTime.0, community public, request-id 1. */
const RAW_GET = Buffer.from(
  "302602010104067075626c6963a019020101020100020100300e300c06082b060102010103000500",
  "hex",
);
function rawExchange(port: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const socket = createSocket("udp4");
    const timer = setTimeout(() => {
      socket.close();
      reject(new Error("no answer"));
    }, 2000);
    socket.on("message", (msg) => {
      clearTimeout(timer);
      socket.close();
      resolve(msg);
    });
    socket.send(RAW_GET, port, "127.0.0.1");
  });
}

describe("faults on demand", () => {
  it("timeout: no answer; nobulk: GET works, GETBULK gets no answer; community: only its own", async () => {
    const f = await fleet({ count: 4 }, { faults: "0:timeout,1:nobulk,2:community=s3cret" });
    await expect(
      get(session(f.firstPort, "public", { timeout: 300 }), ["1.3.6.1.2.1.1.3.0"]),
    ).rejects.toThrow(snmp.RequestTimedOutError);
    const bulkless = session(f.firstPort + 1, "public", { timeout: 300 });
    expect(await get(bulkless, ["1.3.6.1.2.1.1.1.0"])).toHaveLength(1);
    await expect(getBulk(bulkless, ["1.3.6.1.2.1.43"])).rejects.toThrow(snmp.RequestTimedOutError);
    await expect(
      get(session(f.firstPort + 2, "public", { timeout: 300 }), ["1.3.6.1.2.1.1.3.0"]),
    ).rejects.toThrow(snmp.RequestTimedOutError);
    expect(await get(session(f.firstPort + 2, "s3cret"), ["1.3.6.1.2.1.1.3.0"])).toHaveLength(1);
    expect(f.devices[2]?.communities).toEqual(["s3cret"]);
  });

  it("slow: answers only after the delay", async () => {
    const f = await fleet({ count: 1 }, { faults: "0:slow=400" });
    await expect(
      get(session(f.firstPort, "public", { timeout: 100 }), ["1.3.6.1.2.1.1.3.0"]),
    ).rejects.toThrow(snmp.RequestTimedOutError);
    expect(await get(session(f.firstPort, "public", { timeout: 5000 }), ["1.3.6.1.2.1.1.3.0"])).toHaveLength(
      1,
    );
  });

  it("badber: the answer's BER announces more bytes than it carries", async () => {
    const f = await fleet({ count: 2 }, { faults: "1:badber" });
    const good = await rawExchange(f.firstPort);
    expect(good[0]).toBe(0x30);
    expect(good[1]).toBe(good.length - 2);
    const bad = await rawExchange(f.firstPort + 1);
    expect(bad[0]).toBe(0x30);
    expect(bad[1]).toBeGreaterThan(bad.length - 2);
  });

  it("loop / backwards: a GETNEXT walk meets an OID that does not increase; truncate: it ends early", async () => {
    const f = await fleet({ count: 4 }, { faults: "0:loop,1:backwards,2:truncate", clock: { rate: 0 } });
    const stepsUntilNotIncreasing = async (port: number): Promise<{ broke: boolean; seen: number }> => {
      const s = session(port);
      let cursor = "1.3.6.1.2.1.43";
      const { compareArcs, parseOid } = await import("../../../src/sim/mib-view.js");
      for (let seen = 0; seen < 500; seen++) {
        const [vb] = await getNext(s, [cursor]);
        if (!vb || vb.type === snmp.ObjectType.EndOfMibView) return { broke: false, seen };
        if (compareArcs(parseOid(vb.oid), parseOid(cursor)) <= 0) return { broke: true, seen };
        cursor = vb.oid;
      }
      return { broke: false, seen: 500 };
    };
    expect((await stepsUntilNotIncreasing(f.firstPort)).broke).toBe(true);
    expect((await stepsUntilNotIncreasing(f.firstPort + 1)).broke).toBe(true);
    const healthy = await stepsUntilNotIncreasing(f.firstPort + 3);
    const truncated = await stepsUntilNotIncreasing(f.firstPort + 2);
    expect(healthy.broke || truncated.broke).toBe(false);
    const printerOids =
      f.devices[2]?.varbinds().filter((vb) => vb.oid.startsWith("1.3.6.1.2.1.43.")).length ?? 0;
    expect(truncated.seen).toBeLessThan(printerOids);
  });

  it("wrap, reboot and serial change show up on the wire", async () => {
    const f = await fleet(
      { count: 3, models: ["xerox"] },
      { faults: "0:wrap,1:reboot=3600,2:serial=86400", clock: { rate: 0 } },
    );
    const serialBefore = f.devices[2]?.serial;
    const s0 = session(f.firstPort);
    const [lifeStart] = await get(s0, ["1.3.6.1.2.1.43.10.2.1.4.1.1"]);
    f.clock.advance(10 * DAY + 1_800_000);
    const [lifeLater] = await get(s0, ["1.3.6.1.2.1.43.10.2.1.4.1.1"]);
    expect(lifeLater?.value as number).toBeLessThan(lifeStart?.value as number);

    const [up] = await get(session(f.firstPort + 1), ["1.3.6.1.2.1.1.3.0"]);
    expect(up?.value).toBe(180_000); // half an hour since the last hourly reboot
    expect(f.devices[1]?.truth()?.engineBoots).toBe(1 + 240);

    expect(f.devices[2]?.serial).not.toBe(serialBefore);
    const [serial] = await get(session(f.firstPort + 2), ["1.3.6.1.2.1.43.5.1.1.17.1"]);
    expect(String(serial?.value)).toBe(f.devices[2]?.serial);
  });
});
