import { defineConfig } from "vitest/config";

// The package checks (`scripts/package-check.sh`): pack the package once (pack.global.ts) and
// consume the tarball from fresh folders. Kept out of `npm test` because packing builds dist/
// (about 20 s).
export default defineConfig({
  test: {
    include: ["test/package/**/*.test.ts"],
    globalSetup: ["test/package/pack.global.ts"],
    testTimeout: 120_000,
    hookTimeout: 240_000,
    pool: "forks",
  },
});
