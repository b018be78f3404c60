/**
 * From a read WSDL ({@link WsdlIndex}) to the {@link SoapServiceModel} of one SOAP 1.1 port:
 * picks the port, checks the binding is one the SDK speaks (document/literal wrapped or
 * bare, rpc/literal — WSDL 1.1 §3.5, WS-I Basic Profile 1.1 §4.7), and compiles the XML
 * Schema types of its messages (XML Schema Part 1 §3.3–§3.8).
 * @module
 */
import type { Element } from "@xmldom/xmldom";
import { ConfigError } from "../errors.js";
import type {
  SoapAttributeModel,
  SoapBodyModel,
  SoapComplexTypeModel,
  SoapFaultModel,
  SoapFieldModel,
  SoapHeaderModel,
  SoapOperationModel,
  SoapServiceModel,
  SoapSimpleTypeModel,
  SoapTypeRef,
} from "../soap/service-model.js";
import {
  type Component,
  children,
  type QKey,
  qkey,
  resolveQName,
  type SchemaContext,
  WSDL_NAMESPACE,
  WSDL_SOAP11_NAMESPACE,
  WSDL_SOAP12_NAMESPACE,
  type WsdlIndex,
  XSD_NAMESPACE,
} from "./wsdl.js";

/** Which port to generate for (`esol codegen --service/--port`). */
export interface PortSelection {
  /** `wsdl:service` name; default: any. */
  service?: string | undefined;
  /** `wsdl:port` name; default: the first SOAP 1.1 port. */
  port?: string | undefined;
}

/** The model of the chosen port and what the emitter needs to name things. */
export interface PortModel {
  /** `wsdl:service` name (the binding's name when the description has no service). */
  serviceName: string;
  /** `wsdl:port` name (the binding's name when the description has no service). */
  portName: string;
  /** The port's `soap:address` location, when it has one. */
  address: string | undefined;
  /** Operations and types. */
  model: SoapServiceModel;
  /** A name hint per type key, for the generated TypeScript types. */
  typeNames: Map<SoapTypeRef, string>;
  /** What the generated client leaves out (e.g. `use="encoded"` `soap:header` parts), one line each. */
  warnings: string[];
}

type PortKind = "soap11" | "soap12" | "other";

interface PortInfo {
  service: string;
  name: string;
  binding: Element;
  bindingName: string;
  kind: PortKind;
  address: string | undefined;
}

function bindingKind(binding: Element): PortKind {
  if (children(binding, WSDL_SOAP11_NAMESPACE, "binding").length > 0) return "soap11";
  if (children(binding, WSDL_SOAP12_NAMESPACE, "binding").length > 0) return "soap12";
  return "other";
}

function ports(index: WsdlIndex, selection: PortSelection): PortInfo[] {
  const out: PortInfo[] = [];
  const services = index.services.filter(
    (s) => selection.service === undefined || s.getAttribute("name") === selection.service,
  );
  if (selection.service !== undefined && services.length === 0) {
    const names = index.services.map((s) => s.getAttribute("name")).join(", ") || "none";
    throw new ConfigError(
      "CODEGEN_PORT",
      `no service "${selection.service}" in ${index.location} (services: ${names})`,
    );
  }
  for (const service of services) {
    for (const port of children(service, WSDL_NAMESPACE, "port")) {
      const name = port.getAttribute("name") ?? "";
      const ref = resolveQName(port, port.getAttribute("binding") ?? "");
      const binding = index.bindings.get(qkey(ref.ns, ref.local));
      if (!binding)
        throw new ConfigError(
          "CODEGEN_PORT",
          `port "${name}" refers to binding "${ref.local}", which ${index.location} does not define`,
        );
      const address = children(port)
        .find((c) => c.localName === "address")
        ?.getAttribute("location");
      out.push({
        service: service.getAttribute("name") ?? "",
        name,
        binding,
        bindingName: ref.local,
        kind: bindingKind(binding),
        address: address || undefined,
      });
    }
  }
  if (index.services.length === 0) {
    for (const binding of index.bindings.values()) {
      const name = binding.getAttribute("name") ?? "";
      out.push({
        service: name,
        name,
        binding,
        bindingName: name,
        kind: bindingKind(binding),
        address: undefined,
      });
    }
  }
  return out;
}

