#!/usr/bin/env bash
# The Go garbage collector's settings for the Pulumi CLI and its Go plugins (the engine, the
# language host, the kubernetes provider), as KEY=VALUE lines: sourced by pulumi-env.sh,
# appended to $GITHUB_ENV by .github/actions/setup, read by the e2e suite and the bench.
#
# GOGC=200: collect when the heap has grown threefold, not twofold. A quarter of the engine's
# CPU in a preview is collection. At 100 tenants, alternated on the same stacks, the drift
# check took 26.5 s against 30.9 s and the no-change preview from no to a sixth less time;
# the engine's peak memory grew by a tenth in the preview and by 38% in the drift check
# (README: Scale).
# GOMEMLIMIT, half the machine's memory, bounds that: near it the collector runs as often as
# it must to stay under it, so the extra memory is taken only where there is room for it.
# A stack whose engine needs more than that with the defaults (a 1,000-tenant drift check
# peaked at 13 GiB) is collected at least as often as the defaults would; not measured there.
# Set either variable yourself to override it.
set -euo pipefail
echo "GOGC=${GOGC:-200}"
if [ -n "${GOMEMLIMIT:-}" ]; then
  echo "GOMEMLIMIT=$GOMEMLIMIT"
elif [ -r /proc/meminfo ]; then
  kib=$(awk '/^MemTotal:/ { print $2 }' /proc/meminfo)
  echo "GOMEMLIMIT=$((kib / 2 / 1024))MiB"
elif bytes=$(sysctl -n hw.memsize 2>/dev/null); then
  echo "GOMEMLIMIT=$((bytes / 2 / 1024 / 1024))MiB"
fi
