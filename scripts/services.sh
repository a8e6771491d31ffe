#!/usr/bin/env bash
# Make sure PostgreSQL and Redis answer on the configured addresses, and that the
# app and test databases exist. Starts the locally installed servers when they
# are down; installs them from Debian/Ubuntu packages first when missing and we
# are root. Idempotent: on a machine where everything runs it changes nothing.
set -euo pipefail

DATABASE_URL="${DATABASE_URL:-postgresql://postgres:postgres@127.0.0.1:5432/shortbreaks}"
REDIS_URL="${REDIS_URL:-redis://127.0.0.1:6379}"

# postgresql://user:pass@host:port/db -> parts (no query strings are expected here)
pg_rest="${DATABASE_URL#*://}"
pg_userinfo="${pg_rest%%@*}"; pg_hostpart="${pg_rest#*@}"
PGUSER="${pg_userinfo%%:*}"; PGPASSWORD="${pg_userinfo#*:}"
pg_hostport="${pg_hostpart%%/*}"; PGDB="${pg_hostpart#*/}"; PGDB="${PGDB%%\?*}"
PGHOST="${pg_hostport%%:*}"; PGPORT="${pg_hostport##*:}"; [ "$PGPORT" = "$pg_hostport" ] && PGPORT=5432
export PGUSER PGPASSWORD PGHOST PGPORT
TEST_DB="${TEST_DATABASE_NAME:-${PGDB}_test}"

redis_rest="${REDIS_URL#*://}"; redis_rest="${redis_rest#*@}"; redis_hostport="${redis_rest%%/*}"
REDIS_HOST="${redis_hostport%%:*}"; REDIS_PORT="${redis_hostport##*:}"; [ "$REDIS_PORT" = "$redis_hostport" ] && REDIS_PORT=6379

log() { printf '[services] %s\n' "$*"; }
is_root() { [ "$(id -u)" = 0 ]; }
apt_updated=0
apt_install() {
  if ! is_root || ! command -v apt-get >/dev/null; then
    log "cannot install $* (need root on Debian/Ubuntu); please install it and re-run"; exit 1
  fi
  if [ "$apt_updated" = 0 ]; then DEBIAN_FRONTEND=noninteractive apt-get update -qq; apt_updated=1; fi
  log "installing $* from the OS packages"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}
wait_for() { # wait_for <description> <command...>
  local what="$1"; shift
  for _ in $(seq 1 60); do "$@" >/dev/null 2>&1 && return 0; sleep 0.5; done
  log "$what did not come up"; exit 1
}

pg_up() { pg_isready -q -h "$PGHOST" -p "$PGPORT"; }

# --- PostgreSQL --------------------------------------------------------------
command -v pg_isready >/dev/null || apt_install postgresql postgresql-contrib
if pg_up; then
  log "PostgreSQL is answering on $PGHOST:$PGPORT"
else
  if ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then apt_install postgresql postgresql-contrib; fi
  if command -v pg_lsclusters >/dev/null && [ -z "$(pg_lsclusters -h 2>/dev/null)" ]; then
    ver="$(ls /usr/lib/postgresql | sort -V | tail -1)"
    log "creating PostgreSQL $ver cluster 'main'"
    pg_createcluster "$ver" main >/dev/null
  fi
  log "starting PostgreSQL"
  if command -v pg_ctlcluster >/dev/null; then
    cluster="$(pg_lsclusters -h | awk 'NR==1{print $1" "$2}')"
    # shellcheck disable=SC2086
    pg_ctlcluster --skip-systemctl-redirect $cluster start || true
  else
    service postgresql start || true
  fi
  wait_for PostgreSQL pg_up
fi

# Connect as configured; a fresh Debian install only lets the postgres OS user in
# through the socket, so give the configured role its password that way first.
psql_app() { psql -X -q -v ON_ERROR_STOP=1 -d postgres "$@"; }
if ! psql_app -c 'select 1' >/dev/null 2>&1; then
  if is_root && id postgres >/dev/null 2>&1; then
    log "setting the password of role $PGUSER"
    su postgres -c "psql -X -q -c \"ALTER ROLE \\\"$PGUSER\\\" WITH LOGIN SUPERUSER PASSWORD '$PGPASSWORD'\"" 2>/dev/null \
      || su postgres -c "psql -X -q -c \"CREATE ROLE \\\"$PGUSER\\\" WITH LOGIN SUPERUSER PASSWORD '$PGPASSWORD'\""
  fi
  psql_app -c 'select 1' >/dev/null || { log "cannot log in to PostgreSQL as $PGUSER"; exit 1; }
fi
for db in "$PGDB" "$TEST_DB"; do
  if [ "$(psql_app -tAc "select 1 from pg_database where datname = '$db'")" != 1 ]; then
    log "creating database $db"
    psql_app -c "CREATE DATABASE \"$db\""
  fi
done
# The exclusion constraint on bookings needs btree_gist (postgresql-contrib).
if [ "$(psql_app -tAc "select 1 from pg_available_extensions where name = 'btree_gist'")" != 1 ]; then
  apt_install postgresql-contrib
fi

# --- Redis --------------------------------------------------------------------
redis_up() { redis-cli -h "$REDIS_HOST" -p "$REDIS_PORT" ping | grep -q PONG; }
command -v redis-cli >/dev/null || apt_install redis-server
if redis_up; then
  log "Redis is answering on $REDIS_HOST:$REDIS_PORT"
else
  command -v redis-server >/dev/null || apt_install redis-server
  log "starting Redis"
  mkdir -p /tmp/shortbreaks-redis
  redis-server --daemonize yes --bind "$REDIS_HOST" --port "$REDIS_PORT" --save "" --appendonly no \
    --dir /tmp/shortbreaks-redis --logfile /tmp/shortbreaks-redis/redis.log --maxmemory-policy noeviction
  wait_for Redis redis_up
fi
# BullMQ loses jobs if Redis evicts keys (bullmq docs, going-to-production).
if [ "$(redis-cli -h "$REDIS_HOST" -p "$REDIS_PORT" config get maxmemory-policy | tail -1)" != noeviction ]; then
  log "setting Redis maxmemory-policy noeviction"
  redis-cli -h "$REDIS_HOST" -p "$REDIS_PORT" config set maxmemory-policy noeviction >/dev/null
fi
log "ready: $DATABASE_URL (+ $TEST_DB), $REDIS_URL"
