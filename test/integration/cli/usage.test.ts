import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { runEsol } from "../../helpers/esol.js";

// The CLI contract (README, DESIGN.md): every failure is one line `error <code>: <reason>`,
// usage mistakes included — no commander message followed by the whole usage text.
describe("esol usage mistakes", () => {
  it.each([
    [["frobnicate"], /^error ARG_INVALID: unknown command 'frobnicate' \(see esol --help\)\n$/],
    [["read"], /^error ARG_INVALID: missing required argument 'target' \(see esol read --help\)\n$/],
    [
      ["codegen", "--out", "x"],
      /^error ARG_INVALID: required option '--wsdl <file\|url>' not specified \(see esol codegen --help\)\n$/,
    ],
    [
      ["codegen", "--wsdl", "a.wsdl", "--out", "x", "--bogus"],
      /^error ARG_INVALID: unknown option '--bogus' \(see esol codegen --help\)\n$/,
    ],
  ])("esol %j prints one line naming the mistake and where the help is", async (args, line) => {
    const r = await runEsol(args);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(line);
    expect(r.stdout).toBe("");
  });

  it("esol with no command prints the help, then the one line saying a command is missing", async () => {
    const r = await runEsol([]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain("Usage: esol");
    expect(r.stderr.trimEnd().split("\n").at(-1)).toBe(
      "error ARG_MISSING: no command given (see esol --help)",
    );
  });

  it("esol --version prints the package's version", async () => {
    const pkg = JSON.parse(readFileSync("package.json", "utf8")) as { version: string };
    const r = await runEsol(["--version"]);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe(pkg.version);
  });
});
