/**
 * The SDK's WS-Security signer for code built on node-soap (`soap` on npm): an object of
 * node-soap's `ISecurity` shape (`addOptions`, `toXML`, `postProcess(xml, envelopeKey)`)
 * to pass to `client.setSecurity()`. node-soap builds the envelope (with an empty
 * `Header` when a security object has `postProcess`) and hands it to `postProcess`, which
 * returns it signed exactly as {@link WsSecuritySigner} signs for `CommunicationClient`:
 * a fresh Timestamp per call, one `ds:Signature` over the Body and the Timestamp.
 *
 * Unlike node-soap's own `WSSecurityCert`, the Timestamp lifetime is the signer's `ttlMs`
 * (not a fixed 10 minutes) and the parts carry `wsu:Id`s without `signerOptions`. This module
 * does not import node-soap: it only has the shape node-soap calls.
 * @module
 */
import { WsSecuritySigner, type WsSecuritySignerOptions } from "./signer.js";

/**
 * node-soap's `ISecurity` as {@link NodeSoapSecurity} implements it (node-soap 1.x,
 * `lib/types.d.ts`).
 */
export interface NodeSoapSecurityShape {
  /** Called with the request options before each call; nothing to add. */
  addOptions(options: unknown): void;
  /** Header XML node-soap would insert itself; empty: the header is written by `postProcess`. */
  toXML(): string;
  /** Returns the complete envelope, signed. */
  postProcess(xml: string, envelopeKey: string): string;
}

/**
 * Plugs the SDK signer into node-soap's `client.setSecurity()`.
 *
 * @example
 * ```ts
 * import soap from "soap";
 * const client = await soap.createClientAsync("communication.wsdl", { endpoint: url });
 * client.setSecurity(new NodeSoapSecurity({ key: keyPem, cert: certPem }));
 * const [result] = await client.RegisterProxyAsync({ Key: "k-1", ProxyId: "proxy-1" });
 * ```
 */
export class NodeSoapSecurity implements NodeSoapSecurityShape {
  /** The signer every request goes through. */
  readonly signer: WsSecuritySigner;

  /**
   * @param signer A {@link WsSecuritySigner}, or its options (key, cert, algorithm, key reference, …).
   * @throws ConfigError (`CONFIG_KEY`, `CONFIG_CERT`, `CONFIG_ALGORITHM`, …) for signer options that do not fit together.
   */
  constructor(signer: WsSecuritySigner | WsSecuritySignerOptions) {
    this.signer = signer instanceof WsSecuritySigner ? signer : new WsSecuritySigner(signer);
  }

  /** node-soap calls this with its request options; the signer needs none of them. */
  addOptions(_options: unknown): void {}

  /** Nothing: with `postProcess` present node-soap writes an empty Header, which `postProcess` fills. */
  toXML(): string {
    return "";
  }

  /**
   * Signs the envelope node-soap built (a new Timestamp each time).
   * @param xml The envelope.
   * @param _envelopeKey node-soap's prefix for the SOAP namespace (`soap`); the signer reads it from the XML.
   * @throws SecurityError `WSS_MALFORMED` when the text is not a SOAP 1.1 envelope the signer can sign.
   */
  postProcess(xml: string, _envelopeKey: string): string {
    const operation = /<(?:[\w.-]+:)?Body\b[^>]*>\s*<(?:[\w.-]+:)?([\w.-]+)/.exec(xml)?.[1] ?? "unknown";
    return this.signer.secureRequest(xml, { operation, attempt: 1 });
  }
}
