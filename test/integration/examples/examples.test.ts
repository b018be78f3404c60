/**
 * The examples run as an integrator runs them: `node --import tsx examples/<name>.ts`, each
 * importing `esolutions-sdk` by its package name. Inside this repository that name resolves
 * through the package's own `exports` map (a self-reference) to `dist/`, so the suite builds
 * once first; types resolve to `src/` without a build (TypeScript maps the outputs back).
 *
 * Ports: TCP 15000-15099 and UDP 15500-15599 belong to this file.
 */
import { execFile, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CommunicationServer, GENERATED_CERT_FILE } from "../../../src/server/index.js";
import { type PrinterFleet, startFleet } from "../../../src/sim/index.js";

const SNMP_BASE_PORT = 15500;
const SERVER_PORT = 15001;
const FLEET_SIZE = 6;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs one example to its end (bounded by a kill timer) and collects its output. */
function runExample(file: string, args: string[], timeoutMs = 30_000): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", `examples/${file}`, ...args], {
      cwd: process.cwd(),
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => {
      stdout += d;
    });
    child.stderr.on("data", (d) => {
      stderr += d;
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("error", reject);
    child.on("exit", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

let fleet: PrinterFleet;
let dir: string;

beforeAll(async () => {
  await promisify(execFile)("npm", ["run", "-s", "build"], { cwd: process.cwd() });
  dir = mkdtempSync(join(tmpdir(), "esol-examples-"));
  // A frozen clock: the meters the examples print are exactly the fleet's truth.
  fleet = await startFleet({ count: FLEET_SIZE, seed: 1 }, { basePort: SNMP_BASE_PORT, clock: { rate: 0 } });
}, 180_000);

afterAll(async () => {
  await fleet?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const fleetRange = `127.0.0.1:${SNMP_BASE_PORT}-${SNMP_BASE_PORT + FLEET_SIZE - 1}`;

describe("examples/fleet-table.ts", () => {
  it("prints one row per printer with its serial, model and a total meter, and counts the silent target", async () => {
    const silent = `127.0.0.1:${SNMP_BASE_PORT + FLEET_SIZE}`;
    const run = await runExample("fleet-table.ts", [fleetRange, silent]);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    const lines = run.stdout.trimEnd().split("\n");
    expect(lines[0]).toMatch(/^TARGET\s+MODEL\s+SERIAL\s+TOTAL\s+BLACK\s+COLOR\s+SUPPLIES$/);
    for (const device of fleet.devices) {
      const truth = device.truth()!;
      const row = lines.find((l) => l.startsWith(`127.0.0.1:${device.port} `));
      expect(row, `row of port ${device.port}`).toBeDefined();
      const cells = row!.split(/\s{2,}/);
      expect(cells[2]).toBe(truth.serial);
      expect(truth.meters.map((m) => String(m.value))).toContain(cells[3]);
      expect(row).toMatch(/black:\d+%/);
    }
    expect(lines.at(-1)).toBe(`${FLEET_SIZE} read, 1 failed: ${silent}: SNMP_TIMEOUT`);
  });
});

describe("examples/low-toner.ts", () => {
  it("lists exactly the consumables at or below the threshold", async () => {
    const below = 40;
    const run = await runExample("low-toner.ts", ["--below", String(below), fleetRange]);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    const listed = run.stdout.split("\n").filter((l) => l.startsWith("127.0.0.1:"));
    let expected = 0;
    for (const device of fleet.devices) {
      const truth = device.truth()!;
      for (const s of truth.supplies) {
        if (s.max <= 0 || s.level < 0 || /waste/i.test(s.description)) continue;
        const percent = Math.round((s.level / s.max) * 100);
        if (percent > below) continue;
        expected++;
        expect(listed.some((l) => l.includes(truth.serial) && l.endsWith(`\t${percent}% left`))).toBe(true);
      }
    }
    for (const line of listed) {
      const m = /\t(\d+)% (left|full)$/.exec(line);
      expect(m, line).not.toBeNull();
      if (m![2] === "left") expect(Number(m![1])).toBeLessThanOrEqual(below);
      else expect(Number(m![1])).toBeGreaterThanOrEqual(100 - below);
    }
    expect(expected).toBeGreaterThan(0);
    expect(listed.filter((l) => l.endsWith("left"))).toHaveLength(expected);
    expect(run.stdout).toContain(`need attention on ${FLEET_SIZE} devices (threshold ${below}%)`);
  });

  it("refuses a threshold that is not a percent", async () => {
    const run = await runExample("low-toner.ts", ["--below", "200", fleetRange]);
    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain("--below takes a percent 0..100");
  });
});

describe("examples/getting-started.ts (the code of docs/getting-started.md)", () => {
  let server: CommunicationServer;

  beforeAll(async () => {
    // HTTPS with the self-signed pair the server writes next to its database, as in the guide.
    server = new CommunicationServer({ dbPath: join(dir, "cs.db"), port: SERVER_PORT });
    await server.start();
  });

  afterAll(async () => {
    await server?.close();
  });

  it("reads one printer and the server stores its billing read once", async () => {
    const device = fleet.devices[0]!;
    const truth = device.truth()!;
    const endpoint = `https://127.0.0.1:${SERVER_PORT}/esolutions/v1`;
    const run = await runExample("getting-started.ts", [
      `127.0.0.1:${device.port}`,
      endpoint,
      join(dir, GENERATED_CERT_FILE),
    ]);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`serial ${truth.serial}`);
    expect(run.stdout).toContain("billing read sent: 1 accepted, 0 duplicate(s)");

    const stored = server.exportStore();
    expect(stored.devices.map((d) => d.serial)).toEqual([truth.serial]);
    expect(stored.billingReads).toHaveLength(1);
    const read = stored.billingReads[0]!;
    expect(read.serial).toBe(truth.serial);
    const life = read.meters.find((m) => m.name === "Marker Life Count");
    expect(life?.value).toBe(truth.lifeCount);
  });

  it("is the code the guide shows, character for character", () => {
    const guide = readFileSync("docs/getting-started.md", "utf8");
    const example = readFileSync("examples/getting-started.ts", "utf8");
    const block = /<!-- example: examples\/getting-started\.ts -->\n```ts\n([\s\S]*?)```/.exec(guide);
    expect(block, "docs/getting-started.md embeds examples/getting-started.ts").not.toBeNull();
    expect(block![1]).toBe(example);
  });
});
