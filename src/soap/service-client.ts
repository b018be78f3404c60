/**
 * {@link SoapModelClient}: calls the operations of a {@link SoapServiceModel} on a
 * {@link SoapEndpoint}. The codec is driven by the model: request elements are written in
 * schema order with exactly the namespaces the schema gives them (qualified or not, per
 * `elementFormDefault`/`form`), and answers are read by type — repeated elements become
 * arrays, `xsd:long`/`integer` become `bigint`, `xsd:decimal` a string, `base64Binary` a
 * `Uint8Array`, `xsd:dateTime` stays its lexical string.
 * @module
 */
import { DeclaredFaultError, TransportError, ValidationError } from "../errors.js";
import { type CallOptions, type SoapClientOptions, SoapEndpoint, type SoapParsed } from "./endpoint.js";
import { escapeText, type ParsedFault, SOAP11_NAMESPACE } from "./envelope.js";
import { faultToError } from "./faults.js";
import type { WithMetadata } from "./models.js";
import type {
  SoapBodyModel,
  SoapComplexTypeModel,
  SoapHeaderModel,
  SoapServiceModel,
  SoapTypeModel,
  SoapTypeRef,
} from "./service-model.js";
import { readXml, textContent, type XmlElement } from "./xml-reader.js";

/** XML Schema instance namespace (XML Schema Part 1 §2.6), for `xsi:nil`. */
const XSI_NAMESPACE = "http://www.w3.org/2001/XMLSchema-instance";

/** Built-in integer types without a bound that fits a JS number exactly (XML Schema Part 2 §3.3). */
const BIG_INTEGERS = new Set([
  "xsd:long",
  "xsd:integer",
  "xsd:unsignedLong",
  "xsd:nonNegativeInteger",
  "xsd:positiveInteger",
  "xsd:nonPositiveInteger",
  "xsd:negativeInteger",
]);
/** Built-in numeric types a JS number holds exactly or as the spec's IEEE 754 value. */
const NUMBERS = new Set([
  "xsd:int",
  "xsd:short",
  "xsd:byte",
  "xsd:unsignedInt",
  "xsd:unsignedShort",
  "xsd:unsignedByte",
  "xsd:float",
  "xsd:double",
]);
const INTEGER_LEXICAL = /^[+-]?\d+$/;
const DECIMAL_LEXICAL = /^[+-]?(\d+(\.\d*)?|\.\d+)$/;
/** Year, month, day: `-`? yyyy (more digits without a leading zero) `-` mm `-` dd (XML Schema 1.0 Part 2 §3.2.7.1). */
const DATE_PART = "-?(?:[1-9]\\d{4,}|\\d{4})-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\\d|3[01])";
/** Optional timezone: `Z` or `(+|-)hh:mm`, at most 14:00 (XML Schema 1.0 Part 2 §3.2.7.3). */
const TIMEZONE_PART = "(?:Z|[+-](?:(?:0\\d|1[0-3]):[0-5]\\d|14:00))?";
/** `xsd:dateTime` lexical form, `24:00:00` allowed as the end of a day (XML Schema 1.0 Part 2 §3.2.7.1). */
const DATE_TIME_LEXICAL = new RegExp(
  `^${DATE_PART}T(?:(?:[01]\\d|2[0-3]):[0-5]\\d:[0-5]\\d(?:\\.\\d+)?|24:00:00(?:\\.0+)?)${TIMEZONE_PART}$`,
);
/** `xsd:date` lexical form (XML Schema 1.0 Part 2 §3.2.9.1). */
const DATE_LEXICAL = new RegExp(`^${DATE_PART}${TIMEZONE_PART}$`);

/**
 * The prefixes of a model's namespaces on the wire: those of {@link SoapWireStyle.prefixes},
 * else `n1`, `n2`… in first-use order.
 */
interface Prefixes {
  byNs: Map<string, string>;
  /** `xmlns:…` declarations of every namespace, written once (on the Envelope, or the Body's element). */
  declarations: string;
  /** Where {@link Prefixes.declarations} go ({@link SoapWireStyle.declareOnBodyElement}). */
  onBodyElement: boolean;
}

