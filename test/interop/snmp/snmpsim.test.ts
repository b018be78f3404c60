import { execFile } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DeviceReading } from "../../../src/snmp/index.js";
import { type SilentTarget, silentUdpTarget } from "../../helpers/silent.js";
import { type SnmpSim, snmpToolsAvailable, startSnmpSim } from "../../helpers/snmpsim.js";

const run = promisify(execFile);
const SHARED = "test/fixtures/snmprec";
const OWN = "test/fixtures/snmp";
// snmpsimd and the dead target take their ports from the OS.
let SHARED_PORT: number;
let OWN_PORT: number;
let dead: SilentTarget;

interface Facts {
  serial: string | null;
  markerLifeCount: { index: string; value: number }[];
  supplies: Record<string, unknown>[];
  xeroxBilling: { label: string; value: number }[];
  vendorMeters?: { label: string; value: number }[];
  billing?: Record<string, number>;
  identity?: { vendor?: string; model?: string; serial?: string | null; firmware?: string };
}

const byLabel = (a: { label: string | null }, b: { label: string | null }) =>
  String(a.label).localeCompare(String(b.label));

const available = await snmpToolsAvailable();

async function esol(...args: string[]): Promise<{ stdout: string; stderr: string; code: number }> {
  try {
    const { stdout, stderr } = await run("node", ["--import", "tsx", "src/cli/main.ts", ...args], {
      maxBuffer: 16 * 1024 * 1024,
    });
    return { stdout, stderr, code: 0 };
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; code?: number };
    return { stdout: e.stdout ?? "", stderr: e.stderr ?? "", code: e.code ?? 1 };
  }
}

async function snmpget(community: string, port: number, oid: string, version = "2c"): Promise<string> {
  const { stdout } = await run("snmpget", [
    `-v${version}`,
    "-c",
    community,
    "-Oqvtn",
    "-t",
    "2",
    "-r",
    "1",
    `127.0.0.1:${port}`,
    oid,
  ]);
  return stdout.trim();
}

