#!/usr/bin/env bash
# The Go garbage collector's settings for the Pulumi CLI and its Go plugins (the engine, the
# language host, the kubernetes provider), as KEY=VALUE lines: sourced by pulumi-env.sh,
# appended to $GITHUB_ENV by .github/actions/setup, read by the e2e suite and the bench.
#
# GOGC=200: collect when the heap has grown threefold, not twofold. A quarter of the engine's
# CPU in a preview is collection; on a kept 100-tenant stack, alternated, the no-change
# preview and the drift check took about a tenth less time and the engine's peak memory
# grew by a fifth to a third (README: Scale).
# GOMEMLIMIT, half the machine's memory, bounds that: near it the collector runs as often as
# it must to stay under it, so the extra memory is taken only where there is room for it.
# A stack whose engine needs more than that with the defaults (a 1,000-tenant drift check
# peaked at 13 GiB) is collected at least as often as the defaults would; not measured there.
# Set either variable yourself to override it.
set -euo pipefail
echo "GOGC=${GOGC:-200}"
if [ -n "${GOMEMLIMIT:-}" ]; then
  echo "GOMEMLIMIT=$GOMEMLIMIT"
else
  kib=$(awk '/^MemTotal:/ { print $2 }' /proc/meminfo)
  echo "GOMEMLIMIT=$((kib / 2 / 1024))MiB"
fi
