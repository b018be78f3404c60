#!/usr/bin/env node
// Regenerates generated/communication/ from wsdl/communication.wsdl with the SDK's own generator —
// the library function behind `esol codegen` (src/codegen, `generateClient`) — plus the contract's
// size limits read from the XSD facets. Output is deterministic: CI runs this and fails on any diff.
//
//   node scripts/codegen.mjs [--wsdl <file>] [--out <dir>]
//
// Files written (and nothing else left in <dir>):
// - index.ts  — the generated client: types of the schema, `$model` (the codec's description of the
//   port) and `createClient`. It imports the SDK from src/soap/codegen-runtime.ts (a path inside the
//   repository) where outside users' generated code imports `esolutions-sdk`.
// - limits.ts — `SIMPLE_TYPES` (each named xsd:simpleType's restriction facets) and `OCCURS` (the
//   minOccurs/maxOccurs of every element that may repeat), the one copy of the contract's limits the
//   client mappers, the reference server's validators and the agent read.
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { DOMParser } from "@xmldom/xmldom";
import { tsImport } from "tsx/esm/api";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const XSD = "http://www.w3.org/2001/XMLSchema";

/** @param {string[]} argv */
function parseArgs(argv) {
  /** @type {{ wsdl: string; out: string }} */
  const args = {
    wsdl: join(root, "wsdl", "communication.wsdl"),
    out: join(root, "generated", "communication"),
  };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = argv[i + 1];
    if ((flag === "--wsdl" || flag === "--out") && value !== undefined) {
      args[flag.slice(2) === "wsdl" ? "wsdl" : "out"] = resolve(value);
      i++;
    } else {
      console.error(`codegen: unknown argument ${flag} (usage: codegen.mjs [--wsdl <file>] [--out <dir>])`);
      process.exit(2);
    }
  }
  return args;
}

/** A path as written into generated text: relative to the repository, with `/`. */
const shown = (/** @type {string} */ path) => relative(root, path).split("\\").join("/");

/** Numeric facets (XML Schema Part 2 §4.3): written as numbers. */
const NUMERIC_FACETS = new Set([
  "length",
  "minLength",
  "maxLength",
  "minInclusive",
  "maxInclusive",
  "minExclusive",
  "maxExclusive",
  "totalDigits",
  "fractionDigits",
]);

/**
 * The limits of the schema(s) in a WSDL's `wsdl:types`: facets per named simple type, occurrence
 * bounds per repeated element (owner is the named complexType or the global element it sits in).
 * @param {string} text
 */
export function readLimits(text) {
  const errors = [];
  const doc = new DOMParser({
    onError: (level, message) => {
      if (level !== "warning") errors.push(message);
    },
  }).parseFromString(text, "text/xml");
  if (errors.length > 0) throw new Error(`the WSDL does not parse: ${String(errors[0]).split("\n")[0]}`);
  /** @type {Record<string, Record<string, unknown>>} */
  const simpleTypes = {};
  const all = doc.getElementsByTagNameNS(XSD, "simpleType");
  for (let i = 0; i < all.length; i++) {
    const st = all.item(i);
    const name = st?.getAttribute("name");
    if (!st || !name) continue;
    const restriction = [...childElements(st)].find((c) => c.localName === "restriction");
    if (!restriction) continue;
    /** @type {Record<string, unknown>} */
    const entry = { base: restriction.getAttribute("base") ?? "" };
    for (const facet of childElements(restriction)) {
      const facetName = facet.localName ?? "";
      const value = facet.getAttribute("value") ?? "";
      if (facetName === "annotation") continue;
      if (facetName === "enumeration") {
        entry.enumeration = [.../** @type {string[]} */ (entry.enumeration ?? []), value];
      } else if (facetName === "pattern") {
        entry.pattern = value;
      } else if (NUMERIC_FACETS.has(facetName)) {
        const n = Number(value);
        if (!Number.isFinite(n))
          throw new Error(`simpleType ${name}: facet ${facetName}="${value}" is not a number`);
        entry[facetName] = n;
      }
    }
    simpleTypes[name] = entry;
  }
  /** @type {Record<string, { minOccurs: number; maxOccurs: number | "unbounded" }>} */
  const occurs = {};
  const elements = doc.getElementsByTagNameNS(XSD, "element");
  for (let i = 0; i < elements.length; i++) {
    const el = elements.item(i);
    const max = el?.getAttribute("maxOccurs");
    if (!el || !max || max === "1") continue;
    let owner = el.parentNode;
    while (
      owner &&
      !(owner.localName === "complexType" && owner.getAttribute("name")) &&
      !isGlobalElement(owner)
    )
      owner = owner.parentNode;
    const ownerName = owner?.getAttribute?.("name");
    if (!ownerName) continue;
    occurs[`${ownerName}.${el.getAttribute("name")}`] = {
      minOccurs: Number(el.getAttribute("minOccurs") || "1"),
      maxOccurs: max === "unbounded" ? "unbounded" : Number(max),
    };
  }
  return { simpleTypes, occurs };
}

