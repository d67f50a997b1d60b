#!/usr/bin/env bash
# Builds the local Kubernetes control plane from Go modules: etcd, then
# kube-apiserver/kube-controller-manager/kube-scheduler/kubectl, then kwok.
# Each step is skipped when its cache entry is already complete.
# shellcheck source=SCRIPTDIR/common.sh
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/common.sh"

here="$REPO_ROOT/scripts/toolchain"
for step in etcd kubernetes kwok; do
  log "control plane: build-$step.sh"
  bash "$here/build-$step.sh" || die "build-$step.sh failed"
done
log "control plane ready: $(toolchain_path)"
