/**
 * xml-crypto's exclusive canonicalization over an xmldom tree: the reference the
 * property tests hold `xml.ts`'s faster canonicalizer to (the signer and verifier use
 * `excC14n` from `xml.ts`).
 * @module
 */
import type { Element } from "@xmldom/xmldom";
import { ExclusiveCanonicalization } from "xml-crypto";

const excC14n = new ExclusiveCanonicalization();
type C14nNode = Parameters<ExclusiveCanonicalization["process"]>[0];

/**
 * Canonical form of `element` (exc-c14n). `inclusivePrefixes` is the
 * `InclusiveNamespaces/@PrefixList` of the transform, when one was given.
 */
export function canonicalize(element: Element, inclusivePrefixes: readonly string[] = []): string {
  if (inclusivePrefixes.length === 0) {
    return excC14n.process(element as unknown as C14nNode, { inclusiveNamespacesPrefixList: [] });
  }
  const ancestorNamespaces: { prefix: string; namespaceURI: string }[] = [];
  for (const prefix of inclusivePrefixes) {
    const uri = element.parentNode ? (element.parentNode as Element).lookupNamespaceURI?.(prefix) : null;
    if (uri) ancestorNamespaces.push({ prefix, namespaceURI: uri });
  }
  return excC14n.process(element as unknown as C14nNode, {
    inclusiveNamespacesPrefixList: [...inclusivePrefixes],
    ancestorNamespaces,
  });
}
