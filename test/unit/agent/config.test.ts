import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadAgentConfig, parseAgentConfig } from "../../../src/agent/config.js";
import { ConfigError } from "../../../src/errors.js";
import { testIdentity } from "../../helpers/keys.js";

const minimal = () => ({
  proxy: { id: "proxy-1" },
  server: { url: "https://127.0.0.1:17443/esolutions/v1" },
  devices: { targets: ["127.0.0.1:30001-30005"] },
  outbox: { path: "./outbox.db" },
});

function errorOf(input: unknown): ConfigError {
  try {
    parseAgentConfig(input, { baseDir: "/srv/esol", readFile: () => "-----BEGIN CERTIFICATE-----\nx\n" });
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error("expected a ConfigError");
}

const dir = mkdtempSync(join(tmpdir(), "esol-config-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("agent config", () => {
  it("fills defaults: polls every 2 h, syncs in 01:00-05:00, resolves the outbox path", () => {
    const c = parseAgentConfig(minimal(), { baseDir: "/srv/esol" });
    expect(c.schedule.pollIntervalMs).toBe(7_200_000);
    expect(c.schedule.fullReadingEveryMs).toBe(86_400_000);
    expect(c.schedule.billingReadMaxAgeMs).toBe(7_200_000);
    expect(c.schedule.syncWindow).toEqual({ startMinute: 60, endMinute: 300 });
    expect(c.outbox.path).toBe("/srv/esol/outbox.db");
    expect(c.devices.profiles).toEqual([{ credentials: [{ version: "v2c", community: "public" }] }]);
    expect(c.server.rejectUnauthorized).toBe(true);
    expect(c.log.level).toBe("info");
  });

  it("accepts intervals of seconds and milliseconds", () => {
    const c = parseAgentConfig({
      ...minimal(),
      schedule: { pollInterval: "30s", syncJitter: "500ms", retryDelay: "1s" },
    });
    expect(c.schedule.pollIntervalMs).toBe(30_000);
    expect(c.schedule.syncJitterMs).toBe(500);
    expect(c.schedule.billingReadMaxAgeMs).toBe(30_000);
  });

  it("takes the full discovery cadence and the billing read age per kind", () => {
    const c = parseAgentConfig({
      ...minimal(),
      schedule: { pollInterval: "1h", fullReadingEvery: "12h", billingReadMaxAge: "30m" },
    });
    expect(c.schedule.fullReadingEveryMs).toBe(43_200_000);
    expect(c.schedule.billingReadMaxAgeMs).toBe(1_800_000);
    expect(
      errorOf({ ...minimal(), schedule: { pollInterval: "2h", fullReadingEvery: "1h" } }).message,
    ).toMatch(/^schedule\.fullReadingEvery: must not be shorter than schedule\.pollInterval/);
  });

  it("names the field of a bad CIDR target", () => {
    const e = errorOf({ ...minimal(), devices: { targets: ["127.0.0.1", "10.0.0.0/24", "10.0.0.1/33"] } });
    expect(e.code).toBe("CONFIG_INVALID");
    expect(e.message).toMatch(/^devices\.targets\[2\]: "10\.0\.0\.1\/33"/);
    expect(e.message).toMatch(/CIDR/);
  });

  it.each([
    [{ server: { url: "ftp://x" } }, /^server\.url: /],
    [{ server: { url: "not a url" } }, /^server\.url: /],
    [{ proxy: {} }, /^proxy\.id: is required/],
    [{ schedule: { pollInterval: "2x" } }, /^schedule\.pollInterval: "2x" is not a duration/],
    [{ schedule: { syncWindow: "1-5" } }, /^schedule\.syncWindow: /],
    [{ schedule: { pollIntervall: "2h" } }, /^schedule\.pollIntervall: unknown field/],
    [{ log: { level: "loud" } }, /^log\.level: /],
    [{ outbox: {} }, /^outbox\.path: is required/],
    [{ devices: { targets: [] } }, /^devices\.targets: /],
    [
      { devices: { targets: ["127.0.0.1"], profiles: [{ credentials: [{ version: "v4" }] }] } },
      /^devices\.profiles\[0\]\.credentials\[0\]\.version: /,
    ],
    [
      {
        devices: {
          targets: ["127.0.0.1"],
          profiles: [{ credentials: [{ version: "v3", user: "u", authKey: "k" }] }],
        },
      },
      /^devices\.profiles\[0\]: .*ranges/,
    ],
    [{ security: { key: "k.pem" } }, /^security\.cert: is required/],
    [{ security: { key: "k.pem", cert: "c.pem", algorithm: "rsa-sha1" } }, /^security\.algorithm: /],
  ])("refuses %j with an error naming the field", (patch, message) => {
    const input = { ...minimal(), ...patch };
    expect(errorOf(input).message).toMatch(message);
  });

  it("loads YAML and JSON files, reading PEMs relative to the file", () => {
    writeFileSync(join(dir, "ca.pem"), "-----BEGIN CERTIFICATE-----\nabc\n-----END CERTIFICATE-----\n");
    writeFileSync(
      join(dir, "agent.yaml"),
      "proxy: { id: p1 }\nserver:\n  url: https://127.0.0.1:17443/esolutions/v1\n  ca: ./ca.pem\ndevices:\n  targets: [127.0.0.1:30001]\noutbox: { path: out.db }\n",
    );
    const c = loadAgentConfig(join(dir, "agent.yaml"));
    expect(c.server.ca).toContain("BEGIN CERTIFICATE");
    expect(c.outbox.path).toBe(join(dir, "out.db"));
    writeFileSync(join(dir, "bad.json"), "{ nope");
    expect(() => loadAgentConfig(join(dir, "bad.json"))).toThrow(/CONFIG_SYNTAX|bad\.json/);
    expect(() => loadAgentConfig(join(dir, "missing.json"))).toThrow(ConfigError);
    writeFileSync(
      join(dir, "noca.json"),
      JSON.stringify({ ...minimal(), server: { url: "https://x/", ca: "./nope.pem" } }),
    );
    expect(() => loadAgentConfig(join(dir, "noca.json"))).toThrow(
      /noca\.json: server\.ca: cannot read "\.\/nope\.pem" \(ENOENT\)/,
    );
  });

  it("names the config file and the PEM files when the signing key does not fit its certificate", async () => {
    const a = await testIdentity("ec-p256", "config-a");
    const b = await testIdentity("ec-p256", "config-b");
    writeFileSync(join(dir, "a-key.pem"), a.keyPem);
    writeFileSync(join(dir, "b-cert.pem"), b.certPem);
    writeFileSync(
      join(dir, "mismatch.json"),
      JSON.stringify({ ...minimal(), security: { key: "./a-key.pem", cert: "./b-cert.pem" } }),
    );
    let err: unknown;
    try {
      loadAgentConfig(join(dir, "mismatch.json"));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    const e = err as ConfigError;
    expect(e.code).toBe("CONFIG_KEY");
    expect(e.message).toContain(join(dir, "mismatch.json"));
    expect(e.message).toContain(`security.key (${join(dir, "a-key.pem")})`);
    expect(e.message).toContain(`security.cert (${join(dir, "b-cert.pem")})`);
    expect(e.message).toContain("the private key does not match the certificate");
    // The CLI line and the message agree: one line, the code once.
    expect(e.toLine()).toBe(`error CONFIG_KEY: ${e.message}`);
  });
});
