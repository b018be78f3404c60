/** Shared fixtures of the wssec suites: a sample envelope and signing shortcuts. */
import type { SignatureAlgorithmName } from "../../../src/wssec/algorithms.js";
import {
  type KeyReferenceKind,
  WsSecuritySigner,
  type WsSecuritySignerOptions,
} from "../../../src/wssec/signer.js";
import { type TestIdentity, type TestKeyType, testIdentity } from "../../helpers/keys.js";

/** A SOAP 1.1 request as the CommunicationClient would send it. */
export const SAMPLE_ENVELOPE =
  '<?xml version="1.0" encoding="utf-8"?>' +
  '<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" xmlns:tns="urn:esolutions:communication:v1">' +
  "<soap:Body><tns:SubmitBillingReads><tns:read><tns:serial>SN-0001</tns:serial><tns:meter>1234</tns:meter>" +
  '<tns:note lang="en">A &amp; B &lt; C</tns:note></tns:read></tns:SubmitBillingReads></soap:Body></soap:Envelope>';

/** Every algorithm with the key type it needs. */
export const ALGORITHM_KEYS: readonly [SignatureAlgorithmName, TestKeyType][] = [
  ["rsa-sha256", "rsa"],
  ["rsa-sha512", "rsa"],
  ["ecdsa-sha256", "ec-p256"],
  ["ecdsa-sha384", "ec-p384"],
];

/** Every key reference. */
export const KEY_REFERENCES: readonly KeyReferenceKind[] = ["bst", "thumbprint-sha1", "thumbprint-sha256"];

/** Signs `envelope` with `identity`. */
export function signWith(
  identity: TestIdentity,
  envelope = SAMPLE_ENVELOPE,
  options: Omit<WsSecuritySignerOptions, "key" | "cert"> = {},
): string {
  return new WsSecuritySigner({ key: identity.keyPem, cert: identity.certPem, ...options }).secureRequest(
    envelope,
    {
      operation: "SubmitBillingReads",
      attempt: 1,
    },
  );
}

/** The default RSA identity (the "pinned client"). */
export const client = (): Promise<TestIdentity> => testIdentity("rsa", "client");
/** Another RSA identity (the "attacker"). */
export const attacker = (): Promise<TestIdentity> => testIdentity("rsa", "attacker");

/** Replaces exactly one occurrence of `from`; fails loudly when the fixture drifted. */
export function replaceOnce(
  text: string,
  from: string | RegExp,
  to: string | ((match: string, ...groups: string[]) => string),
): string {
  const out = text.replace(from, to as string);
  if (out === text) throw new Error(`fixture drift: ${String(from)} not found`);
  return out;
}
