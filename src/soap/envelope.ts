/**
 * What every SOAP codec of the SDK shares: the namespaces, the text escaper, and the parts of
 * a SOAP 1.1 fault the clients read. The codec itself is `service-client.ts` (driven by a
 * generated model; the Communication Service's is `communication-codec.ts`).
 *
 * Why our own serializer instead of node-soap's: the envelope must be byte-exact and
 * small (the network-impact figures compare our bytes with the vendor's), and the
 * security hook needs the exact text that goes on the wire. node-soap adds xsi/xsd
 * declarations and writes a JS `Date` as an empty element.
 * @module
 */
import { ValidationError } from "../errors.js";

/** Target namespace of the Communication Service contract (v1). */
export const SERVICE_NAMESPACE = "urn:esolutions:communication:v1";
/** SOAP 1.1 envelope namespace. */
export const SOAP11_NAMESPACE = "http://schemas.xmlsoap.org/soap/envelope/";
/** SOAP 1.2 envelope namespace (W3C SOAP 1.2 Part 1 §5), recognised only to refuse it with a clear error. */
export const SOAP12_NAMESPACE = "http://www.w3.org/2003/05/soap-envelope";

// XML 1.0 forbids these code points even as character references.
// biome-ignore lint/suspicious/noControlCharactersInRegex: the point is to find control characters
const FORBIDDEN_XML_CHARS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/;

/**
 * Escapes text content. `\r` becomes `&#13;` because XML parsers normalize a literal
 * CR away, and a meter name or detail must arrive as sent; NEL (U+0085), LINE SEPARATOR
 * (U+2028) and PARAGRAPH SEPARATOR (U+2029) become character references too, since parsers
 * that apply XML 1.1's line-end rules (§2.11) or go beyond them (xmldom 0.9 does) turn them
 * into `\n` as well.
 * @throws ValidationError `INVALID_VALUE` for characters XML 1.0 cannot carry.
 */
export function escapeText(text: string, field = "value"): string {
  if (FORBIDDEN_XML_CHARS.test(text)) {
    throw new ValidationError("INVALID_VALUE", `${field} contains a control character XML cannot carry`);
  }
  return text.replace(/[&<>\r\u0085\u2028\u2029]/g, (c) =>
    c === "&" ? "&amp;" : c === "<" ? "&lt;" : c === ">" ? "&gt;" : `&#${c.charCodeAt(0)};`,
  );
}

/** The parts of a SOAP 1.1 fault the client needs. */
export interface ParsedFault {
  /** `faultcode` as written, a QName such as `soap:Client` or `wsse:FailedCheck`. */
  faultCode: string;
  /** Namespace the `faultcode` prefix is bound to, when it resolves. */
  faultCodeNamespace?: string;
  faultString: string;
  /** `CommunicationFault` detail, when the server sent one. */
  detail?: { code?: string; retryable?: boolean; field?: string };
}
