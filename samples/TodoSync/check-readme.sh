#!/usr/bin/env bash
# Compares the demo's output (a file, or standard input) with the "Expected output" block of this folder's README.md,
# the temp folder and the ports aside. Exits non-zero, printing the difference, when they differ.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
normalize() { sed -E 's#/tmp/todosync-demo-[0-9a-f]+#/tmp/todosync-demo-X#; s#127\.0\.0\.1:[0-9]+#127.0.0.1:PORT#g'; }
expected="$(awk '/^## Expected output/ { section = 1; next } section && /^```/ { if (inside) exit; inside = 1; next } inside' "$here/README.md" | normalize)"
actual="$(cat "${1:-/dev/stdin}" | normalize)"
if [[ "$expected" != "$actual" ]]; then
    diff <(echo "$expected") <(echo "$actual") || true
    echo "samples/TodoSync/README.md's expected output differs from the demo's (above: < README, > demo)" >&2
    exit 1
fi
