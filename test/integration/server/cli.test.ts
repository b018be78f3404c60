import { type ChildProcessWithoutNullStreams, spawn, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { GENERATED_CERT_FILE, type StoreExport } from "../../../src/server/index.js";
import { createMessageSigner } from "../../../src/wssec/index.js";
import { testIdentity } from "../../helpers/keys.js";
import { get, ops, post } from "./raw.js";

const ESOL = ["--import", "tsx", "src/cli/main.ts"];

/** Spawns `esol server …` and resolves with its `listening <url>` line (or rejects with its stderr). */
function startCli(
  args: string[],
): Promise<{ child: ChildProcessWithoutNullStreams; url: string; stderr: () => string }> {
  const child = spawn(process.execPath, [...ESOL, "server", ...args], { cwd: process.cwd() });
  let out = "";
  let err = "";
  child.stderr.on("data", (d: Buffer) => {
    err += d.toString();
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no listening line; stderr: ${err}`)), 30_000);
    child.stdout.on("data", (d: Buffer) => {
      out += d.toString();
      const m = /^listening (\S+)\n/.exec(out);
      if (m?.[1]) {
        clearTimeout(timer);
        resolve({ child, url: m[1], stderr: () => err });
      }
    });
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`esol server exited ${code}: ${err}`));
    });
  });
}

function stop(
  child: ChildProcessWithoutNullStreams,
  signal: NodeJS.Signals = "SIGTERM",
): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => {
    child.once("exit", (code) => resolve(code));
    child.kill(signal);
  });
}

function esol(args: string[]) {
  return spawnSync(process.execPath, [...ESOL, ...args], {
    cwd: process.cwd(),
    encoding: "utf8",
    timeout: 30_000,
  });
}

describe("esol server", () => {
  let dir: string;
  const children: ChildProcessWithoutNullStreams[] = [];

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "esol-server-cli-"));
  });
  afterEach(async () => {
    for (const c of children.splice(0)) await stop(c, "SIGKILL");
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it("--http prints exactly one `listening <url>` line, serves ?wsdl, and stops cleanly on SIGTERM", async () => {
    const db = join(dir, "http.db");
    const { child, url, stderr } = await startCli(["--http", "--port", "0", "--db", db]);
    children.push(child);
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:[1-9]\d*\/esolutions\/v1$/);
    expect(stderr()).toContain("unsigned requests are accepted");
    const wsdl = await get(`${url}?wsdl`);
    expect(wsdl.body).toContain(`<soap:address location="${url}"/>`);
    expect((await post(url, ops.registerProxy("proxy-key-0001", "cli-proxy"))).status).toBe(200);
    expect(await stop(child, "SIGTERM")).toBe(0);
  });

  it("HTTPS by default with a generated pair reused on restart; SIGINT stops it", async () => {
    const db = join(dir, "https.db");
    const first = await startCli(["--port", "0", "--db", db]);
    children.push(first.child);
    expect(first.url).toMatch(/^https:\/\/127\.0\.0\.1:[1-9]\d*\/esolutions\/v1$/);
    expect(await stop(first.child, "SIGINT")).toBe(0);
    // Restarted on the port the OS gave the first run (free again since it stopped).
    const second = await startCli(["--port", new URL(first.url).port, "--db", db]);
    children.push(second.child);
    expect(second.url).toBe(first.url);
    await stop(second.child);
  });

  it("`esol server export --db FILE` prints the store JSON with each read once", async () => {
    const db = join(dir, "export.db");
    const { child, url } = await startCli(["--http", "--port", "0", "--db", db]);
    children.push(child);
    await post(url, ops.registerProxy("proxy-key-0001", "p1"));
    await post(url, ops.registerDevices("devices-key-01", "p1", ["SN-1"]));
    const reads = ops.submitBillingReads("p1", [ops.read("read-key-0001", "SN-1", 42)]);
    await post(url, reads);
    await post(url, reads);
    const exported = esol(["server", "export", "--db", db]);
    expect(exported.status).toBe(0);
    const store = JSON.parse(exported.stdout) as StoreExport;
    expect(Object.keys(store)).toEqual([
      "proxies",
      "devices",
      "billingReads",
      "suppliesReports",
      "billingRequests",
      "deviceMoves",
    ]);
    expect(store.deviceMoves).toEqual([]);
    expect(store.billingReads).toHaveLength(1);
    expect(store.billingReads[0]?.meters).toEqual([{ name: "Total", value: 42, unit: "impressions" }]);
    await stop(child);
  });

  it("--trust requires signed requests; --sign-key/--sign-cert sign the answers", async () => {
    const proxy = await testIdentity("rsa", "server-cli-proxy");
    const serverId = await testIdentity("ec-p256", "server-cli-signer");
    const files = { trust: join(dir, "proxy.pem"), key: join(dir, "sign.key"), cert: join(dir, "sign.pem") };
    writeFileSync(files.trust, proxy.certPem);
    writeFileSync(files.key, serverId.keyPem);
    writeFileSync(files.cert, serverId.certPem);
    const { child, url, stderr } = await startCli([
      "--http",
      "--port",
      "0",
      "--db",
      join(dir, "trust.db"),
      "--trust",
      files.trust,
      "--sign-key",
      files.key,
      "--sign-cert",
      files.cert,
    ]);
    children.push(child);
    expect(stderr()).not.toContain("warning");
    const unsigned = await post(url, ops.registerProxy("proxy-key-0001", "p1"));
    expect(unsigned.status).toBe(500);
    expect(unsigned.body).toContain("WSS_UNSIGNED");
    const signer = createMessageSigner({ key: proxy.keyPem, cert: proxy.certPem });
    const signed = await signer.secureRequest(ops.registerProxy("proxy-key-0001", "p1"), {
      operation: "RegisterProxy",
      attempt: 1,
    });
    const answer = await post(url, signed);
    expect(answer.status).toBe(200);
    expect(answer.body).toContain("<Duplicate>false</Duplicate>");
    expect(answer.body).toContain("SignatureValue");
    await stop(child);
  });

  it("HTTPS without --trust refuses unsigned requests and binds a proxy's certificate on first use, across restarts", async () => {
    const db = join(dir, "tofu.db");
    const owner = await testIdentity("ec-p256", "server-cli-tofu-owner");
    const impostor = await testIdentity("ec-p256", "server-cli-tofu-impostor");
    const sign = (id: typeof owner, envelope: string, keyReference: "bst" | "thumbprint-sha256" = "bst") =>
      createMessageSigner({ key: id.keyPem, cert: id.certPem, keyReference }).secureRequest(envelope, {
        operation: /<t:(\w+)>/.exec(envelope)?.[1] ?? "",
        attempt: 1,
      });
    const first = await startCli(["--port", "0", "--db", db]);
    children.push(first.child);
    expect(first.url.startsWith("https://")).toBe(true);
    expect(first.stderr()).toContain("trust on first use");
    const ca = { ca: readFileSync(join(dir, GENERATED_CERT_FILE), "utf8") };
    const unsigned = await post(first.url, ops.registerProxy("proxy-key-0001", "p1"), ca);
    expect(unsigned.status).toBe(500);
    expect(unsigned.body).toContain("<faultcode>wsse:InvalidSecurity</faultcode>");
    expect(unsigned.body).toContain("WSS_UNSIGNED");
    const bound = await post(first.url, await sign(owner, ops.registerProxy("proxy-key-0002", "p1")), ca);
    expect(bound.status).toBe(200);
    expect(await stop(first.child, "SIGTERM")).toBe(0);

    const second = await startCli(["--port", new URL(first.url).port, "--db", db]);
    children.push(second.child);
    const byThumbprint = await post(second.url, await sign(owner, ops.sync("p1"), "thumbprint-sha256"), ca);
    expect(byThumbprint.status).toBe(200);
    const stolen = await post(
      second.url,
      await sign(impostor, ops.registerProxy("proxy-key-0003", "p1")),
      ca,
    );
    expect(stolen.body).toContain("WSS_UNTRUSTED_KEY");
    await stop(second.child);

    const exported = JSON.parse(esol(["server", "export", "--db", db]).stdout) as StoreExport;
    expect(exported.proxies.map((p) => p.proxyId)).toEqual(["p1"]);
    expect(exported.proxies[0]?.signer?.thumbprintSha256).toMatch(/^[0-9a-f]{64}$/);
    const unbind = esol(["server", "unbind", "--db", db, "--proxy", "p1"]);
    expect(unbind.stdout).toBe("unbound p1\n");
    expect(unbind.status).toBe(0);
    const again = esol(["server", "unbind", "--db", db, "--proxy", "p1"]);
    expect(again.status).not.toBe(0);
    expect(again.stderr).toMatch(/^error ARG_INVALID: /);
    expect(JSON.parse(esol(["server", "export", "--db", db]).stdout).proxies[0].signer).toBeUndefined();
  });

  it("--insecure-unsigned accepts unsigned requests over HTTPS, with a warning", async () => {
    const db = join(dir, "insecure", "insecure.db");
    mkdirSync(join(dir, "insecure"));
    const { child, url, stderr } = await startCli(["--port", "0", "--db", db, "--insecure-unsigned"]);
    children.push(child);
    expect(stderr()).toContain("warning: --insecure-unsigned");
    const ca = { ca: readFileSync(join(dir, "insecure", GENERATED_CERT_FILE), "utf8") };
    expect((await post(url, ops.registerProxy("proxy-key-0001", "p1"), ca)).status).toBe(200);
    await stop(child);
  });

  it("bad arguments give one `error <code>: <reason>` line and a non-zero exit", () => {
    const cases: Array<[string[], RegExp]> = [
      [["server", "--port", "0"], /^error ARG_MISSING: --db FILE\|URL is required\n$/],
      [
        ["server", "--port", "0", "--db", "postgres://esol@127.0.0.1:1/esol"],
        /^error ARG_INVALID: a PostgreSQL --db needs --cert\/--key/,
      ],
      [
        [
          "server",
          "--port",
          "0",
          "--db",
          "postgres://esol@127.0.0.1:1/esol",
          "--http",
          "--db-sslmode",
          "maybe",
        ],
        /^error ARG_INVALID: --db-sslmode must be one of/,
      ],
      [
        ["server", "--port", "0", "--db", join(dir, "x.db"), "--cycle", "weekly"],
        /^error ARG_INVALID: --cycle/,
      ],
      [
        ["server", "--port", "0", "--db", join(dir, "x.db"), "--trust", join(dir, "missing.pem")],
        /^error ARG_FILE: --trust/,
      ],
      [["server", "export", "--db", join(dir, "absent", "none.db")], /^error STORAGE_NOT_FOUND: /],
      [
        ["server", "--port", "0", "--http", "--db", "mysql://x/y"],
        /^error CONFIG_DB: --db: the mysql:\/\/ scheme is not supported; give a SQLite file path or a postgres:\/\/ \(postgresql:\/\/\) URL\n$/,
      ],
      [
        ["server", "export", "--db", "sqlite://x.db"],
        /^error CONFIG_DB: --db: the sqlite:\/\/ scheme is not supported/,
      ],
      [
        ["server", "unbind", "--db", "mariadb://u:secret@h/d", "--proxy", "p"],
        /^error CONFIG_DB: --db: the mariadb:\/\/ scheme/,
      ],
    ];
    for (const [args, line] of cases) {
      const r = esol(args);
      expect(r.status).not.toBe(0);
      expect(r.stderr).toMatch(line);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
    // Nine CLI processes one after the other: ~16 s on a quiet machine, over 60 s on two
    // cores shared with other suites.
  }, 180_000);

  it("refuses a port that is already taken with a clear error", async () => {
    const db = join(dir, "busy.db");
    const { child, url } = await startCli(["--http", "--port", "0", "--db", db]);
    children.push(child);
    const r = esol(["server", "--http", "--port", new URL(url).port, "--db", join(dir, "busy2.db")]);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/^(warning: .*\n)?error CONFIG_PORT_IN_USE: /);
    await stop(child);
  });
});
