#!/usr/bin/env bash
# docs/getting-started.md run as it says: device a serves, device b syncs once; b must send its item and receive a's.
set -euo pipefail
app="$1"   # the built GettingStarted executable
work="$(mktemp -d "${TMPDIR:-/tmp}/getting-started.XXXXXX")"
cleanup() { kill ${serving:-} 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
cd "$work"

mkfifo enter
"$app" a serve < enter > a.log 2>&1 & serving=$!
exec 3> enter   # holds the server's standard input open until the end
for _ in $(seq 50); do grep -q serving a.log 2>/dev/null && break; sleep 0.2; done
output="$("$app" b sync)"
echo "getting-started: $output"
exec 3>&-
[ "$output" = "sent 1, received 1, changed here 1" ] || { echo "getting-started: expected 'sent 1, received 1, changed here 1'" >&2; cat a.log >&2; exit 1; }
