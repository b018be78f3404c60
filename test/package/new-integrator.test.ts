/**
 * The new integrator (issue 19, item 9): only the installed package and its shipped guides.
 * The packed tarball is installed into a fresh folder with the TypeScript the guide pins; the
 * folder gets the guide's `tsconfig.json`, the guide's getting-started code and every
 * TypeScript sample of every shipped guide (`node_modules/esolutions-sdk/docs/*.md`, each
 * with its `<!-- prelude: … -->`), and `npx tsc` must pass with the documented tsconfig.
 * Then the getting-started code runs with `npx tsx` against the package's own `esol sim` and
 * `esol server` (loopback, OS ports), and its output must be the one the guide shows: same
 * printer, same meters, and the byte counts the guide prints are the ones measured here.
 *
 * The guide's fleet is `esol sim --count 6` (seed 1) and its server listens on port 8443;
 * here the fleet's clock is frozen (`--clock-rate 0`, so the meters are the seed's) and both
 * take OS ports. The request bytes carry the port once (`Host: 127.0.0.1:<port>`), so the
 * measured count is compared after replacing the port's digits by 8443's.
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { installTarball, repoPkg } from "./install.js";

const run = promisify(execFile);
/** The guide's server port, which its sample output was measured with. */
const GUIDE_PORT = 8443;

let dir: string;
let installed: string;
let guide: string;
const children: ChildProcess[] = [];

