#!/usr/bin/env bash
# Starts a throwaway PostgreSQL on 127.0.0.1 for the EF Core tests and exports WEBHOOKSENDER_POSTGRES.
# Uses the PostgreSQL 15 binaries (installed from Debian's packages when missing and running as root). As root the
# server runs as user postgres; otherwise as the current user.
#   source .ci/postgres.sh && start_postgres      # PG_PORT, PG_ROOT and PG_BIN may be set first
#   stop_postgres
PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
PG_PORT=${PG_PORT:-54329}
PG_ROOT=${PG_ROOT:-/tmp/webhooksender-pg}

_as_postgres() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

stop_postgres() {
  if [ -f "$PG_ROOT/data/postmaster.pid" ]; then
    _as_postgres "$PG_BIN/pg_ctl" -D "$PG_ROOT/data" -m immediate stop >/dev/null 2>&1 || true
  fi
}

start_postgres() {
  if [ ! -x "$PG_BIN/initdb" ]; then
    if [ "$(id -u)" -ne 0 ]; then
      echo "PostgreSQL 15 binaries are not in $PG_BIN; install them (apt-get install postgresql) or set WEBHOOKSENDER_POSTGRES." >&2
      return 1
    fi
    echo "PostgreSQL binaries not found in $PG_BIN; installing them."
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
  fi
  if [ "$(id -u)" -eq 0 ]; then
    id postgres >/dev/null 2>&1 || useradd --system --home "$PG_ROOT" postgres
  fi

  stop_postgres
  # A server left from another run (or another program) may hold the port: take the next free one.
  while (exec 3<>"/dev/tcp/127.0.0.1/$PG_PORT") 2>/dev/null; do
    echo "Port $PG_PORT is in use; trying $((PG_PORT + 1))."
    PG_PORT=$((PG_PORT + 1))
  done

  rm -rf "$PG_ROOT"
  mkdir -p "$PG_ROOT/socket"
  [ "$(id -u)" -eq 0 ] && chown -R postgres "$PG_ROOT"
  _as_postgres "$PG_BIN/initdb" -D "$PG_ROOT/data" -U postgres --auth=trust -E UTF8 >/dev/null || return 1
  _as_postgres "$PG_BIN/pg_ctl" -D "$PG_ROOT/data" -l "$PG_ROOT/server.log" -w \
    -o "-c listen_addresses=127.0.0.1 -c port=$PG_PORT -c unix_socket_directories=$PG_ROOT/socket -c max_connections=300 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" start >/dev/null || return 1
  export WEBHOOKSENDER_POSTGRES="Host=127.0.0.1;Port=$PG_PORT;Username=postgres;Database=postgres"
  echo "PostgreSQL is up: $WEBHOOKSENDER_POSTGRES"
}
