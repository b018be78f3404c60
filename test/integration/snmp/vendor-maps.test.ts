import { type ChildProcess, execFile, spawn } from "node:child_process";
import { readdirSync } from "node:fs";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DeviceReading } from "../../../src/snmp/index.js";
import { VENDOR_RECORDINGS as DIR, EXPECTED } from "./vendor-expected.js";

const run = promisify(execFile);

const files = readdirSync(DIR)
  .filter((f) => f.endsWith(".snmprec"))
  .sort()
  .map((f) => f.replace(/\.snmprec$/, ""));

describe("vendor maps: esol sim --recordings serves every synthetic vendor recording, esol read --json names it", () => {
  let sim: ChildProcess;
  let firstPort = 0;
  const readings = new Map<string, DeviceReading>();

  beforeAll(async () => {
    sim = spawn(
      "node",
      ["--import", "tsx", "src/cli/main.ts", "sim", "--recordings", DIR, "--clock-rate", "0"],
      {
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    firstPort = await new Promise<number>((resolve, reject) => {
      let out = "";
      const timer = setTimeout(() => reject(new Error(`esol sim did not start: ${out}`)), 30_000);
      sim.stdout?.on("data", (chunk: Buffer) => {
        out += chunk.toString();
        const m = /listening (?:\S*:)?(\d+)-(\d+)/.exec(out);
        if (m) {
          clearTimeout(timer);
          resolve(Number(m[1]));
        }
      });
      sim.once("exit", (code) => reject(new Error(`esol sim exited ${code}: ${out}`)));
    });
    // Read in small batches: each esol read is a process of its own.
    for (let i = 0; i < files.length; i += 4) {
      await Promise.all(
        files.slice(i, i + 4).map(async (name, j) => {
          const { stdout } = await run("node", [
            "--import",
            "tsx",
            "src/cli/main.ts",
            "read",
            `127.0.0.1:${firstPort + i + j}`,
            "--json",
          ]);
          readings.set(name, JSON.parse(stdout) as DeviceReading);
        }),
      );
    }
  }, 180_000);

  afterAll(() => {
    if (sim?.pid !== undefined && sim.exitCode === null) sim.kill("SIGTERM");
  });

  it("has an expectation for every recording and a recording for every expectation", () => {
    expect(files).toEqual(Object.keys(EXPECTED).sort());
    expect(files.length).toBeGreaterThanOrEqual(14);
  });

  for (const name of Object.keys(EXPECTED).sort()) {
    it(`${name}: identity and every vendor meter by name and value`, () => {
      const want = EXPECTED[name]!;
      const r = readings.get(name);
      expect(r, name).toBeDefined();
      expect(r?.identity).toMatchObject({
        vendor: want.vendor,
        model: want.model,
        serial: want.serial,
        serialSource: want.serialSource,
      });
      const vendorMeters = Object.fromEntries(
        (r?.meters ?? []).filter((m) => m.source === "vendor").map((m) => [m.name, m.value]),
      );
      expect(vendorMeters).toEqual(want.meters);
      for (const m of r?.meters ?? []) {
        expect(m.oid).toMatch(/^\d+(\.\d+)+$/);
        expect(m.unit).toMatch(/^(impressions|sheets)$/);
        if (m.source === "vendor") expect(m.mapId).toBeTruthy();
      }
      expect(r?.problems).toEqual([]);
    });
  }

  it("reads Ricoh's own toner percent where the Printer-MIB says -100", () => {
    expect(readings.get("ricoh-mp-c3004")?.supplies[0]).toMatchObject({
      level: -100,
      percent: 40,
      state: "ok",
      levelSource: "ricoh",
    });
  });
});
