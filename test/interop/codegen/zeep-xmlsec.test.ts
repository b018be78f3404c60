/**
 * Independent stacks check what generated clients send: zeep (python3-zeep) deserializes every
 * request envelope against the same WSDL with its strict schema parser, and xmlsec1 verifies
 * the WS-Security signature of a generated client's call.
 */
import { execFile, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { encodeRequest } from "../../../src/soap/service-client.js";
import { createMessageSigner } from "../../../src/wssec/index.js";
import { WSS_2004 } from "../../../src/wssec/namespaces.js";
import { testIdentity } from "../../helpers/keys.js";
import {
  FIXTURES,
  fixturePath,
  generateFixture,
  importGenerated,
  sample,
  startFixtureServer,
} from "../../integration/codegen/harness.js";

const PYTHON = "/usr/bin/python3";
const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), "esol-codegen-interop-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const ZEEP = [
  "import sys, json, zeep",
  "from lxml import etree",
  "from zeep.helpers import serialize_object",
  "job = json.load(open(sys.argv[1]))",
  "c = zeep.Client(job['wsdl'])",
  "binding = c.bind(job['service'], job['port'])._binding",
  "out = {}",
  "for op, env in job['envelopes'].items():",
  "    try:",
  "        value = binding._operations[op].input.deserialize(etree.fromstring(env.encode()))",
  "    except Exception as e:",
  "        out[op] = {'ok': False, 'error': type(e).__name__ + ': ' + str(e)}",
  "        continue",
  "    try:",
  "        out[op] = {'ok': True, 'value': json.dumps(serialize_object(value), default=str)}",
  "    except Exception as e:",
  "        out[op] = {'ok': True, 'value': str(value)}",
  "print(json.dumps(out))",
].join("\n");

describe.each(FIXTURES.filter((f) => !f.zeepCannot?.["*"]))(
  "zeep parses what the $name client sends",
  (f) => {
    it("every operation's request envelope, with every element present, against the same WSDL", async () => {
      const { port } = await generateFixture(f);
      const envelopes: Record<string, string> = {};
      for (const [name, op] of Object.entries(port.model.operations)) {
        if (f.zeepCannot?.[name]) continue;
        const s = op.input ? sample(port.model, op.input.type) : { input: {} };
        const simple = op.input && !port.model.types[op.input.type];
        // Every input soap:header with a sample value: zeep reads the Header against the WSDL too.
        const headers: Record<string, unknown> = {};
        for (const h of op.inputHeaders ?? []) {
          const v = sample(port.model, h.element.type).input;
          headers[h.prop] = port.model.types[h.element.type]?.kind === "complex" ? v : { value: v };
        }
        envelopes[name] = encodeRequest(port.model, name, simple ? { value: s.input } : s.input, headers);
      }
      const job = join(dir, `${f.name}.json`);
      writeFileSync(
        job,
        JSON.stringify({ wsdl: fixturePath(f), service: port.serviceName, port: port.portName, envelopes }),
      );
      const r = spawnSync(PYTHON, ["-c", ZEEP, job], { encoding: "utf8", timeout: 120_000 });
      expect(r.status, r.stderr).toBe(0);
      const parsed = JSON.parse(r.stdout) as Record<string, { ok: boolean; value?: string; error?: string }>;
      for (const name of Object.keys(envelopes))
        expect(parsed[name], `${name}: ${envelopes[name]}`).toEqual(expect.objectContaining({ ok: true }));
      if (f.name === "agresso-timesheet") {
        // Python ints are exact: zeep read the long as 9007199254740993, not …992.
        expect(parsed.DeleteTimesheetEntry?.value).toContain("9007199254740993");
        expect(parsed.GetTimesheet?.value).toContain("2026-11-30 21:00:00.123000+00:00");
      }
    });
  },
);

describe("xmlsec1 verifies a generated client's signed call", () => {
  it("accepts the wsse:Security signature node-soap received, and rejects it once the Body is altered", async () => {
    const f = FIXTURES.find((x) => x.name === "cxf-import-chain");
    if (!f) throw new Error("fixture");
    const { path, port } = await generateFixture(f);
    const id = await testIdentity("rsa");
    const server = await startFixtureServer(
      f,
      { SOAPService: { SoapPort: { greetMe: () => ({ responseType: "ok" }) } } },
      new URL(port.address ?? "http://x/ws").pathname,
    );
    const mod = await importGenerated<{
      createClient(o: object): { greetMe(i: object): Promise<unknown>; close(): Promise<void> };
    }>(path);
    const client = mod.createClient({
      endpoint: server.url,
      maxRetries: 0,
      security: createMessageSigner({ key: id.keyPem, cert: id.certPem }),
    });
    try {
      await client.greetMe({ requestType: "signed" });
    } finally {
      await client.close();
      await server.close();
    }
    const cert = join(dir, "signer.crt");
    writeFileSync(cert, id.certPem);
    const verify = async (xml: string) => {
      const file = join(dir, `signed-${Math.random().toString(36).slice(2)}.xml`);
      writeFileSync(file, xml);
      const args = ["--verify", "--pubkey-cert-pem", cert, "--id-attr:Id", `${WSS_2004.wsu}:Timestamp`];
      args.push("--id-attr:Id", "http://schemas.xmlsoap.org/soap/envelope/:Body", file);
      try {
        await run("xmlsec1", args);
        return true;
      } catch {
        return false;
      }
    };
    const envelope = server.received.at(-1) ?? "";
    expect(envelope).toContain(">signed<");
    expect(await verify(envelope)).toBe(true);
    expect(await verify(envelope.replace(">signed<", ">forged<"))).toBe(false);
  });
});
