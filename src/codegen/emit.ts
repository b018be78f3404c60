/**
 * Writes the TypeScript module of a generated client from a {@link PortModel}: the types of
 * the schema (an output shape and an `…Input` shape per complex type), the `$model` data the
 * SDK's codec reads, and `createClient(options)` with one method per operation.
 * @module
 */
import type {
  SoapComplexTypeModel,
  SoapFieldModel,
  SoapHeaderModel,
  SoapServiceModel,
  SoapTypeRef,
} from "../soap/service-model.js";
import { type PortModel, pascal } from "./model.js";

/** How the emitted module is written. */
export interface EmitOptions {
  /** Module the generated code imports the SDK from. Default `"esolutions-sdk"`. */
  importFrom?: string;
  /** Where the WSDL was read from, for the header. */
  source: string;
}

type Direction = "in" | "out";

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** A property key as TypeScript accepts it. */
function key(name: string): string {
  return IDENTIFIER.test(name) ? name : JSON.stringify(name);
}

/** `GetDeviceList` → `getDeviceList` (WSDL operation name → method name). */
export function methodName(operation: string): string {
  const cleaned = operation.replace(/[^A-Za-z0-9_$]/g, "_");
  const lower = cleaned.charAt(0).toLowerCase() + cleaned.slice(1);
  return /^[0-9]/.test(lower) ? `_${lower}` : lower;
}

const OUT_BUILTINS: Record<string, string> = {
  boolean: "boolean",
  int: "number",
  short: "number",
  byte: "number",
  unsignedInt: "number",
  unsignedShort: "number",
  unsignedByte: "number",
  float: "number",
  double: "number",
  long: "bigint",
  integer: "bigint",
  unsignedLong: "bigint",
  nonNegativeInteger: "bigint",
  positiveInteger: "bigint",
  nonPositiveInteger: "bigint",
  negativeInteger: "bigint",
  base64Binary: "Uint8Array",
  hexBinary: "Uint8Array",
};

const IN_BUILTINS: Record<string, string> = {
  ...OUT_BUILTINS,
  long: "number | bigint | string",
  integer: "number | bigint | string",
  unsignedLong: "number | bigint | string",
  nonNegativeInteger: "number | bigint | string",
  positiveInteger: "number | bigint | string",
  nonPositiveInteger: "number | bigint | string",
  negativeInteger: "number | bigint | string",
  decimal: "number | bigint | string",
  dateTime: "Date | string",
  date: "Date | string",
};

class Emitter {
  readonly #model: SoapServiceModel;
  readonly #names = new Map<SoapTypeRef, string>();
  readonly #used: Set<string>;
  /** Types that stand in for a base type. */
  readonly #derivedTypes = new Set<SoapTypeRef>();

