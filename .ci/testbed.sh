#!/usr/bin/env bash
# The testbed in CI: installs Redis when missing (apt-get update only then),
# starts PostgreSQL 15 (idempotent) and Redis if they do not answer, makes a
# PostgreSQL role for the user running the tests (local connections use
# peer authentication), runs the testbed's real-system tests (build tag
# testbed, so a plain `go test ./...` before the servers start skips them;
# with CI=true they
# fail instead of skipping when a server is missing) and a reduced
# `checkoutsim testbed check` (two loads, the before- and after-like
# testbed scenarios, 40 s of load each: about three and a half minutes on 2 cores)
# whose goals can fail. It stops whatever it started, on success and on
# failure, on a fresh machine as on a used one.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="/usr/local/go/bin:$PATH"

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
me="$(id -un)"
started_pg=""
started_redis=""
tmp=$(mktemp -d)
cleanup() {
  rm -rf "$tmp"
  if [ -n "$started_redis" ]; then
    redis-cli -h 127.0.0.1 -p 6379 shutdown nosave >/dev/null 2>&1 || true
  fi
  if [ -n "$started_pg" ]; then
    $SUDO pg_ctlcluster 15 main stop >/dev/null 2>&1 || true
  fi
}
trap cleanup EXIT

echo "== testbed: servers"
missing=""
command -v redis-server >/dev/null 2>&1 || missing="$missing redis-server"
command -v pg_ctlcluster >/dev/null 2>&1 || missing="$missing postgresql"
if [ -n "$missing" ]; then
  echo "== install$missing (testbed)"
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing
  # Debian starts the packaged services on install; stop the Redis service
  # (it persists to disk) and run our own below.
  $SUDO service redis-server stop >/dev/null 2>&1 || true
fi

if ! pg_lsclusters -h 2>/dev/null | awk '$1=="15" && $2=="main" {print $4}' | grep -q online; then
  $SUDO pg_ctlcluster 15 main start
  started_pg=1
fi
# Run a shell command as the postgres user (root: su; others: sudo).
as_postgres() {
  if [ "$(id -u)" -eq 0 ]; then
    (cd / && su postgres -c "$1")
  else
    (cd / && sudo -u postgres sh -c "$1")
  fi
}
if ! as_postgres "psql -tAc \"SELECT 1 FROM pg_roles WHERE rolname = '$me'\"" | grep -q 1; then
  as_postgres "createuser -s $me"
fi
if ! as_postgres "psql -tAc \"SELECT 1 FROM pg_database WHERE datname = '$me'\"" | grep -q 1; then
  as_postgres "createdb -O $me $me"
fi
if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no >/dev/null
  started_redis=1
  for _ in $(seq 50); do redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 && break; sleep 0.1; done
fi

echo "== testbed: real-system tests"
CI=true go test -count=1 -tags testbed ./testbed/...

# The goals below the knee that the model meets today gate CI (P99, error
# rate, attempts per call, hit ratio, queries per checkout, collapse
# agreement). The known misses are the model gaps docs/validation.md
# explains and that are not modelled yet: P50 and lock-wait P99 (statement
# latency that grows with host load; the lock-wait estimate is noisier
# than its goal), the knee and rankings that follow from them. They are
# printed, marked "known", and do not fail.
echo "== testbed: reduced check (2 loads, before and after, 40 s each)"
go build -o "$tmp/checkoutsim" ./cmd/checkoutsim
"$tmp/checkoutsim" testbed check \
  testbed/scenarios/testbed-before.yaml testbed/scenarios/testbed-after.yaml \
  --loads 0.6,1 --duration 40s --set warmup=5s --set drain=10s --replications 2 \
  --known-miss p50_s,lock_wait_p99_s,knee,ranking \
  --calibrated "$tmp/calibration.yaml" --chart "$tmp/check.png"
