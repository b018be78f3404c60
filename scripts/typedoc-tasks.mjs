// typedoc plugin (typedoc.json "plugin"): the API reference is organised the way an integrator
// imports and uses the SDK, not by the repository's folders.
//
// 1. Modules are named by their import specifier (`esolutions-sdk`, `esolutions-sdk/server`, …,
//    from package.json "exports"), so a page's breadcrumb is a path that can be imported.
// 2. Every export of `esolutions-sdk` gets a task category from the folder that declares it
//    (TASKS below) unless its comment names one with `@category`; the sub-path modules are
//    grouped under "Server & simulator" and "Network impact".
// 3. Every `@example` code block that imports nothing from the SDK gets the import lines of the
//    public exports it names, and of the class of an instance variable it uses (`agent` →
//    `Agent`, INSTANCES below), from their entry point (the documented symbol's module first).
//    test/integration/examples/api-examples.test.ts compiles every example as rendered.
import { readFileSync } from "node:fs";
import { relative, resolve } from "node:path";
import { Comment, CommentTag, Converter, ReflectionKind } from "typedoc";

/** Source folder (relative to src/) → task category of the root entry's exports. */
const TASKS = [
  ["snmp/", "Read printers"],
  ["soap/", "Talk to the server"],
  ["agent/", "Run an agent"],
  ["wssec/", "Security"],
  ["clock.ts", "Run an agent"],
  ["errors.ts", "Errors"],
  ["error-codes.ts", "Errors"],
];

/** The sub-path entries' group on the project page. */
const MODULE_GROUPS = {
  "esolutions-sdk": "Client",
  "esolutions-sdk/server": "Server & simulator",
  "esolutions-sdk/sim": "Server & simulator",
  "esolutions-sdk/impact": "Network impact",
  "esolutions-sdk/codegen": "Code generation",
};

