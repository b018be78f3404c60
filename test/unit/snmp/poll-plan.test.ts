import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parseSnmprec } from "../../../src/sim/snmprec.js";
import {
  buildPollPlan,
  checkSteadyAnswers,
  decodeReading,
  defaultMeterMaps,
  Oid,
  parsePollPlan,
  serializePollPlan,
  type Varbind,
} from "../../../src/snmp/index.js";

// An AltaLink: supplies from one recording, billing meters from another (no alert counters, so probes).
const XEROX = [
  ...parseSnmprec(readFileSync("test/fixtures/snmprec/xerox-altalink-c8045.snmprec", "utf8")),
  ...parseSnmprec(readFileSync("test/fixtures/snmp/xerox-billing-altalink.snmprec", "utf8")),
];
const reading = decodeReading(XEROX, { target: "192.0.2.10:161", readAt: new Date(0) });
const plan = buildPollPlan(XEROX, reading, { target: "192.0.2.10:161", meterMaps: defaultMeterMaps });
const answersOf = (varbinds: readonly Varbind[]) =>
  plan.objects.map((o) => varbinds.find((vb) => vb.oid === o.oid) as Varbind);
/** GETNEXT answers past every probed table: nothing was added. */
const outside: Varbind[] = plan.probes.map(() => ({ oid: "1.3.6.1.2.1.99.1.0", type: "Integer", value: 1 }));

describe("poll plans derived from a full reading", () => {
  it("poll sysUpTime, the serial's object, every billing meter the map names and every supply level", () => {
    const oids = plan.objects.map((o) => o.oid);
    expect(oids[0]).toBe(Oid.sysUpTime);
    expect(plan.objects.find((o) => o.check === "identity")).toBeDefined();
    for (const m of reading.meters) expect(oids, m.name).toContain(m.oid);
    for (const s of reading.supplies) expect(oids).toContain(`${Oid.prtMarkerSuppliesLevel}.${s.index}`);
    expect(oids.some((o) => o.startsWith(Oid.prtMarkerSuppliesDescription))).toBe(false);
  });

  it("survive their JSON form, bytes and 64-bit counters included", () => {
    const withBig: typeof plan = {
      ...plan,
      varbinds: [...plan.varbinds, { oid: "1.3.6.1.4.1.99999.1.0", type: "Counter64", value: 2n ** 63n }],
    };
    expect(parsePollPlan(serializePollPlan(withBig)).plan).toEqual(withBig);
  });

  it("refuse a stored plan that is not JSON, of another version, or with a malformed varbind", () => {
    expect(parsePollPlan("{").fallback?.code).toBe("planCorrupt");
    expect(parsePollPlan(JSON.stringify({ ...plan, version: 0 })).fallback?.code).toBe("planVersion");
    const stored = JSON.parse(serializePollPlan(plan)) as { varbinds: unknown[] };
    stored.varbinds[0] = ["1.3.6", "OctetString", "zz"];
    expect(parsePollPlan(JSON.stringify(stored)).fallback?.code).toBe("planCorrupt");
  });
});

describe("steady answers checked against the plan", () => {
  it("are laid over the kept varbinds when they fit", () => {
    const answers = answersOf(XEROX).map((vb) =>
      vb.type === "Integer" && vb.oid.startsWith("1.3.6.1.4.1.253") ? { ...vb, value: vb.value + 5 } : vb,
    );
    const checked = checkSteadyAnswers(plan, answers, outside);
    expect(checked.fallback).toBeUndefined();
    const merged = decodeReading(checked.varbinds ?? [], { target: "192.0.2.10:161", readAt: new Date(0) });
    const before = reading.meters.filter((m) => m.source === "vendor");
    const after = merged.meters.filter((m) => m.source === "vendor");
    expect(after.map((m) => m.value)).toEqual(before.map((m) => m.value + 5));
  });

  it("say why a full reading is needed: reboot, missing object, risen level, another type", () => {
    const base = answersOf(XEROX);
    const replace = (oid: string, vb: Varbind) => base.map((x) => (x.oid === oid ? vb : x));
    const uptime = base[0] as Varbind;
    expect(
      checkSteadyAnswers(plan, replace(Oid.sysUpTime, { ...uptime, value: 5 } as Varbind), outside).fallback
        ?.code,
    ).toBe("rebooted");
    const level = plan.objects.find((o) => o.check === "level")?.oid ?? "";
    expect(
      checkSteadyAnswers(plan, replace(level, { oid: level, type: "NoSuchInstance", value: null }), outside)
        .fallback?.code,
    ).toBe("missingObject");
    expect(
      checkSteadyAnswers(plan, replace(level, { oid: level, type: "Integer", value: 1_000_000 }), outside)
        .fallback?.code,
    ).toBe("supplyReplaced");
    expect(
      checkSteadyAnswers(
        plan,
        replace(level, { oid: level, type: "OctetString", value: Buffer.from("x") }),
        [],
      ).fallback?.code,
    ).toBe("answerMismatch");
  });

  it("find a row added after a table's end through the GETNEXT probes", () => {
    const probes = plan.probes;
    expect(probes.length).toBeGreaterThan(0);
    expect(checkSteadyAnswers(plan, answersOf(XEROX), outside).fallback).toBeUndefined();
    const added = probes.map(
      (p, i): Varbind => ({
        oid: i === 0 ? `${p.column}.1.999` : "1.3.6.1.2.1.99.1.0",
        type: "Integer",
        value: 1,
      }),
    );
    expect(checkSteadyAnswers(plan, answersOf(XEROX), added).fallback?.code).toBe("tableChanged");
  });
});