/** @param {any} node */
function isGlobalElement(node) {
  return node.localName === "element" && node.namespaceURI === XSD && node.parentNode?.localName === "schema";
}

/** @param {any} node */
function* childElements(node) {
  for (let c = node.firstChild; c; c = c.nextSibling) if (c.nodeType === 1) yield c;
}

/** @param {string} source @param {ReturnType<typeof readLimits>} limits */
function limitsText(source, limits) {
  const st = Object.entries(limits.simpleTypes)
    .map(([name, facets]) => {
      const { base, ...rest } = facets;
      const list = Object.keys(rest).join(", ") || "no facets";
      return `  /** \`${name}\`: restriction of \`${base}\` (${list}). */\n  ${name}: ${JSON.stringify(facets)},`;
    })
    .join("\n");
  const oc = Object.entries(limits.occurs)
    .map(([key, o]) => `  ${JSON.stringify(key)}: ${JSON.stringify(o)},`)
    .join("\n");
  return `// generated — do not edit; run npm run codegen (scripts/codegen.mjs) from ${source}
/**
 * The size limits of the contract, read from the XML Schema in \`wsdl:types\` of ${source}: the
 * facets of every named \`xsd:simpleType\` (XML Schema Part 2 §4.3: lengths in characters, bounds
 * inclusive, \`pattern\` a regular expression that must match the whole value) and the
 * \`minOccurs\`/\`maxOccurs\` of every element that may repeat (XML Schema Part 1 §3.9.2).
 * @module
 */

/** Restriction facets of each named simple type, by type name. */
export const SIMPLE_TYPES = {
${st}
} as const;

/** Occurrence bounds of each repeated element, by \`Owner.Element\` (owner: the named complexType or global element). */
export const OCCURS = {
${oc}
} as const;
`;
}

const args = parseArgs(process.argv.slice(2));
const { generateClient } = await tsImport("../src/codegen/index.ts", import.meta.url);
let importFrom = relative(args.out, join(root, "src", "soap", "codegen-runtime.js"))
  .split("\\")
  .join("/");
if (!importFrom.startsWith(".")) importFrom = `./${importFrom}`;
const source = shown(args.wsdl);
let generated;
let limits;
try {
  generated = await generateClient({ wsdl: args.wsdl, importFrom, source });
  limits = readLimits(readFileSync(args.wsdl, "utf8"));
} catch (err) {
  console.error(`codegen: ${source}: ${err?.message ?? err}`);
  process.exit(1);
}
const files = { ...generated.files, "limits.ts": limitsText(source, limits) };

rmSync(args.out, { recursive: true, force: true });
mkdirSync(args.out, { recursive: true });
for (const [name, text] of Object.entries(files)) writeFileSync(join(args.out, name), text);
console.log(`codegen: ${readdirSync(args.out).sort().join(", ")} in ${shown(args.out)}/ from ${source}`);