function prefixesOf(model: SoapServiceModel): Prefixes {
  const byNs = new Map<string, string>();
  const chosen = model.wire?.prefixes ?? {};
  const taken = new Set(["s", "xsi", ...Object.values(chosen)]);
  let next = 1;
  const add = (ns: string) => {
    if (ns === "" || byNs.has(ns)) return;
    const own = Object.hasOwn(chosen, ns) ? chosen[ns] : undefined;
    if (own !== undefined) {
      byNs.set(ns, own);
      return;
    }
    while (taken.has(`n${next}`)) next++;
    byNs.set(ns, `n${next++}`);
  };
  for (const op of Object.values(model.operations)) {
    for (const h of op.inputHeaders ?? []) add(h.element.ns);
    if (op.input) add(op.input.ns);
  }
  let xsi = false;
  for (const type of Object.values(model.types)) {
    if (type.kind !== "complex") continue;
    for (const f of type.fields) add(f.ns);
    for (const a of type.attributes) add(a.ns);
    if (type.derived?.length) {
      xsi = true;
      for (const d of type.derived) {
        const t = model.types[d];
        if (t?.kind === "complex" && t.name) add(t.name.ns);
      }
    }
    if (type.fields.some((f) => f.nillable)) xsi = true;
  }
  let declarations = "";
  for (const [ns, prefix] of byNs) declarations += ` xmlns:${prefix}="${escapeAttribute(ns)}"`;
  if (xsi) declarations += ` xmlns:xsi="${XSI_NAMESPACE}"`;
  return { byNs, declarations, onBodyElement: model.wire?.declareOnBodyElement === true };
}

