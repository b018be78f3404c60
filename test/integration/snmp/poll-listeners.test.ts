import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type PrinterFleet, startFleet } from "../../../src/sim/index.js";
import { PrinterReader } from "../../../src/snmp/index.js";

// A poll shares one abort signal among its readings. Each reading runs a walk and a GET
// side by side; when every request added its own abort listener, 64 readings in flight
// put more listeners on the signal than it allows and Node printed a
// MaxListenersExceededWarning. A session now adds one listener per signal.

describe("PrinterReader.poll at concurrency 64", () => {
  let fleet: PrinterFleet;
  const warnings: Error[] = [];
  const onWarning = (w: Error) => warnings.push(w);

  beforeAll(async () => {
    fleet = await startFleet({ count: 64, seed: 11 }, { clock: { rate: 0 } });
    process.on("warning", onWarning);
  });
  afterAll(async () => {
    process.off("warning", onWarning);
    await fleet?.close();
  });

  it("reads 64 devices at once without a MaxListenersExceededWarning", async () => {
    const reader = new PrinterReader({ timeoutMs: 3000, retries: 1 });
    let read = 0;
    for await (const r of reader.poll([`127.0.0.1:${fleet.firstPort}-${fleet.lastPort}`], {
      concurrency: 64,
    })) {
      if (!r.reading) throw r.error;
      read++;
    }
    // Warnings are emitted on a later tick.
    await new Promise((resolve) => setImmediate(resolve));
    expect(read).toBe(64);
    expect(warnings.filter((w) => w.name === "MaxListenersExceededWarning").map((w) => w.message)).toEqual(
      [],
    );
  });

  it("still aborts every request in flight when the caller aborts", async () => {
    const reader = new PrinterReader({ timeoutMs: 3000, retries: 1 });
    const abort = new AbortController();
    const readings: string[] = [];
    const polling = (async () => {
      for await (const r of reader.poll([`127.0.0.1:${fleet.firstPort}-${fleet.lastPort}`], {
        concurrency: 64,
        abortSignal: abort.signal,
      }))
        if (r.reading) readings.push(r.target);
    })();
    abort.abort();
    await expect(polling).rejects.toMatchObject({ name: "AbortError" });
    // Aborted before any answer could arrive: no reading completed.
    expect(readings).toEqual([]);
  });
});
