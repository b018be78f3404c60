import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { buildEnvelope } from "../../../src/soap/communication-codec.js";
import {
  registerDevicesToWire,
  registerProxyToWire,
  reportSyncStatusToWire,
  submitBillingReadsToWire,
  submitSuppliesReportToWire,
  syncToWire,
} from "../../../src/soap/mappers.js";

// Debian's python3 carries zeep; a pyenv python3 first on PATH may not.
const PYTHON = "/usr/bin/python3";
const ROOT = new URL("../../../", import.meta.url).pathname;
const WSDL = join(ROOT, "wsdl", "communication.wsdl");

function python(
  script: string,
  args: string[] = [],
): { status: number | null; stdout: string; stderr: string } {
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
    ["--import", "tsx", "src/cli/main.ts", "server", "--http", "--port", "0", "--db", join(dir, "server.db")],
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

  it("reads every request envelope our client builds, with every optional member, as schema-valid input", () => {
    const at = new Date(Date.UTC(2026, 10, 25, 18, 0, 0, 250));
    const envelopes: Record<string, string> = {
      RegisterProxy: buildEnvelope(
        "RegisterProxy",
        registerProxyToWire({
          key: "proxy-reg-1",
          proxyId: "p1",
          site: "HQ & <lab>",
          software: "esol",
          host: "h",
        }),
      ),
      RegisterDevices: buildEnvelope(
        "RegisterDevices",
        registerDevicesToWire({
          key: "dev-reg-01",
          proxyId: "p1",
          devices: [
            { serial: "S1", vendor: "Xerox", model: "C8045", mac: "9c:93:4e:00:00:01", address: "10.0.0.1" },
          ],
        }),
      ),
      Sync: buildEnvelope(
        "Sync",
        syncToWire({
          proxyId: "p1",
          clientTime: at,
          statuses: [{ serial: "S1", state: "silent", lastReadAt: at, detail: "no answer" }],
        }),
      ),
      ReportSyncStatus: buildEnvelope(
        "ReportSyncStatus",
        reportSyncStatusToWire({
          key: "sts-00001",
          proxyId: "p1",
          statuses: [{ serial: "S1", service: "supplies", enabled: false, detail: "off" }],
        }),
      ),
      SubmitBillingReads: buildEnvelope(
        "SubmitBillingReads",
        submitBillingReadsToWire({
          proxyId: "p1",
          reads: [
            {
              key: "S1-read-0001",
              serial: "S1",
              readAt: at,
              cycle: "2026-11",
              meters: [{ name: "Total", value: 2 ** 40, unit: "impressions" }],
            },
          ],
        }),
      ),
      SubmitSuppliesReport: buildEnvelope(
        "SubmitSuppliesReport",
        submitSuppliesReportToWire({
          proxyId: "p1",
          reports: [
            {
              key: "S1-supplies-1",
              serial: "S1",
              readAt: at,
              supplies: [
                {
                  index: "1",
                  description: "Black",
                  colorant: "black",
                  type: "toner",
                  unit: "percent",
                  max: 100,
                  level: -3,
                  percent: 5,
                  state: "low",
                },
              ],
            },
          ],
        }),
      ),
    };
    const file = join(dir, "envelopes.json");
    writeFileSync(file, JSON.stringify(envelopes));
    const r = python(
      [
        "import sys, json, zeep",
        "from lxml import etree",
        "from zeep.helpers import serialize_object",
        "c = zeep.Client(sys.argv[1])",
        "out = {}",
        "for op, env in json.load(open(sys.argv[2])).items():",
        "    value = c.service._binding._operations[op].input.deserialize(etree.fromstring(env.encode()))",
        "    out[op] = json.loads(json.dumps(serialize_object(value), default=str))",
        "print(json.dumps(out))",
      ].join("\n"),
      [WSDL, file],
    );
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    const parsed = JSON.parse(r.stdout);
    expect(parsed.RegisterProxy).toMatchObject({ Key: "proxy-reg-1", Site: "HQ & <lab>", Host: "h" });
    expect(parsed.RegisterDevices.Device[0]).toMatchObject({
      Serial: "S1",
      Mac: "9c:93:4e:00:00:01",
      Address: "10.0.0.1",
    });
    expect(parsed.Sync.Status[0]).toMatchObject({ State: "silent", Detail: "no answer" });
    expect(parsed.Sync.ClientTime).toMatch(/^2026-11-25 18:00:00\.250000\+00:00$/);
    expect(parsed.ReportSyncStatus.Status[0]).toMatchObject({ Service: "supplies", Enabled: false });
    expect(parsed.SubmitBillingReads.Read[0].Meter[0]).toEqual({
      Name: "Total",
      Value: 2 ** 40,
      Unit: "impressions",
    });
    expect(parsed.SubmitSuppliesReport.Report[0].Supply[0]).toMatchObject({
      Level: -3,
      Max: 100,
      State: "low",
    });
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
    expect(JSON.parse(r.stdout)).toEqual({
      proxy: "zeep-1",
      dup: false,
      devices: 1,
      first: [1, 0],
      again: [0, 1],
    });

    const exported = spawnSync(
      process.execPath,
      ["--import", "tsx", "src/cli/main.ts", "server", "export", "--db", join(dir, "server.db")],
      { cwd: ROOT, encoding: "utf8", timeout: 60_000 },
    );
    expect(exported.status).toBe(0);
    const store = JSON.parse(exported.stdout) as { billingReads: Array<{ key: string; meters: unknown[] }> };
    expect(store.billingReads.filter((r) => r.key === "ZP-0001-read-1")).toEqual([
      expect.objectContaining({
        key: "ZP-0001-read-1",
        meters: [{ name: "Total", value: 4321, unit: "impressions" }],
      }),
    ]);
  });
});
