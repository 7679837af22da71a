#!/bin/bash
# Waits for the Postgres auto-setup would use (POSTGRES_SEEDS, DB_PORT), then as long as auto-setup
# takes to set up its schema, then runs the dev server as PID 1.
set -euo pipefail
host=${POSTGRES_SEEDS:-postgres}
port=${DB_PORT:-5432}
until (exec 3<>"/dev/tcp/$host/$port") 2>/dev/null; do
  echo "temporal stand-in: waiting for Postgres at $host:$port"
  sleep 1
done
echo "temporal stand-in: Postgres answers; starting in ${STANDIN_START_DELAY_SECONDS} s (auto-setup's schema setup)"
sleep "$STANDIN_START_DELAY_SECONDS"
exec temporal server start-dev --headless --ip 0.0.0.0 --port 7233 --namespace default --log-level warn
