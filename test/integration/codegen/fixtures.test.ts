/**
 * `esol codegen` on public real-world WSDLs of different shapes (test/fixtures/wsdl/*, each
 * with its SOURCE.md): generate, type-check the output with the project's strict tsconfig, and
 * call every operation of the chosen port against a node-soap server built from the same WSDL
 * on loopback, checking what the server parsed and what the client returned.
 */
import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PortModel } from "../../../src/codegen/index.js";
import {
  FIXTURES,
  type FixtureServer,
  GENERATED,
  generateFixture,
  importGenerated,
  leaves,
  ROOT,
  sample,
  startFixtureServer,
} from "./harness.js";

type Client = Record<string, (input: unknown, options?: unknown) => Promise<Record<string, unknown>>> & {
  close(): Promise<void>;
};

const generated = new Map<string, { path: string; port: PortModel }>();

beforeAll(async () => {
  for (const f of FIXTURES) generated.set(f.name, await generateFixture(f));
});

describe("generated clients type-check", () => {
  it("with the project's strict tsconfig (noUnusedLocals, exactOptionalPropertyTypes, …)", () => {
    const tsconfig = join(GENERATED, "tsconfig.json");
    writeFileSync(
      tsconfig,
      JSON.stringify({
        extends: "../../tsconfig.json",
        compilerOptions: { noEmit: true, rootDir: "../.." },
        include: ["./**/*.ts", "../../src/snmp/net-snmp.d.ts"],
      }),
    );
    const tsc = spawnSync(process.execPath, [join(ROOT, "node_modules/typescript/bin/tsc"), "-p", tsconfig], {
      encoding: "utf8",
    });
    expect(tsc.stdout + tsc.stderr).toBe("");
    expect(tsc.status).toBe(0);
  });
});

function methodOf(operation: string): string {
  const cleaned = operation.replace(/[^A-Za-z0-9_$]/g, "_");
  return cleaned.charAt(0).toLowerCase() + cleaned.slice(1);
}

describe.each(FIXTURES)("$name ($shape)", (f) => {
  let server: FixtureServer;
  let client: Client;
  const expected = new Map<
    string,
    {
      input: unknown;
      nodeSoapInput: unknown;
      decoded: unknown;
      headers?: Record<string, unknown>;
      nodeSoapHeaders?: unknown[];
    }
  >();

  beforeAll(async () => {
    const { path, port } = generated.get(f.name) as { path: string; port: PortModel };
    const model = port.model;
    const handlers: Record<string, (args: unknown) => unknown> = {};
    for (const [name, op] of Object.entries(model.operations)) {
      const input = op.input ? sample(model, op.input.type) : { input: {}, nodeSoap: {}, decoded: {} };
      const output = op.output ? sample(model, op.output.type) : { input: {}, nodeSoap: {}, decoded: {} };
      const simpleIn = op.input && !model.types[op.input.type];
      const simpleOut = op.output && model.types[op.output.type]?.kind !== "complex";
      // Every input soap:header gets a sample value (sent per call), as node-soap should read it.
      const headers: Record<string, unknown> = {};
      const nodeSoapHeaders: unknown[] = [];
      for (const h of op.inputHeaders ?? []) {
        const s = sample(model, h.element.type);
        headers[h.prop] = model.types[h.element.type]?.kind === "complex" ? s.input : { value: s.input };
        nodeSoapHeaders.push(s.nodeSoap);
      }
      expected.set(name, {
        input: simpleIn ? { value: input.input } : input.input,
        nodeSoapInput: input.nodeSoap,
        decoded: simpleOut ? { value: output.decoded } : output.decoded,
        ...(op.inputHeaders ? { headers, nodeSoapHeaders } : {}),
      });
      handlers[name] = () =>
        simpleOut && op.output ? { [op.output.local]: output.nodeSoap } : output.nodeSoap;
    }
    const address = port.address ? new URL(port.address).pathname : "/ws";
    server = await startFixtureServer(
      f,
      { [port.serviceName]: { [port.portName]: handlers } },
      address,
      f.fixResponse,
    );
    const mod = await importGenerated<{ createClient(o: object): Client }>(path);
    client = mod.createClient({ endpoint: server.url, maxRetries: 0, timeoutMs: 10_000 });
  });

  afterAll(async () => {
    await client?.close();
    await server?.close();
  });

  it("calls every operation of the port: node-soap parses each request, the client decodes each answer", async () => {
    const { port } = generated.get(f.name) as { path: string; port: PortModel };
    const names = Object.keys(port.model.operations).filter((n) => !f.skip?.[n] && !f.skip?.["*"]);
    expect(names.length > 0 || f.skip?.["*"] !== undefined).toBe(true);
    for (const name of names) {
      const e = expected.get(name);
      if (!e) throw new Error(name);
      const method = client[methodOf(name)];
      if (!method) throw new Error(`no method for ${name}`);
      const result = await method(e.input, e.headers ? { headers: e.headers } : undefined);
      const { $metadata, ...value } = result;
      expect(value, name).toEqual(e.decoded);
      expect($metadata).toMatchObject({ operation: name, attempts: 1, httpStatus: 200 });
      const call = server.calls.at(-1);
      expect(call?.operation, name).toBe(name);
      expect(leaves(call?.args), name).toEqual(leaves(e.nodeSoapInput));
      // The soap:header values arrived in the SOAP Header, as node-soap parsed them.
      if (e.nodeSoapHeaders) expect(leaves(call?.headers), name).toEqual(leaves(e.nodeSoapHeaders));
    }
    expect(server.received).toHaveLength(names.length);
    if (f.name === "cxf-cardealer") {
      // The abstract body element went out as the derived type, named by xsi:type.
      expect(server.received.find((r) => r.includes("tradeIn"))).toMatch(
        /<n1:tradeIn xsi:type="n1:porsche"><make>v\d+<\/make>.*<color>v\d+<\/color><\/n1:tradeIn>/,
      );
    }
  });
});