  constructor(port: PortModel, reserved: string[]) {
    this.#model = port.model;
    this.#used = new Set(reserved);
    for (const type of Object.values(port.model.types))
      if (type.kind === "complex") for (const d of type.derived ?? []) this.#derivedTypes.add(d);
    for (const [ref, type] of Object.entries(port.model.types)) {
      if (type.kind === "simple" && !type.enumeration) continue;
      const base = pascal(port.typeNames.get(ref) ?? ref) || "Type";
      let name = base;
      for (let i = 2; this.#used.has(name) || this.#used.has(`${name}Input`); i++) name = `${base}${i}`;
      this.#used.add(name);
      this.#used.add(`${name}Input`);
      this.#names.set(ref, name);
    }
  }

  /** The TypeScript type of a reference, as accepted (`in`) or as returned (`out`). */
  ts(ref: SoapTypeRef, dir: Direction): string {
    if (ref.startsWith("xsd:")) {
      const local = ref.slice(4);
      if (local === "anyType") return dir === "out" ? "unknown" : "string";
      return (dir === "out" ? OUT_BUILTINS : IN_BUILTINS)[local] ?? "string";
    }
    const type = this.#model.types[ref];
    if (!type) return "unknown";
    if (type.kind === "simple" && type.list)
      return `${dir === "out" ? "Array" : "ReadonlyArray"}<${this.ts(type.base, dir)}>`;
    if (type.kind === "simple")
      return type.enumeration ? (this.#names.get(ref) as string) : this.ts(type.base, dir);
    const own = (r: SoapTypeRef) => {
      const name = this.#names.get(r) as string;
      return dir === "out" ? name : `${name}Input`;
    };
    if (!type.derived?.length) return own(ref);
    // A base type: the derived types may stand in for it (xsi:type, chosen by `$type`).
    const members = [...(type.abstract ? [] : [ref]), ...type.derived].map(own);
    return members.length === 1 ? (members[0] as string) : `(${members.join(" | ")})`;
  }

  field(f: SoapFieldModel, dir: Direction): string {
    let t = f.any ? "string" : this.ts(f.type, dir);
    if (f.nillable) t = `${t} | null`;
    const what = f.any
      ? `${f.local ? `\`${f.local}\` (an inline XML Schema, e.g. a .NET DataSet's)` : "`xsd:any`"}: the XML text of an element, its namespaces declared in it`
      : `\`${f.local}\`${f.ns ? ` in ${f.ns}` : " (unqualified)"}`;
    const alternative = f.choice ? `, an alternative of xsd:choice #${f.choice.group} (set one)` : "";
    const doc = `  /** ${what}, ${occursText(f)}${alternative}. */\n`;
    if (f.max !== 1) {
      const arr = dir === "out" ? `Array<${t}>` : `ReadonlyArray<${t}>`;
      if (dir === "out") return `${doc}  ${key(f.prop)}: ${arr};\n`;
      return f.min === 0
        ? `${doc}  ${key(f.prop)}?: ${arr} | undefined;\n`
        : `${doc}  ${key(f.prop)}: ${arr};\n`;
    }
    if (f.min === 0) return `${doc}  ${key(f.prop)}?: ${t}${dir === "in" ? " | undefined" : ""};\n`;
    return `${doc}  ${key(f.prop)}: ${t};\n`;
  }

  complex(ref: SoapTypeRef, type: SoapComplexTypeModel, dir: Direction): string {
    const name = `${this.#names.get(ref) as string}${dir === "out" ? "" : "Input"}`;
    let out = `/** ${dir === "out" ? "As returned" : "As accepted"}: ${describe(ref)}${type.abstract ? " (abstract: pass one of its derived types)" : ""}. */\nexport interface ${name} {\n`;
    if (type.name && (type.derived?.length || this.#derivedTypes.has(ref))) {
      out += `  /** The type on the wire (\`xsi:type\`): set it to send a derived type in place of its base. */\n`;
      out += `  $type?: ${JSON.stringify(type.name.local)}${dir === "in" ? " | undefined" : ""};\n`;
    }
    for (const a of type.attributes) {
      const t = this.ts(a.type, dir);
      out += `  /** Attribute \`${a.local}\`${a.required ? " (required)" : ""}. */\n`;
      out += `  ${key(a.prop)}${a.required ? "" : "?"}: ${t}${!a.required && dir === "in" ? " | undefined" : ""};\n`;
    }
    if (type.text !== undefined) {
      out += "  /** The element's text (simple content). */\n";
      out += `  $value?: ${this.ts(type.text, dir)}${dir === "in" ? " | undefined" : ""};\n`;
    }
    for (const f of type.fields) out += this.field(f, dir);
    return `${out}}\n`;
  }

  types(): string {
    let out = "";
    for (const [ref, type] of Object.entries(this.#model.types)) {
      if (type.kind === "simple") {
        if (!type.enumeration) continue;
        const values = type.enumeration.map((v) => JSON.stringify(v)).join(" | ");
        out += `/** Enumeration ${describe(ref)}. */\nexport type ${this.#names.get(ref)} = ${values};\n\n`;
        continue;
      }
      out += `${this.complex(ref, type, "out")}\n${this.complex(ref, type, "in")}\n`;
    }
    return out;
  }

  /** The TypeScript type of a body's content. */
  body(ref: SoapTypeRef | undefined, dir: Direction): string {
    if (ref === undefined) return "Record<string, never>";
    const type = ref.startsWith("xsd:") ? undefined : this.#model.types[ref];
    if (type?.kind === "complex") return this.ts(ref, dir);
    return `{ value: ${this.ts(ref, dir)} }`;
  }
}

function occursText(f: SoapFieldModel): string {
  const max = f.max === -1 ? "unbounded" : String(f.max);
  return `${f.min}..${max}${f.nillable ? ", nillable" : ""}`;
}

function describe(ref: SoapTypeRef): string {
  const m = /^(?:el:)?\{([^}]*)\}(.*)$/.exec(ref);
  if (ref.startsWith("rpc:")) return `rpc/literal wrapper \`${ref.slice(4)}\``;
  if (!m) return `\`${ref}\``;
  return `\`${m[2]}\`${m[1] ? ` (${m[1]})` : ""}`;
}

/** The model as a literal: one line per operation, type and field. */
function modelText(model: SoapServiceModel): string {
  const ops = Object.entries(model.operations)
    .map(([name, op]) => `    ${JSON.stringify(name)}: ${JSON.stringify(op)},`)
    .join("\n");
  const types = Object.entries(model.types)
    .map(([ref, type]) => {
      if (type.kind === "simple") return `    ${JSON.stringify(ref)}: ${JSON.stringify(type)},`;
      const { fields, ...rest } = type;
      const head = JSON.stringify(rest).slice(0, -1);
      const body = fields.map((f) => `        ${JSON.stringify(f)},`).join("\n");
      return `    ${JSON.stringify(ref)}: ${head}, "fields": [${body ? `\n${body}\n      ` : ""}] },`;
    })
    .join("\n");
  return `{\n  operations: {\n${ops}\n  },\n  types: {\n${types}\n  },\n}`;
}

function docText(text: string): string {
  return text.replace(/\*\//g, "*\\/");
}

/**
 * The text of `<out>/index.ts` for `port`.
 */
export function emitClient(port: PortModel, options: EmitOptions): string {
  const from = options.importFrom ?? "esolutions-sdk";
  const clientName = `${pascal(port.serviceName) || "Service"}Client`;
  const reserved = [
    "OperationName",
    "ClientOptions",
    "createClient",
    "DEFAULT_ENDPOINT",
    "CallOptions",
    "DeclaredFaultError",
    "SoapClientOptions",
    "SoapModelClient",
    "SoapServiceModel",
    "WithMetadata",
    "Array",
    "ReadonlyArray",
    "Record",
    "Date",
    "Uint8Array",
    "Promise",
    "Omit",
    clientName,
  ];
  const ops = Object.entries(port.model.operations);
  for (const [name] of ops) reserved.push(`${pascal(name)}Fault`, `is${pascal(name)}Fault`);
  const anyInputHeaders = ops.some(([, op]) => (op.inputHeaders?.length ?? 0) > 0);
  if (anyInputHeaders) reserved.push("ClientHeaders");
  const emitter = new Emitter(port, reserved);
  const opUnion = ops.length ? ops.map(([n]) => JSON.stringify(n)).join(" | ") : "never";
  const usedMethods = new Set(["close", "raw"]);
  let faults = "";
  let methods = "";
  let impl = "";
  /** Input header part name → the TypeScript types it takes, across operations. */
  const clientHeaders = new Map<string, Set<string>>();
  const headerDoc = (h: SoapHeaderModel) =>
    `\`${docText(h.element.local)}\`${h.element.ns ? ` in ${docText(h.element.ns)}` : ""}`;
  for (const [name, op] of ops) {
    let method = methodName(name);
    while (usedMethods.has(method)) method = `${method}Operation`;
    usedMethods.add(method);
    const input = emitter.body(op.input?.type, "in");
    let output = op.output ? emitter.body(op.output.type, "out") : "Record<string, never>";
    if (op.outputHeaders?.length) {
      const props = op.outputHeaders
        .map((h) => `${key(h.prop)}?: ${emitter.body(h.element.type, "out")}`)
        .join("; ");
      const $headers = `{\n    /** Output soap:headers the answer carried, by part name. */\n    $headers?: { ${props} };\n  }`;
      output = op.output ? `${output} & ${$headers}` : $headers;
    }
    let callOptions = "CallOptions";
    let headersDoc = "";
    if (op.inputHeaders?.length) {
      const props = op.inputHeaders.map((h) => {
        const t = emitter.body(h.element.type, "in");
        const set = clientHeaders.get(h.prop) ?? new Set<string>();
        clientHeaders.set(h.prop, set);
        set.add(t);
        return `        /** soap:header ${headerDoc(h)}${h.required ? " (required: here or in the client's `headers`)" : ""}. */\n        ${key(h.prop)}?: ${t} | undefined;\n`;
      });
      callOptions = `CallOptions & {\n      /** soap:header values for this call, overriding the client's \`headers\` per name. */\n      headers?: {\n${props.join("")}      };\n    }`;
      headersDoc = `\n   * soap:headers: ${op.inputHeaders.map((h) => `${docText(h.prop)}${h.required ? " (required)" : ""}`).join(", ")}.`;
    }
    const faultType = `${pascal(name)}Fault`;
    if (op.faults.length > 0) {
      const union = op.faults
        .map((f) => `DeclaredFaultError<${JSON.stringify(f.name)}, ${emitter.body(f.element.type, "out")}>`)
        .join("\n  | ");
      faults += `/** The declared faults of \`${docText(name)}\`: \`faultName\` says which, \`detail\` is typed. */\nexport type ${faultType} =\n  | ${union};\n\n`;
      // \`instanceof DeclaredFaultError\` alone narrows to DeclaredFaultError<any, any>: the guard types both.
      const names = op.faults.map((f) => JSON.stringify(f.name)).join(", ");
      faults += `/**\n * Whether \`err\` is a declared fault of \`${docText(name)}\` ({@link ${faultType}}): narrows \`faultName\`\n * to the fault names and \`detail\` to each one's type.\n */\nexport function is${faultType}(err: unknown): err is ${faultType} {\n  return err instanceof DeclaredFaultError && ([${names}] as readonly string[]).includes(err.faultName);\n}\n\n`;
    }
    const throwsDoc =
      op.faults.length > 0
        ? `\n   * @throws DeclaredFaultError \`SOAP_DECLARED_FAULT\` ({@link ${faultType}}: ${op.faults.map((f) => docText(f.name)).join(", ")}); SoapFaultError, TransportError, TimeoutError, AbortError, ValidationError \`INVALID_VALUE\`.`
        : "\n   * @throws SoapFaultError, TransportError, TimeoutError, AbortError, ValidationError `INVALID_VALUE`.";
    const optionalInput = op.input === null ? "?" : "";
    methods += `  /**\n   * \`${docText(name)}\` (SOAPAction ${JSON.stringify(docText(op.soapAction))}).${headersDoc}${throwsDoc}\n   */\n`;
    methods +=
      op.inputHeaders?.length || op.outputHeaders?.length
        ? `  ${method}(\n    input${optionalInput}: ${input},\n    options?: ${callOptions},\n  ): Promise<WithMetadata<${output}, OperationName>>;\n`
        : `  ${method}(input${optionalInput}: ${input}, options?: CallOptions): Promise<WithMetadata<${output}, OperationName>>;\n`;
    impl += `    ${method}: (input, callOptions) => raw.call(${JSON.stringify(name)}, input, callOptions),\n`;
  }
  const endpointDefault = port.address;
  const header = `// generated — do not edit; esol codegen --wsdl ${options.source} --port ${port.portName}\n`;
  let optionsType =
    endpointDefault !== undefined
      ? `/** Client options; \`endpoint\` defaults to {@link DEFAULT_ENDPOINT}. */\nexport type ClientOptions = Omit<SoapClientOptions<OperationName>, "endpoint"> & { endpoint?: string };\n`
      : "/** Client options (the WSDL gives no address: `endpoint` is required). */\nexport type ClientOptions = SoapClientOptions<OperationName>;\n";
  if (clientHeaders.size > 0) {
    const props = [...clientHeaders]
      .map(
        ([prop, types]) =>
          `  /** soap:header \`${docText(prop)}\`. */\n  ${key(prop)}?: ${[...types].join(" | ")} | undefined;\n`,
      )
      .join("");
    optionsType = `/** soap:header values by part name, sent on every call whose binding declares that header. */\nexport type ClientHeaders = {\n${props}};\n\n${optionsType.replace(/;\n$/, " & {\n  /** soap:header values sent on every call that declares them (a call's `headers` override them). */\n  headers?: ClientHeaders | undefined;\n};\n")}`;
  }
  return `${header}/**
 * Client of service \`${docText(port.serviceName)}\`, port \`${docText(port.portName)}\` (SOAP 1.1), generated by
 * \`esol codegen\` from ${docText(options.source)}. It runs on the SDK's transport: WS-Security per
 * attempt (\`security\`), retries, timeouts, abort, proxy, TLS, gzip and byte counts (\`$metadata\`).${port.warnings.map((w) => `\n *\n * Not generated: ${docText(w)}`).join("")}
 * @module
 */
import {
  type CallOptions,${faults ? "\n  DeclaredFaultError," : ""}
  type SoapClientOptions,
  SoapModelClient,
  type SoapServiceModel,
  type WithMetadata,
} from ${JSON.stringify(from)};

/** The operations of the port. */
export type OperationName = ${opUnion};

${emitter.types()}${faults}/** The port's \`soap:address\`${endpointDefault === undefined ? " (none in the WSDL)" : ""}. */
export const DEFAULT_ENDPOINT: string | undefined = ${endpointDefault === undefined ? "undefined" : JSON.stringify(endpointDefault)};

/** The port as the SDK's codec reads it: operations, element names, namespaces, order, types. */
export const $model: SoapServiceModel = ${modelText(port.model)};

${optionsType}
/** One async method per operation of \`${docText(port.portName)}\`. */
export interface ${clientName} {
${methods}  /** Closes kept-alive connections. */
  close(): Promise<void>;
  /** The untyped client underneath (\`raw.endpoint.config\`: the resolved options). */
  readonly raw: SoapModelClient<OperationName>;
}

/**
 * Creates the client. Options are the SDK's client options (\`security\` e.g.
 * \`createMessageSigner(…)\`, \`ca\`/\`cert\`/\`key\`, \`proxy\`, \`timeoutMs\`, \`maxRetries\`, \`gzip\`).
 * @throws ConfigError \`CONFIG_ENDPOINT\`, \`CONFIG_INVALID_OPTION\`, \`CONFIG_TLS\`, \`CONFIG_PROXY\`.
 */
export function createClient(options: ClientOptions${endpointDefault !== undefined ? " = {}" : ""}): ${clientName} {
  const raw = new SoapModelClient<OperationName>($model, {
    ...options,
    endpoint: options.endpoint ?? (DEFAULT_ENDPOINT as string),
  });
  return {
${impl}    close: () => raw.close(),
    raw,
  };
}
`;
}
