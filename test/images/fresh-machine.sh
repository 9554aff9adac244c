#!/usr/bin/env bash
# Runs the integration and e2e tests inside a container that looks like a
# fresh CI machine (Debian 12 minbase + Node, no docker.io, busybox-static or
# debootstrap), to check the test environment bootstraps itself. Needs an
# engine on this machine: DOCKER_HOST, or the one `engine-cli.ts start` gives.
#   bash test/images/fresh-machine.sh [vitest args...]   (default: --project integration --project e2e)
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
IMAGE=shoal-test/fresh-debian:bookworm
NAME=shoal-t-$$-fresh
rootfs=""
cleanup() { docker rm -f "$NAME" >/dev/null 2>&1 || true; [ -z "$rootfs" ] || rm -rf "$rootfs"; }
trap cleanup EXIT
log() { printf '[test-env] %s\n' "$*" >&2; }

if [ -z "${DOCKER_HOST:-}" ]; then export "$(npx tsx test/support/engine-cli.ts start)"; fi
if ! docker image inspect "$IMAGE" >/dev/null 2>&1; then
  log "debootstrap of a bare bookworm for $IMAGE"
  rootfs=$(mktemp -d "/var/tmp/shoal-t-$$-freshfs-XXXX")
  debootstrap --variant=minbase bookworm "$rootfs" http://deb.debian.org/debian >/dev/null
  tar -C "$rootfs" --numeric-owner -cf - . | docker import -c 'CMD ["/bin/bash"]' - "$IMAGE" >/dev/null
fi

# The same confinement a container host gets (see test/support/container-hosts.ts); tmpfs data roots
# because overlay2 can't sit on the container's own overlay filesystem.
docker run -d --name "$NAME" --label shoal.test="$NAME" --cap-add ALL --cap-drop SYS_RESOURCE \
  --security-opt seccomp=unconfined --security-opt apparmor=unconfined \
  -v /sys/fs/cgroup:/sys/fs/cgroup:rw \
  --tmpfs /var/lib/shoal-test-engine:rw,exec --tmpfs /run:rw,exec --tmpfs /tmp:rw,exec \
  "$IMAGE" sleep infinity >/dev/null
log "copying node and the checkout into $NAME"
docker cp "$(command -v node)" "$NAME:/usr/local/bin/node"
docker exec "$NAME" mkdir -p /shoal
tar -C "$ROOT" -cf - package.json tsconfig.json tsconfig.build.json vitest.config.ts eslint.config.js bin dist proto src test \
  | docker exec -i "$NAME" tar -xf - -C /shoal
modules=$(realpath "$ROOT/node_modules")
tar -C "$(dirname "$modules")" -cf - "$(basename "$modules")" | docker exec -i "$NAME" tar -xf - -C /shoal
args=("$@")
[ ${#args[@]} -gt 0 ] || args=(--project integration --project e2e)
log "running vitest ${args[*]} on the fresh machine"
start=$(date +%s)
status=0
docker exec -e PATH=/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin -w /shoal "$NAME" \
  node node_modules/vitest/vitest.mjs run "${args[@]}" || status=$?
log "fresh-machine run took $(( $(date +%s) - start ))s, exit $status"
exit $status