function choosePort(index: WsdlIndex, selection: PortSelection): PortInfo {
  const all = ports(index, selection);
  const list = (kind?: PortKind) =>
    all
      .filter((p) => kind === undefined || p.kind === kind)
      .map((p) => p.name)
      .join(", ") || "none";
  if (selection.port !== undefined) {
    const chosen = all.find((p) => p.name === selection.port);
    if (!chosen)
      throw new ConfigError(
        "CODEGEN_PORT",
        `no port "${selection.port}" in ${index.location} (ports: ${list()})`,
      );
    if (chosen.kind !== "soap11")
      throw new ConfigError(
        "CODEGEN_UNSUPPORTED",
        `port "${chosen.name}" (binding "${chosen.bindingName}") is ${chosen.kind === "soap12" ? "SOAP 1.2" : "not a SOAP binding"}; only SOAP 1.1 is supported (SOAP 1.1 ports: ${list("soap11")})`,
      );
    return chosen;
  }
  const first = all.find((p) => p.kind === "soap11");
  if (first) return first;
  if (all.some((p) => p.kind === "soap12"))
    throw new ConfigError(
      "CODEGEN_UNSUPPORTED",
      `${index.location} is SOAP 1.2-only (ports: ${list("soap12")}); only SOAP 1.1 bindings are supported`,
    );
  throw new ConfigError("CODEGEN_PORT", `${index.location} has no SOAP 1.1 port or binding`);
}

interface MessagePart {
  name: string;
  element?: { ns: string; local: string };
  type?: { ns: string; local: string };
}

function messageParts(index: WsdlIndex, owner: Element, ref: string | null, where: string): MessagePart[] {
  if (!ref) return [];
  const q = resolveQName(owner, ref);
  const message = index.messages.get(qkey(q.ns, q.local));
  if (!message)
    throw new ConfigError("CODEGEN_WSDL", `${where} refers to message "${q.local}", which is not defined`);
  return children(message, WSDL_NAMESPACE, "part").map((part) => {
    const element = part.getAttribute("element");
    const type = part.getAttribute("type");
    return {
      name: part.getAttribute("name") ?? "",
      ...(element ? { element: resolveQName(part, element) } : {}),
      ...(type ? { type: resolveQName(part, type) } : {}),
    };
  });
}

const XSD_PREFIX = "xsd:";

/** The built-in datatypes of XML Schema Part 2 §3. */
const XSD_BUILTINS = new Set(
  (
    "string boolean decimal float double duration dateTime time date gYearMonth gYear gMonthDay gDay gMonth " +
    "hexBinary base64Binary anyURI QName NOTATION normalizedString token language NMTOKEN NMTOKENS Name NCName " +
    "ID IDREF IDREFS ENTITY ENTITIES integer nonPositiveInteger negativeInteger long int short byte " +
    "nonNegativeInteger unsignedLong unsignedInt unsignedShort unsignedByte positiveInteger anyType anySimpleType"
  ).split(" "),
);

/** Compiles schema components into model types. */
class TypeCompiler {
  readonly types: SoapServiceModel["types"] = {};
  readonly names = new Map<SoapTypeRef, string>();
  readonly #index: WsdlIndex;
  /** `xsd:choice` groups numbered so far. */
  #choices = 0;
  /** Base type key → the keys of the types extending it directly (built on first use). */
  #extensions: Map<QKey, QKey[]> | undefined;

  constructor(index: WsdlIndex) {
    this.#index = index;
  }

