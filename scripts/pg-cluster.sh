#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for tests, CI and benchmarks (issue 16): initdb in a temp
# folder, pg_ctl start on a free loopback port, createdb. Nothing outside the folder is used
# (its own Unix socket directory, no system service).
#
#   eval "$(bash scripts/pg-cluster.sh start)"   # exports ESOL_TEST_PG_URL and ESOL_TEST_PG_DIR
#   eval "$(bash scripts/pg-cluster.sh start --ssl)"   # also ssl=on with a self-signed server
#                                                # certificate (CN and SAN 127.0.0.1, localhost)
#                                                # made with openssl in the folder; exports
#                                                # ESOL_TEST_PG_SSLROOTCERT (that certificate, PEM)
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

# A self-signed server certificate for 127.0.0.1 / localhost in $1 (server.crt, server.key).
make_server_cert() {
  local dir="$1"
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
    -subj "/CN=127.0.0.1" -addext "subjectAltName=IP:127.0.0.1,DNS:localhost" \
    -keyout "$dir/server.key" -out "$dir/server.crt" >"$dir/openssl.log" 2>&1 \
    || { cat "$dir/openssl.log" >&2; exit 1; }
  chmod 600 "$dir/server.key"
  [ "$(id -u)" = 0 ] && chown postgres: "$dir/server.key" "$dir/server.crt"
  return 0
}

start() {
  local bin dir port log ssl_opts=""
  local ssl="${1:-}"
  bin=$(pg_bin)
  [ -x "$bin/initdb" ] || { echo "pg-cluster: no initdb (install the Debian package postgresql, or set PG_BIN)" >&2; exit 1; }
  dir=$(mktemp -d "${TMPDIR:-/tmp}/esol-pg-XXXXXX")
  [ "$(id -u)" = 0 ] && chown postgres: "$dir"
  chmod 700 "$dir"
  as_owner "$bin/initdb" -D "$dir/data" -U postgres --auth=trust --encoding=UTF8 --no-locale >"$dir/initdb.log" 2>&1 \
    || { cat "$dir/initdb.log" >&2; exit 1; }
  if [ "$ssl" = "--ssl" ]; then
    make_server_cert "$dir"
    ssl_opts="-c ssl=on -c ssl_cert_file=$dir/server.crt -c ssl_key_file=$dir/server.key"
  fi
  log="$dir/server.log"
  # A port the OS just handed out can be taken again before postgres binds it: retry.
  for attempt in 1 2 3 4 5; do
    port=$(free_port)
    if as_owner "$bin/pg_ctl" -D "$dir/data" -l "$log" -w -t 30 \
      -o "-p $port -c listen_addresses=127.0.0.1 -k $dir -c max_connections=200 -c shared_buffers=64MB $ssl_opts" start >&2; then
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
  if [ "$ssl" = "--ssl" ]; then echo "export ESOL_TEST_PG_SSLROOTCERT=$dir/server.crt"; fi
  return 0
}

stop() {
  local dir="${1:-${ESOL_TEST_PG_DIR:-}}"
  [ -n "$dir" ] && [ -d "$dir/data" ] || { echo "pg-cluster: no cluster folder to stop" >&2; return 0; }
  as_owner "$(pg_bin)/pg_ctl" -D "$dir/data" -m fast -w stop >&2 || true
  rm -rf "$dir"
}

case "${1:-}" in
  start) start "${2:-}" ;;
  stop) stop "${2:-}" ;;
  *) echo "usage: $0 start [--ssl] | stop [DIR]" >&2; exit 2 ;;
esac