/** Starts the installed `esol` with `args` in the consumer folder; resolves with its `listening …` value. */
async function startEsol(args: string[]): Promise<string> {
  const child = spawn(process.execPath, [join(installed, "dist", "src", "cli", "main.js"), ...args], {
    cwd: dir,
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push(child);
  let stdout = "";
  let stderr = "";
  child.stdout!.on("data", (d) => {
    stdout += d;
  });
  child.stderr!.on("data", (d) => {
    stderr += d;
  });
  for (let i = 0; i < 300; i++) {
    const line = /^listening (\S+)\n/m.exec(stdout);
    if (line) return line[1]!;
    if (child.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`esol ${args.join(" ")}: no listening line in 30 s\n${stderr}`);
}

/** The fenced block right after the HTML comment `marker` in `markdown`. */
function blockAfter(markdown: string, marker: string, lang: string): string {
  const m = new RegExp(`<!-- ${marker} -->\\n\`\`\`${lang}\\n([\\s\\S]*?)\`\`\``).exec(markdown);
  if (!m) throw new Error(`no \`\`\`${lang} block after <!-- ${marker} -->`);
  return m[1]!;
}

/** The ```text block that follows `after` in `markdown`. */
function textBlockAfter(markdown: string, after: string): string {
  const start = markdown.indexOf(after);
  const m = /```text\n([\s\S]*?)```/.exec(markdown.slice(start));
  if (start < 0 || !m) throw new Error(`no text block after ${after}`);
  return m[1]!;
}

beforeAll(async () => {
  ({ dir, installed } = await installTarball(inject("tarball"), ["@types/node", "typescript", "tsx"]));
  guide = readFileSync(join(installed, "docs", "getting-started.md"), "utf8");
  writeFileSync(join(dir, "tsconfig.json"), blockAfter(guide, "tsconfig: getting-started", "json"));
  writeFileSync(
    join(dir, "getting-started.ts"),
    blockAfter(guide, "example: examples/getting-started.ts", "ts"),
  );
  // Every TypeScript sample of every shipped guide, as a module next to the example.
  const docs = join(installed, "docs");
  for (const file of readdirSync(docs).filter((f) => f.endsWith(".md"))) {
    const text = readFileSync(join(docs, file), "utf8");
    let n = 0;
    for (const m of text.matchAll(/(?:<!-- prelude: (.*?) -->\n)?```ts\n([\s\S]*?)```/g))
      writeFileSync(
        join(dir, `guide-${file.replace(/\.md$/, "")}-${n++}.ts`),
        `${m[1] ?? ""}\n${m[2]}\nexport {};\n`,
      );
  }
}, 60_000);

afterAll(async () => {
  for (const child of children) {
    if (child.exitCode !== null || child.signalCode !== null) continue;
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGTERM");
    await exited;
  }
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("a new integrator with only the installed package and its guides", () => {
  it("installs the TypeScript the guide pins, which is the one the SDK is built with", () => {
    const pin = /npm install -D .*\btypescript@(~\d+\.\d+)\b/.exec(guide)?.[1];
    expect(pin, "docs/getting-started.md pins typescript@~MAJOR.MINOR").toBeDefined();
    expect(repoPkg.devDependencies.typescript?.startsWith(pin!)).toBe(true);
    const { version } = JSON.parse(
      readFileSync(join(dir, "node_modules", "typescript", "package.json"), "utf8"),
    ) as {
      version: string;
    };
    expect(version.startsWith(`${pin!.slice(1)}.`)).toBe(true);
  });

  it("type-checks the getting-started code and every guide's samples with the guide's tsconfig.json (npx tsc)", async () => {
    const samples = readdirSync(dir).filter((f) => f.startsWith("guide-"));
    expect(samples.length).toBeGreaterThan(10);
    const tsc = join(dir, "node_modules", "typescript", "bin", "tsc");
    const result = await run(process.execPath, [tsc, "-p", dir], { cwd: dir }).catch(
      (err: { stdout: string }) => err,
    );
    expect(result.stdout).toBe("");
  });

  it("runs the getting-started code (npx tsx) against esol sim and esol server, printing what the guide shows", async () => {
    const fleet = await startEsol(["sim", "--count", "6", "--clock-rate", "0"]);
    const firstPort = /:(\d+)-\d+$/.exec(fleet)![1]!;
    mkdirSync(join(dir, "cs"));
    const endpoint = await startEsol(["server", "--port", "0", "--db", "cs/cs.db", "--insecure-unsigned"]);
    const port = new URL(endpoint).port;
    const tsx = join(dir, "node_modules", "tsx", "dist", "cli.mjs");
    const { stdout, stderr } = await run(
      process.execPath,
      [tsx, "getting-started.ts", `127.0.0.1:${firstPort}`, endpoint, "cs/esol-server-cert.pem"],
      { cwd: dir },
    );
    expect(stderr).toBe("");

    const shown = textBlockAfter(guide, "\nRun it:\n").trimEnd().split("\n");
    const printed = stdout.trimEnd().split("\n");
    // Same printer, same meters, same answer (the guide's fleet starts at port 16100).
    expect(printed.slice(0, -1)).toEqual(
      shown.slice(0, -1).map((l) => l.replace("127.0.0.1:16100", `127.0.0.1:${firstPort}`)),
    );
    // The byte counts: measured here, with the guide's port in the Host header.
    const bytes = /^(\d+) bytes sent, (\d+) bytes received$/.exec(printed.at(-1)!);
    expect(bytes, printed.at(-1)).not.toBeNull();
    const sent = Number(bytes![1]) - port.length + String(GUIDE_PORT).length;
    const guideBytes = /^(\d+) bytes sent, (\d+) bytes received$/.exec(shown.at(-1)!);
    expect(guideBytes, shown.at(-1)).not.toBeNull();
    // The read's key embeds the reader's ReadAt text, whose length varies by a byte or two
    // with the moment of the run (fractional seconds): the guide's figure holds within that.
    expect(
      Math.abs(Number(guideBytes![1]) - sent),
      `${shown.at(-1)} vs ${sent} sent here`,
    ).toBeLessThanOrEqual(2);
    expect(guideBytes![2]).toBe(bytes![2]);

    const exported = await run(process.execPath, [
      join(installed, "dist", "src", "cli", "main.js"),
      "server",
      "export",
      "--db",
      join(dir, "cs", "cs.db"),
    ]);
    const store = JSON.parse(exported.stdout) as { billingReads: Array<{ serial: string }> };
    expect(store.billingReads).toHaveLength(1);
  });
});