function escapeAttribute(text: string): string {
  return escapeText(text, "attribute").replace(/"/g, "&quot;");
}

function invalid(field: string, reason: string): ValidationError {
  return new ValidationError("INVALID_VALUE", `${field} ${reason}`);
}

/** The XML lexical form of a simple value of type `ref` (XML Schema Part 2 §3.2, §3.3). */
function simpleText(model: SoapServiceModel, ref: SoapTypeRef, value: unknown, field: string): string {
  const named = ref.startsWith("xsd:") ? undefined : model.types[ref];
  if (named?.kind === "simple" && named.list) {
    if (!Array.isArray(value)) throw invalid(field, "must be an array (xsd:list)");
    return value.map((item, i) => simpleText(model, named.base, item, `${field}[${i}]`)).join(" ");
  }
  if (named?.kind === "simple") {
    if (named.enumeration && !named.enumeration.includes(String(value)))
      throw invalid(field, `must be one of ${named.enumeration.map((e) => JSON.stringify(e)).join(", ")}`);
    return simpleText(model, named.base, value, field);
  }
  if (BIG_INTEGERS.has(ref)) {
    if (typeof value === "bigint") return value.toString();
    if (typeof value === "number") {
      if (!Number.isSafeInteger(value))
        throw invalid(field, "is a number that is not a safe integer: pass a bigint or a string");
      return String(value);
    }
    if (typeof value === "string" && INTEGER_LEXICAL.test(value)) return value;
    throw invalid(field, "must be an integer (number, bigint or decimal string)");
  }
  if (ref === "xsd:decimal") {
    if (typeof value === "bigint") return value.toString();
    if (typeof value === "number" && Number.isFinite(value)) return String(value);
    if (typeof value === "string" && DECIMAL_LEXICAL.test(value)) return value;
    throw invalid(field, "must be a decimal (number, bigint or decimal string)");
  }
  if (NUMBERS.has(ref)) {
    if (typeof value !== "number" || Number.isNaN(value)) throw invalid(field, "must be a number");
    if (!ref.endsWith("float") && !ref.endsWith("double") && !Number.isInteger(value))
      throw invalid(field, "must be an integer");
    return Number.isFinite(value) ? String(value) : value > 0 ? "INF" : "-INF";
  }
  if (ref === "xsd:boolean") {
    if (typeof value !== "boolean") throw invalid(field, "must be a boolean");
    return value ? "true" : "false";
  }
  if (ref === "xsd:dateTime" || ref === "xsd:date") {
    if (value instanceof Date) {
      if (Number.isNaN(value.getTime())) throw invalid(field, "is an invalid Date");
      const iso = value.toISOString();
      return ref === "xsd:date" ? iso.slice(0, 10) : iso;
    }
    if (typeof value === "string") {
      const date = ref === "xsd:date";
      if (!(date ? DATE_LEXICAL : DATE_TIME_LEXICAL).test(value))
        throw invalid(
          field,
          date
            ? `must be a Date or an xsd:date lexical string (YYYY-MM-DD, optional Z or ±hh:mm), not ${JSON.stringify(value)}`
            : `must be a Date or an xsd:dateTime lexical string (YYYY-MM-DDThh:mm:ss[.s], optional Z or ±hh:mm), not ${JSON.stringify(value)}`,
        );
      return value;
    }
    throw invalid(field, "must be a Date or a lexical string");
  }
  if (ref === "xsd:base64Binary" || ref === "xsd:hexBinary") {
    if (!(value instanceof Uint8Array)) throw invalid(field, "must be a Uint8Array");
    return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString(
      ref === "xsd:hexBinary" ? "hex" : "base64",
    );
  }
  if (typeof value === "string") return escapeText(value, field);
  if (typeof value === "number" || typeof value === "boolean" || typeof value === "bigint")
    return String(value);
  throw invalid(field, `has no XML form (${value instanceof Date ? "Date" : typeof value})`);
}

function qname(prefixes: Prefixes, ns: string, local: string): string {
  return ns === "" ? local : `${prefixes.byNs.get(ns)}:${local}`;
}

function writeElement(
  model: SoapServiceModel,
  prefixes: Prefixes,
  name: string,
  ref: SoapTypeRef,
  value: unknown,
  field: string,
  declarations = "",
): string {
  const type: SoapTypeModel | undefined = ref.startsWith("xsd:") ? undefined : model.types[ref];
  if (type?.kind !== "complex") {
    const text = simpleText(model, ref, value, field);
    return text === "" ? `<${name}${declarations}/>` : `<${name}${declarations}>${text}</${name}>`;
  }
  if (typeof value !== "object" || value === null || Array.isArray(value))
    throw invalid(field, "must be an object");
  const record = value as Record<string, unknown>;
  let attributes = declarations;
  const chosen = record.$type;
  if (type.derived?.length && (type.abstract || (chosen !== undefined && chosen !== type.name?.local))) {
    // A derived type in place of the declared one: its content, named by xsi:type.
    const names = type.derived.map((d) => (model.types[d] as SoapComplexTypeModel).name?.local);
    // An abstract type with one derived type: that one, `$type` or not.
    const at =
      chosen === undefined && type.abstract && names.length === 1
        ? 0
        : names.indexOf(typeof chosen === "string" ? chosen : undefined);
    const ref = type.derived[at];
    if (ref === undefined)
      throw invalid(
        `${field}.$type`,
        `must be one of ${names.map((n) => JSON.stringify(n)).join(", ")}${type.abstract ? ` (${type.name?.local ?? "the type"} is abstract)` : ""}`,
      );
    const derived = model.types[ref] as SoapComplexTypeModel;
    const qnameText = qname(prefixes, derived.name?.ns ?? "", derived.name?.local ?? "");
    const written = writeElement(model, prefixes, name, ref, value, field, declarations);
    return `<${name} xsi:type="${qnameText}"${written.slice(name.length + 1)}`;
  }
  for (const a of type.attributes) {
    const v = record[a.prop];
    if (v === undefined || v === null) {
      if (a.required) throw invalid(`${field}.${a.prop}`, "is required");
      continue;
    }
    attributes += ` ${qname(prefixes, a.ns, a.local)}="${simpleText(model, a.type, v, `${field}.${a.prop}`).replace(/"/g, "&quot;")}"`;
  }
  let inner = "";
  if (type.text !== undefined) {
    const v = record.$value;
    if (v !== undefined && v !== null) inner = simpleText(model, type.text, v, `${field}.$value`);
  }
  inner += writeFields(model, prefixes, type, record, field);
  return inner === "" ? `<${name}${attributes}/>` : `<${name}${attributes}>${inner}</${name}>`;
}

/**
 * The XML text of an `xsd:any` value: a string holding one well-formed element (its
 * namespaces declared in it), written unchanged.
 */
function anyText(value: unknown, field: string): string {
  if (typeof value !== "string") throw invalid(field, "must be the XML text of an element (xsd:any)");
  try {
    if (readXml(`<any>${value}</any>`).children.length !== 1) throw new Error("not one element");
  } catch {
    throw invalid(field, "is not the well-formed XML text of one element (xsd:any)");
  }
  return value;
}

/** An element read back as XML text, each namespace it uses declared on it (for `xsd:any`). */
function xmlText(el: XmlElement, parentNs: string | null = null): string {
  let head = el.local;
  if (el.ns !== (parentNs ?? "")) head += ` xmlns="${escapeAttribute(el.ns)}"`;
  const prefixes = new Map<string, string>();
  for (const a of el.attributes) {
    let name = a.local;
    if (a.ns !== "") {
      let p = prefixes.get(a.ns);
      if (p === undefined) {
        p = `a${prefixes.size}`;
        prefixes.set(a.ns, p);
        head += ` xmlns:${p}="${escapeAttribute(a.ns)}"`;
      }
      name = `${p}:${a.local}`;
    }
    head += ` ${name}="${escapeAttribute(a.value)}"`;
  }
  const inner = escapeText(el.text, "xsd:any") + el.children.map((c) => xmlText(c, el.ns)).join("");
  return inner === "" ? `<${head}/>` : `<${head}>${inner}</${el.local}>`;
}

function writeFields(
  model: SoapServiceModel,
  prefixes: Prefixes,
  type: SoapComplexTypeModel,
  record: Record<string, unknown>,
  field: string,
): string {
  let inner = "";
  let chosen: Map<number, { branch: number; prop: string }> | undefined;
  for (const f of type.fields) {
    const v = record[f.prop];
    const path = `${field}.${f.prop}`;
    if (f.choice && v !== undefined) {
      chosen ??= new Map();
      const first = chosen.get(f.choice.group);
      if (first && first.branch !== f.choice.branch)
        throw invalid(path, `is an alternative of ${field}.${first.prop} (xsd:choice): set only one`);
      if (!first) chosen.set(f.choice.group, { branch: f.choice.branch, prop: f.prop });
    }
    if (f.any) {
      const items = v === undefined ? [] : Array.isArray(v) ? v : [v];
      if (items.length < f.min) throw invalid(path, "is required (xsd:any: XML text of an element)");
      if (f.max !== -1 && items.length > f.max) throw invalid(path, `allows at most ${f.max} items`);
      for (const item of items) inner += anyText(item, path);
      continue;
    }
    const name = qname(prefixes, f.ns, f.local);
    const items = v === undefined ? [] : f.max !== 1 && Array.isArray(v) ? v : [v];
    if (items.length < f.min)
      throw invalid(path, f.min === 1 ? "is required" : `needs at least ${f.min} items`);
    if (f.max !== -1 && items.length > f.max) throw invalid(path, `allows at most ${f.max} items`);
    for (let i = 0; i < items.length; i++) {
      const item = items[i];
      const itemPath = items.length > 1 || f.max !== 1 ? `${path}[${i}]` : path;
      if (item === null) {
        if (!f.nillable) throw invalid(itemPath, "is not nillable");
        inner += `<${name} xsi:nil="true"/>`;
      } else inner += writeElement(model, prefixes, name, f.type, item, itemPath);
    }
  }
  return inner;
}

/** Where each model's namespace prefixes are kept (computed once per model). */
const PREFIXES = new WeakMap<SoapServiceModel, Prefixes>();

function prefixesFor(model: SoapServiceModel): Prefixes {
  let p = PREFIXES.get(model);
  if (!p) {
    p = prefixesOf(model);
    PREFIXES.set(model, p);
  }
  return p;
}

function operationOf(model: SoapServiceModel, operation: string) {
  const op = Object.hasOwn(model.operations, operation) ? model.operations[operation] : undefined;
  if (!op) throw new ValidationError("INVALID_VALUE", `operation ${operation} is not in the model`);
  return op;
}

/**
 * The request envelope of `operation` for `input` (the body element's content) and `headers`
 * (the content of each input `soap:header` element by its part name, SOAP 1.1 §4.2): no XML
 * declaration, no whitespace; a `Header` only when the operation declares headers (the
 * security hook adds its own into it, or adds one).
 * @throws ValidationError `INVALID_VALUE` naming the field for a value the schema does not allow
 * here, or naming a required header that `headers` lacks.
 */
export function encodeRequest(
  model: SoapServiceModel,
  operation: string,
  input: unknown,
  headers?: SoapHeaderValues,
): string {
  const op = operationOf(model, operation);
  const prefixes = prefixesFor(model);
  const local = prefixes.onBodyElement && op.input ? prefixes.declarations : "";
  let header = "";
  for (const h of op.inputHeaders ?? []) {
    const value = headers && Object.hasOwn(headers, h.prop) ? headers[h.prop] : undefined;
    if (value === undefined) {
      if (h.required)
        throw invalid(
          `header ${h.prop}`,
          `is required by operation ${operation} (soap:header of its input) and was not given (client option headers or the call's headers)`,
        );
      continue;
    }
    header += writeContent(model, prefixes, h.element, value, `header ${h.prop}`, local);
  }
  let body = "";
  if (op.input) body = writeContent(model, prefixes, op.input, input, op.input.local, local);
  const global = prefixes.onBodyElement && op.input ? "" : prefixes.declarations;
  const head = header ? `<s:Header>${header}</s:Header>` : "";
  return `<s:Envelope xmlns:s="${SOAP11_NAMESPACE}"${global}>${head}<s:Body>${body}</s:Body></s:Envelope>`;
}

/** One element of a body or header: a complex type's content as given, a simple type's `{ value }`. */
function writeContent(
  model: SoapServiceModel,
  prefixes: Prefixes,
  element: SoapBodyModel,
  content: unknown,
  path: string,
  declarations: string,
): string {
  const name = qname(prefixes, element.ns, element.local);
  const type = element.type.startsWith("xsd:") ? undefined : model.types[element.type];
  const value =
    type?.kind === "complex" ? (content ?? {}) : (content as { value?: unknown } | undefined)?.value;
  return writeElement(model, prefixes, name, element.type, value, path, declarations);
}

function readSimple(model: SoapServiceModel, ref: SoapTypeRef, text: string): unknown {
  const named = ref.startsWith("xsd:") ? undefined : model.types[ref];
  if (named?.kind === "simple" && named.list)
    return text
      .split(/\s+/)
      .filter(Boolean)
      .map((item) => readSimple(model, named.base, item));
  if (named?.kind === "simple") return readSimple(model, named.base, text);
  if (BIG_INTEGERS.has(ref)) {
    const t = text.trim();
    if (!INTEGER_LEXICAL.test(t)) throw badValue(ref, t);
    return BigInt(t);
  }
  if (NUMBERS.has(ref)) {
    const t = text.trim();
    if (t === "INF") return Number.POSITIVE_INFINITY;
    if (t === "-INF") return Number.NEGATIVE_INFINITY;
    const n = t === "NaN" ? Number.NaN : Number(t);
    if (t === "" || (Number.isNaN(n) && t !== "NaN")) throw badValue(ref, t);
    return n;
  }
  if (ref === "xsd:boolean") {
    const t = text.trim();
    if (t === "true" || t === "1") return true;
    if (t === "false" || t === "0") return false;
    throw badValue(ref, t);
  }
  if (ref === "xsd:base64Binary") return new Uint8Array(Buffer.from(text.trim(), "base64"));
  if (ref === "xsd:hexBinary") return new Uint8Array(Buffer.from(text.trim(), "hex"));
  if (ref === "xsd:decimal" || ref === "xsd:dateTime" || ref === "xsd:date") return text.trim();
  return text;
}

function badValue(ref: string, text: string): TransportError {
  return new TransportError(
    "BAD_RESPONSE",
    `the answer holds ${JSON.stringify(text.slice(0, 40))} where the schema says ${ref}`,
    { retryable: false },
  );
}

function isNil(el: XmlElement): boolean {
  for (const a of el.attributes)
    if (a.local === "nil" && a.ns === XSI_NAMESPACE) return a.value === "true" || a.value === "1";
  return false;
}

function attributeOf(el: XmlElement, ns: string, local: string): string | undefined {
  for (const a of el.attributes) if (a.local === local && a.ns === ns) return a.value;
  return undefined;
}

/** The derived type an element's `xsi:type` names among `type.derived`, if any. */
function xsiTypeOf(
  model: SoapServiceModel,
  type: SoapComplexTypeModel,
  el: XmlElement,
): SoapTypeRef | undefined {
  const value = attributeOf(el, XSI_NAMESPACE, "type");
  if (value === undefined || !type.derived) return undefined;
  const colon = value.indexOf(":");
  const ns = el.lookup(colon < 0 ? null : value.slice(0, colon)) ?? "";
  const local = value.slice(colon + 1);
  return type.derived.find((d) => {
    const name = (model.types[d] as SoapComplexTypeModel).name;
    return name?.local === local && name.ns === ns;
  });
}

/**
 * Reads `el` as `ref`. `path` names it in errors (`GetQuoteResponse.items[1].price`): a child
 * element the schema requires (`minOccurs` ≥ 1, not nillable, not an `xsd:choice` alternative,
 * XML Schema Part 1 §3.9.4) that the answer lacks is refused, so a result always holds what its
 * generated type promises.
 * @throws TransportError `BAD_RESPONSE` for a value that is not its type or a missing required element.
 */
function readElement(model: SoapServiceModel, ref: SoapTypeRef, el: XmlElement, path: string): unknown {
  if (isNil(el)) return null;
  const declared = ref.startsWith("xsd:") ? undefined : model.types[ref];
  if (declared?.kind !== "complex") return readSimple(model, ref, textContent(el));
  const derivedRef = declared.derived ? xsiTypeOf(model, declared, el) : undefined;
  const type = derivedRef ? (model.types[derivedRef] as SoapComplexTypeModel) : declared;
  const out: Record<string, unknown> = {};
  if (derivedRef) out.$type = type.name?.local;
  for (const a of type.attributes) {
    const v = attributeOf(el, a.ns, a.local);
    if (v !== undefined) out[a.prop] = readSimple(model, a.type, v);
  }
  if (type.text !== undefined) out.$value = readSimple(model, type.text, el.text);
  for (const f of type.fields) if (f.max !== 1) out[f.prop] = [];
  for (const kid of el.children) {
    // Namespaces as the schema says; a lenient match on the local name when a server qualifies differently.
    let f = undefined as (typeof type.fields)[number] | undefined;
    for (const x of type.fields)
      if (x.local === kid.local && x.ns === kid.ns) {
        f = x;
        break;
      }
    f ??= type.fields.find((x) => !x.any && x.local === kid.local);
    f ??= type.fields.find((x) => x.any && x.local === "");
    if (!f) continue;
    const at =
      f.max !== 1 ? `${path}.${f.local}[${(out[f.prop] as unknown[]).length}]` : `${path}.${f.local}`;
    const value = f.any ? xmlText(kid) : readElement(model, f.type, kid, at);
    if (f.max !== 1) (out[f.prop] as unknown[]).push(value);
    else if (!(f.prop in out)) out[f.prop] = value;
  }
  for (const f of type.fields) {
    if (f.min === 0 || f.nillable || f.any || f.choice) continue;
    const count = f.max !== 1 ? (out[f.prop] as unknown[]).length : f.prop in out ? 1 : 0;
    if (count < f.min) {
      throw new TransportError(
        "BAD_RESPONSE",
        `the answer lacks ${path}.${f.local}${f.max !== 1 ? ` (${count} of at least ${f.min})` : ""}, which the schema requires (minOccurs ${f.min})`,
        { retryable: false },
      );
    }
  }
  return out;
}

function matches(body: SoapBodyModel, el: XmlElement): boolean {
  return el.local === body.local && el.ns === body.ns;
}

/** The first element of the SOAP 1.1 Body (SOAP 1.1 §4.3), and the Header (§4.2) if there is one. */
function bodyOf(text: string, status: number): { first: XmlElement; header: XmlElement | undefined } {
  const bad = (reason: string) =>
    new TransportError("BAD_RESPONSE", `the server's answer is not a usable SOAP 1.1 response: ${reason}`, {
      retryable: false,
      status,
    });
  const root = readXml(text, status);
  if (root.local !== "Envelope" || root.ns !== SOAP11_NAMESPACE)
    throw bad("the root is not a SOAP 1.1 Envelope");
  const body = root.children.find((c) => c.local === "Body" && c.ns === SOAP11_NAMESPACE);
  if (!body) throw bad("the envelope has no Body");
  const first = body.children[0];
  if (!first) throw bad("the Body is empty");
  return { first, header: root.children.find((c) => c.local === "Header" && c.ns === SOAP11_NAMESPACE) };
}

/** The output `soap:header` values an answer carries, by part name; undefined when none. */
function headersOf(
  model: SoapServiceModel,
  declared: readonly SoapHeaderModel[] | undefined,
  header: XmlElement | undefined,
): Record<string, unknown> | undefined {
  if (!declared || !header) return undefined;
  let out: Record<string, unknown> | undefined;
  for (const h of declared) {
    const el = header.children.find((c) => matches(h.element, c));
    if (!el) continue;
    out ??= {};
    out[h.prop] = wrapSimple(model, h.element.type, readElement(model, h.element.type, el, el.local));
  }
  return out;
}

/** A SOAP 1.1 Fault (SOAP 1.1 §4.4): code (with its prefix's namespace), string, `CommunicationFault` detail. */
function faultOf(fault: XmlElement): ParsedFault {
  const child = (name: string) => fault.children.find((k) => k.local === name);
  const codeEl = child("faultcode");
  const faultCode = (codeEl ? textContent(codeEl) : "").trim();
  const faultString = (() => {
    const el = child("faultstring");
    return el ? textContent(el).trim() : "";
  })();
  const out: ParsedFault = { faultCode, faultString };
  const colon = faultCode.indexOf(":");
  const ns = codeEl && colon > 0 ? codeEl.lookup(faultCode.slice(0, colon)) : null;
  if (ns) out.faultCodeNamespace = ns;
  const cf = child("detail")?.children.find((k) => k.local === "CommunicationFault");
  if (cf) {
    const text = (name: string) => {
      const el = cf.children.find((k) => k.local === name);
      return el ? textContent(el).trim() : undefined;
    };
    const code = text("Code");
    const retryable = text("Retryable");
    const field = text("Field");
    out.detail = {
      ...(code ? { code } : {}),
      ...(retryable === undefined ? {} : { retryable: retryable === "true" || retryable === "1" }),
      ...(field ? { field } : {}),
    };
  }
  return out;
}

/**
 * Reads an answer of `operation`: the response body's content (a `{ value }` object for a
 * simple-typed body element), a {@link DeclaredFaultError} for a fault whose detail is one the
 * operation declares, or the SDK's `SoapFaultError` for any other fault.
 * @throws TransportError `BAD_RESPONSE` for an answer that is not the operation's response.
 */
export function decodeResponse(
  model: SoapServiceModel,
  operation: string,
  text: string,
  status: number,
  context: { signingCertificatePem?: string | undefined } = {},
): SoapParsed {
  const op = operationOf(model, operation);
  const { first, header } = bodyOf(text, status);
  if (first.local === "Fault" && first.ns === SOAP11_NAMESPACE) {
    const fault = faultOf(first);
    const detail = first.children.find((k) => k.local === "detail");
    for (const child of detail ? detail.children : []) {
      const declared = op.faults.find((f) => matches(f.element, child));
      if (declared) {
        const generic = faultToError(fault, status, context);
        let detailValue: unknown;
        try {
          detailValue = wrapSimple(
            model,
            declared.element.type,
            readElement(model, declared.element.type, child, child.local),
          );
        } catch {
          // A detail that does not match its declaration: still the server's fault (its
          // faultstring and code), untyped, never a BAD_RESPONSE that hides what it said.
          return { kind: "fault", fault: generic };
        }
        return {
          kind: "fault",
          fault: new DeclaredFaultError(
            declared.name,
            detailValue,
            `the server answered the declared fault ${declared.name}: ${fault.faultString || fault.faultCode}`,
            { faultCode: fault.faultCode, status, retryable: generic.retryable },
          ),
        };
      }
    }
    return { kind: "fault", fault: faultToError(fault, status, context) };
  }
  const $headers = headersOf(model, op.outputHeaders, header);
  if (!op.output) return { kind: "response", body: $headers ? { $headers } : {} };
  // Lenient on the namespace of the response element (servers disagree on the rpc/literal
  // wrapper's namespace when soap:body gives none), strict on its name.
  if (first.local !== op.output.local) {
    throw new TransportError(
      "BAD_RESPONSE",
      `expected ${op.output.local} in the Body, the server answered ${first.local}`,
      { retryable: false, status },
    );
  }
  const body = wrapSimple(model, op.output.type, readElement(model, op.output.type, first, first.local));
  if ($headers) (body as Record<string, unknown>).$headers = $headers;
  return { kind: "response", body };
}

function wrapSimple(model: SoapServiceModel, ref: SoapTypeRef, value: unknown): unknown {
  const type = ref.startsWith("xsd:") ? undefined : model.types[ref];
  return type?.kind === "complex" ? value : { value };
}

/**
 * The content of `soap:header` elements (WSDL 1.1 §3.7) by message part name, e.g.
 * `{ AuthHeader: { Username: "u", Password: "p" } }`: a complex-typed element's content as an
 * object, a simple-typed one as `{ value }` (as for a body). `undefined` entries count as absent.
 */
export type SoapHeaderValues = Readonly<Record<string, unknown>>;

/** {@link SoapModelClient} options: the SDK's client options and the client-wide `soap:header` values. */
export type SoapModelClientOptions<Op extends string = string> = SoapClientOptions<Op> & {
  /**
   * Header values sent on every call whose binding declares a header of that part name;
   * ignored by operations that declare none. A call's own `headers` override them, per name.
   */
  headers?: SoapHeaderValues | undefined;
};

/** Per-call options of {@link SoapModelClient.call}: the transport's, and `soap:header` values for this call. */
export type SoapModelCallOptions = CallOptions & {
  /** Header values for this call, by part name; each overrides the client-wide value of that name. */
  headers?: SoapHeaderValues | undefined;
};

/**
 * Calls the operations of a {@link SoapServiceModel} on the SDK's transport. Generated
 * clients (`esol codegen`) wrap one in typed methods; use it directly for a model built
 * at run time.
 *
 * @example
 * ```ts
 * import { SoapModelClient, type SoapServiceModel } from "esolutions-sdk";
 * declare const $model: SoapServiceModel; // the `$model` export of an `esol codegen` output
 * const raw = new SoapModelClient($model, { endpoint: "http://127.0.0.1:8080/stock" });
 * const quote = await raw.call("GetLastTradePrice", { tickerSymbol: "ACME" });
 * await raw.close();
 * ```
 */
export class SoapModelClient<Op extends string = string> {
  /** The endpoint every call goes through (its resolved `config`, its `security`). */
  readonly endpoint: SoapEndpoint<Op>;
  readonly #model: SoapServiceModel;
  readonly #headers: SoapHeaderValues | undefined;

  /**
   * @throws ConfigError `CONFIG_ENDPOINT`, `CONFIG_INVALID_OPTION`, `CONFIG_TLS`, `CONFIG_PROXY`.
   */
  constructor(model: SoapServiceModel, options: SoapModelClientOptions<Op>) {
    this.#model = model;
    const { headers, ...transport } = options;
    this.#headers = headers ? { ...headers } : undefined;
    this.endpoint = new SoapEndpoint(transport, "generated SOAP client");
  }

  /**
   * Calls `operation` with `input` (the request body element's content; `{ value }` for a
   * simple-typed element) and resolves to the response body's content plus `$metadata`, and
   * `$headers` (by part name) when the answer carries output headers the operation declares.
   * The operation's input `soap:header`s are written into the SOAP `Header` before the
   * `security` hook runs (which adds its `wsse:Security` header beside them and signs as usual).
   * @throws ValidationError `INVALID_VALUE` for input the schema does not allow, or a required
   * header given neither in the client's nor the call's `headers`;
   * DeclaredFaultError (`SOAP_DECLARED_FAULT`) for a declared fault; and what
   * {@link SoapEndpoint.call} throws.
   */
  async call<T extends object>(
    operation: Op,
    input: unknown,
    options: SoapModelCallOptions = {},
  ): Promise<WithMetadata<T, Op>> {
    const model = this.#model;
    const op = operationOf(model, operation);
    const { headers: callHeaders, ...callOptions } = options;
    const headers = callHeaders ? { ...this.#headers, ...definedOnly(callHeaders) } : this.#headers;
    const envelope = encodeRequest(model, operation, input, headers);
    const security = this.endpoint.security as { certificatePem?: string } | undefined;
    return this.endpoint.call<T>(
      {
        operation,
        soapAction: op.soapAction,
        envelope,
        parse: (text, status) =>
          decodeResponse(model, operation, text, status, { signingCertificatePem: security?.certificatePem }),
        decode: (body) => body as T,
        emptyAnswerOk: op.output === null,
      },
      callOptions,
    );
  }

  /** Closes kept-alive connections. */
  close(): Promise<void> {
    return this.endpoint.close();
  }
}

/** The entries of `values` that are not `undefined` (an `undefined` per-call value keeps the client's). */
function definedOnly(values: SoapHeaderValues): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(values)) if (v !== undefined) out[k] = v;
  return out;
}
