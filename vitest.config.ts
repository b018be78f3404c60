import { defineConfig } from "vitest/config";

// `npm test`: unit and integration suites. Interop suites (external tools such as
// xmlsec1, zeep, snmpsim, Net-SNMP) run through vitest.interop.config.ts from .ci/run.
export default defineConfig({
  test: {
    include: ["test/unit/**/*.test.ts", "test/integration/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: "forks",
  },
});
