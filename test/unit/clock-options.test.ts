/**
 * One clock type (issue 18 item 6): every clock-shaped option takes a `Clock`; the plain
 * functions they took before stay accepted until 0.3 and mean the same.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Outbox } from "../../src/agent/outbox.js";
import { epochMsOf, ManualClock } from "../../src/clock.js";
import { SecurityError } from "../../src/errors.js";
import { createRequestVerifier } from "../../src/wssec/index.js";
import { createTestIdentity, type TestIdentity } from "../helpers/keys.js";
import { SAMPLE_ENVELOPE, signWith } from "./wssec/support.js";

const T0 = Date.parse("2026-11-30T12:00:00.000Z");

let identity: Promise<TestIdentity> | undefined;
const client = (): Promise<TestIdentity> => {
  identity ??= createTestIdentity("rsa", {
    commonName: "esol-test-clock-options",
    notBefore: new Date("2026-01-01T00:00:00Z"),
    notAfter: new Date("2036-01-01T00:00:00Z"),
  });
  return identity;
};

const createdOf = (xml: string): string | undefined => /<wsu:Created>([^<]+)<\/wsu:Created>/.exec(xml)?.[1];

describe("epochMsOf", () => {
  it("reads a Clock, a plain function, and wall time when given nothing", () => {
    const clock = new ManualClock(T0);
    const read = epochMsOf(clock);
    expect(read()).toBe(T0);
    void clock.advance(5);
    expect(read()).toBe(T0 + 5);
    expect(epochMsOf(() => 42)()).toBe(42);
    expect(epochMsOf(undefined)).toBe(Date.now);
  });
});

describe("WS-Security options take a Clock", () => {
  it("the signer stamps Created with its Clock's time, as with the deprecated function", async () => {
    const id = await client();
    const byClock = signWith(id, SAMPLE_ENVELOPE, { clock: new ManualClock(T0) });
    const byFunction = signWith(id, SAMPLE_ENVELOPE, { clock: () => T0 });
    expect(createdOf(byClock)).toBe("2026-11-30T12:00:00.000Z");
    expect(createdOf(byFunction)).toBe(createdOf(byClock));
  });

  it("the verifier checks the Timestamp against its Clock as that clock moves", async () => {
    const id = await client();
    const clock = new ManualClock(T0);
    const verifier = createRequestVerifier({ trust: [id.certPem], clock });
    expect(verifier.verifyRequest(signWith(id, SAMPLE_ENVELOPE, { clock: () => T0 }))).toBeTruthy();
    await clock.advance(3_600_000);
    let refused: unknown;
    try {
      verifier.verifyRequest(signWith(id, SAMPLE_ENVELOPE, { clock: () => T0 + 1 }));
    } catch (err) {
      refused = err;
    }
    expect(refused).toBeInstanceOf(SecurityError);
    expect((refused as SecurityError).message).toMatch(/expired|too old/);
  });
});

describe("the outbox takes a Clock", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "esol-clock-options-"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("stamps entries and schedules retries on its Clock", async () => {
    const clock = new ManualClock(T0);
    const outbox = Outbox.open(join(dir, "outbox.db"), { clock, random: () => 1 });
    try {
      const [a] = outbox.append([{ kind: "billing-read", serial: "SN1", payload: { serial: "SN1" } }]);
      expect(a?.createdAtMs).toBe(T0);
      expect(a?.nextAttemptAtMs).toBe(T0);
      await clock.advance(60_000);
      const [b] = outbox.append([{ kind: "billing-read", serial: "SN2", payload: { serial: "SN2" } }]);
      expect(b?.createdAtMs).toBe(T0 + 60_000);
    } finally {
      outbox.close();
    }
  });
});
