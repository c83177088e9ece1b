#!/usr/bin/env bash
# Makes sure PostgreSQL's server binaries are on this machine (the tests and the edge-to-central sample start
# throwaway clusters from them): installs them with apt when missing and run as root. Never fails the caller:
# without PostgreSQL, its tests fail with a message saying what to install.
set -uo pipefail
if [ -z "${LIBLIM_TEST_PG:-}" ] && ! ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1 && ! command -v pg_ctl >/dev/null 2>&1; then
  if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing PostgreSQL for the functional tests" >&2
    # The tests start their own cluster: the package need not create and start a system one.
    mkdir -p /etc/postgresql-common/createcluster.d
    echo "create_main_cluster = false" > /etc/postgresql-common/createcluster.d/liblim-tests.conf
    { export DEBIAN_FRONTEND=noninteractive; apt-get update -qq && apt-get install -y -qq --no-install-recommends postgresql; } >/dev/null 2>&1 \
      || echo "could not install PostgreSQL: its tests will fail" >&2
  else
    echo "PostgreSQL is not installed (Debian/Ubuntu: apt-get install postgresql): its tests will fail" >&2
  fi
fi
