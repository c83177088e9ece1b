#!/usr/bin/env bash
# Builds the solution and runs every test project, and the Python implementation's tests (interop/python, python3, which
# it installs when missing); prints one summary line "N passed, N failed, N skipped" summed over all of them, and exits
# non-zero when anything failed or did not run.
# Needs the .NET 10 SDK (packages restore from NuGet) and PostgreSQL's server binaries, which it installs when
# missing and run as root: the functional tests start a throwaway PostgreSQL cluster of their own (or use the
# server of LIBLIM_TEST_PG, a connection string whose user may create databases).
set -uo pipefail
cd "$(dirname "$0")/.."

bash scripts/ensure-postgres.sh

results="$(mktemp -d "${TMPDIR:-/tmp}/liblim-test-results.XXXXXX")"
trap 'rm -rf "$results"' EXIT

dotnet build Liblim.EfCore.sln -c Release --nologo -v quiet || { echo "0 passed, 1 failed, 0 skipped"; echo "build failed" >&2; exit 1; }

# One run per test project, each with its own results file, so no two runs can overwrite each other's.
status=0
for project in $(grep -l '<IsTestProject>true</IsTestProject>' tests/*/*.csproj); do
  name="$(basename "$project" .csproj)"
  dotnet test "$project" -c Release --no-build --nologo \
    --logger "trx;LogFileName=${name}.trx" --logger "console;verbosity=minimal" --results-directory "$results" || status=$?
done

passed=0; failed=0; skipped=0; files=0
for trx in "$results"/*.trx; do
  [ -f "$trx" ] || continue
  files=$((files + 1))
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -n 1)
  get() { echo "$counters" | sed -n "s/.* $1=\"\([0-9]*\)\".*/\1/p"; }
  total=$(get total); p=$(get passed); f=$(get failed); e=$(get error); t=$(get timeout); a=$(get aborted)
  passed=$((passed + ${p:-0}))
  failed=$((failed + ${f:-0} + ${e:-0} + ${t:-0} + ${a:-0}))
  skipped=$((skipped + ${total:-0} - ${p:-0} - ${f:-0} - ${e:-0} - ${t:-0} - ${a:-0}))
  # Name each failed test next to the summary, so that a rare failure is known by name.
  grep -o 'testName="[^"]*"[^>]*outcome="Failed"' "$trx" | sed 's/^testName="\([^"]*\)".*/failed test: \1/' >&2 || true
done

# The second implementation of the protocol (interop/python, standard library only): its own tests, in the same count.
if ! command -v python3 > /dev/null; then
  apt-get install -y -qq python3 > /dev/null 2>&1 || { apt-get update -qq > /dev/null 2>&1 && apt-get install -y -qq python3 > /dev/null 2>&1; }
fi
python_log="$results/python.log"
if python3 -m unittest discover -s interop/python/tests > "$python_log" 2>&1; then python_ok=1; else python_ok=0; fi
ran=$(sed -n 's/^Ran \([0-9]*\) tests\?.*/\1/p' "$python_log" | tail -n 1)
py_failed=$(sed -n 's/.*failures=\([0-9]*\).*/\1/p' "$python_log" | tail -n 1)
py_errors=$(sed -n 's/.*errors=\([0-9]*\).*/\1/p' "$python_log" | tail -n 1)
py_skipped=$(sed -n 's/.*skipped=\([0-9]*\).*/\1/p' "$python_log" | tail -n 1)
py_bad=$(( ${py_failed:-0} + ${py_errors:-0} ))
if [ "$python_ok" -eq 0 ] && [ "$py_bad" -eq 0 ]; then py_bad=1; fi
passed=$((passed + ${ran:-0} - py_bad - ${py_skipped:-0}))
failed=$((failed + py_bad))
skipped=$((skipped + ${py_skipped:-0}))
if [ "$python_ok" -eq 0 ]; then
  grep -E '^(FAIL|ERROR):' "$python_log" | sed 's/^/failed python test: /' >&2 || true
  tail -n 20 "$python_log" >&2
fi

if [ "$files" -eq 0 ]; then
  echo "no test results were written" >&2
  failed=$((failed + 1))
fi

echo "${passed} passed, ${failed} failed, ${skipped} skipped"
if [ "$failed" -ne 0 ] || [ "$status" -ne 0 ]; then
  exit 1
fi
