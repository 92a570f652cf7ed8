#!/usr/bin/env bash
# Starts the services the test suite talks to: a private PostgreSQL cluster and a private Redis,
# and makes sure Debian's Chromium is there for the editor's end-to-end tests.
# Installs missing Debian packages when run as root.
# Prints `export` lines for the environment; use as: eval "$(ops/ci/services.sh)"
set -euo pipefail

PG_PORT="${WEFT_TEST_PG_PORT:-55432}"
PG_DIR="${WEFT_TEST_PG_DIR:-/tmp/weft-test-pg}"
REDIS_PORT="${WEFT_TEST_REDIS_PORT:-56379}"
REDIS_DIR="${WEFT_TEST_REDIS_DIR:-/tmp/weft-test-redis}"

log() { echo "services: $*" >&2; }

need_apt() {
  if [ "$(id -u)" != 0 ]; then
    log "missing $1 and not root: install it yourself"; exit 1
  fi
  if [ -z "${APT_UPDATED:-}" ]; then
    log "apt-get update"; apt-get update -qq >&2; APT_UPDATED=1
  fi
  log "apt-get install $*"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >&2
}

pg_bin() {
  local dir
  for dir in /usr/lib/postgresql/*/bin; do
    if [ -x "$dir/pg_ctl" ]; then echo "$dir"; return 0; fi
  done
  return 1
}

start_postgres() {
  local bin
  bin="$(pg_bin)" || { need_apt postgresql; bin="$(pg_bin)"; }
  local run_as=()
  if [ "$(id -u)" = 0 ]; then run_as=(runuser -u postgres --); fi
  if [ -f "$PG_DIR/postmaster.pid" ] && "${run_as[@]}" "$bin/pg_ctl" -D "$PG_DIR" status >/dev/null 2>&1; then
    log "postgres already running on $PG_PORT"
  else
    rm -rf "$PG_DIR"; mkdir -p "$PG_DIR"
    if [ "$(id -u)" = 0 ]; then chown postgres:postgres "$PG_DIR"; fi
    "${run_as[@]}" "$bin/initdb" -D "$PG_DIR" -U weft --auth=trust >/dev/null
    "${run_as[@]}" "$bin/pg_ctl" -D "$PG_DIR" -l "$PG_DIR/server.log" -w \
      -o "-p $PG_PORT -k /tmp -c listen_addresses=127.0.0.1 -c max_connections=300 -c fsync=on" start >/dev/null
    log "postgres started on $PG_PORT"
  fi
  echo "export WEFT_TEST_POSTGRES_URL=postgres://weft@127.0.0.1:$PG_PORT/postgres"
}

start_redis() {
  command -v redis-server >/dev/null 2>&1 || need_apt redis-server
  if redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping >/dev/null 2>&1; then
    log "redis already running on $REDIS_PORT"
  else
    mkdir -p "$REDIS_DIR"
    # A private, memory-only instance: no RDB/AOF files, loopback only.
    redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --daemonize yes \
      --pidfile "$REDIS_DIR/redis.pid" --logfile "$REDIS_DIR/redis.log" --dir "$REDIS_DIR" \
      --save "" --appendonly no >&2
    local tries=0
    until redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping >/dev/null 2>&1; do
      tries=$((tries + 1))
      if [ "$tries" -gt 50 ]; then log "redis did not start: see $REDIS_DIR/redis.log"; exit 1; fi
      sleep 0.1
    done
    log "redis started on $REDIS_PORT"
  fi
  echo "export WEFT_TEST_REDIS_URL=redis://127.0.0.1:$REDIS_PORT/"
}

start_postgres

# Chromium (Debian's build) for the UI's end-to-end tests; never a downloaded browser.
ensure_chromium() {
  if ! command -v chromium >/dev/null 2>&1; then
    need_apt chromium chromium-driver fonts-liberation
  fi
  echo "export WEFT_TEST_CHROMIUM=$(command -v chromium)"
}

start_redis
ensure_chromium
