#!/usr/bin/env bash
# The one test command (README, .ci/run): type-check, then every vitest suite (unit, integration, browser).
# CI reads only the last line, which must be `N passed, N failed`; tsc, the formatter/linter and the import-layer rule
# count as one test each.
set -uo pipefail
cd "$(dirname "$0")/.."
export OBSERVABLE_TELEMETRY_DISABLE=true

# the optional native backend (native/, over libtorch): built when libtorch-dev is installed, else skipped with a note
node scripts/build-native.mjs || true

tsc_failed=0
echo "== tsc --noEmit"
if ! npx tsc --noEmit -p tsconfig.json; then tsc_failed=1; fi

# the layer rule (.dependency-cruiser.cjs): no import from a lower layer to a higher one, no cycles
layers_failed=0
echo "== depcruise (import layers)"
if ! npx depcruise -c .dependency-cruiser.cjs src loaders docs; then layers_failed=1; fi

# formatting and lint (biome.json; `npm run format` rewrites, `npm run lint` only reports): drift fails CI
style_failed=0
echo "== biome check (format + lint)"
if ! npx biome check --max-diagnostics=20 .; then style_failed=1; fi

echo "== vitest"
rm -f vitest.json
npx vitest run --reporter=default --reporter=json --outputFile=vitest.json "$@"

node -e '
const fs = require("fs");
const [tscFailed, layersFailed, styleFailed] = process.argv.slice(1).map(Number);
let passed = 0, failed = 0;
if (fs.existsSync("vitest.json")) {
  const r = JSON.parse(fs.readFileSync("vitest.json", "utf8"));
  passed = r.numPassedTests; failed = r.numFailedTests;
  // a suite that fails to load (syntax error, import error) has no tests but must still fail the run
  failed += r.testResults.filter((f) => f.status === "failed" && f.assertionResults.length === 0).length;
} else failed += 1;
if (tscFailed) failed += 1; else passed += 1;
if (layersFailed) failed += 1; else passed += 1;
if (styleFailed) failed += 1; else passed += 1;
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
' "$tsc_failed" "$layers_failed" "$style_failed"
