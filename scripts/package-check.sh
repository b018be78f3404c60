#!/usr/bin/env bash
# Package checks (run by .ci/run after the tests): the package an integrator installs.
#   build         dist/ from a clean slate
#   docs          typedoc API reference, warnings are errors (validation.notDocumented)
#   api-report    the public surface in api/*.api.md matches the built declarations
#   publint       package.json / exports / files lint
#   attw          types resolve for ESM consumers (node16 from ESM, bundler); ESM-only package
#   pack-consume  npm pack, unpack into a fresh folder, compile a nodenext consumer, run it
#   esol-help     every esol subcommand's --help shows examples
# Ends with one line naming what failed, exit 1 if anything did.
set -uo pipefail
cd "$(dirname "$0")/.."
failed=()

step() { echo; echo "--- package check: $*"; }

step "build"
rm -rf dist
npm run -s build || failed+=("build")

step "docs (typedoc, warnings are errors)"
npm run -s docs -- --out .tmp/docs-api || failed+=("docs")

step "api report"
node scripts/api-report.mjs --check || failed+=("api-report")

step "publint"
npx publint --strict || failed+=("publint")

step "attw (ESM-only profile)"
npx attw --pack . --profile esm-only --format table-flipped || failed+=("attw")

step "pack and consume"
npx vitest run --config test/package/vitest.config.ts || failed+=("pack-consume")

step "esol --help and every subcommand's help with examples"
help_missing=()
commands=$(node dist/src/cli/main.js --help | sed -n '/^Commands:/,$p' | awk 'NR>1 && /^  [a-z]/{print $1}' | grep -v '^help$')
for c in $commands; do
  node dist/src/cli/main.js "$c" --help | grep -q '^Examples:' || help_missing+=("$c")
done
if [ ${#help_missing[@]} -eq 0 ]; then
  echo "every subcommand's help has examples ($(echo $commands | wc -w) commands)"
else
  echo "no Examples: section in the help of: ${help_missing[*]}"
  failed+=("esol-help")
fi

echo
if [ ${#failed[@]} -eq 0 ]; then
  echo "package checks: all passed"
else
  echo "package checks failed: ${failed[*]}"
  exit 1
fi
