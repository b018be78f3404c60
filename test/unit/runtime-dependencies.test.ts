/**
 * What the published code imports must be what package.json declares as `dependencies`
 * (issue 18): a package only tests and benchmarks use (xml-crypto: the c14n reference and the
 * baseline bench) is a devDependency, and a devDependency imported from src/ or generated/
 * would fail for an integrator, whose install has no devDependencies. Type-only imports count
 * too: the declarations in dist/ keep them.
 */

import { readFileSync } from "node:fs";
import { builtinModules } from "node:module";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { sourceFiles } from "../support/architecture.js";

const pkg = JSON.parse(readFileSync("package.json", "utf8")) as {
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};
const builtins = new Set(builtinModules);

/**
 * Every module specifier of `text`: import/export declarations, `import("…")` calls and
 * types. Read from the syntax tree, so an import in a TSDoc example is not one.
 */
function specifiers(file: string, text: string): string[] {
  const out: string[] = [];
  const visit = (node: ts.Node): void => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier)
      out.push((node.moduleSpecifier as ts.StringLiteral).text);
    else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument))
      out.push((node.argument.literal as ts.StringLiteral).text);
    else if (
      ts.isCallExpression(node) &&
      node.expression.kind === ts.SyntaxKind.ImportKeyword &&
      node.arguments[0] &&
      ts.isStringLiteral(node.arguments[0])
    )
      out.push(node.arguments[0].text);
    ts.forEachChild(node, visit);
  };
  visit(ts.createSourceFile(file, text, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS));
  return out;
}

/** The packages `file` imports (`@scope/name` or `name`), builtins left out. */
function packagesImported(file: string): string[] {
  return specifiers(file, readFileSync(file, "utf8"))
    .filter((s) => !s.startsWith(".") && !s.startsWith("node:") && !builtins.has(s.split("/")[0] ?? s))
    .map((s) => (s.startsWith("@") ? s.split("/").slice(0, 2).join("/") : (s.split("/")[0] ?? s)));
}

/** Each published source file with the packages it imports (parsed once for every test). */
const imports = [...sourceFiles(process.cwd(), "src"), ...sourceFiles(process.cwd(), "generated")].map(
  (file) => [file, packagesImported(file)] as const,
);

/** `package → files` of every import in src/ and generated/ that is not a declared dependency. */
function undeclared(declared: Readonly<Record<string, string>>): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [file, names] of imports)
    for (const name of names) if (!(name in declared)) out[name] = [...(out[name] ?? []), file];
  return out;
}

describe("runtime dependencies", () => {
  it("src/ and generated/ import only packages package.json declares as dependencies", () => {
    expect(undeclared(pkg.dependencies)).toEqual({});
  });

  it("keeps xml-crypto, used by tests and benchmarks only, out of the dependencies", () => {
    expect(pkg.dependencies["xml-crypto"]).toBeUndefined();
    expect(pkg.devDependencies["xml-crypto"]).toBeDefined();
  });

  it("names the file that imports an undeclared package (the check can fail)", () => {
    const { soap: _soap, ...withoutSoap } = pkg.dependencies;
    expect(undeclared(withoutSoap).soap).toEqual(
      expect.arrayContaining([expect.stringMatching(/^src\/server\//)]),
    );
  });
});
