/** Shared fixtures of the wssec suites: a sample envelope and signing shortcuts. */
import { createPrivateKey } from "node:crypto";
import {
  digestAlgorithmByUri,
  digestBase64,
  type SignatureAlgorithmName,
  signatureAlgorithmByUri,
  signCanonical,
} from "../../../src/wssec/algorithms.js";
import {
  KEY_REFERENCE_KINDS,
  type KeyReferenceKind,
  WsSecuritySigner,
  type WsSecuritySignerOptions,
} from "../../../src/wssec/signer.js";
import { descendants, excC14n, parseXml, type XmlElement } from "../../../src/wssec/xml.js";
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
export const KEY_REFERENCES: readonly KeyReferenceKind[] = KEY_REFERENCE_KINDS;

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

/**
 * Recomputes every Reference digest and the SignatureValue of a (modified) signed
 * message with `keyPem`, in place: tests change a signed part (a Timestamp form, a
 * PrefixList) and need a message that is validly signed again. Uses our own
 * canonicalizer; c14n itself is checked against xmlsec1 elsewhere.
 */
export function resign(xml: string, keyPem: string): string {
  const refs = [...xml.matchAll(/<ds:Reference URI="#([^"]+)"/g)].map((m) => m[1] as string);
  let out = xml;
  for (const id of refs) {
    const root = parseXml(out);
    const target = descendants(root).find((el) =>
      el.attributes.some((a) => a.localName === "Id" && a.value === id),
    );
    if (!target) throw new Error(`fixture drift: no element with Id ${id}`);
    const ref = descendants(root).find(
      (el) => el.localName === "Reference" && el.getAttribute("URI") === `#${id}`,
    );
    const prefixes = inclusivePrefixesOf(ref);
    const digestUri = descendants(ref as never)
      .find((el) => el.localName === "DigestMethod")
      ?.getAttribute("Algorithm");
    const digest = digestAlgorithmByUri(digestUri ?? "");
    if (!digest) throw new Error("fixture drift: digest algorithm");
    const value = digestBase64(digest, excC14n(target, prefixes));
    out = out.replace(
      new RegExp(`(<ds:Reference URI="#${id}"[\\s\\S]*?<ds:DigestValue>)[^<]*(</ds:DigestValue>)`),
      `$1${value}$2`,
    );
  }
  const root = parseXml(out);
  const si = descendants(root).find((el) => el.localName === "SignedInfo");
  if (!si) throw new Error("fixture drift: no SignedInfo");
  const c14nMethod = descendants(si).find((el) => el.localName === "CanonicalizationMethod");
  const alg = signatureAlgorithmByUri(
    descendants(si)
      .find((el) => el.localName === "SignatureMethod")
      ?.getAttribute("Algorithm") ?? "",
  );
  if (!alg) throw new Error("fixture drift: signature algorithm");
  const value = signCanonical(alg, createPrivateKey(keyPem), excC14n(si, inclusivePrefixesOf(c14nMethod)));
  return out.replace(/(<ds:SignatureValue>)[^<]*(<\/ds:SignatureValue>)/, `$1${value}$2`);
}

function inclusivePrefixesOf(el: XmlElement | undefined): string[] {
  const inc = el ? descendants(el).find((e) => e.localName === "InclusiveNamespaces") : undefined;
  return (inc?.getAttribute("PrefixList") ?? "").split(/\s+/).filter((p) => p !== "");
}
