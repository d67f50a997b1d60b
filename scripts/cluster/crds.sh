#!/usr/bin/env bash
# Installs the third-party CustomResourceDefinitions the program's optional features
# create objects of, at the versions pinned in versions.env:
#   prometheus-operator  ServiceMonitor, PodMonitor, PrometheusRule   (observability)
#   vertical-pod-autoscaler  VerticalPodAutoscaler(+Checkpoint)       (vpa)
#   external-snapshotter VolumeSnapshot, -Content, -Class             (backups)
#   Istio                security.istio.io, networking.istio.io, ...  (mesh)
# Each file is the project's own generated CRD (controller-gen, or Istio's Cue
# generator), taken from the project's published Go module, whose content the go
# command checks against the checksum database. No hand-written stand-ins: the API
# server validates our objects against the real schemas.
#
# Idempotent (server-side apply); called by up.sh, also usable alone on a running cluster.
# shellcheck source=SCRIPTDIR/../toolchain/common.sh
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/../toolchain/common.sh"

KUBECONFIG_FILE="$STATE_DIR/cluster/kubeconfig"
KUBECTL="$KUBE_DIR/bin/kubectl"
kc() { "$KUBECTL" --kubeconfig "$KUBECONFIG_FILE" "$@"; }
[ -f "$KUBECONFIG_FILE" ] || die "no local cluster ($KUBECONFIG_FILE missing): run npm run cluster:up"
command -v go >/dev/null || die "go is not on PATH (it fetches the CRDs' Go modules)"

# module_dir MODULE@VERSION: the module's extracted, checksum-verified tree.
module_dir() {
  local json dir
  json="$(go_module_json "$1")"
  dir="$(json_field "$json" Dir)"
  [ -d "$dir" ] || die "go mod download $1: no Dir in: $json"
  echo "$dir"
}

prom="$(module_dir "github.com/prometheus-operator/prometheus-operator@v$PROMETHEUS_OPERATOR_VERSION")/example/prometheus-operator-crd"
vpa="$(module_dir "k8s.io/autoscaler/vertical-pod-autoscaler@v$VPA_VERSION")/deploy"
snap="$(module_dir "github.com/kubernetes-csi/external-snapshotter/client/v8@v$SNAPSHOTTER_VERSION")/config/crd"
istio="$(module_dir "istio.io/api@v$ISTIO_VERSION")/kubernetes"

FILES=(
  "$prom/monitoring.coreos.com_servicemonitors.yaml"
  "$prom/monitoring.coreos.com_podmonitors.yaml"
  "$prom/monitoring.coreos.com_prometheusrules.yaml"
  "$vpa/vpa-v1-crd-gen.yaml"
  "$snap/snapshot.storage.k8s.io_volumesnapshotclasses.yaml"
  "$snap/snapshot.storage.k8s.io_volumesnapshotcontents.yaml"
  "$snap/snapshot.storage.k8s.io_volumesnapshots.yaml"
  "$istio/customresourcedefinitions.gen.yaml"
)
args=()
for f in "${FILES[@]}"; do
  [ -f "$f" ] || die "$f is not in its module at the pinned version; update scripts/cluster/crds.sh"
  args+=(-f "$f")
done
log "installing CRDs: prometheus-operator v$PROMETHEUS_OPERATOR_VERSION, VPA v$VPA_VERSION, snapshotter v$SNAPSHOTTER_VERSION, Istio v$ISTIO_VERSION"
kc apply --server-side --force-conflicts --field-manager=neurallog-cluster-up "${args[@]}" >/dev/null
names="$(kc get crd -o name | grep -E 'monitoring\.coreos\.com|autoscaling\.k8s\.io|snapshot\.storage\.k8s\.io|istio\.io$')"
# shellcheck disable=SC2086 # one argument per CRD
kc wait --for condition=Established --timeout=60s $names >/dev/null
log "$(wc -l <<<"$names") CRDs established"

# A VolumeSnapshotClass, so a stack's scheduled VolumeSnapshots name a class the cluster
# has. Nothing here takes snapshots (no snapshot controller or CSI driver runs locally):
# the objects are admitted and stay unready.
kc apply --server-side --force-conflicts --field-manager=neurallog-cluster-up -f - >/dev/null <<YAML
apiVersion: snapshot.storage.k8s.io/v1
kind: VolumeSnapshotClass
metadata:
  name: csi-snapshots
  labels:
    neurallog.io/local-cluster: "true"
driver: kwok.x-k8s.io/volume
deletionPolicy: Delete
YAML
log "VolumeSnapshotClass csi-snapshots ready"
