/**
 * What the codegen suites share: generating a fixture WSDL's client into `.tmp/` (importing
 * the SDK from `src/`), and a node-soap server built from the same WSDL on loopback (port 0)
 * that records every envelope it receives.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join, relative, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import * as soap from "soap";
import { expect } from "vitest";
import { generateClient, type PortModel } from "../../../src/codegen/index.js";
import type { SoapServiceModel } from "../../../src/index.js";

/** The repository root. */
export const ROOT = resolve(import.meta.dirname, "../../..");
/** Where generated fixture clients go (ignored by git). */
export const GENERATED = join(ROOT, ".tmp", "codegen-fixtures");

/** A fixture WSDL: its folder under test/fixtures/wsdl and its entry file. */
export interface Fixture {
  name: string;
  file: string;
}

/** The fixtures and what each exercises. */
export const FIXTURES: Array<
  Fixture & {
    shape: string;
    /** Operations node-soap's server cannot serve, and why. */
    skip?: Record<string, string>;
    /** Operations (or `*`) zeep cannot deserialize whatever is sent, and why. */
    zeepCannot?: Record<string, string>;
    /** A node-soap answer bug this fixture hits, and its repair. */
    fixResponse?: (envelope: string) => string;
  }
> = [
  {
    name: "cxf-import-chain",
    file: "hello_world_services.wsdl",
    shape: "wsdl:import three files deep, xsd:import + xsd:include, declared fault, SOAP and HTTPS ports",
  },
  {
    name: "cxf-rpc-literal",
    file: "hello_world_soap_action_rpc.wsdl",
    shape: "rpc/literal, soapAction per operation",
  },
  {
    name: "cxf-doc-lit-bare",
    file: "doc_lit_bare.wsdl",
    shape: "document/literal bare: simple-typed and empty bodies, nillable decimal",
    zeepCannot: {
      bareNoParam: "zeep 4 raises IndexError deserializing an input message without parts",
      nillableParameter: "zeep 4 raises TypeError (len of a Decimal) deserializing a simple-typed bare body",
    },
    skip: {
      bareNoParam: "node-soap's server dispatches on the Body's first element; this request's Body is empty",
    },
  },
  { name: "cxf-inherit", file: "inherit.wsdl", shape: "complexContent extension (inherited fields first)" },
  {
    name: "zeep-stockquote",
    file: "soap.wsdl",
    shape: "qualified and unqualified elements mixed, two declared faults, one-way-ish empty output",
    skip: {
      GetLastTradePriceNoOutput:
        "same input element and SOAPAction as GetLastTradePrice: no server can tell them apart (WS-I BP 1.1 R2710)",
    },
    // node-soap 1.13 writes this anonymous-typed response element as `<xsd1:>…</xsd1:>`.
    fixResponse: (xml) => xml.replace(/<(\/?)xsd1:(?=[ >])/g, "<$1xsd1:TradePrice"),
  },
  {
    name: "agresso-timesheet",
    file: "list_parameter.wsdl",
    shape: "a big vendor WSDL (17 operations): xsd:long, dateTime, arrays of nillable items",
  },
  { name: "afip-wsaa", file: "logincms.wsdl", shape: "a government service: declared fault, long strings" },
  {
    name: "cxf-any",
    file: "any.wsdl",
    shape: "xsd:any wildcards (lax, ##other, repeated) beside named elements",
  },
  {
    name: "cxf-locator",
    file: "locator.wsdl",
    shape: "WS-Addressing EndpointReference: xs:any, anyAttribute, simpleContent extension, xs:union",
  },
  {
    name: "cxf-header-doc-lit",
    file: "header_doc_lit.wsdl",
    shape: "soap:header parts beside the body part (sent as typed headers), xsd:import of a file",
    skip: {
      inoutHeader:
        "every part is a header: the Body is empty, and node-soap's server dispatches on its first element",
    },
    zeepCannot: { inoutHeader: "zeep 4 raises IndexError deserializing an input message without body parts" },
  },
  {
    name: "asmx-auth-header",
    file: "Bank.wsdl",
    shape: "ours: .NET ASMX AuthHeader soap:header on two of three operations, SOAP 1.2 binding beside",
  },
  {
    name: "cxf-anonymous",
    file: "anonymous_complex_type.wsdl",
    shape: "anonymous nested types, element ref",
  },
  {
    name: "zeep-soap-header",
    file: "soap_header.wsdl",
    shape: "a three-part message, two parts bound as soap:header",
    skip: {
      "*": "node-soap 1.13's server throws (reading 'description') on this binding's soap:header parts: generated, type-checked and checked by zeep only",
    },
  },
  {
    name: "nodesoap-recursive",
    file: "recursive.wsdl",
    shape: "recursive types through xsd:choice",
    zeepCannot: {
      "*": "zeep 4 cannot bind this port: eBay's WSDL gives its SOAP 1.1 binding a soap12:address (binding_options is None)",
    },
  },
  {
    name: "nodesoap-ns-type-conflict",
    file: "main.wsdl",
    shape: "same type name in two imported schemas of different namespaces",
  },
  {
    name: "nodesoap-non-identifier",
    file: "non_identifier_chars_in_operation.wsdl",
    shape: "operation and element names with '-' and '.'",
  },
  {
    name: "cybersource",
    file: "CyberSourceTransaction_1.26.wsdl",
    shape: "a big vendor schema (87 kB, one very wide request), xsd:any",
  },
  {
    name: "cxf-cardealer",
    file: "cardealer.wsdl",
    shape: "an abstract complex type and its extension: xsi:type both ways, nillable repeated",
    // node-soap 1.13 writes xsi:type without declaring the xsi prefix.
    fixResponse: (xml) =>
      xml.includes("xmlns:xsi=")
        ? xml
        : xml.replace(
            "<soap:Envelope ",
            '<soap:Envelope xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" ',
          ),
  },
  {
    name: "sharepoint-webs",
    file: "Webs.wsdl",
    shape: ".NET ASMX (SOAP 1.1 + 1.2 bindings): s:import without schemaLocation, mixed s:any, 20 operations",
  },
  {
    name: "gsa-acl",
    file: "GssAcl.wsdl",
    shape: ".NET ASMX (SOAP 1.1 + 1.2 bindings): enumerations, ArrayOf… wrappers, nine operations",
  },
  {
    name: "w3c-stockquote",
    file: "stockquote.wsdl",
    shape: "the WSDL 1.1 Note's example: XSD 2000/10 namespace, unprefixed built-in types",
    zeepCannot: {
      "*": "zeep reads schemas only in the XML Schema Recommendation's namespace, not the 2000/10 draft",
    },
  },
];

