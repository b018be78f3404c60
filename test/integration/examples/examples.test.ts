/**
 * The examples run as an integrator runs them: `node --import tsx examples/<name>.ts`, each
 * importing `esolutions-sdk` by its package name. Inside this repository that name resolves
 * through the package's own `exports` map (a self-reference) to `dist/`, so the suite builds
 * once first; types resolve to `src/` without a build (TypeScript maps the outputs back).
 *
 * Ports come from the OS (servers on port 0, the fleet's own free range, a silent UDP socket).
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CommunicationServer, exportStoreFile, GENERATED_CERT_FILE } from "../../../src/server/index.js";
import { type PrinterFleet, startFleet } from "../../../src/sim/index.js";
import { type SilentTarget, silentUdpTarget } from "../../helpers/silent.js";

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
  fleet = await startFleet({ count: FLEET_SIZE, seed: 1 }, { clock: { rate: 0 } });
  silent = await silentUdpTarget();
}, 180_000);

afterAll(async () => {
  await fleet?.close();
  await silent?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

let silent: SilentTarget | undefined;
const fleetRange = (): string => `127.0.0.1:${fleet.firstPort}-${fleet.lastPort}`;

describe("examples/fleet-table.ts", () => {
  it("prints one row per printer with its serial, model and a total meter, and counts the silent target", async () => {
    const run = await runExample("fleet-table.ts", [fleetRange(), silent?.target as string]);
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
    expect(lines.at(-1)).toBe(`${FLEET_SIZE} read, 1 failed: ${silent?.target}: SNMP_TIMEOUT`);
  });
});

describe("examples/low-toner.ts", () => {
  it("lists exactly the supplies whose state needs attention: low or empty consumables, waste containers nearly or wholly full", async () => {
    const below = 40;
    const run = await runExample("low-toner.ts", ["--below", String(below), fleetRange()]);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    const listed = run.stdout.split("\n").filter((l) => l.startsWith("127.0.0.1:"));
    const expected: string[] = [];
    let receptacles = 0;
    for (const device of fleet.devices) {
      const truth = device.truth()!;
      for (const s of truth.supplies) {
        if (s.max <= 0 || s.level < 0) continue;
        // A waste container's level is its remaining space: a high percent is good.
        const receptacle = /waste/i.test(s.description);
        if (receptacle) receptacles++;
        const percent = Math.round((s.level / s.max) * 100);
        const why =
          s.level === 0
            ? receptacle
              ? "full"
              : "empty"
            : percent > below
              ? null
              : `${percent}% ${receptacle ? "space left" : "left"}`;
        if (why === null) continue;
        expected.push(`${truth.serial}|${why}`);
        expect(
          listed.some((l) => l.includes(truth.serial) && l.endsWith(`\t${why}`)),
          `${truth.serial} ${s.description}: ${why}`,
        ).toBe(true);
      }
    }
    for (const line of listed) {
      const m = /\t(?:(\d+)% (?:left|space left)|empty|full)$/.exec(line);
      expect(m, line).not.toBeNull();
      if (m?.[1] !== undefined) expect(Number(m[1])).toBeLessThanOrEqual(below);
    }
    // The fleet has waste containers with room to spare: none of them may be listed as full.
    expect(receptacles).toBeGreaterThan(0);
    expect(expected.length).toBeGreaterThan(0);
    expect(listed).toHaveLength(expected.length);
    expect(run.stdout).toContain(`need attention on ${FLEET_SIZE} devices (threshold ${below}%)`);
  });

  it("refuses a threshold that is not a percent", async () => {
    const run = await runExample("low-toner.ts", ["--below", "200", fleetRange()]);
    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain("--below takes a percent 0..100");
  });
});

describe("examples/meter-map.ts", () => {
  it("names the rows its map covers and leaves the rest to the built-in Xerox map", async () => {
    const run = await runExample("meter-map.ts", ["test/fixtures/snmp/xerox-billing-versalink.snmprec"]);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.stdout.split("\n")).toEqual([
      "Xerox VersaLink C7020",
      'Color Impressions = 4410 impressions  (label "Color Printed Impressions", map xerox-billing)',
      'Black Impressions = 9020 impressions  (label "Black Printed Impressions", map xerox-billing)',
      'Total Impressions = 13430 impressions  (label "Total Printed Impressions", map xerox-billing)',
      'Color Large Impressions = 55 impressions  (label "Color Large Printed Impressions", map xerox-versalink-large)',
      "",
    ]);
  });
});

describe("examples/getting-started.ts (the code of docs/getting-started.md)", () => {
  let server: ChildProcess | undefined;
  let endpoint: string;

  beforeAll(async () => {
    // The server exactly as the guide starts it: `esol server`, HTTPS with the self-signed
    // pair it writes next to its database, unsigned requests allowed for this first exchange.
    const flags = /npx esol server (--port 8443 --db cs\/cs\.db.*)$/m.exec(
      readFileSync("docs/getting-started.md", "utf8"),
    );
    expect(flags, "the guide starts esol server").not.toBeNull();
    const args = flags![1]!.replace("8443", "0").replace("cs/cs.db", join(dir, "cs.db")).split(" ");
    server = spawn(process.execPath, ["--import", "tsx", "src/cli/main.ts", "server", ...args], {
      cwd: process.cwd(),
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    server.stdout!.on("data", (d) => {
      stdout += d;
    });
    await until(
      () => stdout.startsWith("listening ") && stdout.includes("\n"),
      () => stdout,
    );
    endpoint = stdout.slice("listening ".length, stdout.indexOf("\n"));
  });

  afterAll(async () => {
    if (server && server.exitCode === null) {
      const exited = new Promise((resolve) => server!.once("exit", resolve));
      server.kill("SIGTERM");
      await exited;
    }
  });

  it("reads one printer and the server stores its billing read once", async () => {
    const device = fleet.devices[0]!;
    const truth = device.truth()!;
    const run = await runExample("getting-started.ts", [
      `127.0.0.1:${device.port}`,
      endpoint,
      join(dir, GENERATED_CERT_FILE),
    ]);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`serial ${truth.serial}`);
    expect(run.stdout).toContain("billing read sent: 1 accepted, 0 duplicate(s)");

    const stored = exportStoreFile(join(dir, "cs.db"));
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

describe("examples/embed-agent.ts", () => {
  let server: CommunicationServer;
  let serverUrl: string;

  beforeAll(async () => {
    server = new CommunicationServer({
      dbPath: join(dir, "embed.db"),
      port: 0,
      tls: false,
      signaturePolicy: "optional",
    });
    serverUrl = (await server.start()).url;
  });

  afterAll(async () => {
    await server?.close();
  });

  it("runs the agent inside a service: status, poll on request, registration at the server, clean stop", async () => {
    const configFile = join(dir, "embed-agent.json");
    writeFileSync(
      configFile,
      JSON.stringify({
        proxy: { id: "embedded-0001" },
        server: { url: serverUrl },
        devices: { targets: [fleetRange()], timeout: "1s" },
        outbox: { path: "./embed-outbox.db" },
        log: { level: "silent" },
      }),
    );
    const child = spawn(process.execPath, ["--import", "tsx", "examples/embed-agent.ts", configFile, "0"], {
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
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    try {
      await until(
        () => /listening http:\/\/127\.0\.0\.1:\d+\n/.test(stdout),
        () => stderr,
      );
      const base = /listening (http:\/\/127\.0\.0\.1:\d+)\n/.exec(stdout)?.[1] as string;
      // The first poll and the first sync run on their own right after start.
      await until(
        () => server.exportStore().devices.length === FLEET_SIZE,
        () => stderr,
      );
      const status = (await (await fetch(`${base}/status`)).json()) as {
        running: boolean;
        registered: boolean;
        devices: Array<{ serial: string }>;
      };
      expect(status.running).toBe(true);
      expect(status.registered).toBe(true);
      expect(status.devices.map((d) => d.serial).sort()).toEqual(fleet.devices.map((d) => d.serial!).sort());
      const poll = (await (await fetch(`${base}/poll`, { method: "POST" })).json()) as {
        read: number;
        failed: number;
      };
      expect(poll).toMatchObject({ read: FLEET_SIZE, failed: 0 });
      expect((await fetch(`${base}/nothing`)).status).toBe(404);
      expect(server.exportStore().proxies.map((p) => p.proxyId)).toEqual(["embedded-0001"]);
      expect(stdout).toContain("new printer");
    } finally {
      child.kill("SIGTERM");
    }
    expect(await exited).toBe(0);
    expect(existsSync(join(dir, "embed-outbox.db"))).toBe(true);
  });
});

/** Waits (bounded: 30 s) for a condition of a running example. */
async function until(condition: () => boolean, output: () => string): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if (condition()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`condition not met in 30 s; stderr:\n${output()}`);
}
