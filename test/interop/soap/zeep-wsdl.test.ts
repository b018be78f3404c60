import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";

// Debian's python3 carries zeep; a pyenv python3 first on PATH may not.
const PYTHON = "/usr/bin/python3";
const ROOT = new URL("../../../", import.meta.url).pathname;
const WSDL = join(ROOT, "wsdl", "communication.wsdl");
const PORT = 18300;

function python(script: string, args: string[] = []): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(PYTHON, ["-c", script, ...args], { encoding: "utf8", timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const dir = mkdtempSync(join(tmpdir(), "esol-soap-zeep-"));
let server: ChildProcess | undefined;

afterAll(async () => {
  if (server && server.exitCode === null) {
    const exited = new Promise((resolve) => server?.once("exit", resolve));
    server.kill("SIGTERM");
    await exited;
  }
  rmSync(dir, { recursive: true, force: true });
});

/** Starts `esol server --http` and resolves with the URL from its `listening <url>` line. */
function startServer(): Promise<string> {
  server = spawn(
    process.execPath,
    ["--import", "tsx", "src/cli/main.ts", "server", "--http", "--port", String(PORT), "--db", join(dir, "server.db")],
    { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] },
  );
  return new Promise((resolve, reject) => {
    let out = "";
    let err = "";
    server?.stdout?.on("data", (c: Buffer) => {
      out += c.toString();
      const m = /^listening (\S+)$/m.exec(out);
      if (m?.[1]) resolve(m[1]);
    });
    server?.stderr?.on("data", (c: Buffer) => {
      err += c.toString();
    });
    server?.once("exit", (code) => reject(new Error(`esol server exited (${code}): ${err}`)));
  });
}

describe("zeep (python3-zeep) and our contract", () => {
  it("loads wsdl/communication.wsdl and sees the six operations", () => {
    const r = python(
      [
        "import sys, zeep",
        "c = zeep.Client(sys.argv[1])",
        "ops = sorted(c.service._binding._operations.keys())",
        "print(','.join(ops))",
      ].join("\n"),
      [WSDL],
    );
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toBe(
      "RegisterDevices,RegisterProxy,ReportSyncStatus,SubmitBillingReads,SubmitSuppliesReport,Sync",
    );
  });

  it("calls RegisterProxy and SubmitBillingReads on esol server with a client built only from ?wsdl", async () => {
    const url = await startServer();
    const script = [
      "import sys, json, datetime, zeep",
      "c = zeep.Client(sys.argv[1] + '?wsdl')",
      "s = c.service",
      "reg = s.RegisterProxy(Key='zeep-proxy-1', ProxyId='zeep-1', Site='interop')",
      "devs = s.RegisterDevices(Key='zeep-devices-1', ProxyId='zeep-1', Device=[{'Serial': 'ZP-0001'}])",
      "t = datetime.datetime(2026, 11, 25, 18, 0, 0, tzinfo=datetime.timezone.utc)",
      "read = {'Key': 'ZP-0001-read-1', 'Serial': 'ZP-0001', 'ReadAt': t, 'Meter': [{'Name': 'Total', 'Value': 4321, 'Unit': 'impressions'}]}",
      "a1 = s.SubmitBillingReads(ProxyId='zeep-1', Read=[read])",
      "a2 = s.SubmitBillingReads(ProxyId='zeep-1', Read=[read])",
      "print(json.dumps({'proxy': reg.ProxyId, 'dup': reg.Duplicate, 'devices': devs.Accepted,",
      "  'first': [a1.Accepted, a1.Duplicates], 'again': [a2.Accepted, a2.Duplicates]}))",
    ].join("\n");
    const r = python(script, [url]);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ proxy: "zeep-1", dup: false, devices: 1, first: [1, 0], again: [0, 1] });

    const exported = spawnSync(
      process.execPath,
      ["--import", "tsx", "src/cli/main.ts", "server", "export", "--db", join(dir, "server.db")],
      { cwd: ROOT, encoding: "utf8", timeout: 60_000 },
    );
    expect(exported.status).toBe(0);
    const store = JSON.parse(exported.stdout) as { billingReads: Array<{ key: string; meters: unknown[] }> };
    expect(store.billingReads.filter((r) => r.key === "ZP-0001-read-1")).toEqual([
      expect.objectContaining({ key: "ZP-0001-read-1", meters: [{ name: "Total", value: 4321, unit: "impressions" }] }),
    ]);
  });
});
