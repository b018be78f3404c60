import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DeviceReading } from "../../../src/snmp/index.js";
import { loadRecording, startTestAgent, type TestAgent } from "./agents.js";

const run = promisify(execFile);
// Ports 20500-20509 belong to this file.

async function esol(...args: string[]): Promise<{ stdout: string; stderr: string; code: number }> {
  try {
    const { stdout, stderr } = await run("node", ["--import", "tsx", "src/cli/main.ts", ...args]);
    return { stdout, stderr, code: 0 };
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; code?: number };
    return { stdout: e.stdout ?? "", stderr: e.stderr ?? "", code: e.code ?? 1 };
  }
}

describe("esol read / esol poll", () => {
  let agent: TestAgent;
  beforeAll(async () => {
    agent = await startTestAgent({
      varbinds: loadRecording("test/fixtures/snmprec/brother-mfc-l2710dw.snmprec"),
      users: [
        {
          name: "fleet",
          authProtocol: "sha512",
          authKey: "authpass123",
          privProtocol: "aes256b",
          privKey: "privpass123",
        },
      ],
    });
  });
  afterAll(async () => {
    await agent?.close();
  });

  it("reads over SNMPv3 with the options of the CLI contract", async () => {
    const { stdout, stderr, code } = await esol(
      "read",
      `127.0.0.1:${agent.agent.port}`,
      "--v3",
      "--user",
      "fleet",
      "--auth-proto",
      "sha512",
      "--auth-key",
      "authpass123",
      "--priv-proto",
      "aes256b",
      "--priv-key",
      "privpass123",
      "--json",
    );
    expect(stderr).toBe("");
    expect(code).toBe(0);
    const r = JSON.parse(stdout) as DeviceReading;
    expect(Object.keys(r)).toEqual(
      expect.arrayContaining(["target", "readAt", "identity", "meters", "supplies", "status", "alerts"]),
    );
    expect(Object.keys(r.identity)).toEqual(
      expect.arrayContaining([
        "vendor",
        "model",
        "serial",
        "serialSource",
        "sysDescr",
        "sysObjectID",
        "sysName",
        "uptime",
        "mac",
        "firmware",
        "deviceId",
      ]),
    );
    expect(Object.keys(r.status)).toEqual(
      expect.arrayContaining(["printerStatus", "deviceStatus", "errorState", "errorStateHex"]),
    );
    expect(r.supplies[0]).toEqual(
      expect.objectContaining({
        index: "1.1",
        class: null,
        type: 3,
        typeName: "toner",
        unit: null,
        max: -2,
        level: -3,
        percent: null,
        state: "someRemaining",
      }),
    );
    expect(r.identity.serial).toBe("000A5J431816");
  });

  it("refuses MD5 without --allow-insecure, with one error line", async () => {
    const { stdout, stderr, code } = await esol(
      "read",
      `127.0.0.1:${agent.agent.port}`,
      "--v3",
      "--user",
      "fleet",
      "--auth-proto",
      "md5",
      "--auth-key",
      "authpass123",
    );
    expect(stdout).toBe("");
    expect(stderr.trim().split("\n")).toEqual([expect.stringMatching(/^error SNMP_INSECURE_PROTOCOL: MD5/)]);
    expect(code).not.toBe(0);
  });

  it("refuses a v3 poll without --v3-range and a bad target, naming what is wrong", async () => {
    const v3 = await esol(
      "poll",
      `127.0.0.1:${agent.agent.port}`,
      "--v3",
      "--user",
      "fleet",
      "--auth-key",
      "authpass123",
    );
    expect(v3.stderr).toMatch(/^error ARG_INVALID: --v3 in a poll needs --v3-range/);
    const bad = await esol("poll", "127.0.0.1:99999");
    expect(bad.stderr).toMatch(/^error ARG_TARGET: "127.0.0.1:99999": port "99999" is not a UDP port/);
    expect(bad.code).not.toBe(0);
  });

  it("prints a human-readable reading without --json", async () => {
    const { stdout, code } = await esol("read", `127.0.0.1:${agent.agent.port}`);
    expect(code).toBe(0);
    expect(stdout).toContain("serial     000A5J431816 (brotherSerialNumber)");
    expect(stdout).toContain("supply     1.1 Black Toner Cartridge: someRemaining");
  });
});
