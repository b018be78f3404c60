/**
 * Pack and consume: `npm pack` (which builds dist/ through `prepack`), then the tarball is
 * installed into a fresh folder outside this repository and used the way an integrator
 * uses it: a consumer compiled with `module`/`moduleResolution: nodenext` imports
 * `esolutions-sdk`, `esolutions-sdk/server` and `esolutions-sdk/sim`, and runs under plain
 * node against a simulated printer and the reference server.
 *
 * The consumer compiles strictly: `skipLibCheck: false`, `types: ["node"]`, and no type
 * package installed but `@types/node`. Every declaration file reachable from every entry of
 * the `exports` map (`entries.ts` imports each one) is type-checked, so a third-party type
 * that leaks through the public surface without shipping its declarations in a dependency
 * (better-sqlite3's `Database` from `@types/better-sqlite3`, a devDependency) fails the
 * compile with TS7016.
 *
 * Offline by design (test/package/install.ts): only the dependencies the package DECLARES are
 * linked into the consumer, so a runtime import of an undeclared package fails here as it
 * would for a user. The tarball is packed once for all package tests (pack.global.ts).
 *
 * Run by scripts/package-check.sh: `npx vitest run --config test/package/vitest.config.ts`.
 */
import { execFile } from "node:child_process";
import { cpSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, posix } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { installTarball, repoPkg } from "./install.js";

const run = promisify(execFile);
const repo = process.cwd();
/** Every typed entry of the `exports` map as a consumer imports it: `esolutions-sdk`, `esolutions-sdk/server`, … */
const entrySpecifiers = Object.entries(repoPkg.exports)
  .filter(([, target]) => typeof target === "object" && target.types)
  .map(([subpath]) => (subpath === "." ? repoPkg.name : `${repoPkg.name}/${subpath.slice(2)}`));

let consumer: string;
let installed: string;
const packedFiles = inject("packedFiles");

beforeAll(async () => {
  ({ dir: consumer, installed } = await installTarball(inject("tarball"), ["@types/node"]));
  writeFileSync(
    join(consumer, "tsconfig.json"),
    JSON.stringify({
      compilerOptions: {
        target: "ES2023",
        module: "nodenext",
        moduleResolution: "nodenext",
        strict: true,
        noUncheckedIndexedAccess: true,
        exactOptionalPropertyTypes: true,
        skipLibCheck: false,
        types: ["node"],
        outDir: "out",
      },
      files: ["main.ts", "entries.ts"],
    }),
  );
  cpSync(join(repo, "test/package/consumer/main.ts"), join(consumer, "main.ts"));
  // One namespace import per entry: the compile checks every declaration each one reaches.
  writeFileSync(
    join(consumer, "entries.ts"),
    `${entrySpecifiers.map((s, i) => `import * as entry${i} from "${s}";`).join("\n")}\n` +
      `export const entryExportCounts = [${entrySpecifiers.map((_, i) => `Object.keys(entry${i}).length`).join(", ")}];\n`,
  );
}, 60_000);

afterAll(() => {
  if (consumer) rmSync(consumer, { recursive: true, force: true });
});

