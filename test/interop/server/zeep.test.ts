import { type ChildProcessWithoutNullStreams, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { StoreExport } from "../../../src/server/index.js";

// The python3 first on PATH may lack zeep; Debian's has python3-zeep.
const PYTHON = "/usr/bin/python3";
const ESOL = ["--import", "tsx", "src/cli/main.ts"];

describe("a zeep client built only from `esol server --http`'s ?wsdl", () => {
  let dir: string;
  let child: ChildProcessWithoutNullStreams | undefined;
  let url = "";

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "esol-server-zeep-"));
    child = spawn(
      process.execPath,
      [...ESOL, "server", "--http", "--port", "0", "--db", join(dir, "server.db")],
      {
        cwd: process.cwd(),
      },
    );
    const proc = child;
    url = await new Promise<string>((resolve, reject) => {
      let out = "";
      let err = "";
      proc.stderr.on("data", (d: Buffer) => {
        err += d.toString();
      });
      proc.stdout.on("data", (d: Buffer) => {
        out += d.toString();
        const m = /^listening (\S+)\n/.exec(out);
        if (m?.[1]) resolve(m[1]);
      });
      proc.on("exit", (code) => reject(new Error(`esol server exited ${code}: ${err}`)));
    });
  });

  afterAll(async () => {
    const proc = child;
    if (proc && proc.exitCode === null && proc.signalCode === null) {
      await new Promise((resolve) => {
        proc.once("exit", resolve);
        proc.kill("SIGTERM");
      });
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it("calls RegisterProxy, RegisterDevices and SubmitBillingReads twice; export shows one read", () => {
    const run = spawnSync(PYTHON, [join("test", "interop", "server", "zeep_client.py"), url], {
      encoding: "utf8",
      timeout: 60_000,
    });
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    const answers = JSON.parse(run.stdout) as Record<string, unknown>;
    expect(answers).toEqual({
      registerProxy: { proxyId: "zeep-proxy", duplicate: false },
      registerDevices: { accepted: 1, duplicates: 0 },
      submitBillingReads: [
        { accepted: 1, duplicates: 0 },
        { accepted: 0, duplicates: 1 },
      ],
      sync: { enableService: 2 },
      fault: { message: "device UNKNOWN-SN is not registered", code: "soap:Client" },
    });

    const exported = spawnSync(
      process.execPath,
      [...ESOL, "server", "export", "--db", join(dir, "server.db")],
      {
        cwd: process.cwd(),
        encoding: "utf8",
        timeout: 30_000,
      },
    );
    expect(exported.status).toBe(0);
    const store = JSON.parse(exported.stdout) as StoreExport;
    expect(store.proxies.map((p) => p.proxyId)).toEqual(["zeep-proxy"]);
    expect(store.billingReads).toHaveLength(1);
    expect(store.billingReads[0]).toMatchObject({
      key: "zeep-read-key-0001",
      serial: "ZEEP-SN-1",
      readAt: "2026-11-25T09:00:00.000Z",
      cycle: "2026-11",
      meters: [
        { name: "Total", value: 123456, unit: "impressions" },
        { name: "Black", value: 100000, unit: null },
      ],
    });
  });
});
