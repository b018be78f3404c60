#!/usr/bin/env node
// Regenerates generated/ from wsdl/communication.wsdl with wsdl-tsclient, then applies the scripted
// post-fixes our strict tsconfig needs. Output is deterministic: CI runs this and fails on any diff.
//
// Post-fixes (each one is why a hand edit would otherwise be needed):
// - a "generated — do not edit" header on every file;
// - `import type` / `export type` for interfaces (verbatimModuleSyntax + isolatedModules refuse value
//   imports of types);
// - xsd:dateTime fields typed `string` instead of `Date`: node-soap serializes a JS Date as an empty
//   element, and CommunicationClient sends ISO 8601 `Z` strings, so the wire type is a string;
// - LF line endings, no trailing whitespace, one final newline.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const wsdl = join(root, "wsdl", "communication.wsdl");
const out = join(root, "generated");
const header = "// generated — do not edit; run npm run codegen\n";

const bin = join(root, "node_modules", "wsdl-tsclient", "dist", "src", "cli.js");
if (!existsSync(bin)) {
  console.error(`codegen: wsdl-tsclient is not installed (${relative(root, bin)} missing); run npm ci`);
  process.exit(1);
}

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
const run = spawnSync(process.execPath, [bin, "--esm", "--quiet", "--no-color", "-o", out, wsdl], {
  cwd: root,
  encoding: "utf8",
});
if (run.status !== 0) {
  console.error(`codegen: wsdl-tsclient failed (exit ${run.status})\n${run.stderr}${run.stdout}`);
  process.exit(1);
}

/** @param {string} dir @returns {string[]} */
function listTs(dir) {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) return listTs(path);
      return name.endsWith(".ts") ? [path] : [];
    });
}

// Every generated symbol except the client factory is a type.
const valueExports = new Set(["createClientAsync"]);

/** @param {string} names */
function splitNames(names) {
  return names
    .split(",")
    .map((n) => n.trim())
    .filter(Boolean);
}

/** @param {string} text */
function fixImportsAndExports(text) {
  return text
    .replace(/^import \{([^}]*)\} from "soap";$/m, (_line, names) => {
      const all = splitNames(names);
      const values = all.filter((n) => n.startsWith("createClientAsync"));
      const types = all.filter((n) => !n.startsWith("createClientAsync"));
      const lines = [];
      if (values.length) lines.push(`import { ${values.join(", ")} } from "soap";`);
      if (types.length) lines.push(`import type { ${types.join(", ")} } from "soap";`);
      return lines.join("\n");
    })
    .replace(/^import \{([^}]*)\} from "(\.[^"]*)";$/gm, (_line, names, from) => {
      return `import type { ${splitNames(names).join(", ")} } from "${from}";`;
    })
    .replace(/^export \{([^}]*)\} from "(\.[^"]*)";$/gm, (_line, names, from) => {
      const all = splitNames(names);
      const values = all.filter((n) => valueExports.has(n));
      const types = all.filter((n) => !valueExports.has(n));
      const lines = [];
      if (values.length) lines.push(`export { ${values.join(", ")} } from "${from}";`);
      if (types.length) lines.push(`export type { ${types.join(", ")} } from "${from}";`);
      return lines.join("\n");
    });
}

/** @param {string} text */
function fixDates(text) {
  return text.replace(
    /\/\*\* xsd:dateTime \*\/\n(\s+)(\w+\??): Date;/g,
    "/** xsd:dateTime, ISO 8601 with `Z` on the wire (node-soap writes a JS Date as an empty element) */\n$1$2: string;",
  );
}

/** @param {string} text */
function normalize(text) {
  const lines = text
    .replace(/\r\n?/g, "\n")
    .split("\n")
    .map((l) => l.replace(/[ \t]+$/, ""));
  while (lines.length && lines[0] === "") lines.shift();
  while (lines.length && lines[lines.length - 1] === "") lines.pop();
  return `${header}${lines.join("\n")}\n`;
}

const files = listTs(out);
if (files.length === 0) {
  console.error("codegen: wsdl-tsclient wrote no files");
  process.exit(1);
}
for (const file of files) {
  const text = readFileSync(file, "utf8");
  writeFileSync(file, normalize(fixDates(fixImportsAndExports(text))));
}
console.log(`codegen: ${files.length} files in ${relative(root, out)}/ from ${relative(root, wsdl)}`);
