#!/usr/bin/env bash
# The whole test suite, from a fresh clone on a fresh machine (Debian 12,
# root, Node 20, no dockerd): installs what is missing, builds, starts a
# private Docker Engine, runs unit, integration and end-to-end tests and the
# Raft simulation, stops what it started, and prints a summary.
# `.ci/run` and the README's Quickstart call exactly this.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
RESULTS="$ROOT/.tmp/test-results"
START=$(date +%s)
step() { printf '\n==> [%s] %s\n' "$(date -u +%H:%M:%S)" "$*"; }

step "system packages (docker.io, busybox-static, iproute2, nftables, iptables, debootstrap)"
bash scripts/install-system-deps.sh

step "npm dependencies"
if [ -d node_modules ] && [ node_modules/.package-lock.json -nt package-lock.json ]; then
  echo "node_modules is up to date"
else
  npm ci --no-audit --no-fund  # the lockfile holds every platform's optional packages
fi

step "generated code matches proto/"
npm run -s proto:check
step "typecheck"
npx tsc -p tsconfig.json --noEmit
step "lint (floating promises, import cycles, pure cores)"
npx eslint .
step "build"
npm run -s build

step "test engine (private dockerd unless one already answers)"
eval "export $(npx tsx test/support/engine-cli.ts start)"
echo "DOCKER_HOST=$DOCKER_HOST"
cleanup() { npx tsx test/support/engine-cli.ts stop || true; }
trap cleanup EXIT
npx tsx test/support/engine-cli.ts images >/dev/null

rm -rf "$RESULTS" && mkdir -p "$RESULTS"
status=0
for project in unit integration e2e; do
  step "vitest: $project tests"
  npx vitest run --project "$project" --reporter=default --reporter=json --outputFile.json="$RESULTS/$project.json" || status=1
done

if [ -f test/sim/cli.ts ]; then
  step "raft simulation: ${RAFT_SIM_SEEDS:=300} seeds"
  npm run -s sim -- raft --seeds "$RAFT_SIM_SEEDS" | tee "$RESULTS/raft-sim.txt" | tail -n 5 || status=1
  grep -q "raft-sim: $RAFT_SIM_SEEDS seeds, 0 violations" "$RESULTS/raft-sim.txt" || status=1
fi

step "summary ($(( $(date +%s) - START )) s)"
node scripts/summarize-tests.mjs "$RESULTS" || status=1
exit $status
