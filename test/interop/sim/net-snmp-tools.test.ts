import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type PrinterFleet, startFleet } from "../../../src/sim/index.js";
import { parseSnmprec } from "../../../src/sim/snmprec.js";
import type { Varbind } from "../../../src/snmp/varbind.js";

// Net-SNMP's own command-line manager against the simulator (ports of its own choosing).
const run = promisify(execFile);
const FIXTURES = "test/fixtures/snmprec";
const USER = { name: "interop", authKey: "interop-auth-1", privKey: "interop-priv-1" };
let recordings: PrinterFleet;
let synthetic: PrinterFleet;

beforeAll(async () => {
  recordings = await startFleet({ recordings: FIXTURES }, { v3Users: [USER], clock: { rate: 0 } });
  synthetic = await startFleet({ count: 5, seed: 4 }, { v3Users: [USER], clock: { rate: 0 } });
});
afterAll(async () => {
  await recordings?.close();
  await synthetic?.close();
});

/** Parses `-Onqx -Ot` output: one record per `.OID value` (hex strings may span lines). */
function parseTool(stdout: string): { oid: string; value: string }[] {
  const out: { oid: string; value: string }[] = [];
  for (const line of stdout.split("\n")) {
    const m = /^\.((?:\d+\.)+\d+) (.*)$/.exec(line);
    if (m) out.push({ oid: m[1] as string, value: m[2] as string });
    else if (line.trim() !== "" && out.length > 0)
      (out[out.length - 1] as { value: string }).value += ` ${line}`;
  }
  return out.map((r) => ({ oid: r.oid, value: r.value.replace(/"/g, "").replace(/\s+/g, " ").trim() }));
}

/** How `-Onqx -Ot` prints a varbind's value. */
function asTool(vb: Varbind): string {
  switch (vb.type) {
    case "OctetString":
      return [...vb.value].map((b) => b.toString(16).toUpperCase().padStart(2, "0")).join(" ");
    case "ObjectIdentifier":
      return `.${vb.value}`;
    case "Null":
    case "NoSuchObject":
    case "NoSuchInstance":
    case "EndOfMibView":
      return "";
    default:
      return String(vb.value);
  }
}

const tool = async (cmd: string, args: string[]): Promise<string> =>
  (await run(cmd, ["-Onqx", "-Ot", "-t", "2", "-r", "1", ...args], { timeout: 30_000 })).stdout;

describe("Net-SNMP tools against the simulator", () => {
  it.each(["brother-mfc-l2710dw", "xerox-altalink-c8045"])(
    "snmpbulkwalk -v2c -c %s prints every value of the recording's Printer-MIB subtree, in order",
    async (name) => {
      const device = recordings.devices.find((d) => d.model === name);
      const expected = parseSnmprec(readFileSync(`${FIXTURES}/${name}.snmprec`, "utf8")).filter((vb) =>
        vb.oid.startsWith("1.3.6.1.2.1.43."),
      );
      expect(expected.length).toBeGreaterThan(5);
      const printed = parseTool(
        await tool("snmpbulkwalk", ["-v2c", "-c", name, `127.0.0.1:${device?.port}`, "1.3.6.1.2.1.43"]),
      );
      expect(printed).toEqual(expected.map((vb) => ({ oid: vb.oid, value: asTool(vb) })));
    },
  );

  it("snmpbulkwalk decodes every snmprec type (hex strings, IpAddress, Opaque, Counter64 max)", async () => {
    const file = "test/fixtures/sim/all-types.snmprec";
    const types = await startFleet({ recordings: [file] }, { clock: { rate: 0 } });
    try {
      const expected = parseSnmprec(readFileSync(file, "utf8"));
      const { stdout, stderr } = await run("snmpbulkwalk", [
        "-v2c",
        "-c",
        "all-types",
        "-On",
        `127.0.0.1:${types.firstPort}`,
        "1.3.6.1",
      ]);
      expect(stderr).toBe("");
      // snmpbulkwalk also prints the endOfMibView that ended the walk.
      expect(stdout).toContain("No more variables left in this MIB View");
      const lines = stdout.split("\n").filter((l) => /^\.\d/.test(l) && !l.includes("No more variables"));
      expect(lines.map((l) => l.split(" ")[0]?.slice(1))).toEqual(expected.map((vb) => vb.oid));
      expect(stdout).toContain("Counter64: 18446744073709551615");
      expect(stdout).toContain("IpAddress: 127.0.0.1");
      expect(stdout).toContain("Hex-STRING: 00 FF 10 E9 C3");
      expect(stdout).toContain("Opaque: Float: 10.000000");
    } finally {
      await types.close();
    }
  });

  it("snmpwalk -v1 -c public walks the whole recording in order", async () => {
    const device = recordings.devices[0];
    const expected = parseSnmprec(readFileSync(`${FIXTURES}/${device?.model}.snmprec`, "utf8"));
    const printed = parseTool(
      await tool("snmpwalk", ["-v1", "-c", "public", `127.0.0.1:${device?.port}`, "1.3.6.1"]),
    );
    expect(printed.map((r) => r.oid)).toEqual(expected.map((vb) => vb.oid));
  });

  it("snmpget -v2c reads scalars of a synthetic printer as its truth says", async () => {
    const device = synthetic.devices[2];
    const truth = device?.truth();
    const printed = parseTool(
      await tool("snmpget", [
        "-v2c",
        "-c",
        "public",
        `127.0.0.1:${device?.port}`,
        "1.3.6.1.2.1.1.3.0",
        "1.3.6.1.2.1.43.10.2.1.4.1.1",
        "1.3.6.1.2.1.43.5.1.1.17.1",
      ]),
    );
    expect(printed.map((r) => r.value)).toEqual([
      String(truth?.uptimeTicks),
      String(truth?.lifeCount),
      asTool({ oid: "", type: "OctetString", value: Buffer.from(truth?.serial ?? "") }),
    ]);
  });

  it("snmpget -v3 -l authPriv -a SHA -x AES reads the serial; a wrong passphrase is refused", async () => {
    const device = synthetic.devices[0];
    const v3 = (authKey: string) => [
      "-v3",
      "-l",
      "authPriv",
      "-u",
      USER.name,
      "-a",
      "SHA",
      "-A",
      authKey,
      "-x",
      "AES",
      "-X",
      USER.privKey,
      `127.0.0.1:${device?.port}`,
      "1.3.6.1.2.1.43.5.1.1.17.1",
    ];
    const [serial] = parseTool(await tool("snmpget", v3(USER.authKey)));
    expect(serial?.value).toBe(
      asTool({ oid: "", type: "OctetString", value: Buffer.from(device?.serial ?? "") }),
    );
    await expect(tool("snmpget", v3("wrong-passphrase"))).rejects.toThrow();
  });
});
