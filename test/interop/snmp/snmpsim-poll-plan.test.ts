import { readdirSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PrinterReader, serializePollPlan } from "../../../src/snmp/index.js";
import { type SnmpSim, snmpToolsAvailable, startSnmpSim } from "../../helpers/snmpsim.js";

// Steady polls against snmpsim (an agent nobody here wrote) serving the recordings: the plan
// made from a full reading must fit its answers, and decode to that full reading.

const DIRS = ["test/fixtures/snmprec", "test/fixtures/snmp/vendors"];
const available = await snmpToolsAvailable();

describe.skipIf(!available)("steady polls of snmpsim recordings", () => {
  const sims: SnmpSim[] = [];
  beforeAll(async () => {
    for (const dir of DIRS) sims.push(await startSnmpSim(dir));
  });
  afterAll(async () => {
    for (const s of sims) await s.stop();
  });

  for (const [d, dir] of DIRS.entries()) {
    const names = readdirSync(dir)
      .filter((f) => f.endsWith(".snmprec"))
      .map((f) => f.replace(/\.snmprec$/, ""));
    for (const name of names) {
      it(`${name}: one GET (and a table-end GETNEXT) decodes to the full reading`, async () => {
        const sim = sims[d] as SnmpSim;
        const reader = new PrinterReader({
          credentials: { version: "v2c", community: name },
          now: () => Date.UTC(2030, 0, 1),
        });
        const target = `127.0.0.1:${sim.port}`;
        const full = await reader.readPlanned(target, null);
        expect(full.kind).toBe("full");
        expect(full.plan).not.toBeNull();
        const steady = await reader.readPlanned(target, serializePollPlan(full.plan!));
        expect(steady.fallback).toBeNull();
        expect(steady.kind).toBe("steady");
        const objects = full.plan?.objects.length ?? 0;
        expect(steady.requests).toBe(Math.ceil(objects / 24) + ((full.plan?.probes.length ?? 0) > 0 ? 1 : 0));
        // snmpsim answers the recorded sysUpTime, so both readings are of the same moment.
        expect(steady.reading).toEqual(await reader.read(target));
      });
    }
  }
});
