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
 * Offline by design: the tarball is unpacked into `node_modules/esolutions-sdk` and only
 * the dependencies its package.json DECLARES are linked from this repository's
 * node_modules (no registry, no native rebuild of better-sqlite3). A runtime import of an
 * undeclared package therefore fails here as it would for a user.
 *
 * Run by scripts/package-check.sh: `npx vitest run --config test/package/vitest.config.ts`.
 */
import { execFile } from "node:child_process";
import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const run = promisify(execFile);
const repo = process.cwd();
const repoPkg = JSON.parse(readFileSync("package.json", "utf8")) as {
  name: string;
  version: string;
  dependencies: Record<string, string>;
  exports: Record<string, string | { types?: string }>;
};
/** Every typed entry of the `exports` map as a consumer imports it: `esolutions-sdk`, `esolutions-sdk/server`, … */
const entrySpecifiers = Object.entries(repoPkg.exports)
  .filter(([, target]) => typeof target === "object" && target.types)
  .map(([subpath]) => (subpath === "." ? repoPkg.name : `${repoPkg.name}/${subpath.slice(2)}`));

let work: string;
let consumer: string;
let installed: string;
let packedFiles: string[];

/** Links `name` from this repository's node_modules into the consumer's. */
function link(name: string): void {
  const target = join(consumer, "node_modules", name);
  mkdirSync(dirname(target), { recursive: true });
  symlinkSync(resolve(repo, "node_modules", name), target, "dir");
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), "esol-pack-"));
  const { stdout } = await run("npm", ["pack", "--json", "--pack-destination", work], {
    cwd: repo,
    maxBuffer: 64 * 1024 * 1024,
  });
  // npm prints the prepack build's output before the JSON.
  const packed = JSON.parse(stdout.slice(stdout.indexOf("[\n"))) as Array<{
    filename: string;
    files: Array<{ path: string }>;
  }>;
  const tarball = join(work, packed[0]!.filename);
  packedFiles = packed[0]!.files.map((f) => f.path);

  consumer = join(work, "consumer");
  installed = join(consumer, "node_modules", repoPkg.name);
  mkdirSync(installed, { recursive: true });
  await run("tar", ["-xzf", tarball, "-C", installed, "--strip-components=1"]);
  for (const dep of Object.keys(repoPkg.dependencies)) link(dep);
  link("@types/node");
  writeFileSync(
    join(consumer, "package.json"),
    JSON.stringify({
      name: "consumer",
      private: true,
      type: "module",
      dependencies: { [repoPkg.name]: "*" },
    }),
  );
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
}, 240_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe("npm pack", () => {
  it("ships the built entry points, their declarations, the WSDL, the examples and the docs files", () => {
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
    ])
      expect(packedFiles, file).toContain(file);
  });

  it("ships no sources of tests, benchmarks or local state", () => {
    const stray = packedFiles.filter((f) =>
      /^(src|test|bench|scripts|\.tmp|\.ci|docs\/api|node_modules)\//.test(f),
    );
    expect(stray).toEqual([]);
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
