import { defineConfig } from "vitest/config";

// The package checks (`scripts/package-check.sh`): pack the package and consume the tarball
// from a fresh folder. Kept out of `npm test` because packing builds dist/ (about 20 s).
export default defineConfig({
  test: {
    include: ["test/package/**/*.test.ts"],
    testTimeout: 120_000,
    hookTimeout: 240_000,
    pool: "forks",
  },
});
