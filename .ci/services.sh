#!/usr/bin/env bash
# Starts the Redis and PostgreSQL servers the store integration tests talk to, if they are not
# already answering, and waits until they do. Idempotent: on a machine where both are up it only
# checks. Exits non-zero when a server cannot be started, so CI fails loudly instead of the
# integration tests silently skipping.
set -uo pipefail

redis_up() { redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null | grep -q PONG; }
postgres_up() { pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; }

wait_for() {
  local name="$1" check="$2"
  for _ in $(seq 1 60); do
    if "$check"; then echo "$name is up"; return 0; fi
    sleep 0.5
  done
  echo "$name did not come up within 30 s" >&2
  return 1
}

status=0

if ! redis_up; then
  echo "starting Redis"
  mkdir -p /var/lib/redis /var/log/redis 2>/dev/null || true
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
    --dir /var/lib/redis --logfile /var/log/redis/ci.log \
    || redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no
fi
wait_for Redis redis_up || status=1

if ! postgres_up; then
  echo "starting PostgreSQL"
  if command -v pg_ctlcluster >/dev/null && [ -d /etc/postgresql ]; then
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n 1)" main start || true
  fi
fi
wait_for PostgreSQL postgres_up || status=1

if [ "$status" -eq 0 ] && command -v psql >/dev/null; then
  # The integration tests use the database `test`; create it when a fresh cluster lacks it.
  if ! psql -h 127.0.0.1 -U postgres -d test -Atc 'select 1' >/dev/null 2>&1; then
    psql -h 127.0.0.1 -U postgres -d postgres -c 'create database test' >/dev/null || status=1
  fi
fi

exit "$status"
