#!/usr/bin/env bash
# Shared by every toolchain and cluster script: pinned versions, cache layout,
# and the environment the Pulumi CLI must always run with (no network fetches).
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
# shellcheck source=../versions.env
source "$REPO_ROOT/scripts/versions.env"

# Caches live outside the work tree so a clean clone reuses them and git never sees them.
CACHE_ROOT="${NEURALLOG_CACHE:-$HOME/.cache/neurallog}"
TOOLCHAIN_ROOT="$CACHE_ROOT/toolchain"
# Each family is keyed by its versions, so bumping versions.env rebuilds only what changed.
PULUMI_DIR="$TOOLCHAIN_ROOT/pulumi-v$PULUMI_VERSION"
PLUGINS_DIR="$TOOLCHAIN_ROOT/plugins-k8s-v$PULUMI_KUBERNETES_VERSION"
KUBE_DIR="$TOOLCHAIN_ROOT/kubernetes-v$KUBERNETES_VERSION"
ETCD_DIR="$TOOLCHAIN_ROOT/etcd-v$ETCD_VERSION"
KWOK_DIR="$TOOLCHAIN_ROOT/kwok-v$KWOK_VERSION"
PROMTOOL_DIR="$TOOLCHAIN_ROOT/promtool-v$PROMETHEUS_VERSION"
# Throwaway wrapper modules for Go modules whose go.mod has replace directives.
WRAPPERS_DIR="$CACHE_ROOT/wrappers"

# The engine must never try the network for plugins or updates.
export PULUMI_HOME="$CACHE_ROOT/pulumi-home"
export PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true
export PULUMI_SKIP_UPDATE_CHECK=true
export PULUMI_IGNORE_AMBIENT_PLUGINS=true

# Local state inside the work tree, ignored by git (the e2e suite points it elsewhere).
STATE_DIR="${NEURALLOG_STATE_DIR:-$REPO_ROOT/.local}"

toolchain_path() {
  echo "$PULUMI_DIR/bin:$KUBE_DIR/bin:$ETCD_DIR/bin:$KWOK_DIR/bin:$PROMTOOL_DIR/bin"
}

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# go_module_json MODULE@VERSION: `go mod download -json` of one module version, run outside
# any module so no go.mod above changes it. The go command checks it against the checksum
# database (GONOSUMDB lists the exceptions); a refusal dies with the proxy's answer.
go_module_json() {
  local out
  out="$(cd / && GOTOOLCHAIN=local go mod download -json "$1")" || die "go mod download $1 failed: $out"
  printf '%s\n' "$out"
}
# json_field JSON FIELD: one string field (Dir, GoMod, Info, ...) of go_module_json's output.
json_field() { sed -n "s/^[[:space:]]*\"$2\": \"\(.*\)\",\{0,1\}\$/\1/p" <<<"$1" | sed -n 1p; }

# A family is built when its stamp exists; the stamp is written last, so an
# interrupted build is redone rather than trusted.
is_built() { [ -f "$1/.complete" ]; }
mark_built() { date -u +%FT%TZ >"$1/.complete"; }