describe.skipIf(!available)("esol read against snmpsim (an agent nobody here wrote)", () => {
  let shared: SnmpSim;
  let own: SnmpSim;
  beforeAll(async () => {
    shared = await startSnmpSim(SHARED);
    own = await startSnmpSim(OWN);
    dead = await silentUdpTarget();
    SHARED_PORT = shared.port;
    OWN_PORT = own.port;
  });
  afterAll(async () => {
    await shared?.stop();
    await own?.stop();
    await dead?.close();
  });

  const names = readdirSync(SHARED)
    .filter((f) => f.endsWith(".snmprec"))
    .map((f) => f.replace(/\.snmprec$/, ""));

  for (const name of names) {
    it(`${name}: serial, meters and supplies printed by esol read equal the facts`, async () => {
      const facts = JSON.parse(readFileSync(join(SHARED, `${name}.facts.json`), "utf8")) as Facts;
      const { stdout, stderr, code } = await esol(
        "read",
        `127.0.0.1:${SHARED_PORT}`,
        "--community",
        name,
        "--json",
      );
      expect(stderr).toBe("");
      expect(code).toBe(0);
      const r = JSON.parse(stdout) as DeviceReading;
      if (facts.serial !== null) expect(r.identity.serial).toBe(facts.serial);
      for (const [key, value] of Object.entries(facts.identity ?? {}))
        expect(r.identity[key as keyof typeof r.identity], key).toBe(value);
      expect(
        r.supplies.map(({ index, description, class: c, type, unit, max, level }) => ({
          index,
          description,
          class: c,
          type,
          unit,
          max,
          level,
        })),
      ).toEqual(facts.supplies);
      expect(
        r.meters
          .filter((m) => m.oid.startsWith("1.3.6.1.2.1.43.10.2.1.4."))
          .map((m) => ({ index: m.oid.slice(24), value: m.value })),
      ).toEqual(facts.markerLifeCount);
      expect(
        r.meters
          .filter((m) => m.source === "vendor")
          .map((m) => ({ label: m.label, value: m.value }))
          .sort(byLabel),
      ).toEqual(
        (facts.vendorMeters ?? facts.xeroxBilling.map((b) => ({ label: b.label, value: b.value }))).sort(
          byLabel,
        ),
      );
      if (facts.billing)
        expect(
          Object.fromEntries(
            r.meters.filter((m) => facts.billing && m.name in facts.billing).map((m) => [m.name, m.value]),
          ),
        ).toEqual(facts.billing);
      // A recording without any serial says so; nothing else is a problem.
      expect(r.problems).toEqual(
        r.identity.serial === null ? [expect.objectContaining({ code: "SNMP_NO_SERIAL" })] : [],
      );
    });

    it(`${name}: Net-SNMP snmpget agrees with the values esol read reports`, async () => {
      const r = JSON.parse(
        (await esol("read", `127.0.0.1:${SHARED_PORT}`, "--community", name, "--json")).stdout,
      ) as DeviceReading;
      // A recording without sysObjectID or sysUpTime (the LibreNMS Dell, OKI, Ricoh and
      // Kyocera recordings hold a few objects only): snmpget finds no instance, esol read null.
      const absent = /^No Such (?:Instance|Object)/;
      const objectId = await snmpget(name, SHARED_PORT, "1.3.6.1.2.1.1.2.0");
      if (r.identity.sysObjectID === null) expect(objectId).toMatch(absent);
      else expect(objectId).toBe(`.${r.identity.sysObjectID}`);
      const uptime = await snmpget(name, SHARED_PORT, "1.3.6.1.2.1.1.3.0");
      if (r.identity.uptime === null) expect(uptime).toMatch(absent);
      else expect(Number(uptime)).toBe(r.identity.uptime);
      if (r.identity.serialSource === "kcprtSerialNumber")
        expect(await snmpget(name, SHARED_PORT, "1.3.6.1.4.1.1347.43.5.1.1.28.1")).toBe(
          `"${r.identity.serial}"`,
        );
      for (const s of r.supplies) {
        expect(Number(await snmpget(name, SHARED_PORT, `1.3.6.1.2.1.43.11.1.1.9.${s.index}`))).toBe(s.level);
        expect(Number(await snmpget(name, SHARED_PORT, `1.3.6.1.2.1.43.11.1.1.8.${s.index}`))).toBe(s.max);
      }
      if (r.identity.serialSource === "brotherSerialNumber")
        expect(await snmpget(name, SHARED_PORT, "1.3.6.1.4.1.2435.2.3.9.4.2.1.5.5.1.0")).toBe(
          `"${r.identity.serial}"`,
        );
    });
  }

  it("reads the same over SNMPv1 from snmpsim (noSuchName answers split and retried)", async () => {
    const v2 = JSON.parse(
      (await esol("read", `127.0.0.1:${SHARED_PORT}`, "--community", "brother-mfc-l2710dw", "--json")).stdout,
    ) as DeviceReading;
    const out = await esol(
      "read",
      `127.0.0.1:${SHARED_PORT}`,
      "--community",
      "brother-mfc-l2710dw",
      "--snmp-version",
      "v1",
      "--json",
    );
    expect(out.stderr).toBe("");
    const v1 = JSON.parse(out.stdout) as DeviceReading;
    expect({ ...v1, readAt: "" }).toEqual({ ...v2, readAt: "" });
  });

  it("decodes the synthetic quirk recordings served by snmpsim the same as from the file", async () => {
    const hp = JSON.parse(
      (await esol("read", `127.0.0.1:${OWN_PORT}`, "--community", "hp-index0", "--json")).stdout,
    ) as DeviceReading;
    expect(hp.identity).toMatchObject({
      printerIndex: 0,
      serial: "PHBBK12345",
      serialSource: "hpSerialNumber",
    });
    expect(hp.status.errorState).toEqual(["lowToner", "jammed", "inputTrayMissing"]);
    // hrDeviceStatus.0 is not among the row-1 scalars of the first GET: read by a second GET.
    expect(hp.status.deviceStatus).toBe("warning");
    const q = JSON.parse(
      (await esol("read", `127.0.0.1:${OWN_PORT}`, "--community", "supplies-quirks", "--json")).stdout,
    ) as DeviceReading;
    expect(q.supplies.map((s) => [s.description, s.colorant, s.state, s.percent])).toEqual([
      ["Black Toner", "black", "someRemaining", null],
      ["Cyan Toner", "cyan", "unknown", null],
      ["Magenta Toner", "magenta", "someRemaining", null],
      ["Waste Toner Box", null, "ok", 85],
      ["Fuser", null, "other", null],
      ["Drum", null, "ok", 100],
      ["Cafe", null, "empty", 0],
    ]);
    const x = JSON.parse(
      (await esol("read", `127.0.0.1:${OWN_PORT}`, "--community", "xerox-billing-versalink", "--json"))
        .stdout,
    ) as DeviceReading;
    expect(Object.fromEntries(x.meters.map((m) => [m.name, m.value]))).toMatchObject({
      "Black Impressions": 9020,
      "Color Impressions": 4410,
      "Total Impressions": 13430,
    });
  });

  it("esol poll prints NDJSON, one line per target, failures included", async () => {
    const { stdout, code } = await esol(
      "poll",
      `127.0.0.1:${SHARED_PORT}`,
      dead.target,
      "--community",
      "xerox-altalink-c8045",
      "--timeout-ms",
      "300",
      "--retries",
      "0",
      "--json",
    );
    expect(code).toBe(0);
    const lines = stdout
      .trim()
      .split("\n")
      .map(
        (l) => JSON.parse(l) as { target: string; identity?: { model: string }; error?: { code: string } },
      );
    const byTarget = Object.fromEntries(lines.map((l) => [l.target, l.identity?.model ?? l.error?.code]));
    expect(byTarget).toEqual({
      [`127.0.0.1:${SHARED_PORT}`]: "AltaLink C8045",
      [dead.target]: "SNMP_TIMEOUT",
    });
  });

  it("esol read reports a dead device as one error line and a non-zero exit", async () => {
    const { stdout, stderr, code } = await esol(
      "read",
      dead.target,
      "--timeout-ms",
      "200",
      "--retries",
      "0",
      "--json",
    );
    expect(stdout).toBe("");
    expect(stderr.trim().startsWith(`error SNMP_TIMEOUT: ${dead.target}: no answer`)).toBe(true);
    expect(code).not.toBe(0);
  });
});
