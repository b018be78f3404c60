/**
 * The API reference's examples (issue 19, item 10): every `@example` block on an exported
 * symbol, as the reference shows it (after scripts/typedoc-tasks.mjs, which gives an example
 * without one the import line of the public exports it uses), starts with an import from a
 * public entry point and compiles, strict and nodenext, against those entry points.
 *
 * An example may use a variable the surrounding prose introduces (`agent`, `res`, `config`):
 * a name that nothing in src/ exports is declared for it, typed with the class the example
 * imports for it (`agent: Agent`) or else `any`, so its calls into the SDK are still checked. A name some src/ file exports but no public entry does is not declared:
 * an example must not use what an integrator cannot import.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  Application,
  type Comment,
  type DeclarationReflection,
  ReflectionKind,
  TSConfigReader,
  TypeDocReader,
} from "typedoc";
import ts from "typescript";
import { beforeAll, describe, expect, it } from "vitest";

interface Example {
  /** The documented symbol, e.g. `esolutions-sdk.PrinterReader.read`. */
  symbol: string;
  code: string;
}

const examples: Example[] = [];
/** The navigation categories of the `esolutions-sdk` module, in order. */
let rootCategories: string[] = [];
const publicEntries = [
  "esolutions-sdk",
  "esolutions-sdk/impact",
  "esolutions-sdk/server",
  "esolutions-sdk/sim",
];

function comments(r: DeclarationReflection): Comment[] {
  const sigs = [...(r.signatures ?? []), r.getSignature, r.setSignature].filter((s) => s !== undefined);
  return [r.comment, ...sigs.map((s) => s.comment)].filter((c): c is Comment => c !== undefined);
}

function walk(r: DeclarationReflection): void {
  for (const comment of comments(r))
    for (const tag of comment.blockTags.filter((t) => t.tag === "@example"))
      for (const part of tag.content) {
        const m = /^```(?:ts|typescript)\n([\s\S]*?)```$/.exec(part.text.trim());
        if (part.kind === "code" && m) examples.push({ symbol: r.getFullName(), code: m[1]! });
      }
  for (const child of r.children ?? []) walk(child);
}

beforeAll(async () => {
  const app = await Application.bootstrapWithPlugins({}, [new TypeDocReader(), new TSConfigReader()]);
  const project = await app.convert();
  if (!project) throw new Error("typedoc could not convert the project");
  expect(
    project
      .getChildrenByKind(ReflectionKind.Module)
      .map((m) => m.name)
      .sort(),
  ).toEqual(publicEntries);
  for (const module of project.getChildrenByKind(ReflectionKind.Module)) walk(module);
  const root = project.getChildByName("esolutions-sdk") as DeclarationReflection;
  rootCategories = (root.categories ?? []).map((c) => c.title);
}, 300_000);

/** The instance names scripts/typedoc-tasks.mjs imports a class for. */
const INSTANCES: Record<string, string> = {
  agent: "Agent",
  reader: "PrinterReader",
  client: "CommunicationClient",
  server: "CommunicationServer",
  outbox: "Outbox",
  fleet: "PrinterFleet",
};

/** Every name some file of src/ exports (declared or re-exported). */
function namesExportedInSrc(): Set<string> {
  const names = new Set<string>();
  const visit = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) visit(path);
      else if (path.endsWith(".ts")) {
        const text = readFileSync(path, "utf8");
        for (const m of text.matchAll(
          /^export (?:declare )?(?:abstract )?(?:async )?(?:function\*?|class|const|let|interface|type|enum) ([A-Za-z_$][\w$]*)/gm,
        ))
          names.add(m[1]!);
        for (const m of text.matchAll(/^export (?:type )?\{([^}]*)\}/gm))
          for (const n of m[1]!.split(","))
            names.add(
              n
                .trim()
                .replace(/^type /, "")
                .split(/\s+as\s+/)
                .at(-1)!,
            );
      }
    }
  };
  visit("src");
  return names;
}

describe("the API reference's navigation", () => {
  it("sorts every export of esolutions-sdk into a task (no 'Other')", () => {
    expect(rootCategories).toEqual([
      "Read printers",
      "Talk to the server",
      "Run an agent",
      "Security",
      "Errors",
    ]);
  });
});

describe("@example blocks of the API reference", () => {
  it("are many, and each starts with an import from a public entry point", () => {
    expect(examples.length).toBeGreaterThan(50);
    const entries = publicEntries.map((e) => `"${e}"`).join("|");
    const without = examples.filter((e) => !new RegExp(`^import .* from (${entries});$`, "m").test(e.code));
    expect(without.map((e) => `${e.symbol}:\n${e.code}`)).toEqual([]);
  });

  it("compile with their import lines against the public entry points (strict, nodenext)", () => {
    const dir = join(".tmp", "api-examples");
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    const files = examples.map((e, i) => {
      const file = join(dir, `example-${i}.ts`);
      writeFileSync(file, `${e.code}\nexport {};\n`);
      return file;
    });
    const { config } = ts.readConfigFile("tsconfig.json", ts.sys.readFile);
    const { options } = ts.parseJsonConfigFileContent(config, ts.sys, process.cwd());
    const compile = (program?: ts.Program): ts.Program =>
      ts.createProgram({
        rootNames: [...files, "src/snmp/net-snmp.d.ts"],
        // The strictness docs/getting-started.md's tsconfig.json documents (strict, no stricter).
        options: {
          ...options,
          noEmit: true,
          noUnusedLocals: false,
          noUnusedParameters: false,
          noUncheckedIndexedAccess: false,
          exactOptionalPropertyTypes: false,
        },
        ...(program && { oldProgram: program }),
      });
    // First pass: the free variables each example assumes from the prose around it.
    const exportedInSrc = namesExportedInSrc();
    const first = compile();
    const free = new Map<string, Set<string>>();
    for (const d of ts.getPreEmitDiagnostics(first)) {
      if (!d.file || ![2304, 2552, 18004].includes(d.code)) continue;
      const text = ts.flattenDiagnosticMessageText(d.messageText, "\n");
      const name = /(?:Cannot find name|shorthand property) '([^']+)'/.exec(text)?.[1];
      if (name && !exportedInSrc.has(name))
        free.set(d.file.fileName, (free.get(d.file.fileName) ?? new Set()).add(name));
    }
    for (const [file, names] of free) {
      const text = readFileSync(file, "utf8");
      // An instance the example's imports name (`agent` with `Agent` imported) gets that type.
      const declarations = [...names].map((n) => {
        const type = INSTANCES[n];
        return `declare const ${n}: ${type && new RegExp(`^import .*\\b${type}\\b`, "m").test(text) ? type : "any"};`;
      });
      writeFileSync(file, `${text}\n${declarations.join("\n")}\n`);
    }
    const errors = ts.getPreEmitDiagnostics(compile(first)).map((d) => {
      const where = d.file ? `${examples[files.indexOf(d.file.fileName)]?.symbol ?? d.file.fileName}` : "";
      return `${where}: TS${d.code} ${ts.flattenDiagnosticMessageText(d.messageText, " ")}`;
    });
    expect(errors).toEqual([]);
  }, 240_000);
});
