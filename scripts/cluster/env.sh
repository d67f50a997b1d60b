#!/usr/bin/env bash
# Points kubectl (and the Pulumi Kubernetes provider) at the local cluster.
#   source scripts/cluster/env.sh   exports KUBECONFIG and puts the toolchain on PATH
#   bash scripts/cluster/env.sh     prints the export lines instead
_neurallog_env_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
_neurallog_repo="$(cd "$_neurallog_env_dir/../.." && pwd)"
# common.sh sets `set -euo pipefail`; read what we need in a subshell so a
# sourcing interactive shell keeps its own options.
_neurallog_kubeconfig="$(bash -c 'source "$1/scripts/toolchain/common.sh" && echo "$STATE_DIR/cluster/kubeconfig"' _ "$_neurallog_repo")"
_neurallog_path="$(bash -c 'source "$1/scripts/toolchain/common.sh" && toolchain_path' _ "$_neurallog_repo")"

if [ "${BASH_SOURCE[0]}" != "$0" ]; then
  export KUBECONFIG="$_neurallog_kubeconfig"
  case ":$PATH:" in *":$_neurallog_path:"*) ;; *) export PATH="$_neurallog_path:$PATH" ;; esac
  [ -f "$KUBECONFIG" ] || echo "note: $KUBECONFIG does not exist yet; run npm run cluster:up" >&2
else
  printf 'export KUBECONFIG=%q\n' "$_neurallog_kubeconfig"
  # shellcheck disable=SC2016 # $PATH is for the caller's shell
  printf 'export PATH=%q:"$PATH"\n' "$_neurallog_path"
fi
unset _neurallog_env_dir _neurallog_repo _neurallog_kubeconfig _neurallog_path
