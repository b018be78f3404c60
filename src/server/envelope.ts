/**
 * Checks a request envelope before anything else reads it: no DOCTYPE or entity
 * declarations, bounded nesting, well-formed, SOAP 1.1, exactly one known operation element
 * in the Body and no comments or processing instructions inside it (node-soap's parser reads
 * `<v>12<!---->34</v>` as `34`). Pure: text in, facts out.
 * @module
 */
import { DOMParser, type Element, type Node, XMLSerializer } from "@xmldom/xmldom";
import { SERVICE_NAMESPACE, SOAP11_NAMESPACE, SOAP12_NAMESPACE } from "../soap/envelope.js";
import { OPERATION_NAMES, type OperationName } from "../soap/models.js";
import { CommunicationFaultError } from "./faults.js";

export type { OperationName };

/** Deepest element nesting accepted (SECURITY.md). */
export const MAX_XML_DEPTH = 64;

/** What {@link inspectEnvelope} learnt about a request. */
export interface InspectedEnvelope {
  operation: OperationName;
  /**
   * The request rebuilt with only its Body (headers dropped after verification), so that
   * node-soap sees neither the security header nor anything else it might echo.
   */
  bodyOnlyEnvelope: string;
}

const xmlFault = (message: string): CommunicationFaultError =>
  new CommunicationFaultError("INVALID_XML", message);

/** Refuses DOCTYPE / ENTITY declarations (billion laughs, XXE) before any parser sees them. */
export function refuseDeclarations(xml: string): void {
  if (/<!DOCTYPE/i.test(xml) || /<!ENTITY/i.test(xml))
    throw xmlFault("DOCTYPE and entity declarations are not accepted");
}

/**
 * Returns the deepest element nesting of `xml` by a linear scan that skips comments,
 * CDATA, processing instructions and quoted attribute values; stops early past `limit`.
 */
export function elementDepth(xml: string, limit = MAX_XML_DEPTH): number {
  let depth = 0;
  let deepest = 0;
  let i = 0;
  const n = xml.length;
  while (i < n) {
    const lt = xml.indexOf("<", i);
    if (lt < 0) break;
    const next = xml[lt + 1];
    if (next === "!") {
      const end = xml.startsWith("<!--", lt)
        ? xml.indexOf("-->", lt + 4)
        : xml.startsWith("<![CDATA[", lt)
          ? xml.indexOf("]]>", lt + 9)
          : xml.indexOf(">", lt);
      if (end < 0) break;
      i = end + 1;
      continue;
    }
    if (next === "?") {
      const end = xml.indexOf("?>", lt + 2);
      if (end < 0) break;
      i = end + 2;
      continue;
    }
    let j = lt + 1;
    let quote = "";
    while (j < n) {
      const c = xml[j];
      if (quote) {
        if (c === quote) quote = "";
      } else if (c === '"' || c === "'") quote = c;
      else if (c === ">") break;
      j++;
    }
    if (next === "/") depth--;
    else if (xml[j - 1] !== "/") {
      depth++;
      if (depth > deepest) {
        deepest = depth;
        if (deepest > limit) return deepest;
      }
    }
    i = j + 1;
  }
  return deepest;
}

function parse(xml: string): { documentElement: Element | null } {
  const parser = new DOMParser({
    onError: (level: string, message: string) => {
      if (level !== "warning") throw xmlFault(`malformed XML: ${String(message).split("\n")[0]}`);
    },
  });
  try {
    return parser.parseFromString(xml, "text/xml") as unknown as { documentElement: Element | null };
  } catch (err) {
    if (err instanceof CommunicationFaultError) throw err;
    throw xmlFault("malformed XML");
  }
}

function elementChildren(node: Node): Element[] {
  const out: Element[] = [];
  for (let c = node.firstChild; c; c = c.nextSibling) if (c.nodeType === 1) out.push(c as Element);
  return out;
}

function refuseCommentsAndPIs(node: Node): void {
  for (let c = node.firstChild; c; c = c.nextSibling) {
    if (c.nodeType === 8 || c.nodeType === 7)
      throw xmlFault("comments and processing instructions are not accepted inside the Body");
    if (c.nodeType === 1) refuseCommentsAndPIs(c);
  }
}

/**
 * Checks `xml` and names its operation. Throws {@link CommunicationFaultError}:
 * `INVALID_XML`, `SOAP_VERSION_MISMATCH` (SOAP 1.2 or no SOAP envelope), `UNKNOWN_OPERATION`.
 * @example
 * ```ts
 * inspectEnvelope(requestText).operation; // "SubmitBillingReads"
 * ```
 */
export function inspectEnvelope(xml: string): InspectedEnvelope {
  refuseDeclarations(xml);
  if (elementDepth(xml) > MAX_XML_DEPTH)
    throw xmlFault(`elements nested deeper than ${MAX_XML_DEPTH} levels`);
  const doc = parse(xml);
  const root = doc.documentElement;
  if (!root) throw xmlFault("malformed XML: no root element");
  if (root.localName !== "Envelope" || root.namespaceURI !== SOAP11_NAMESPACE) {
    const soap12 = root.namespaceURI === SOAP12_NAMESPACE;
    throw new CommunicationFaultError(
      "SOAP_VERSION_MISMATCH",
      soap12
        ? "SOAP 1.2 is not supported: send a SOAP 1.1 envelope"
        : "the document is not a SOAP 1.1 Envelope",
      { faultCode: "soap:VersionMismatch" },
    );
  }
  const parts = elementChildren(root);
  const bodies = parts.filter((e) => e.localName === "Body" && e.namespaceURI === SOAP11_NAMESPACE);
  if (bodies.length !== 1) throw xmlFault("the Envelope must have exactly one soap:Body");
  const body = bodies[0] as Element;
  const ops = elementChildren(body);
  if (ops.length !== 1) throw xmlFault("the soap:Body must hold exactly one operation element");
  const op = ops[0] as Element;
  const name = op.localName ?? "";
  if (op.namespaceURI !== SERVICE_NAMESPACE || !(OPERATION_NAMES as readonly string[]).includes(name)) {
    throw new CommunicationFaultError(
      "UNKNOWN_OPERATION",
      `unknown operation ${name.slice(0, 40)}${op.namespaceURI === SERVICE_NAMESPACE ? "" : " (wrong namespace)"}`,
    );
  }
  refuseCommentsAndPIs(body);
  const bodyXml = new XMLSerializer().serializeToString(op);
  return {
    operation: name as OperationName,
    bodyOnlyEnvelope: `<soap:Envelope xmlns:soap="${SOAP11_NAMESPACE}"><soap:Body>${bodyXml}</soap:Body></soap:Envelope>`,
  };
}
