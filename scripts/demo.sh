#!/usr/bin/env bash
# Quickstart command 1: from a fresh clone on a fresh machine (Debian 12,
# root, Node 20), install what is missing, build, start a Docker Engine,
# bring up a 3-host demo cluster on this machine and show it.
#   npm run demo            # up, show, stay in the foreground until Ctrl-C
#   npm run demo -- --once  # up, show, tear down
set -euo pipefail
cd "$(dirname "$0")/.."
step() { printf '\n==> [%s] %s\n' "$(date -u +%H:%M:%S)" "$*"; }

step "system packages"
bash scripts/install-system-deps.sh
step "npm dependencies"
# npm ci: the lockfile holds every platform's optional packages (regenerate it with `npm install --package-lock-only`).
if [ -d node_modules ] && [ node_modules/.package-lock.json -nt package-lock.json ]; then echo "node_modules is up to date"; else npm ci --no-audit --no-fund; fi
step "build"
npm run -s build
step "Docker Engine (a private dockerd unless one already answers), local images, demo cluster"
# demo.ts starts the engine itself so that it can stop it on every way out (--once, Ctrl-C, failure);
# an engine that already answered is left running.
exec npx tsx scripts/demo.ts "$@"