/** The path of a fixture's entry WSDL. */
export function fixturePath(f: Fixture): string {
  return join(ROOT, "test", "fixtures", "wsdl", f.name, f.file);
}

/** Generates a fixture's client into `.tmp/codegen-fixtures/<name>/index.ts`: that path and the port's model. */
export async function generateFixture(f: Fixture, port?: string): Promise<{ path: string; port: PortModel }> {
  const out = join(GENERATED, f.name);
  const importFrom = relative(out, join(ROOT, "src", "index.js"))
    .split("\\")
    .join("/");
  const generated = await generateClient({
    wsdl: fixturePath(f),
    port,
    importFrom,
    source: `test/fixtures/wsdl/${f.name}/${f.file}`,
  });
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, "index.ts"), generated.files["index.ts"] ?? "");
  return { path: join(out, "index.ts"), port: generated.port };
}

/** Imports a generated client module. */
export async function importGenerated<T>(path: string): Promise<T> {
  return (await import(pathToFileURL(path).href)) as T;
}

/** A generated client's operation method, as the tests call it. */
export type GeneratedMethod = (input?: unknown, options?: unknown) => Promise<Record<string, unknown>>;
/** A generated client, as the tests call it. */
export type GeneratedClient = Record<string, GeneratedMethod> & { close(): Promise<void> };

/** The fixture of that name (throws for a name not in {@link FIXTURES}). */
export function fixture(name: string): (typeof FIXTURES)[number] {
  const f = FIXTURES.find((x) => x.name === name);
  if (!f) throw new Error(`no codegen fixture ${name}`);
  return f;
}