  /** The model reference of a named type. */
  typeRef(q: { ns: string; local: string }, where: string): SoapTypeRef {
    if (q.ns === XSD_NAMESPACE) return `${XSD_PREFIX}${q.local}`;
    const key = qkey(q.ns, q.local);
    if (key in this.types) return key;
    const component = this.#index.types.get(key);
    // An unprefixed built-in name with no default namespace (the WSDL 1.1 Note's own example
    // writes type="string" so) is read as the XML Schema built-in.
    if (!component && q.ns === "" && XSD_BUILTINS.has(q.local)) return `${XSD_PREFIX}${q.local}`;
    if (!component)
      throw new ConfigError(
        "CODEGEN_WSDL",
        `type "${q.local}" (namespace ${q.ns || "none"}, used by ${where}) is not defined`,
      );
    this.names.set(key, q.local);
    this.#compile(key, component.node, component.schema);
    const compiled = this.types[key];
    if (compiled?.kind === "complex") {
      compiled.name = { ns: q.ns, local: q.local };
      if (component.node.getAttribute("abstract") === "true") compiled.abstract = true;
      // Types derived by extension may stand in for it on the wire (xsi:type).
      const derived = this.#derivedOf(key).map((d) => {
        const at = /^\{([^}]*)\}(.*)$/.exec(d) as RegExpExecArray;
        return this.typeRef({ ns: at[1] ?? "", local: at[2] ?? "" }, `a type derived from ${q.local}`);
      });
      if (derived.length > 0) compiled.derived = derived;
    }
    return key;
  }

  /** The model reference of a global element's type. */
  elementRef(q: { ns: string; local: string }, where: string): { body: SoapBodyModel; component: Component } {
    const component = this.#index.elements.get(qkey(q.ns, q.local));
    if (!component)
      throw new ConfigError(
        "CODEGEN_WSDL",
        `element "${q.local}" (namespace ${q.ns || "none"}, used by ${where}) is not defined`,
      );
    return {
      body: {
        ns: component.schema.tns,
        local: q.local,
        type: this.#elementType(component.node, component.schema, `el:${qkey(q.ns, q.local)}`, q.local),
      },
      component,
    };
  }

  /** The named complex types derived from `key` by `complexContent` extension, at any depth, in document order. */
  #derivedOf(key: QKey): QKey[] {
    if (!this.#extensions) {
      this.#extensions = new Map();
      for (const [typeKey, component] of this.#index.types) {
        if (component.node.localName !== "complexType") continue;
        const content = children(component.node, XSD_NAMESPACE, "complexContent")[0];
        const extension = content ? children(content, XSD_NAMESPACE, "extension")[0] : undefined;
        const base = extension?.getAttribute("base");
        if (!extension || !base) continue;
        const q = resolveQName(extension, base);
        const list = this.#extensions.get(qkey(q.ns, q.local)) ?? [];
        list.push(typeKey);
        this.#extensions.set(qkey(q.ns, q.local), list);
      }
    }
    const out: QKey[] = [];
    const queue = [...(this.#extensions.get(key) ?? [])];
    for (let i = 0; i < queue.length && i < this.#index.types.size; i++) {
      const next = queue[i] as QKey;
      if (out.includes(next)) continue;
      out.push(next);
      queue.push(...(this.#extensions.get(next) ?? []));
    }
    return out;
  }

  /** Registers a complex type built by hand (an rpc/literal wrapper). */
  define(key: SoapTypeRef, name: string, type: SoapComplexTypeModel): SoapTypeRef {
    this.types[key] = type;
    this.names.set(key, name);
    return key;
  }

  #elementType(node: Element, schema: SchemaContext, anonKey: string, name: string): SoapTypeRef {
    if (node.getAttribute("abstract") === "true")
      throw new ConfigError(
        "CODEGEN_UNSUPPORTED",
        `element "${node.getAttribute("name")}" in ${schema.location} is abstract="true": substitution groups (XML Schema Part 1 §3.3.6) are not supported`,
      );
    const type = node.getAttribute("type");
    if (type) {
      const q = resolveQName(node, type);
      const component = this.#index.types.get(qkey(q.ns, q.local));
      if (
        component?.node.getAttribute("abstract") === "true" &&
        this.#derivedOf(qkey(q.ns, q.local)).length === 0
      )
        throw new ConfigError(
          "CODEGEN_UNSUPPORTED",
          `element "${node.getAttribute("name") ?? name}" in ${schema.location} has the abstract type "${q.local}", which no type in the description extends`,
        );
      return this.typeRef(q, `element "${name}"`);
    }
    const inline = children(node, XSD_NAMESPACE).find(
      (c) => c.localName === "complexType" || c.localName === "simpleType",
    );
    if (!inline) return `${XSD_PREFIX}anyType`;
    if (!(anonKey in this.types)) {
      this.names.set(anonKey, name);
      this.#compile(anonKey, inline, schema);
    }
    return anonKey;
  }

  #compile(key: SoapTypeRef, node: Element, schema: SchemaContext): void {
    if (node.localName === "simpleType") {
      this.types[key] = { kind: "simple", base: `${XSD_PREFIX}string` };
      this.types[key] = this.#simple(node, key);
      return;
    }
    const type: SoapComplexTypeModel = { kind: "complex", fields: [], attributes: [] };
    this.types[key] = type;
    this.#complexContent(node, schema, key, type);
    // Property names: element local names, made unique; attributes after them.
    const used = new Set<string>();
    for (const f of type.fields) f.prop = unique(f.prop, used);
    for (const a of type.attributes) a.prop = unique(used.has(a.prop) ? `${a.prop}Attribute` : a.prop, used);
  }

  #simple(node: Element, key: SoapTypeRef): SoapSimpleTypeModel {
    const list = children(node, XSD_NAMESPACE, "list")[0];
    if (list) {
      // XML Schema Part 2 §3.14.1: itemType, or an inline simpleType.
      const itemType = list.getAttribute("itemType");
      let base: SoapTypeRef = `${XSD_PREFIX}string`;
      if (itemType) base = this.typeRef(resolveQName(list, itemType), `xsd:list of ${key}`);
      else {
        const inline = children(list, XSD_NAMESPACE, "simpleType")[0];
        if (inline) {
          const itemKey = `${key}/item`;
          this.names.set(itemKey, `${this.names.get(key) ?? ""}Item`);
          this.types[itemKey] = this.#simple(inline, itemKey);
          base = itemKey;
        }
      }
      return { kind: "simple", base, list: true };
    }
    // xsd:union (Part 2 §2.5.1.3): any member's lexical form, kept as a string.
    const restriction = children(node, XSD_NAMESPACE, "restriction")[0];
    if (!restriction) return { kind: "simple", base: `${XSD_PREFIX}string` };
    const baseAttr = restriction.getAttribute("base");
    let base: SoapTypeRef = `${XSD_PREFIX}string`;
    let inherited: string[] | undefined;
    if (baseAttr) {
      const ref = this.typeRef(resolveQName(restriction, baseAttr), `simple type ${key}`);
      const named = this.types[ref];
      if (named?.kind === "simple" && named.list) return { ...named };
      if (named?.kind === "simple") {
        base = named.base;
        inherited = named.enumeration;
      } else if (!named) base = ref;
    } else {
      const inline = children(restriction, XSD_NAMESPACE, "simpleType")[0];
      if (inline) base = this.#simple(inline, key).base;
    }
    const values = children(restriction, XSD_NAMESPACE, "enumeration").map(
      (e) => e.getAttribute("value") ?? "",
    );
    const enumeration = values.length > 0 ? values : inherited;
    return enumeration ? { kind: "simple", base, enumeration } : { kind: "simple", base };
  }

  #complexContent(node: Element, schema: SchemaContext, key: SoapTypeRef, type: SoapComplexTypeModel): void {
    for (const child of children(node, XSD_NAMESPACE)) {
      switch (child.localName) {
        case "complexContent":
        case "simpleContent": {
          const derivation = children(child, XSD_NAMESPACE).find(
            (c) => c.localName === "extension" || c.localName === "restriction",
          );
          if (!derivation) break;
          const baseAttr = derivation.getAttribute("base");
          const base = baseAttr ? this.typeRef(resolveQName(derivation, baseAttr), `type ${key}`) : undefined;
          const baseType = base === undefined ? undefined : this.types[base];
          if (child.localName === "simpleContent") {
            if (baseType?.kind === "complex") {
              type.attributes.push(...baseType.attributes.map((a) => ({ ...a })));
              if (baseType.text !== undefined) type.text = baseType.text;
            } else if (base !== undefined) type.text = base;
          } else if (derivation.localName === "extension" && baseType?.kind === "complex") {
            type.fields.push(...baseType.fields.map((f) => ({ ...f })));
            type.attributes.push(...baseType.attributes.map((a) => ({ ...a })));
          }
          this.#complexContent(derivation, schema, key, type);
          break;
        }
        case "sequence":
        case "all":
        case "choice":
        case "group":
          this.#particles(child, schema, key, type, false, false);
          break;
        case "attribute":
          this.#attribute(child, schema, key, type);
          break;
        case "attributeGroup":
          this.#attributeGroup(child, key, type);
          break;
      }
    }
  }

  #particles(
    node: Element,
    schema: SchemaContext,
    key: SoapTypeRef,
    type: SoapComplexTypeModel,
    optional: boolean,
    repeated: boolean,
    choice?: { group: number; branch: number },
  ): void {
    const min = occurs(node.getAttribute("minOccurs"), 1);
    const max = occurs(node.getAttribute("maxOccurs"), 1);
    const opt = optional || min === 0 || node.localName === "choice";
    const rep = repeated || max !== 1;
    if (node.localName === "group") {
      const ref = node.getAttribute("ref");
      if (!ref) return;
      const q = resolveQName(node, ref);
      const group = this.#index.groups.get(qkey(q.ns, q.local));
      if (!group) throw new ConfigError("CODEGEN_WSDL", `group "${q.local}" (used by ${key}) is not defined`);
      for (const c of children(group.node, XSD_NAMESPACE))
        if (c.localName === "sequence" || c.localName === "choice" || c.localName === "all")
          this.#particles(c, group.schema, key, type, opt, rep, choice);
      return;
    }
    // A repeated choice lets every alternative occur: only a single choice is checked.
    const group = node.localName === "choice" && !rep ? this.#choices++ : undefined;
    let branch = 0;
    for (const child of children(node, XSD_NAMESPACE)) {
      const at = group === undefined ? choice : { group, branch: branch++ };
      const placed = (f: SoapFieldModel): SoapFieldModel => (at ? { ...f, choice: at } : f);
      if (child.localName === "element") type.fields.push(placed(this.#field(child, schema, key, opt, rep)));
      else if (child.localName === "any") type.fields.push(placed(this.#wildcard(child, opt, rep)));
      else if (["sequence", "choice", "all", "group"].includes(child.localName ?? ""))
        this.#particles(child, schema, key, type, opt, rep, at);
    }
  }

  /** An `xsd:any` (XML Schema Part 1 §3.10.2): a field holding the XML text of elements. */
  #wildcard(node: Element, optional: boolean, repeated: boolean): SoapFieldModel {
    const min = optional ? 0 : occurs(node.getAttribute("minOccurs"), 1);
    let max = occurs(node.getAttribute("maxOccurs"), 1);
    if (repeated && max === 1) max = -1;
    return {
      prop: "any",
      ns: "",
      local: "",
      type: `${XSD_PREFIX}anyType`,
      min,
      max,
      nillable: false,
      any: true,
    };
  }

  #field(
    node: Element,
    schema: SchemaContext,
    key: SoapTypeRef,
    optional: boolean,
    repeated: boolean,
  ): SoapFieldModel {
    const min = optional ? 0 : occurs(node.getAttribute("minOccurs"), 1);
    let max = occurs(node.getAttribute("maxOccurs"), 1);
    if (repeated && max === 1) max = -1;
    const ref = node.getAttribute("ref");
    if (ref) {
      const q = resolveQName(node, ref);
      if (q.ns === XSD_NAMESPACE && q.local === "schema") {
        // A .NET DataSet's inline schema (`<s:element ref="s:schema"/><s:any/>`): XML text, as xsd:any.
        return {
          prop: "schema",
          ns: XSD_NAMESPACE,
          local: "schema",
          type: `${XSD_PREFIX}anyType`,
          min,
          max,
          nillable: false,
          any: true,
        };
      }
      const { body, component } = this.elementRef(q, key);
      return {
        prop: q.local,
        ns: body.ns,
        local: q.local,
        type: body.type,
        min,
        max,
        nillable: component.node.getAttribute("nillable") === "true",
      };
    }
    const name = node.getAttribute("name") ?? "";
    const form = node.getAttribute("form");
    const qualified = form ? form === "qualified" : schema.elementsQualified;
    return {
      prop: name,
      ns: qualified ? schema.tns : "",
      local: name,
      type: this.#elementType(node, schema, `${key}/${name}`, `${this.names.get(key) ?? ""}${pascal(name)}`),
      min,
      max,
      nillable: node.getAttribute("nillable") === "true",
    };
  }

  #attribute(node: Element, schema: SchemaContext, key: SoapTypeRef, type: SoapComplexTypeModel): void {
    if (node.getAttribute("use") === "prohibited") return;
    const required = node.getAttribute("use") === "required";
    const ref = node.getAttribute("ref");
    let decl = node;
    let ns: string;
    let local: string;
    if (ref) {
      const q = resolveQName(node, ref);
      local = q.local;
      ns = q.ns;
      const global = this.#index.attributes.get(qkey(q.ns, q.local));
      if (global) decl = global.node;
      else if (q.ns !== "http://www.w3.org/XML/1998/namespace") {
        throw new ConfigError("CODEGEN_WSDL", `attribute "${q.local}" (used by ${key}) is not defined`);
      }
    } else {
      local = node.getAttribute("name") ?? "";
      const form = node.getAttribute("form");
      ns = (form ? form === "qualified" : schema.attributesQualified) ? schema.tns : "";
    }
    const typeAttr = decl.getAttribute("type");
    let typeRef: SoapTypeRef = `${XSD_PREFIX}string`;
    if (typeAttr) typeRef = this.typeRef(resolveQName(decl, typeAttr), `attribute "${local}"`);
    else {
      const inline = children(decl, XSD_NAMESPACE, "simpleType")[0];
      if (inline) {
        const anon = `${key}/@${local}`;
        this.names.set(anon, `${this.names.get(key) ?? ""}${pascal(local)}`);
        this.types[anon] = this.#simple(inline, anon);
        typeRef = anon;
      }
    }
    const attribute: SoapAttributeModel = { prop: local, ns, local, type: typeRef, required };
    type.attributes.push(attribute);
  }

  #attributeGroup(node: Element, key: SoapTypeRef, type: SoapComplexTypeModel): void {
    const ref = node.getAttribute("ref");
    if (!ref) return;
    const q = resolveQName(node, ref);
    const group = this.#index.attributeGroups.get(qkey(q.ns, q.local));
    if (!group)
      throw new ConfigError("CODEGEN_WSDL", `attributeGroup "${q.local}" (used by ${key}) is not defined`);
    for (const c of children(group.node, XSD_NAMESPACE)) {
      if (c.localName === "attribute") this.#attribute(c, group.schema, key, type);
      else if (c.localName === "attributeGroup") this.#attributeGroup(c, key, type);
    }
  }
}

