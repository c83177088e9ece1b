#!/usr/bin/env bash
# Three TodoSync processes on loopback: a hub serving, a laptop live-connected to it, a phone that syncs once.
# Succeeds when the laptop received the phone's items without a sync call of its own.
set -euo pipefail
app="$1"   # the built TodoSync executable
work="$(mktemp -d "${TMPDIR:-/tmp}/todosync-smoke.XXXXXX")"
port=$(( 20000 + RANDOM % 20000 ))
cleanup() { kill ${hub:-} ${laptop:-} 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
cd "$work"

"$app" --db hub.db serve "$port" > hub.log 2>&1 & hub=$!
for _ in $(seq 50); do grep -q serving hub.log 2>/dev/null && break; sleep 0.2; done
"$app" --db laptop.db live "liblim://127.0.0.1:$port" > laptop.log 2>&1 & laptop=$!
"$app" --db phone.db add Buy milk > /dev/null
"$app" --db phone.db add Call the plumber > /dev/null
"$app" --db phone.db sync "liblim://127.0.0.1:$port" > /dev/null

for _ in $(seq 100); do
  if "$app" --db laptop.db list | grep -q "Call the plumber"; then
    echo "smoke: the live laptop received the phone's items through the hub"
    exit 0
  fi
  sleep 0.2
done
echo "smoke: the laptop did not receive the phone's items" >&2
cat hub.log laptop.log >&2
exit 1