/**
 * Generated clients connected to node-soap servers of their fixture: `connect` generates the
 * fixture's client, starts a server with `services` at the port's path and creates the client
 * against it; `closeAll` (for `afterAll`) closes every client and server it made.
 */
export function fixtureConnections(): {
  connect(
    name: string,
    services: Services,
    options?: object,
  ): Promise<{ client: GeneratedClient; server: FixtureServer }>;
  closeAll(): Promise<void>;
} {
  const running: Array<{ client: GeneratedClient; server: FixtureServer }> = [];
  return {
    async connect(name, services, options = {}) {
      const f = fixture(name);
      const { path, port } = await generateFixture(f);
      const address = port.address ? new URL(port.address).pathname : "/ws";
      const server = await startFixtureServer(f, services, address, f.fixResponse);
      const mod = await importGenerated<{ createClient(o: object): GeneratedClient }>(path);
      const client = mod.createClient({ endpoint: server.url, maxRetries: 0, ...options });
      running.push({ client, server });
      return { client, server };
    },
    async closeAll() {
      for (const { client, server } of running.splice(0)) {
        await client.close();
        await server.close();
      }
    },
  };
}

/** A node-soap server of a fixture WSDL. */
export interface FixtureServer {
  /** The endpoint URL (127.0.0.1, port from the OS). */
  url: string;
  /** Envelopes received, in order. */
  received: string[];
  /** Operation name, node-soap's parsed arguments and SOAP headers of each request, in order. */
  calls: Array<{ operation: string; args: unknown; headers?: unknown }>;
  close(): Promise<void>;
}

/** node-soap service implementations: service → port → operation → handler. */
export type Services = Record<string, Record<string, Record<string, (args: unknown) => unknown>>>;

/**
 * Starts a node-soap server built from the fixture's WSDL (imports resolved relative to its
 * file) with `services`, on 127.0.0.1 and a port from the OS.
 */
