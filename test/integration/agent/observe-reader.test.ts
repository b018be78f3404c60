/**
 * `observeReader` (the hook `esol agent --http` counts SNMP errors with) used to return a new
 * object with only `read`, `poll` and `pollPlanned`: a `PrinterReader`'s other methods
 * (`readPlanned`, `credentialsFor`) and a custom reader's own (`close`) were gone. It now
 * observes the reads it knows and forwards every other member to the reader itself.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { observeReader } from "../../../src/agent/metrics.js";
import type { SdkError } from "../../../src/errors.js";
import { type PrinterFleet, startFleet } from "../../../src/sim/index.js";
import { PrinterReader } from "../../../src/snmp/reader.js";
import { type SilentTarget, silentUdpTarget } from "../../helpers/silent.js";

let fleet: PrinterFleet;
let silent: SilentTarget;
let printer: string;

beforeAll(async () => {
  fleet = await startFleet({ count: 1, seed: 5 }, { clock: { rate: 0 } });
  silent = await silentUdpTarget();
  printer = `127.0.0.1:${fleet.firstPort}`;
});
afterAll(async () => {
  await fleet?.close();
  await silent?.close();
});

/** A reader with members of its own: a private field and a lifecycle method. */
class ClosableReader extends PrinterReader {
  readonly #open = new Set<string>();
  override async read(target: string): Promise<Awaited<ReturnType<PrinterReader["read"]>>> {
    this.#open.add(target);
    return super.read(target);
  }
  /** The targets read since the last close, then forgets them. */
  close(): string[] {
    const was = [...this.#open];
    this.#open.clear();
    return was;
  }
}

describe("observeReader", () => {
  it("keeps a PrinterReader a PrinterReader: its other methods work on the reader itself", () => {
    const reader = new PrinterReader({ credentials: { version: "v2c", community: "private" } });
    const observed = observeReader(reader, () => {});
    expect(observed).toBeInstanceOf(PrinterReader);
    expect(observed.credentialsFor("127.0.0.1")).toEqual(reader.credentialsFor("127.0.0.1"));
    expect(observed.credentialsFor("127.0.0.1")).toEqual([{ version: "v2c", community: "private" }]);
  });

  it("observes the reads it knows, readPlanned included, and nothing twice", async () => {
    const outcomes: (string | undefined)[] = [];
    const observed = observeReader(new PrinterReader({ timeoutMs: 200, retries: 0 }), (err) =>
      outcomes.push(err?.code),
    );
    expect((await observed.read(printer)).identity.serial).toBeTruthy();
    const planned = await observed.readPlanned(printer, null);
    expect(planned.kind).toBe("full");
    const refused = await observed.readPlanned(silent.target, null).catch((err: SdkError) => err);
    expect((refused as SdkError).code).toBe("SNMP_TIMEOUT");
    const polled = [];
    for await (const r of observed.poll([printer, silent.target])) polled.push(r);
    expect(polled).toHaveLength(2);
    expect(outcomes.slice(0, 3)).toEqual([undefined, undefined, "SNMP_TIMEOUT"]);
    expect(outcomes.slice(3).sort()).toEqual(["SNMP_TIMEOUT", undefined]);
  });

  it("forwards a custom reader's own members, called on the reader (private fields work)", async () => {
    const reader = new ClosableReader({ timeoutMs: 200, retries: 0 });
    const seen: (SdkError | undefined)[] = [];
    const observed = observeReader(reader, (err) => seen.push(err));
    await observed.read(printer);
    expect(seen).toEqual([undefined]);
    expect(observed.close).toBe(observed.close);
    expect(observed.close()).toEqual([printer]);
    expect(reader.close()).toEqual([]);
    expect("pollPlanned" in observed).toBe(true);
  });
});
