/**
 * The guides stay true to the source: the error-codes table lists every code the source
 * throws and no code the source does not know, relative links between docs resolve, and
 * every TypeScript sample of a guide compiles against the real API.
 */
import { execFile } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return path.endsWith(".ts") ? [path] : [];
  });
}

// src/error-codes.ts is generated from the table itself: it proves nothing about the source.
const sources = sourceFiles("src")
  .filter((path) => path !== join("src", "error-codes.ts"))
  .map((path) => ({ path, text: readFileSync(path, "utf8") }));

/** Codes the source throws: `new XError("CODE"` and the verifier's / walker's `fail(…, "CODE"`. */
function thrownCodes(): Map<string, string> {
  const codes = new Map<string, string>();
  for (const { path, text } of sources) {
    for (const m of text.matchAll(/new \w+Error\(\s*"([A-Z][A-Z0-9_]+)"/g)) codes.set(m[1]!, path);
    for (const m of text.matchAll(/\bfail\((?:\w+,\s*)?"([A-Z][A-Z0-9_]+)"/g)) codes.set(m[1]!, path);
  }
  return codes;
}

const errorCodesDoc = readFileSync("docs/error-codes.md", "utf8");
const documented = new Set(
  [...errorCodesDoc.matchAll(/^\| `([A-Z][A-Z0-9_]*(?:<status>)?)` *\|/gm)].map((m) => m[1]!),
);

describe("docs/error-codes.md", () => {
  it("lists every code thrown in src/", () => {
    const missing = [...thrownCodes()]
      .filter(([code]) => !documented.has(code))
      .map(([c, p]) => `${c} (${p})`);
    expect(missing).toEqual([]);
  });

  it("lists no code the source does not contain", () => {
    const all = sources.map((s) => s.text).join("\n");
    const unknown = [...documented].filter((code) =>
      code === "HTTP_<status>" ? !all.includes("`HTTP_$" + "{status}`") : !all.includes(`"${code}"`),
    );
    expect(unknown).toEqual([]);
  });

  it("is the source of the SdkErrorCode types (src/error-codes.ts is regenerated from it)", async () => {
    const result = await promisify(execFile)(process.execPath, ["scripts/error-codes.mjs", "--check"]).then(
      () => ({ code: 0, stderr: "" }),
      (err: { code: number; stderr: string }) => err,
    );
    expect(result).toEqual({ code: 0, stderr: "" });
  });
});

describe("guides", () => {
  const guides = readdirSync("docs").filter((f) => f.endsWith(".md"));

  it("link only to files that exist", () => {
    const broken: string[] = [];
    for (const guide of [...guides.map((g) => join("docs", g)), "README.md", "examples/README.md"]) {
      const text = readFileSync(guide, "utf8");
      for (const m of text.matchAll(/\]\(([^)#\s]+)(#[^)]*)?\)/g)) {
        const target = m[1]!;
        if (/^[a-z]+:/.test(target)) continue;
        try {
          statSync(resolve(dirname(guide), target));
        } catch {
          broken.push(`${guide} → ${target}`);
        }
      }
    }
    expect(broken).toEqual([]);
  });

  it("include the guides the README promises", () => {
    for (const name of [
      "getting-started.md",
      "building-a-client.md",
      "meter-maps.md",
      "keys-and-certificates.md",
      "reference-server.md",
      "snmp-troubleshooting.md",
      "error-codes.md",
      "network-impact.md",
    ])
      expect(guides).toContain(name);
  });
});

describe("code samples in the guides", () => {
  it("compile against the real API (strict, nodenext)", async () => {
    // Each ```ts block becomes a module; `<!-- prelude: … -->` just before a block declares
    // what the surrounding prose already introduced (an `agent`, a `config`, …).
    const dir = join(".tmp", "doc-snippets");
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    const files: string[] = [];
    for (const guide of readdirSync("docs").filter((f) => f.endsWith(".md") && f !== "network-impact.md")) {
      const text = readFileSync(join("docs", guide), "utf8");
      let n = 0;
      for (const m of text.matchAll(/(?:<!-- prelude: (.*?) -->\n)?```ts\n([\s\S]*?)```/g)) {
        const file = `${guide.replace(/\.md$/, "")}-${n++}.ts`;
        writeFileSync(join(dir, file), `${m[1] ?? ""}\n${m[2]}\nexport {};\n`);
        files.push(file);
      }
    }
    expect(files.length).toBeGreaterThan(10);
    writeFileSync(
      join(dir, "tsconfig.json"),
      JSON.stringify({
        extends: "../../tsconfig.json",
        compilerOptions: { noEmit: true, noUnusedLocals: false },
        include: [...files, "../../src/snmp/net-snmp.d.ts"],
      }),
    );
    const tsc = join("node_modules", "typescript", "bin", "tsc");
    const result = await promisify(execFile)(process.execPath, [tsc, "-p", dir]).catch(
      (err: { stdout: string }) => err,
    );
    expect(result.stdout).toBe("");
  });
});
