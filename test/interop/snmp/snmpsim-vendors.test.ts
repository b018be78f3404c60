import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DeviceReading } from "../../../src/snmp/index.js";
import { type SnmpSim, snmpToolsAvailable, startSnmpSim } from "../../helpers/snmpsim.js";
import { EXPECTED, VENDOR_RECORDINGS } from "../../integration/snmp/vendor-expected.js";

const run = promisify(execFile);
const available = await snmpToolsAvailable();

describe.skipIf(!available)(
  "vendor maps: esol read --json against snmpsim serving the vendor recordings",
  () => {
    let sim: SnmpSim;
    beforeAll(async () => {
      sim = await startSnmpSim(VENDOR_RECORDINGS);
    });
    afterAll(async () => {
      await sim?.stop();
    });

    for (const name of Object.keys(EXPECTED).sort()) {
      it(`${name}: serial, model and every vendor meter`, async () => {
        const want = EXPECTED[name]!;
        const { stdout } = await run("node", [
          "--import",
          "tsx",
          "src/cli/main.ts",
          "read",
          `127.0.0.1:${sim.port}`,
          "--community",
          name,
          "--json",
        ]);
        const r = JSON.parse(stdout) as DeviceReading;
        expect(r.identity).toMatchObject({
          vendor: want.vendor,
          model: want.model,
          serial: want.serial,
          serialSource: want.serialSource,
        });
        expect(
          Object.fromEntries(r.meters.filter((m) => m.source === "vendor").map((m) => [m.name, m.value])),
        ).toEqual(want.meters);
        expect(r.problems).toEqual([]);
      });
    }
  },
);
