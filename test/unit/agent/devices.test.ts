import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { DeviceRegistry } from "../../../src/agent/devices.js";
import { Outbox } from "../../../src/agent/outbox.js";
import type { PolledReading } from "../../../src/agent/readings.js";

let dir: string;
let outbox: Outbox;
let registry: DeviceRegistry;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "esol-devices-"));
  outbox = Outbox.open(join(dir, "o.db"));
  registry = new DeviceRegistry(outbox);
});
afterEach(() => {
  outbox.close();
  rmSync(dir, { recursive: true, force: true });
});

const reading = (serial: string, address: string, mac?: string): PolledReading => ({
  serial,
  address,
  readAt: new Date(1000),
  readAtMs: 1000,
  meters: [],
  supplies: [],
  ...(mac ? { mac } : {}),
});

describe("DeviceRegistry", () => {
  it("lists what is stored: kept between writes, never past a write of this or another connection, nor a rolled-back one", () => {
    registry.sighted(reading("A", "10.0.0.1:161"), 1);
    registry.sighted(reading("B", "10.0.0.2:161"), 1);
    const first = registry.list();
    expect(first.map((d) => [d.serial, d.state])).toEqual([
      ["A", "ok"],
      ["B", "ok"],
    ]);
    // A caller changing what it got changes nothing kept.
    (first[0] as { state: string }).state = "changed";
    expect(registry.list()[0]?.state).toBe("ok");
    // A write through another registry on the same outbox.
    new DeviceRegistry(outbox).disable("A", "gone");
    expect(registry.list()[0]).toMatchObject({ serial: "A", state: "disabled" });
    // A write through another connection to the same file.
    const other = new Database(join(dir, "o.db"));
    other.prepare("UPDATE devices SET failed_polls = 7 WHERE serial = 'B'").run();
    other.close();
    expect(registry.list()[1]).toMatchObject({ serial: "B", failedPolls: 7 });
    // Read inside a transaction that is then rolled back: the rolled-back row is not kept.
    expect(() =>
      outbox.transaction(() => {
        registry.sighted(reading("C", "10.0.0.3:161"), 2);
        expect(registry.list().map((d) => d.serial)).toEqual(["A", "B", "C"]);
        throw new Error("roll back");
      }),
    ).toThrow();
    expect(registry.list().map((d) => d.serial)).toEqual(["A", "B"]);
  });

  it("classifies a first sighting as new and later ones as known", () => {
    expect(registry.sighted(reading("A", "10.0.0.1:161"), 1).kind).toBe("new");
    expect(registry.sighted(reading("A", "10.0.0.1:161"), 2).kind).toBe("known");
  });

  it("detects a replacement by address and by MAC", () => {
    registry.sighted(reading("A", "10.0.0.1:161", "aa:aa:aa:aa:aa:01"), 1);
    const byAddress = registry.sighted(reading("B", "10.0.0.1:161"), 2);
    expect(byAddress.kind).toBe("replaced");
    expect(byAddress.kind === "replaced" && byAddress.previous.serial).toBe("A");
    expect(registry.get("A")).toMatchObject({ state: "replaced", statusDirty: true });
    registry.sighted(reading("C", "10.0.0.9:161", "aa:aa:aa:aa:aa:09"), 3);
    const byMac = registry.sighted(reading("D", "10.0.0.10:161", "aa:aa:aa:aa:aa:09"), 4);
    expect(byMac.kind === "replaced" && byMac.previous.serial).toBe("C");
  });

  it("turns a device silent after N missed polls, once, and back to ok when it answers", () => {
    registry.sighted(reading("A", "10.0.0.1:161"), 1);
    expect(registry.missed("10.0.0.1:161", 3)).toEqual([]);
    expect(registry.missed("10.0.0.1:161", 3)).toEqual([]);
    expect(registry.missed("10.0.0.1:161", 3).map((d) => d.serial)).toEqual(["A"]);
    expect(registry.missed("10.0.0.1:161", 3)).toEqual([]);
    expect(registry.dirty().map((d) => [d.serial, d.state])).toEqual([["A", "silent"]]);
    registry.reported(registry.dirty());
    expect(registry.dirty()).toEqual([]);
    const back = registry.sighted(reading("A", "10.0.0.1:161"), 5);
    expect(back.kind === "known" && back.recovered).toBe(true);
    expect(registry.get("A")).toMatchObject({ state: "ok", failedPolls: 0, statusDirty: true });
  });

  it("keeps services and disabled state across reopen", () => {
    registry.sighted(reading("A", "10.0.0.1:161"), 1);
    registry.setService("A", "billing", true);
    registry.setService("A", "supplies", true, 86_400_000);
    outbox.close();
    outbox = Outbox.open(join(dir, "o.db"));
    registry = new DeviceRegistry(outbox);
    expect(registry.get("A")).toMatchObject({
      billing: true,
      supplies: true,
      suppliesIntervalMs: 86_400_000,
    });
    registry.disable("A", "contract ended");
    expect(registry.get("A")).toMatchObject({
      state: "disabled",
      billing: false,
      supplies: false,
      detail: "contract ended",
    });
  });
});
