/**
 * `esol codegen` as a user runs it: a client written for a good WSDL; for each kind of bad
 * input one `error CODEGEN_…` line naming the problem, a non-zero exit, and nothing written.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runEsol } from "../../helpers/esol.js";

const dir = mkdtempSync(join(tmpdir(), "esol-codegen-cli-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const wsdl = (name: string, file: string) => join("test", "fixtures", "wsdl", name, file);

describe("esol codegen", () => {
  it("writes <out>/index.ts for the first SOAP 1.1 port and says so", async () => {
    const out = join(dir, "ok", "nested");
    const r = await runEsol([
      "codegen",
      "--wsdl",
      wsdl("cxf-import-chain", "hello_world_services.wsdl"),
      "--out",
      out,
    ]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`wrote ${join(out, "index.ts")}\n`);
    const text = readFileSync(join(out, "index.ts"), "utf8");
    expect(text.split("\n")[0]).toMatch(
      /^\/\/ generated — do not edit; esol codegen --wsdl .* --port SoapPort$/,
    );
    expect(text).toContain('from "esolutions-sdk";');
    expect(text).toContain("export function createClient(");
  });

  it("--port picks another port", async () => {
    const out = join(dir, "https");
    const r = await runEsol([
      "codegen",
      "--wsdl",
      wsdl("cxf-import-chain", "hello_world_services.wsdl"),
      "--port",
      "HttpsPort",
      "--out",
      out,
    ]);
    expect(r.code).toBe(0);
    expect(readFileSync(join(out, "index.ts"), "utf8")).toContain(
      '"https://localhost:9001/SoapContext/HttpsPort"',
    );
  });

  const bad: Array<[string, string[], RegExp]> = [
    [
      "a WSDL that is not well-formed",
      ["--wsdl", wsdl("not-well-formed", "wsdl_with_attributes.wsdl")],
      /^error CODEGEN_WSDL: .*wsdl_with_attributes\.wsdl is not well-formed XML: .*prefix.*not declared\n$/,
    ],
    [
      "an import that cannot be found",
      ["--wsdl", wsdl("missing-import", "extended_element.wsdl")],
      /^error CODEGEN_WSDL: cannot read .*Common\.xsd \(imported by .*extended_element\.wsdl\): ENOENT\n$/,
    ],
    [
      "a WSDL file that does not exist",
      ["--wsdl", join(dir, "nope.wsdl")],
      /^error CODEGEN_WSDL: cannot read .*nope\.wsdl: ENOENT\n$/,
    ],
    [
      "a port that does not exist",
      ["--wsdl", wsdl("cxf-import-chain", "hello_world_services.wsdl"), "--port", "Nope"],
      /^error CODEGEN_PORT: no port "Nope" in .* \(ports: SoapPort, HttpsPort\)\n$/,
    ],
    [
      "a service that does not exist",
      ["--wsdl", wsdl("cxf-rpc-literal", "hello_world_soap_action_rpc.wsdl"), "--service", "Nope"],
      /^error CODEGEN_PORT: no service "Nope" in .* \(services: SOAPRPCService\)\n$/,
    ],
    [
      "a SOAP 1.2-only WSDL",
      ["--wsdl", wsdl("cxf-soap12", "hello_world_soap12.wsdl")],
      /^error CODEGEN_UNSUPPORTED: .*hello_world_soap12\.wsdl is SOAP 1\.2-only \(ports: SoapPort\); only SOAP 1\.1 bindings are supported\n$/,
    ],
    [
      "rpc/encoded",
      ["--wsdl", wsdl("rpc-encoded", "hello.wsdl")],
      /^error CODEGEN_UNSUPPORTED: operation "sayHello" of binding "Hello_Binding" uses SOAP encoding \(rpc\/encoded input\); only literal .*\n$/,
    ],
  ];

  it("soap:header parts: element parts are generated; a type part (unsupported) is named on stderr as a warning", async () => {
    const out = join(dir, "headers");
    const r = await runEsol([
      "codegen",
      "--wsdl",
      wsdl("zeep-soap-header", "soap_header.wsdl"),
      "--out",
      out,
    ]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`wrote ${join(out, "index.ts")}\n`);
    expect(r.stderr.split("\n").filter(Boolean)).toEqual([
      'warning: operation "GetLastTradePrice" of binding "StockQuoteBinding": soap:header part "body" of message "OptionalResponseHeader" (output) names a type, not an element (WS-I BP 1.1 R2204), not generated; the client does not read it',
    ]);
    const text = readFileSync(join(out, "index.ts"), "utf8");
    expect(text).toContain(' * Not generated: operation "GetLastTradePrice"');
    // The two element parts bound as input headers are typed header values.
    expect(text).toContain("export type ClientHeaders = {");
    expect(text).toMatch(/ header\?: AuthenticationInput \| undefined;/);
    expect(text).toMatch(/ token\?: TokenInput \| undefined;/);
  });

  it.each(bad)("%s: one line naming it, exit 1, nothing written", async (_what, args, line) => {
    const out = join(dir, `bad-${Math.random().toString(36).slice(2)}`);
    const r = await runEsol(["codegen", ...args, "--out", out]);
    expect(r.stderr).toMatch(line);
    expect(r.stdout).toBe("");
    expect(r.code).toBe(1);
    expect(existsSync(out)).toBe(false);
  });

  it("a WSDL URL that cannot be fetched: the cause on the one line (refused, HTTP status, blocked port)", async () => {
    const server = createServer((_req, res) => res.writeHead(404).end("no"));
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const live = (server.address() as AddressInfo).port;
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, "127.0.0.1", r));
    const refused = (closed.address() as AddressInfo).port;
    await new Promise((r) => closed.close(r));
    try {
      const cases: Array<[string, RegExp]> = [
        [
          `http://127.0.0.1:${refused}/x?wsdl`,
          new RegExp(
            `^error CODEGEN_WSDL: cannot read http://127\\.0\\.0\\.1:${refused}/x\\?wsdl: fetch failed \\(connect ECONNREFUSED 127\\.0\\.0\\.1:${refused}\\)\n$`,
          ),
        ],
        [
          `http://127.0.0.1:${live}/x?wsdl`,
          /^error CODEGEN_WSDL: cannot read .*\/x\?wsdl: HTTP 404 Not Found\n$/,
        ],
        [
          "http://127.0.0.1:1/x?wsdl",
          /^error CODEGEN_WSDL: cannot read .*:1\/x\?wsdl: fetch failed \(bad port\)\n$/,
        ],
      ];
      for (const [url, line] of cases) {
        const out = join(dir, `bad-url-${Math.random().toString(36).slice(2)}`);
        const r = await runEsol(["codegen", "--wsdl", url, "--out", out]);
        expect(r.stderr, url).toMatch(line);
        expect(r.code).toBe(1);
        expect(existsSync(out)).toBe(false);
      }
    } finally {
      await new Promise((r) => server.close(r));
    }
  });

  const file = join(dir, "afile");
  writeFileSync(file, "not a folder\n");
  const badOut: Array<[string, string, RegExp]> = [
    ["an existing regular file", file, /^error ARG_INVALID: --out .*afile: is not a directory\n$/],
    [
      "a path under a regular file",
      join(file, "sub"),
      /^error ARG_INVALID: --out .*afile\/sub: .*afile is not a directory\n$/,
    ],
    [
      "a path under /proc (absent parent)",
      "/proc/forbidden/x",
      /^error ARG_INVALID: --out \/proc\/forbidden\/x: cannot create \/proc\/forbidden: E[A-Z]+\n$/,
    ],
    [
      "a path under read-only /sys",
      "/sys/x",
      /^error ARG_INVALID: --out \/sys\/x: cannot create \/sys\/x: E[A-Z]+\n$/,
    ],
  ];
  it.each(badOut)("--out as %s: one ARG_INVALID line naming --out, exit 1", async (_what, out, line) => {
    const args = ["codegen", "--wsdl", wsdl("cxf-import-chain", "hello_world_services.wsdl"), "--out", out];
    const r = await runEsol(args, 20_000);
    expect(r.stderr).toMatch(line);
    expect(r.stdout).toBe("");
    expect(r.code).toBe(1);
    expect(readFileSync(file, "utf8")).toBe("not a folder\n");
  });

  it("--help shows examples", async () => {
    const r = await runEsol(["codegen", "--help"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Examples:$/m);
    expect(r.stdout).toContain("--port <name>");
  });
});
