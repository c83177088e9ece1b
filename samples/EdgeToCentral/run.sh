#!/usr/bin/env bash
# Runs the EdgeToCentral demo against a throwaway PostgreSQL cluster, started the way the tests start theirs:
# initdb in a temp folder, as the postgres user when run as root, listening on a free loopback port.
set -euo pipefail
cd "$(dirname "$0")/../.."
bin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
[ -n "$bin" ] || bin="$(dirname "$(command -v pg_ctl)")"
[ -x "$bin/pg_ctl" ] || { echo "PostgreSQL server binaries not found (Debian/Ubuntu: apt-get install postgresql)" >&2; exit 1; }

data="$(mktemp -d "${TMPDIR:-/tmp}/edge-to-central-pg.XXXXXX")"
port=$(( 40000 + RANDOM % 20000 ))
as_pg=()
if [ "$(id -u)" -eq 0 ]; then chown postgres "$data"; as_pg=(runuser -u postgres --); fi
"${as_pg[@]}" "$bin/initdb" -D "$data/db" -U postgres -A trust > /dev/null
"${as_pg[@]}" "$bin/pg_ctl" -D "$data/db" -o "-p $port -k $data -c listen_addresses=127.0.0.1 -c fsync=off" -w start > /dev/null
trap '"${as_pg[@]}" "$bin/pg_ctl" -D "$data/db" -m immediate stop > /dev/null; rm -rf "$data"' EXIT

dotnet run --project samples/EdgeToCentral -c Release -- demo --pg "Host=127.0.0.1;Port=$port;Username=postgres;Database=shop"