describe("npm pack", () => {
  it("ships the built entry points, their declarations, the WSDL, the examples and the guides", () => {
    for (const file of [
      "package.json",
      "README.md",
      "CHANGELOG.md",
      "LICENSE",
      "dist/src/index.js",
      "dist/src/index.d.ts",
      "dist/src/server/index.js",
      "dist/src/server/index.d.ts",
      "dist/src/sim/index.js",
      "dist/src/sim/index.d.ts",
      "dist/src/impact/index.js",
      "dist/src/impact/index.d.ts",
      "dist/src/cli/main.js",
      "wsdl/communication.wsdl",
      "examples/getting-started.ts",
      "examples/fleet-table.ts",
      "docs/getting-started.md",
      "docs/error-codes.md",
    ])
      expect(packedFiles, file).toContain(file);
  });

  it("ships the guides (docs/*.md) but not the generated API site", () => {
    const guides = readdirSync("docs").filter((f) => f.endsWith(".md"));
    expect(guides.length).toBeGreaterThan(5);
    for (const guide of guides) expect(packedFiles, guide).toContain(`docs/${guide}`);
  });

  it("ships no tests, benchmarks, scripts or local state", () => {
    const stray = packedFiles.filter((f) =>
      /^(test|bench|scripts|\.tmp|\.ci|docs\/api|node_modules)\//.test(f),
    );
    expect(stray).toEqual([]);
  });

  it("ships src/ and generated/ as TypeScript only: the files the source maps name", () => {
    const stray = packedFiles.filter((f) => /^(src|generated)\//.test(f) && !f.endsWith(".ts"));
    expect(stray).toEqual([]);
  });
});

describe("the installed package", () => {
  it("has source maps whose every source is a file of the package", () => {
    const maps = packedFiles.filter((f) => f.endsWith(".map"));
    expect(maps.length).toBeGreaterThan(50);
    expect(maps.some((m) => m.endsWith(".d.ts.map"))).toBe(true);
    const missing: string[] = [];
    for (const map of maps) {
      const { sources } = JSON.parse(readFileSync(join(installed, map), "utf8")) as { sources: string[] };
      for (const source of sources) {
        const path = posix.join(posix.dirname(map), source);
        if (!packedFiles.includes(path)) missing.push(`${map} → ${path}`);
      }
    }
    expect(missing).toEqual([]);
  });

  it("has Markdown whose relative links all resolve inside the package (README, guides, examples)", () => {
    const markdown = packedFiles.filter((f) => f.endsWith(".md"));
    expect(markdown).toEqual(
      expect.arrayContaining(["README.md", "docs/getting-started.md", "examples/README.md"]),
    );
    const broken: string[] = [];
    for (const file of markdown) {
      const text = readFileSync(join(installed, file), "utf8");
      for (const m of text.matchAll(/\]\(([^)#\s]+)(#[^)]*)?\)/g)) {
        const target = m[1]!;
        if (/^[a-z]+:/.test(target)) continue;
        const path = posix.normalize(posix.join(posix.dirname(file), target));
        if (
          !packedFiles.includes(path) &&
          !packedFiles.some((f) => f.startsWith(`${path.replace(/\/$/, "")}/`))
        )
          broken.push(`${file} → ${target}`);
      }
    }
    expect(broken).toEqual([]);
  });
});

describe("a consumer project (nodenext) using the installed tarball", () => {
  it("has no type package but @types/node, and imports every typed entry of the exports map", () => {
    expect(readdirSync(join(consumer, "node_modules", "@types"))).toEqual(["node"]);
    expect(entrySpecifiers).toEqual(
      expect.arrayContaining([
        repoPkg.name,
        `${repoPkg.name}/server`,
        `${repoPkg.name}/sim`,
        `${repoPkg.name}/impact`,
      ]),
    );
    expect(readFileSync(join(consumer, "entries.ts"), "utf8").match(/^import \* as/gm)).toHaveLength(
      entrySpecifiers.length,
    );
  });

  it("compiles strictly (skipLibCheck false): no third-party type leaks without its declarations", async () => {
    const tsc = join(repo, "node_modules", "typescript", "bin", "tsc");
    const result = await run(process.execPath, [tsc, "-p", consumer]).catch((err: { stdout: string }) => err);
    expect(result.stdout).toBe("");
  });

  it("runs: reads a simulated printer and the reference server stores its billing read", async () => {
    const { stdout } = await run(process.execPath, [join(consumer, "out", "main.js")], { cwd: consumer });
    const result = JSON.parse(stdout.trim()) as Record<string, unknown>;
    expect(result).toMatchObject({ accepted: 1, stored: 1, configCode: "CONFIG_INVALID" });
    expect(typeof result.serial).toBe("string");
  });

  it("loads every entry of the exports map under plain node", async () => {
    const code = `for (const s of ${JSON.stringify(entrySpecifiers)}) console.log(s, Object.keys(await import(s)).length);`;
    const { stdout } = await run(process.execPath, ["--input-type=module", "-e", code], { cwd: consumer });
    expect(stdout.trim().split("\n")).toHaveLength(entrySpecifiers.length);
    expect(entrySpecifiers).toContain(`${repoPkg.name}/impact`);
  });

  it("runs the esol binary with its help", async () => {
    const { stdout } = await run(
      process.execPath,
      [join(installed, "dist", "src", "cli", "main.js"), "--help"],
      {
        cwd: consumer,
      },
    );
    expect(stdout).toContain("Usage: esol");
    for (const command of ["read", "poll", "server", "sim", "sign", "verify", "impact", "agent"])
      expect(stdout).toMatch(new RegExp(`^  ${command} `, "m"));
  });
});
