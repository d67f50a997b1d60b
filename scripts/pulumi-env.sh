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