export async function startFixtureServer(
  f: Fixture,
  services: Services,
  /** The port's `soap:address` path: node-soap picks the port by it. */
  path = "/ws",
  /** Rewrites node-soap's answer envelope (a workaround for a node-soap bug, named where used). */
  fixResponse?: (envelope: string) => string,
): Promise<FixtureServer> {
  const wsdlPath = fixturePath(f);
  const received: string[] = [];
  const calls: Array<{ operation: string; args: unknown; headers?: unknown }> = [];
  // Record what node-soap parsed, per operation.
  const wrapped: Services = {};
  for (const [service, ports] of Object.entries(services)) {
    wrapped[service] = {};
    for (const [port, ops] of Object.entries(ports)) {
      const target: Record<string, (args: unknown) => unknown> = {};
      for (const [op, fn] of Object.entries(ops)) {
        // node-soap calls a service function with (args, callback, soapHeaders, req, res).
        target[op] = (args: unknown, _callback?: unknown, headers?: unknown) => {
          calls.push({ operation: op, args, headers });
          return fn(args);
        };
      }
      (wrapped[service] as Record<string, unknown>)[port] = target;
    }
  }
  const http: Server = createServer((_req, res) => {
    res.statusCode = 404;
    res.end();
  });
  await new Promise<void>((done) => http.listen(0, "127.0.0.1", done));
  const soapServer = soap.listen(http, {
    path,
    services: wrapped,
    xml: readFileSync(wsdlPath, "utf8"),
    uri: wsdlPath,
  });
  soapServer.log = (type: string, data: unknown) => {
    if (type === "received") received.push(String(data));
    if (process.env.CODEGEN_DEBUG) console.error("node-soap", type, data);
  };
  if (fixResponse)
    soapServer.on("response", (response: { result: string }) => {
      response.result = fixResponse(response.result);
    });
  const { port } = http.address() as AddressInfo;
  // node-soap reads the WSDL's imports asynchronously and answers only once they are read.
  for (let i = 0; i < 100; i++) {
    const res = await fetch(`http://127.0.0.1:${port}${path}?wsdl`);
    await res.arrayBuffer();
    if (res.status === 200) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  return {
    url: `http://127.0.0.1:${port}${path}`,
    received,
    calls,
    close: () => new Promise<void>((done) => http.close(() => done())),
  };
}

/** A value for one schema type: as the generated client takes it, as node-soap writes it, as the client returns it. */
export interface Sample {
  input: unknown;
  nodeSoap: unknown;
  decoded: unknown;
}

/** A `dateTime` sample with milliseconds; fixed, never the wall clock. */
export const SAMPLE_DATE = new Date(Date.UTC(2026, 10, 30, 21, 0, 0, 123));
/** A `long` beyond 2^53 (`Number` would round it to …992). */
export const SAMPLE_LONG = 9007199254740993n;

function builtinSample(local: string, n: number): Sample {
  switch (local) {
    case "boolean":
      return { input: true, nodeSoap: "true", decoded: true };
    case "int":
    case "short":
    case "byte":
    case "unsignedInt":
    case "unsignedShort":
    case "unsignedByte":
      return { input: 7, nodeSoap: "7", decoded: 7 };
    case "float":
    case "double":
      return { input: 1.5, nodeSoap: "1.5", decoded: 1.5 };
    case "long":
    case "integer":
    case "unsignedLong":
    case "nonNegativeInteger":
    case "positiveInteger":
      return { input: SAMPLE_LONG, nodeSoap: SAMPLE_LONG.toString(), decoded: SAMPLE_LONG };
    case "negativeInteger":
    case "nonPositiveInteger":
      return { input: -SAMPLE_LONG, nodeSoap: (-SAMPLE_LONG).toString(), decoded: -SAMPLE_LONG };
    case "decimal":
      return { input: "12.50", nodeSoap: "12.50", decoded: "12.50" };
    case "dateTime":
      return { input: SAMPLE_DATE, nodeSoap: SAMPLE_DATE.toISOString(), decoded: SAMPLE_DATE.toISOString() };
    case "date":
      return { input: "2026-11-30", nodeSoap: "2026-11-30", decoded: "2026-11-30" };
    case "base64Binary":
      return { input: new Uint8Array([1, 2, 250]), nodeSoap: "AQL6", decoded: new Uint8Array([1, 2, 250]) };
    default:
      return { input: `v${n}`, nodeSoap: `v${n}`, decoded: `v${n}` };
  }
}

const BUILTIN_NAMES = new Set([
  "boolean",
  "dateTime",
  "date",
  "int",
  "long",
  "integer",
  "decimal",
  "double",
  "float",
]);

/**
 * A sample of type `ref` of `model`: every element and attribute present (optional ones to
 * `depth` 3), repeated elements twice.
 */
export function sample(model: SoapServiceModel, ref: string, depth = 0, counter = { n: 0 }): Sample {
  if (ref.startsWith("xsd:")) return builtinSample(ref.slice(4), ++counter.n);
  const type = model.types[ref];
  if (!type) return builtinSample("string", ++counter.n);
  if (type.kind === "simple" && type.list) {
    const items = [sample(model, type.base, depth, counter), sample(model, type.base, depth, counter)];
    return {
      input: items.map((i) => i.input),
      nodeSoap: items.map((i) => String(i.nodeSoap)).join(" "),
      decoded: items.map((i) => i.decoded),
    };
  }
  const local = /\}([^}]*)$/.exec(ref)?.[1] ?? "";
  if (type.kind === "simple" && type.base === "xsd:string" && !type.enumeration && BUILTIN_NAMES.has(local)) {
    // A schema's own string type named like a built-in (CyberSource's tns:boolean, tns:dateTime):
    // node-soap's server takes it for the built-in by its local name and parses it so; the
    // sample is that built-in's lexical form.
    const text = String(builtinSample(local, ++counter.n).nodeSoap);
    return { input: text, nodeSoap: text, decoded: text };
  }
  if (type.kind === "simple") {
    const first = type.enumeration?.[0];
    if (first !== undefined) return { input: first, nodeSoap: first, decoded: first };
    return sample(model, type.base, depth, counter);
  }
  if (type.derived?.length && type.abstract) {
    // The first derived type stands in (xsi:type): node-soap is told to write it too.
    const ref2 = type.derived[0] as string;
    const derived = model.types[ref2];
    const s = sample(model, ref2, depth, counter);
    if (derived?.kind !== "complex" || !derived.name) return s;
    const local = derived.name.local;
    return {
      input: { ...(s.input as object), $type: local },
      nodeSoap: {
        ...(s.nodeSoap as object),
        attributes: { xsi_type: { type: local, xmlns: derived.name.ns } },
      },
      decoded: { $type: local, ...(s.decoded as object) },
    };
  }
  const input: Record<string, unknown> = {};
  const nodeSoap: Record<string, unknown> = {};
  const decoded: Record<string, unknown> = {};
  const attributes: Record<string, unknown> = {};
  for (const a of type.attributes) {
    const s = sample(model, a.type, depth + 1, counter);
    input[a.prop] = s.input;
    attributes[a.local] = s.nodeSoap;
    decoded[a.prop] = s.decoded;
  }
  if (Object.keys(attributes).length > 0) nodeSoap.attributes = attributes;
  if (type.text !== undefined) {
    const s = sample(model, type.text, depth + 1, counter);
    input.$value = s.input;
    nodeSoap.$value = s.nodeSoap;
    decoded.$value = s.decoded;
  }
  const chosen = new Set<number>();
  for (const f of type.fields) {
    if (f.max !== 1) decoded[f.prop] = [];
    if (f.min === 0 && depth >= 3) continue;
    if (depth > 8) continue;
    // One alternative of each xsd:choice: the first.
    if (f.choice) {
      if (chosen.has(f.choice.group) && f.choice.branch !== 0) continue;
      if (f.choice.branch !== 0) continue;
      chosen.add(f.choice.group);
    }
    if (f.any) {
      // The wildcard's XML text, in a namespace of its own; node-soap parses it as an object.
      const n = ++counter.n;
      const xml = `<w:extra xmlns:w="urn:example:wildcard">x${n}</w:extra>`;
      const items = f.max !== 1 ? [xml, xml] : [xml];
      input[f.prop] = f.max !== 1 ? items : xml;
      nodeSoap.extra = items.map(() => `x${n}`);
      // node-soap answers the object it parsed: an \`extra\` element in its own namespace choice.
      const back = expect.stringMatching(new RegExp(`^<(\\w+:)?extra(\\s[^>]*)?>x${n}</(\\w+:)?extra>$`));
      decoded[f.prop] = f.max !== 1 ? [back, back] : back;
      continue;
    }
    if (f.max !== 1) {
      const items = [sample(model, f.type, depth + 1, counter), sample(model, f.type, depth + 1, counter)];
      input[f.prop] = items.map((i) => i.input);
      nodeSoap[f.local] = items.map((i) => i.nodeSoap);
      decoded[f.prop] = items.map((i) => i.decoded);
    } else {
      const s = sample(model, f.type, depth + 1, counter);
      input[f.prop] = s.input;
      nodeSoap[f.local] = s.nodeSoap;
      decoded[f.prop] = s.decoded;
    }
  }
  return { input, nodeSoap, decoded };
}

/** The leaf values of a parsed object as strings, in key (document) order. */
export function leaves(value: unknown): string[] {
  if (value === null || value === undefined) return [];
  if (value instanceof Date) return [Number.isNaN(value.getTime()) ? "Invalid Date" : value.toISOString()];
  if (value instanceof Uint8Array) return [Buffer.from(value).toString("base64")];
  if (Array.isArray(value)) return value.flatMap(leaves);
  // node-soap's server parses xsd:long and xsd:decimal into a Number: compare at its precision.
  if (typeof value === "string" && /^-?\d+(\.\d+)?$/.test(value)) return [String(Number(value))];
  // xsi:type is compared apart (node-soap parses it as an attribute "prefix:Type").
  if (typeof value === "object")
    return Object.entries(value as Record<string, unknown>)
      .filter(([k]) => k !== "xsi_type" && k !== "xsi:type")
      .flatMap(([, v]) => leaves(v));
  return [String(value)];
}
