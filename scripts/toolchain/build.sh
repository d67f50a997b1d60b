#!/usr/bin/env bash
# Builds (or reuses) the whole local toolchain from the Go module proxy:
# the Pulumi CLI + Node.js language host + plugins, and etcd, the Kubernetes control
# plane and kwok, and promtool. Each family is cached under ~/.cache/neurallog keyed by its version.
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/common.sh"
start=$(date +%s)
bash "$REPO_ROOT/scripts/toolchain/build-pulumi.sh"
bash "$REPO_ROOT/scripts/toolchain/build-control-plane.sh"
bash "$REPO_ROOT/scripts/toolchain/build-promtool.sh"
log "toolchain ready in $(( $(date +%s) - start ))s: $(toolchain_path)"
