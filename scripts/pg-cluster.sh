#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for tests, CI and benchmarks (issue 16): initdb in a temp
# folder, pg_ctl start on a free loopback port, createdb. Nothing outside the folder is used
# (its own Unix socket directory, no system service).
#
#   eval "$(bash scripts/pg-cluster.sh start)"   # exports ESOL_TEST_PG_URL and ESOL_TEST_PG_DIR
#   bash scripts/pg-cluster.sh stop [DIR]        # pg_ctl stop + rm -rf (DIR defaults to $ESOL_TEST_PG_DIR)
#
# Binaries: $PG_BIN, else the newest /usr/lib/postgresql/*/bin, else PATH (Debian package
# `postgresql`). Run as root, the cluster runs as the `postgres` user (initdb refuses root).
# stdout carries only the export lines; progress goes to stderr.
set -euo pipefail

pg_bin() {
  if [ -n "${PG_BIN:-}" ]; then echo "$PG_BIN"; return; fi
  local newest
  newest=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
  if [ -n "$newest" ]; then echo "$newest"; return; fi
  dirname "$(command -v initdb 2>/dev/null || echo /nonexistent/initdb)"
}

# Runs a PostgreSQL binary as the cluster's owner.
as_owner() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

free_port() {
  node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}

start() {
  local bin dir port log
  bin=$(pg_bin)
  [ -x "$bin/initdb" ] || { echo "pg-cluster: no initdb (install the Debian package postgresql, or set PG_BIN)" >&2; exit 1; }
  dir=$(mktemp -d "${TMPDIR:-/tmp}/esol-pg-XXXXXX")
  [ "$(id -u)" = 0 ] && chown postgres: "$dir"
  chmod 700 "$dir"
  as_owner "$bin/initdb" -D "$dir/data" -U postgres --auth=trust --encoding=UTF8 --no-locale >"$dir/initdb.log" 2>&1 \
    || { cat "$dir/initdb.log" >&2; exit 1; }
  log="$dir/server.log"
  # A port the OS just handed out can be taken again before postgres binds it: retry.
  for attempt in 1 2 3 4 5; do
    port=$(free_port)
    if as_owner "$bin/pg_ctl" -D "$dir/data" -l "$log" -w -t 30 \
      -o "-p $port -c listen_addresses=127.0.0.1 -k $dir -c max_connections=200 -c shared_buffers=64MB" start >&2; then
      break
    fi
    port=""
    echo "pg-cluster: start on port attempt $attempt failed, retrying" >&2
  done
  [ -n "$port" ] || { tail -20 "$log" >&2; exit 1; }
  as_owner "$bin/createdb" -h 127.0.0.1 -p "$port" -U postgres esol_test >&2
  echo "pg-cluster: PostgreSQL $("$bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$port in $dir" >&2
  echo "export ESOL_TEST_PG_URL=postgres://postgres@127.0.0.1:$port/esol_test"
  echo "export ESOL_TEST_PG_DIR=$dir"
}

stop() {
  local dir="${1:-${ESOL_TEST_PG_DIR:-}}"
  [ -n "$dir" ] && [ -d "$dir/data" ] || { echo "pg-cluster: no cluster folder to stop" >&2; return 0; }
  as_owner "$(pg_bin)/pg_ctl" -D "$dir/data" -m fast -w stop >&2 || true
  rm -rf "$dir"
}

case "${1:-}" in
  start) start ;;
  stop) stop "${2:-}" ;;
  *) echo "usage: $0 start | stop [DIR]" >&2; exit 2 ;;
esac