function occurs(value: string | null, fallback: number): number {
  if (value === null || value === "") return fallback;
  if (value === "unbounded") return -1;
  const n = Number(value);
  return Number.isInteger(n) && n >= 0 ? n : fallback;
}

function unique(name: string, used: Set<string>): string {
  let out = name;
  for (let i = 2; used.has(out); i++) out = `${name}${i}`;
  used.add(out);
  return out;
}

/** `get_quote-item` → `GetQuoteItem`. */
export function pascal(name: string): string {
  const words = name.split(/[^A-Za-z0-9]+/).filter(Boolean);
  const out = words.map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join("");
  return /^[0-9]/.test(out) ? `_${out}` : out;
}

/**
 * Builds the model of one SOAP 1.1 port.
 * @throws ConfigError `CODEGEN_PORT` (no such service/port/binding), `CODEGEN_UNSUPPORTED`
 * (SOAP 1.2-only, `use="encoded"`, a document/literal message of several parts),
 * `CODEGEN_WSDL` (a reference to something not defined).
 */
export function buildPortModel(index: WsdlIndex, selection: PortSelection = {}): PortModel {
  const port = choosePort(index, selection);
  const binding = port.binding;
  const soapBinding = children(binding, WSDL_SOAP11_NAMESPACE, "binding")[0];
  const bindingStyle = soapBinding?.getAttribute("style") || "document";
  const portTypeRef = resolveQName(binding, binding.getAttribute("type") ?? "");
  const portType = index.portTypes.get(qkey(portTypeRef.ns, portTypeRef.local));
  if (!portType)
    throw new ConfigError(
      "CODEGEN_WSDL",
      `binding "${port.bindingName}" refers to portType "${portTypeRef.local}", which is not defined`,
    );
  const compiler = new TypeCompiler(index);
  const operations: Record<string, SoapOperationModel> = {};
  const warnings: string[] = [];
  for (const op of children(binding, WSDL_NAMESPACE, "operation")) {
    const name = op.getAttribute("name") ?? "";
    const where = `operation "${name}" of binding "${port.bindingName}"`;
    const soapOp = children(op, WSDL_SOAP11_NAMESPACE, "operation")[0];
    const style = soapOp?.getAttribute("style") || bindingStyle;
    const abstract = children(portType, WSDL_NAMESPACE, "operation").find(
      (o) => o.getAttribute("name") === name,
    );
    if (!abstract)
      throw new ConfigError("CODEGEN_WSDL", `${where} is not in portType "${portTypeRef.local}"`);
    // Notification and solicit-response (WSDL 1.1 §2.4.3–2.4.4: output first) are sent by the
    // service, not called by a client (WS-I BP 1.1 R2303): left out.
    if (children(abstract, WSDL_NAMESPACE)[0]?.localName === "output") {
      warnings.push(
        `${where} is a notification or solicit-response operation (sent by the service); no method is generated`,
      );
      continue;
    }
    let inputHeaders: SoapHeaderModel[] | undefined;
    let outputHeaders: SoapHeaderModel[] | undefined;
    const body = (direction: "input" | "output"): SoapBodyModel | null => {
      const bound = children(op, WSDL_NAMESPACE, direction)[0];
      const soapBody = bound ? children(bound, WSDL_SOAP11_NAMESPACE, "body")[0] : undefined;
      if (soapBody?.getAttribute("use") === "encoded")
        throw new ConfigError(
          "CODEGEN_UNSUPPORTED",
          `${where} uses SOAP encoding (${style}/encoded ${direction}); only literal (document/literal, rpc/literal) is supported`,
        );
      const msg = children(abstract, WSDL_NAMESPACE, direction)[0];
      if (!msg) return null;
      let parts = messageParts(index, msg, msg.getAttribute("message"), `${where} (${direction})`);
      // soap:header parts (WSDL 1.1 §3.7) are not in the Body: literal parts naming an element
      // become typed header values; what the client cannot write or read stays a warning.
      const message = msg.getAttribute("message")
        ? resolveQName(msg, msg.getAttribute("message") ?? "")
        : null;
      const headers: SoapHeaderModel[] = [];
      for (const header of bound ? children(bound, WSDL_SOAP11_NAMESPACE, "header") : []) {
        const partName = header.getAttribute("part") ?? "";
        const of = header.getAttribute("message");
        const q = of ? resolveQName(header, of) : null;
        if (q && message && q.ns === message.ns && q.local === message.local)
          parts = parts.filter((p) => p.name !== partName);
        const skip = (why: string) =>
          warnings.push(
            `${where}: soap:header part "${partName}" of message "${q?.local ?? ""}" (${direction}) ${why}; the client ${direction === "input" ? "sends no such header" : "does not read it"}`,
          );
        if (header.getAttribute("use") === "encoded") {
          skip('is use="encoded" (SOAP encoding), not generated');
          continue;
        }
        const headerMessage = q ? index.messages.get(qkey(q.ns, q.local)) : undefined;
        if (!headerMessage) {
          skip("names a message the WSDL does not define, not generated");
          continue;
        }
        const part = children(headerMessage, WSDL_NAMESPACE, "part").find(
          (p) => p.getAttribute("name") === partName,
        );
        const element = part?.getAttribute("element");
        if (!part || !element) {
          skip(
            part
              ? "names a type, not an element (WS-I BP 1.1 R2204), not generated"
              : "is not a part of that message, not generated",
          );
          continue;
        }
        if (headers.some((h) => h.prop === partName)) {
          skip("repeats a part name already bound as a header, not generated");
          continue;
        }
        const wsdlRequired = header.getAttributeNS(WSDL_NAMESPACE, "required");
        headers.push({
          prop: partName,
          element: compiler.elementRef(resolveQName(part, element), where).body,
          // Optional unless the binding says wsdl:required="true": ASMX and EWS-style services declare
          // many optional headers on every operation, and a caller must not have to invent them.
          required: direction === "input" && wsdlRequired === "true",
        });
      }
      if (headers.length > 0) {
        if (direction === "input") inputHeaders = headers;
        else outputHeaders = headers;
      }
      const only = soapBody?.getAttribute("parts");
      if (only !== null && only !== undefined) {
        const names = only.split(/\s+/).filter(Boolean);
        parts = parts.filter((p) => names.includes(p.name));
      }
      if (style === "rpc") {
        const local = direction === "input" ? name : `${name}Response`;
        const fields: SoapFieldModel[] = parts.map((p) => {
          if (p.element) {
            const { body: el, component } = compiler.elementRef(p.element, where);
            return {
              prop: p.element.local,
              ns: el.ns,
              local: p.element.local,
              type: el.type,
              min: 1,
              max: 1,
              nillable: component.node.getAttribute("nillable") === "true",
            };
          }
          return {
            prop: p.name,
            ns: "",
            local: p.name,
            type: p.type ? compiler.typeRef(p.type, where) : `${XSD_PREFIX}anyType`,
            min: 1,
            max: 1,
            nillable: false,
          };
        });
        const key = compiler.define(`rpc:${local}`, pascal(local), {
          kind: "complex",
          fields,
          attributes: [],
        });
        return { ns: soapBody?.getAttribute("namespace") ?? "", local, type: key };
      }
      if (parts.length === 0) return null;
      if (parts.length > 1)
        throw new ConfigError(
          "CODEGEN_UNSUPPORTED",
          `${where}: a document/literal ${direction} of ${parts.length} parts (WS-I BP 1.1 R2201 allows one)`,
        );
      const part = parts[0] as MessagePart;
      if (!part.element)
        throw new ConfigError(
          "CODEGEN_UNSUPPORTED",
          `${where}: document/literal part "${part.name}" names a type, not an element (WS-I BP 1.1 R2204)`,
        );
      return compiler.elementRef(part.element, where).body;
    };
    const faults: SoapFaultModel[] = [];
    for (const fault of children(abstract, WSDL_NAMESPACE, "fault")) {
      const parts = messageParts(index, fault, fault.getAttribute("message"), `${where} (fault)`);
      const element = parts[0]?.element;
      if (!element) continue;
      faults.push({
        name: fault.getAttribute("name") ?? "",
        element: compiler.elementRef(element, where).body,
      });
    }
    const input = body("input");
    const output = body("output");
    operations[name] = {
      soapAction: soapOp?.getAttribute("soapAction") ?? "",
      input,
      output,
      faults,
      ...(inputHeaders ? { inputHeaders } : {}),
      ...(outputHeaders ? { outputHeaders } : {}),
    };
  }
  if (Object.keys(operations).length === 0 && children(binding, WSDL_NAMESPACE, "operation").length > 0)
    throw new ConfigError(
      "CODEGEN_UNSUPPORTED",
      `binding "${port.bindingName}" has only notification or solicit-response operations (WSDL 1.1 §2.4.3–2.4.4): nothing a client calls`,
    );
  return {
    serviceName: port.service,
    portName: port.name,
    address: port.address,
    model: { operations, types: compiler.types },
    typeNames: compiler.names,
    warnings,
  };
}
