// Sums vitest JSON reports and failed CI steps into the closing line "N passed, N failed".
import { existsSync, readFileSync } from "node:fs";

const args = process.argv.slice(2);
const sep = args.indexOf("--");
const failedSteps = sep >= 0 ? args.slice(0, sep) : [];
const reports = sep >= 0 ? args.slice(sep + 1) : args;
let passed = 0;
let failed = 0;
for (const file of reports) {
  if (!existsSync(file)) {
    console.log(`missing report ${file}`);
    failed += 1;
    continue;
  }
  const r = JSON.parse(readFileSync(file, "utf8"));
  passed += r.numPassedTests ?? 0;
  failed += r.numFailedTests ?? 0;
  if ((r.numTotalTests ?? 0) === 0) console.log(`no tests ran in ${file}`);
}
for (const s of failedSteps) console.log(`failed step: ${s}`);
failed += failedSteps.length;
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 && passed > 0 ? 0 : 1);
