#!/usr/bin/env bash
# Environment for running the locally built Pulumi CLI against the local cluster:
# toolchain on PATH, kubeconfig of the local cluster, a file backend inside the work
# tree, and the local-only passphrase. Sourced by local.sh and the e2e suite.
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/toolchain/common.sh"
export PATH="$(toolchain_path):$PATH"
export KUBECONFIG="$STATE_DIR/cluster/kubeconfig"
export PULUMI_BACKEND_URL="file://$STATE_DIR/pulumi-state"
# Local-only: protects the secrets of the throwaway local state. Never use it for a real stack.
export PULUMI_CONFIG_PASSPHRASE="${PULUMI_CONFIG_PASSPHRASE:-neurallog-local-only}"
mkdir -p "$STATE_DIR/pulumi-state"
# The file backend rewrites the whole checkpoint after every step, which made a 10-tenant
# first up three times slower (bench/results.md). Locally, state is written once at the end;
# an update killed half-way then needs `pulumi refresh`. Not for a shared backend.
export PULUMI_SKIP_CHECKPOINTS="${PULUMI_SKIP_CHECKPOINTS:-true}"
# Most steps wait on the API server (an apply, then its rollout), not on the CPU, so the
# CLI's default of 4 per core (8 here) leaves it idle: a 100-tenant first up took 96 s at
# 32 and 71 s at 64; a 500-tenant one 316 s at 64 and 253 s at 128 (medians of 3). 256 made this
# machine's API server time out creating Services in a 500-tenant up (bench/results.md).
# The workflows agree.
export PULUMI_PARALLEL="${PULUMI_PARALLEL:-128}"
# A lazier Go garbage collector for the engine and its plugins, bounded by half the memory.
while IFS= read -r kv; do export "${kv?}"; done < <(bash "$REPO_ROOT/scripts/go-gc-env.sh")

# prepare_project_dir DIR STACK: a Pulumi project directory for STACK that runs the
# repository's program (symlinks) with a copy of Pulumi.<STACK>.yaml. The copy keeps the
# `encryptionsalt` the engine wrote into it, so the repository's stack file stays clean.
prepare_project_dir() {
  local dir=$1 stack=$2 f salt=""
  mkdir -p "$dir"
  for f in index.ts components node_modules package.json tsconfig.json; do
    ln -sfn "$REPO_ROOT/$f" "$dir/$f"
  done
  cp "$REPO_ROOT/Pulumi.yaml" "$dir/Pulumi.yaml"
  [ -f "$dir/Pulumi.$stack.yaml" ] && salt="$(grep -E '^encryptionsalt:' "$dir/Pulumi.$stack.yaml" || true)"
  if [ -n "$salt" ]; then
    { echo "$salt"; grep -vE '^encryptionsalt:' "$REPO_ROOT/Pulumi.$stack.yaml"; } >"$dir/Pulumi.$stack.yaml"
  else
    cp "$REPO_ROOT/Pulumi.$stack.yaml" "$dir/Pulumi.$stack.yaml"
  fi
}
