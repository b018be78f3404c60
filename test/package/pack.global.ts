/**
 * Global setup of the package checks: `npm pack` once (which builds dist/ through `prepack`,
 * about 20 s) for every test file of test/package/, and hands the tarball to them through
 * `inject("tarball")`. Packing once also keeps two files from rebuilding dist/ at the same
 * time.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import type { TestProject } from "vitest/node";

declare module "vitest" {
  export interface ProvidedContext {
    /** Absolute path of the packed `esolutions-sdk-<version>.tgz`. */
    tarball: string;
    /** The tarball's file paths as `npm pack --json` lists them (`package.json`, `dist/src/index.js`, …). */
    packedFiles: string[];
  }
}

export default async function setup(project: TestProject): Promise<() => void> {
  const work = mkdtempSync(join(tmpdir(), "esol-pack-"));
  const { stdout } = await promisify(execFile)("npm", ["pack", "--json", "--pack-destination", work], {
    cwd: process.cwd(),
    maxBuffer: 64 * 1024 * 1024,
  });
  // npm prints the prepack build's output before the JSON.
  const packed = JSON.parse(stdout.slice(stdout.indexOf("[\n"))) as Array<{
    filename: string;
    files: Array<{ path: string }>;
  }>;
  project.provide("tarball", join(work, packed[0]!.filename));
  project.provide(
    "packedFiles",
    packed[0]!.files.map((f) => f.path),
  );
  return () => rmSync(work, { recursive: true, force: true });
}