/** @param {import("typedoc").Application} app */
export function load(app) {
  const pkg = JSON.parse(readFileSync("package.json", "utf8"));
  /** Source entry file (absolute) → import specifier, from the `exports` map's `types`. */
  const specifiers = new Map();
  for (const [subpath, target] of Object.entries(pkg.exports)) {
    if (typeof target !== "object" || !target.types) continue;
    const source = target.types.replace(/^\.\/dist\//, "").replace(/\.d\.ts$/, ".ts");
    specifiers.set(resolve(source), subpath === "." ? pkg.name : `${pkg.name}/${subpath.slice(2)}`);
  }
  /** Reflection id → declaring file, relative to src/. */
  const files = new Map();

  app.converter.on(Converter.EVENT_CREATE_DECLARATION, (context, reflection) => {
    const symbol = context.getSymbolFromReflection(reflection);
    const file = symbol?.declarations?.[0]?.getSourceFile().fileName;
    if (!file) return;
    if (reflection.kindOf(ReflectionKind.Module)) {
      const specifier = specifiers.get(resolve(file));
      if (specifier) reflection.name = specifier;
    } else {
      files.set(reflection.id, relative(resolve("src"), resolve(file)).replaceAll("\\", "/"));
    }
  });

  app.converter.on(Converter.EVENT_RESOLVE_END, (context) => {
    const project = context.project;
    const modules = project.getChildrenByKind(ReflectionKind.Module);
    /** Exported name → [{ module, type-only }] over the public entries. */
    const exported = new Map();
    for (const module of modules) {
      const group = MODULE_GROUPS[module.name];
      if (group) addTag(module, "@group", group);
      for (const child of module.children ?? []) {
        const typeOnly = child.kindOf(ReflectionKind.Interface | ReflectionKind.TypeAlias);
        exported.set(child.name, [...(exported.get(child.name) ?? []), { module: module.name, typeOnly }]);
        if (module.name !== pkg.name) continue;
        const file = files.get(child.id) ?? "";
        const task = TASKS.find(([prefix]) => file.startsWith(prefix))?.[1];
        if (task && !hasTag(child, "@category")) addTag(child, "@category", task);
      }
    }
    for (const module of modules) {
      for (const reflection of [module, ...descendants(module)]) {
        for (const comment of comments(reflection)) addImports(comment, module.name, exported);
      }
    }
  });
}

/** @param {import("typedoc").Reflection} reflection */
function* descendants(reflection) {
  for (const child of reflection.children ?? []) {
    yield child;
    yield* descendants(child);
  }
}

/** A reflection's comment and its signatures' comments (accessors, functions, methods, constructors). */
function comments(reflection) {
  const out = [];
  if (reflection.comment) out.push(reflection.comment);
  for (const sig of [
    ...(reflection.signatures ?? []),
    reflection.getSignature,
    reflection.setSignature,
  ].filter(Boolean))
    if (sig.comment) out.push(sig.comment);
  return out;
}

function hasTag(reflection, tag) {
  return comments(reflection).some((c) => c.blockTags.some((t) => t.tag === tag));
}

function addTag(reflection, tag, text) {
  if (!reflection.comment && !reflection.signatures?.[0]?.comment) reflection.comment = new Comment();
  const comment = reflection.comment ?? reflection.signatures[0].comment;
  comment.blockTags.push(new CommentTag(tag, [{ kind: "text", text }]));
}

/**
 * The variable names the SDK's examples use for an instance of a class (`agent.flushNow()`):
 * an example that uses one without declaring it imports the class's type, so the reader
 * knows where `agent` comes from.
 */
const INSTANCES = {
  agent: "Agent",
  reader: "PrinterReader",
  client: "CommunicationClient",
  server: "CommunicationServer",
  outbox: "Outbox",
  fleet: "PrinterFleet",
};

/**
 * Prepends import lines to the `@example` code blocks of `comment` that import nothing from
 * the SDK: the public exports the example uses (not as a property `x.name`, not declared by
 * the example), and the class of an instance variable it uses (INSTANCES), from the
 * documented symbol's own module first.
 */
function addImports(comment, moduleName, exported) {
  for (const tag of comment.blockTags) {
    if (tag.tag !== "@example") continue;
    for (const part of tag.content) {
      if (part.kind !== "code") continue;
      const m = /^```(ts|typescript)\n([\s\S]*?)```$/.exec(part.text.trim());
      if (!m || /^\s*import\s.*\sfrom\s+"esolutions-sdk[/"]/m.test(m[2])) continue;
      const code = m[2]
        .replace(/\/\/.*$/gm, "")
        .replace(/\/\*[\s\S]*?\*\//g, "")
        .replace(/"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'/g, '""');
      const declared = (name) =>
        new RegExp(
          `\\b(?:const|let|var|function|class|interface|type)\\s+${name}\\b|\\bimport\\b[^;]*\\b${name}\\b`,
        ).test(code);
      // `name` on its own: not after a property dot (a spread `...name` is fine).
      const used = (name) => new RegExp(`(?<![\\w$])(?<!(?<!\\.)\\.)${name}\\b`).test(code);
      /** name → true when only its type is needed */
      const names = new Map();
      for (const name of new Set(code.match(/[A-Za-z_][\w]*/g) ?? [])) {
        if (exported.has(name) && used(name) && !declared(name))
          names.set(
            name,
            exported.get(name).every((f) => f.typeOnly),
          );
        const instanceOf = INSTANCES[name];
        if (instanceOf && exported.has(instanceOf) && used(name) && !declared(name) && !names.has(instanceOf))
          names.set(instanceOf, true);
      }
      /** module → import specifiers (`Agent`, `type AgentConfig`) */
      const imports = new Map();
      for (const [name, typeOnly] of names) {
        const from = exported.get(name);
        const pick = from.find((f) => f.module === moduleName) ?? from[0];
        imports.set(pick.module, [...(imports.get(pick.module) ?? []), typeOnly ? `type ${name}` : name]);
      }
      if (imports.size === 0) continue;
      const bare = (n) => n.replace(/^type /, "");
      const lines = [...imports]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([module, list]) => {
          const sorted = list.sort((a, b) => bare(a).localeCompare(bare(b)));
          return sorted.every((n) => n.startsWith("type "))
            ? `import type { ${sorted.map(bare).join(", ")} } from "${module}";`
            : `import { ${sorted.join(", ")} } from "${module}";`;
        });
      part.text = `\`\`\`${m[1]}\n${lines.join("\n")}\n${m[2]}\`\`\``;
    }
  }
}
