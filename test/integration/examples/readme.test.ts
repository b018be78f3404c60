import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { runEsol } from "../../helpers/esol.js";

// The README ships in the package: a user who installed it reads it on npm or in node_modules,
// where `npm run demo` and `docs/api/` do not exist. What it shows them (everything before
// "Working on the SDK") must work from an installed package; the source-checkout commands live
// in that last section.

const readme = readFileSync("README.md", "utf8");
const split = readme.search(/^## Working on the SDK$/m);
const forUsers = split >= 0 ? readme.slice(0, split) : readme;
const forContributors = split >= 0 ? readme.slice(split) : "";

/** The command lines of the ```sh blocks of `text`, comments cut. */
function shellLines(text: string): string[] {
  const lines: string[] = [];
  for (const m of text.matchAll(/```sh\n([\s\S]*?)```/g))
    for (const line of (m[1] ?? "").split("\n")) {
      const command = line.replace(/\s+#.*$/, "").trim();
      if (command) lines.push(command);
    }
  return lines;
}

describe("the README", () => {
  it("has a 'Using the package' section and, last, a 'Working on the SDK' section", () => {
    expect(forUsers).toMatch(/^## Using the package$/m);
    expect(split).toBeGreaterThan(0);
    expect(forContributors.slice(1)).not.toMatch(/^## /m);
  });

  it("shows package users only commands that work from node_modules", () => {
    const lines = shellLines(forUsers);
    expect(lines).toContain("npx esol demo");
    expect(lines.filter((l) => !/^(npx esol |npm install )/.test(l))).toEqual([]);
    const sourceOnly = [
      /\bnpm (ci|test|run)\b/,
      /docs\/api/,
      /\bbench\//,
      /\.ci\//,
      /\btsx\b/,
      /\bscripts\//,
    ];
    expect(sourceOnly.filter((re) => re.test(forUsers)).map(String)).toEqual([]);
  });

  it("names only commands the CLI has", async () => {
    const { code, stdout } = await runEsol(["--help"]);
    expect(code).toBe(0);
    const commands = new Set([...stdout.matchAll(/^ {2}(\w+)\b/gm)].map((m) => m[1]));
    const named = shellLines(forUsers)
      .filter((l) => l.startsWith("npx esol "))
      .map((l) => l.split(/\s+/)[2]);
    expect(named.length).toBeGreaterThan(5);
    expect(named.filter((c) => !commands.has(c))).toEqual([]);
  });

  it("keeps the source-checkout commands for people working on the SDK", () => {
    for (const command of ["npm ci", "npm run demo", "npm test", "npm run docs", "bash .ci/run"])
      expect(forContributors).toContain(command);
  });
});
