/**
 * The house style's layer rules (shared STYLE.md "Rules of the house", DESIGN.md "parts"),
 * as a checker over source text: which part of `src/` may import which, and which modules may
 * import the third-party libraries whose weaknesses SECURITY.md lists. Imports are read with
 * TypeScript's own pre-processor (comments and strings in TSDoc examples are not imports).
 */
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, normalize, relative } from "node:path";
import ts from "typescript";

/** A part of `src/`: a folder under it, or `index` / `errors` / `clock` for the top-level files. */
export type Part =
  | "errors"
  | "clock"
  | "snmp"
  | "soap"
  | "wssec"
  | "sim"
  | "agent"
  | "server"
  | "impact"
  | "cli"
  | "index";

/**
 * Which parts each part may import (besides itself): layers call only downward. The root entry
 * exports what integrators use; the reference server, simulator and impact measurer are subpath
 * exports of their own, so the root never loads them.
 */
export const ALLOWED: Readonly<Record<Part, readonly Part[]>> = {
  errors: [],
  // The SDK's one clock type (issue 18 item 6): below everything that keeps time.
  clock: ["errors"],
  snmp: ["errors", "clock"],
  soap: ["errors", "clock"],
  wssec: ["errors", "clock", "soap"],
  sim: ["errors", "clock", "snmp"],
  agent: ["errors", "clock", "snmp", "soap", "wssec"],
  server: ["errors", "clock", "soap", "wssec"],
  impact: ["errors", "clock", "snmp", "soap", "wssec", "sim", "server"],
  cli: ["errors", "clock", "snmp", "soap", "wssec", "sim", "agent", "server", "impact"],
  index: ["errors", "clock", "snmp", "soap", "wssec", "agent"],
};

/** Third-party modules only some files may import (path prefixes relative to the repository). */
export const PACKAGE_OWNERS: Readonly<Record<string, readonly string[]>> = {
  // SECURITY.md: net-snmp's defaults and process-global options must stay behind one wrapper.
  "net-snmp": ["src/snmp/session.ts", "src/sim/agent.ts"],
  // SECURITY.md: xml-crypto's checkSignature is unsafe alone; only the wssec layer may call it.
  "xml-crypto": ["src/wssec/"],
  // node-soap verifies nothing; only the reference server listens with it.
  soap: ["src/server/"],
};

/** One broken rule. */
export interface Violation {
  /** Importing file, relative to the repository root. */
  file: string;
  /** What it imports, as written. */
  specifier: string;
  /** Which rule it breaks. */
  rule: string;
}

/** The part a `src/` file belongs to, or undefined outside `src/`. */
export function partOf(file: string): Part | undefined {
  const m = /^src\/(?:([a-z]+)\/|(index|errors|clock)\.ts$)/.exec(file);
  return (m?.[1] ?? m?.[2]) as Part | undefined;
}

/** Checks one file's text against the rules. `file` is relative to the repository root. */
export function checkImports(file: string, text: string): Violation[] {
  const from = partOf(file);
  if (!from) return [];
  const out: Violation[] = [];
  const info = ts.preProcessFile(text, true, true);
  for (const { fileName: specifier } of info.importedFiles) {
    if (specifier.startsWith(".")) {
      const target = normalize(join(dirname(file), specifier));
      if (target.startsWith("test/") || target === "test")
        out.push({ file, specifier, rule: "src/ never imports test/" });
      else if (target.startsWith("generated/")) {
        if (from !== "soap") out.push({ file, specifier, rule: "only src/soap/ imports generated/" });
      } else {
        const to = partOf(target.replace(/\.js$/, ".ts"));
        if (to && to !== from && !ALLOWED[from].includes(to))
          out.push({
            file,
            specifier,
            rule: `${from} may import only ${ALLOWED[from].join(", ") || "nothing"}`,
          });
      }
      continue;
    }
    const pkg = specifier.startsWith("@")
      ? specifier.split("/").slice(0, 2).join("/")
      : specifier.split("/")[0];
    const owners = pkg === undefined ? undefined : PACKAGE_OWNERS[pkg];
    if (owners && !owners.some((o) => file === o || (o.endsWith("/") && file.startsWith(o))))
      out.push({ file, specifier, rule: `only ${owners.join(", ")} import ${pkg}` });
  }
  // A side door around the rules above: loading a module by name at run time.
  if (/\bcreateRequire\s*\(/.test(text))
    out.push({
      file,
      specifier: "node:module",
      rule: "no createRequire in src/ (import modules statically)",
    });
  return out;
}

/** Every `.ts` file under `dir`, relative to `root`. */
export function sourceFiles(root: string, dir = "src"): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(join(root, dir), { withFileTypes: true })) {
    const rel = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...sourceFiles(root, rel));
    else if (entry.name.endsWith(".ts")) out.push(relative(root, join(root, rel)));
  }
  return out;
}

/** Checks every source file under `root/src`. */
export function checkArchitecture(root: string): Violation[] {
  return sourceFiles(root).flatMap((file) => checkImports(file, readFileSync(join(root, file), "utf8")));
}
