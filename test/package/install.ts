/**
 * A fresh consumer folder with the packed tarball installed, offline: the tarball is unpacked
 * into `node_modules/esolutions-sdk` and only the dependencies its package.json DECLARES are
 * linked from this repository's node_modules (no registry, no native rebuild of
 * better-sqlite3), plus the tools a test names (`@types/node`, `typescript`, `tsx`). A runtime
 * import of an undeclared package therefore fails here as it would for a user.
 */
import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { promisify } from "node:util";

/** This repository's package.json, the fields the package tests read. */
export const repoPkg = JSON.parse(readFileSync("package.json", "utf8")) as {
  name: string;
  version: string;
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
  exports: Record<string, string | { types?: string }>;
};

/** A consumer folder: its root and the installed package's root inside its node_modules. */
export interface ConsumerFolder {
  /** The folder, outside this repository (under the OS temp folder). */
  dir: string;
  /** `<dir>/node_modules/esolutions-sdk`. */
  installed: string;
}

/**
 * Creates a consumer folder (an ESM `package.json` depending on the SDK) and installs
 * `tarball` into it. `tools` are linked from this repository's node_modules as they are
 * (e.g. `["@types/node", "typescript"]`).
 */
export async function installTarball(tarball: string, tools: string[]): Promise<ConsumerFolder> {
  const dir = mkdtempSync(join(tmpdir(), "esol-consumer-"));
  const installed = join(dir, "node_modules", repoPkg.name);
  mkdirSync(installed, { recursive: true });
  await promisify(execFile)("tar", ["-xzf", tarball, "-C", installed, "--strip-components=1"]);
  for (const name of [...Object.keys(repoPkg.dependencies), ...tools]) {
    const target = join(dir, "node_modules", name);
    mkdirSync(dirname(target), { recursive: true });
    symlinkSync(resolve("node_modules", name), target, "dir");
  }
  writeFileSync(
    join(dir, "package.json"),
    JSON.stringify({
      name: "consumer",
      private: true,
      type: "module",
      dependencies: { [repoPkg.name]: "*" },
    }),
  );
  return { dir, installed };
}
