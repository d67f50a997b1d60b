#!/usr/bin/env bash
# Starts a local Kubernetes control plane built from Go modules: etcd,
# kube-apiserver, kwok (fake nodes, pod and volume lifecycles),
# kube-controller-manager and kube-scheduler, all on 127.0.0.1 only, and installs
# the third-party CRDs the program's optional features need (crds.sh).
# State (PKI, etcd data, logs, PIDs, kubeconfigs) lives in $STATE_DIR/cluster.
#
# Idempotent: components already running (by recorded PID) are kept; when all
# are up and the API server is ready it just says so. Stop with down.sh.
# shellcheck source=SCRIPTDIR/../toolchain/common.sh
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/../toolchain/common.sh"

CLUSTER_DIR="$STATE_DIR/cluster"
PKI="$CLUSTER_DIR/pki"
LOGS="$CLUSTER_DIR/logs"
PIDS="$CLUSTER_DIR/pids"
KCFGS="$CLUSTER_DIR/kubeconfigs"
KUBECONFIG_FILE="$CLUSTER_DIR/kubeconfig"
PORTS_FILE="$CLUSTER_DIR/ports.env"
COMPONENTS=(etcd kube-apiserver kwok kube-controller-manager kube-scheduler)

# Ports: fixed, away from the usual 2379/6443/10257/10259, 127.0.0.1 only.
# The first up records them in ports.env; later ups reuse what was recorded.
if [ -f "$PORTS_FILE" ]; then
  # shellcheck source=/dev/null
  source "$PORTS_FILE"
fi
ETCD_CLIENT_PORT="${ETCD_CLIENT_PORT:-${NEURALLOG_ETCD_PORT:-23790}}"
ETCD_PEER_PORT="${ETCD_PEER_PORT:-${NEURALLOG_ETCD_PEER_PORT:-23800}}"
APISERVER_PORT="${APISERVER_PORT:-${NEURALLOG_APISERVER_PORT:-16443}}"
CONTROLLER_MANAGER_PORT="${CONTROLLER_MANAGER_PORT:-${NEURALLOG_CONTROLLER_MANAGER_PORT:-20257}}"
SCHEDULER_PORT="${SCHEDULER_PORT:-${NEURALLOG_SCHEDULER_PORT:-20259}}"
SERVICE_CIDR=10.96.0.0/16
SERVICE_IP=10.96.0.1
POD_CIDR=10.244.0.0/16
SA_ISSUER=https://kubernetes.default.svc.cluster.local
# Provisioner name kwok's volume stages act for (see write_volume_stages).
KWOK_PROVISIONER=kwok.x-k8s.io/volume

KUBECTL="$KUBE_DIR/bin/kubectl"
START_DEADLINE="${NEURALLOG_CLUSTER_START_TIMEOUT:-120}"

# ---------------------------------------------------------------- helpers

bin_of() {
  case "$1" in
    etcd) echo "$ETCD_DIR/bin/etcd" ;;
    kwok) echo "$KWOK_DIR/bin/kwok" ;;
    *) echo "$KUBE_DIR/bin/$1" ;;
  esac
}

# The PID recorded for a component, if that process is alive and runs the
# expected binary (a reused PID belonging to something else does not count).
running_pid() {
  local name="$1" pidfile="$PIDS/$1.pid" pid exe
  [ -f "$pidfile" ] || return 1
  pid="$(cat "$pidfile" 2>/dev/null)"
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  exe="$(readlink "/proc/$pid/exe" 2>/dev/null || true)"
  exe="${exe% (deleted)}"
  [ "$(basename "$exe")" = "$name" ] || return 1
  echo "$pid"
}

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# "PORT:ENV_VAR_TO_CHANGE_IT" pairs each component listens on.
ports_of() {
  case "$1" in
    etcd) echo "$ETCD_CLIENT_PORT:NEURALLOG_ETCD_PORT $ETCD_PEER_PORT:NEURALLOG_ETCD_PEER_PORT" ;;
    kube-apiserver) echo "$APISERVER_PORT:NEURALLOG_APISERVER_PORT" ;;
    kube-controller-manager) echo "$CONTROLLER_MANAGER_PORT:NEURALLOG_CONTROLLER_MANAGER_PORT" ;;
    kube-scheduler) echo "$SCHEDULER_PORT:NEURALLOG_SCHEDULER_PORT" ;;
    *) echo "" ;;
  esac
}

check_ports_free() {
  local name="$1" pair
  for pair in $(ports_of "$name"); do
    port_in_use "${pair%%:*}" &&
      die "$name: 127.0.0.1:${pair%%:*} is already in use by another process; free it, or run 'down.sh --wipe' and set ${pair#*:}"
  done
  return 0
}

kc() { "$KUBECTL" --kubeconfig "$KUBECONFIG_FILE" "$@"; }

# Wait until "$@" succeeds, the component's process stays alive, within $deadline seconds.
wait_until() {
  local name="$1" deadline="$2"
  shift 2
  local end=$(($(date +%s) + deadline))
  until "$@" >/dev/null 2>&1; do
    running_pid "$name" >/dev/null || return 1
    [ "$(date +%s)" -lt "$end" ] || return 1
    sleep 0.5
  done
}

STARTED=()
SUCCESS=0
on_exit() {
  local rc=$?
  if [ "$SUCCESS" != 1 ] && [ "${#STARTED[@]}" -gt 0 ]; then
    log "start failed; stopping what this run started: ${STARTED[*]}"
    bash "$REPO_ROOT/scripts/cluster/down.sh" "${STARTED[@]}" || true
  fi
  exit "$rc"
}
trap on_exit EXIT

fail_component() {
  local name="$1" why="$2"
  printf 'error: %s: %s\n--- last 30 lines of %s ---\n' "$name" "$why" "$LOGS/$name.log" >&2
  tail -n 30 "$LOGS/$name.log" >&2 2>/dev/null || true
  printf -- '---\n' >&2
  exit 1
}

# start NAME ARGS...: start the binary detached (own session), logging to
# logs/NAME.log, PID in pids/NAME.pid.
start() {
  local name="$1"
  shift
  check_ports_free "$name"
  local bin
  bin="$(bin_of "$name")"
  printf '\n==== %s starting %s\n' "$(date -u +%FT%TZ)" "$name" >>"$LOGS/$name.log"
  # bash writes its own PID and then execs the binary, so the PID is the binary's.
  # shellcheck disable=SC2016 # expanded by the inner bash
  setsid bash -c 'echo $$ >"$1"; shift; exec "$@"' _ "$PIDS/$name.pid" "$bin" "$@" \
    </dev/null >>"$LOGS/$name.log" 2>&1 &
  STARTED=("$name" "${STARTED[@]}")
  local end=$(($(date +%s) + 10)) pid state
  until running_pid "$name" >/dev/null; do
    pid="$(cat "$PIDS/$name.pid" 2>/dev/null || true)"
    if [ -n "$pid" ]; then
      state="$(sed 's/.*) //' "/proc/$pid/stat" 2>/dev/null | cut -d' ' -f1)"
      case "${state:-X}" in Z | X) fail_component "$name" "exited right after start" ;; esac
    fi
    [ "$(date +%s)" -lt "$end" ] || fail_component "$name" "process did not start"
    sleep 0.1
  done
  log "$name started (pid $(cat "$PIDS/$name.pid"))"
}

# ---------------------------------------------------------------- PKI

# sign NAME CN O EXT...: key + cert signed by the CA (ca or etcd-ca).
sign() {
  local ca="$1" name="$2" cn="$3" org="$4"
  shift 4
  [ -f "$PKI/$name.crt" ] && [ -f "$PKI/$name.key" ] && return 0
  local subj="/CN=$cn"
  [ -n "$org" ] && subj="/O=$org$subj"
  openssl req -new -newkey rsa:2048 -nodes -keyout "$PKI/$name.key" -out "$PKI/$name.csr" -subj "$subj" 2>/dev/null
  printf '%s\n' "$@" >"$PKI/$name.ext"
  openssl x509 -req -in "$PKI/$name.csr" -CA "$PKI/$ca.crt" -CAkey "$PKI/$ca.key" -set_serial "0x$(openssl rand -hex 16)" \
    -days 825 -sha256 -extfile "$PKI/$name.ext" -out "$PKI/$name.crt" 2>/dev/null
  rm -f "$PKI/$name.csr" "$PKI/$name.ext"
  chmod 600 "$PKI/$name.key"
}

make_ca() {
  local name="$1" cn="$2"
  [ -f "$PKI/$name.crt" ] && [ -f "$PKI/$name.key" ] && return 0
  openssl req -x509 -new -newkey rsa:2048 -nodes -keyout "$PKI/$name.key" -out "$PKI/$name.crt" -days 3650 -sha256 \
    -subj "/CN=$cn" -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign,digitalSignature" 2>/dev/null
  chmod 600 "$PKI/$name.key"
}

make_pki() {
  mkdir -p "$PKI"
  chmod 700 "$PKI"
  local client=("basicConstraints=critical,CA:FALSE" "keyUsage=critical,digitalSignature,keyEncipherment" "extendedKeyUsage=clientAuth")
  local server=("basicConstraints=critical,CA:FALSE" "keyUsage=critical,digitalSignature,keyEncipherment" "extendedKeyUsage=serverAuth")
  # Cluster CA: signs the API server's serving cert and every client cert; the
  # controller manager signs CSRs with it too.
  make_ca ca "neurallog-local-ca"
  sign ca apiserver kube-apiserver "" "${server[@]}" \
    "subjectAltName=IP:127.0.0.1,IP:$SERVICE_IP,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local"
  sign ca admin neurallog-admin system:masters "${client[@]}"
  sign ca controller-manager system:kube-controller-manager "" "${client[@]}"
  sign ca scheduler system:kube-scheduler "" "${client[@]}"
  # kwok patches status of nodes, pods, PVs and PVCs, creates PVs and leases.
  sign ca kwok kwok-controller system:masters "${client[@]}"
  # etcd has its own CA, so no cluster client cert can talk to etcd directly.
  make_ca etcd-ca "neurallog-local-etcd-ca"
  sign etcd-ca etcd-server etcd "" "${server[@]}" "subjectAltName=IP:127.0.0.1,DNS:localhost"
  sign etcd-ca apiserver-etcd-client kube-apiserver-etcd-client "" "${client[@]}"
  # Front proxy (aggregation layer): the API server authenticates to aggregated
  # API servers with it, and the controller manager and scheduler read its CA
  # from extension-apiserver-authentication for delegated authentication.
  make_ca front-proxy-ca "neurallog-local-front-proxy-ca"
  sign front-proxy-ca front-proxy-client front-proxy-client "" "${client[@]}"
  # Service-account token signing key pair.
  if [ ! -f "$PKI/sa.key" ]; then
    openssl genrsa -out "$PKI/sa.key" 2048 2>/dev/null
    openssl rsa -in "$PKI/sa.key" -pubout -out "$PKI/sa.pub" 2>/dev/null
    chmod 600 "$PKI/sa.key"
  fi
}

# kubeconfig FILE CERTNAME USER
write_kubeconfig() {
  local file="$1" cert="$2" user="$3"
  [ -f "$file" ] && return 0
  local tmp="$file.tmp"
  rm -f "$tmp"
  "$KUBECTL" --kubeconfig "$tmp" config set-cluster neurallog-local --server "https://127.0.0.1:$APISERVER_PORT" \
    --certificate-authority "$PKI/ca.crt" --embed-certs=true >/dev/null
  "$KUBECTL" --kubeconfig "$tmp" config set-credentials "$user" --client-certificate "$PKI/$cert.crt" \
    --client-key "$PKI/$cert.key" --embed-certs=true >/dev/null
  "$KUBECTL" --kubeconfig "$tmp" config set-context neurallog-local --cluster neurallog-local --user "$user" >/dev/null
  "$KUBECTL" --kubeconfig "$tmp" config use-context neurallog-local >/dev/null
  chmod 600 "$tmp"
  mv "$tmp" "$file"
}

# ------------------------------------------------------------- kwok config

# kwok's volume/fast stages act on PVCs and PVs of a StorageClass literally
# named "kwok-volume". Ours are named standard / fast-ssd / premium-nvme, so the
# stages are derived with a provisioner-based selector instead, which is how a
# real external provisioner picks its work: the controller manager's PV
# controller annotates a claim of a class with an out-of-tree provisioner with
# volume.kubernetes.io/storage-provisioner=<provisioner>, and kwok's
# pvc-provision stage stamps its PVs with pv.kubernetes.io/provisioned-by.
# Every StorageClass whose provisioner is kwok.x-k8s.io/volume is served.
write_volume_stages() {
  local src="$KWOK_DIR/stages/volume/fast" out="$CLUSTER_DIR/kwok/volume-stages.yaml" f
  local pvc_sel="has(self.metadata.annotations) \&\& self.metadata.annotations.exists(k, k == 'volume.kubernetes.io/storage-provisioner' \&\& self.metadata.annotations[k] == '$KWOK_PROVISIONER')"
  local pv_sel="has(self.metadata.annotations) \&\& self.metadata.annotations.exists(k, k == 'pv.kubernetes.io/provisioned-by' \&\& self.metadata.annotations[k] == '$KWOK_PROVISIONER')"
  mkdir -p "$CLUSTER_DIR/kwok"
  : >"$out.tmp"
  for f in pvc-provision pvc-delete pv-bind pv-delete; do
    [ -f "$src/$f.yaml" ] || die "kwok stage $src/$f.yaml missing (rebuild kwok: rm $KWOK_DIR/.complete)"
    grep -q "self.spec.storageClassName == 'kwok-volume'" "$src/$f.yaml" ||
      die "kwok stage $f.yaml no longer selects on storageClassName 'kwok-volume'; update write_volume_stages"
    printf -- '---\n' >>"$out.tmp"
    case "$f" in
      pvc-*) sed "s|self.spec.storageClassName == 'kwok-volume'|$pvc_sel|" "$src/$f.yaml" >>"$out.tmp" ;;
      pv-*) sed "s|self.spec.storageClassName == 'kwok-volume'|$pv_sel|" "$src/$f.yaml" >>"$out.tmp" ;;
    esac
  done
  mv "$out.tmp" "$out"
}

# ----------------------------------------------------- cluster objects

# Fake nodes shaped like the NeuralLog guide's node pools: untainted system
# nodes in all three zones (workloads that do not tolerate the tenant taint
# still spread across zones) plus tainted tenant-workload nodes.
NODES=(
  "neurallog-system-a system us-west-2a"
  "neurallog-system-b system us-west-2b"
  "neurallog-system-c system us-west-2c"
  "neurallog-tenant-a tenant-workload us-west-2a"
  "neurallog-tenant-b tenant-workload us-west-2b"
)
# Each fake node's size. The defaults hold the two stacks' fleets; the benchmark sizes the
# nodes for 500 and 1,000 tenants (a real cluster would add nodes instead).
NODE_RESOURCES="{\"cpu\":\"${NEURALLOG_NODE_CPU:-32}\",\"memory\":\"${NEURALLOG_NODE_MEMORY:-128Gi}\",\"pods\":\"${NEURALLOG_NODE_PODS:-110}\",\"ephemeral-storage\":\"200Gi\"}"

node_manifests() {
  local entry name type zone
  for entry in "${NODES[@]}"; do
    read -r name type zone <<<"$entry"
    cat <<EOF
---
apiVersion: v1
kind: Node
metadata:
  name: $name
  annotations:
    kwok.x-k8s.io/node: fake
    node.alpha.kubernetes.io/ttl: "0"
  labels:
    type: kwok
    kubernetes.io/hostname: $name
    kubernetes.io/os: linux
    kubernetes.io/arch: amd64
    node-role.kubernetes.io/worker: ""
    neurallog.io/node-type: $type
    neurallog.io/zone: $zone
    topology.kubernetes.io/zone: $zone
    topology.kubernetes.io/region: us-west-2
spec:
EOF
    if [ "$type" = tenant-workload ]; then
      cat <<EOF
  taints:
  - key: neurallog.io/tenant-workload
    value: "true"
    effect: NoSchedule
EOF
    else
      echo "  taints: []"
    fi
    cat <<EOF
status:
  allocatable: $NODE_RESOURCES
  capacity: $NODE_RESOURCES
EOF
  done
}

storage_class_manifests() {
  local sc default
  for sc in standard fast-ssd premium-nvme; do
    default=false
    [ "$sc" = standard ] && default=true
    cat <<EOF
---
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata:
  name: $sc
  annotations:
    storageclass.kubernetes.io/is-default-class: "$default"
  labels:
    neurallog.io/local-cluster: "true"
provisioner: $KWOK_PROVISIONER
reclaimPolicy: Delete
volumeBindingMode: WaitForFirstConsumer
allowVolumeExpansion: true
EOF
  done
}

apply_cluster_objects() {
  log "applying fake nodes and storage classes"
  # Server-side apply keeps status from the manifest on create; existing nodes
  # get their shape re-asserted through the status subresource below.
  node_manifests | kc apply --server-side --force-conflicts --field-manager=neurallog-cluster-up -f - >/dev/null
  local entry name
  for entry in "${NODES[@]}"; do
    read -r name _ <<<"$entry"
    kc patch node "$name" --subresource=status --type=merge \
      -p "{\"status\":{\"allocatable\":$NODE_RESOURCES,\"capacity\":$NODE_RESOURCES}}" >/dev/null
  done
  # WaitForFirstConsumer, as the classes the program creates and the guide's are: a claim
  # binds only once a pod that mounts it is scheduled (the scheduler picks the node, then
  # the PV controller hands the claim to the provisioner, here kwok's stages). The mode is
  # immutable, so a class left by an older version of this script is recreated.
  local sc mode
  for sc in standard fast-ssd premium-nvme; do
    mode="$(kc get storageclass "$sc" -o jsonpath='{.volumeBindingMode}' 2>/dev/null || true)"
    if [ -n "$mode" ] && [ "$mode" != WaitForFirstConsumer ]; then
      kc delete storageclass "$sc" >/dev/null
    fi
  done
  storage_class_manifests | kc apply --server-side --force-conflicts --field-manager=neurallog-cluster-up -f - >/dev/null
}

summary() {
  cat <<EOF
NeuralLog local cluster (Kubernetes v$KUBERNETES_VERSION, etcd v$ETCD_VERSION, kwok v$KWOK_VERSION)
  API server:  https://127.0.0.1:$APISERVER_PORT
  kubeconfig:  $KUBECONFIG_FILE   (source scripts/cluster/env.sh)
  kubectl:     $KUBECTL
  state/logs:  $CLUSTER_DIR
EOF
}

# ---------------------------------------------------------------- main

all_up=1
for c in "${COMPONENTS[@]}"; do running_pid "$c" >/dev/null || all_up=0; done
if [ "$all_up" = 1 ] && kc get --raw /readyz >/dev/null 2>&1; then
  log "cluster is already up"
  bash "$REPO_ROOT/scripts/cluster/crds.sh"
  summary
  SUCCESS=1
  exit 0
fi

for c in "${COMPONENTS[@]}"; do
  if [ ! -x "$(bin_of "$c")" ]; then
    log "$c binary missing; building the control plane (slow the first time)"
    bash "$REPO_ROOT/scripts/toolchain/build-control-plane.sh"
    break
  fi
done
for c in "${COMPONENTS[@]}"; do [ -x "$(bin_of "$c")" ] || die "$(bin_of "$c") still missing after build"; done
command -v openssl >/dev/null || die "openssl is required"

mkdir -p "$CLUSTER_DIR" "$LOGS" "$PIDS" "$KCFGS" "$CLUSTER_DIR/data"
chmod 700 "$CLUSTER_DIR"
cat >"$PORTS_FILE" <<EOF
# Ports of the local cluster, all bound to 127.0.0.1 (written by scripts/cluster/up.sh).
ETCD_CLIENT_PORT=$ETCD_CLIENT_PORT
ETCD_PEER_PORT=$ETCD_PEER_PORT
APISERVER_PORT=$APISERVER_PORT
CONTROLLER_MANAGER_PORT=$CONTROLLER_MANAGER_PORT
SCHEDULER_PORT=$SCHEDULER_PORT
EOF
# Before starting anything, every port a stopped component needs must be free.
for c in "${COMPONENTS[@]}"; do running_pid "$c" >/dev/null || check_ports_free "$c"; done
make_pki
write_kubeconfig "$KUBECONFIG_FILE" admin neurallog-admin
write_kubeconfig "$KCFGS/controller-manager.kubeconfig" controller-manager system:kube-controller-manager
write_kubeconfig "$KCFGS/scheduler.kubeconfig" scheduler system:kube-scheduler
write_kubeconfig "$KCFGS/kwok.kubeconfig" kwok kwok-controller
write_volume_stages

# etcd
if pid="$(running_pid etcd)"; then
  log "etcd already running (pid $pid)"
else
  start etcd \
    --name neurallog-local \
    --data-dir "$CLUSTER_DIR/data/etcd" \
    --listen-client-urls "https://127.0.0.1:$ETCD_CLIENT_PORT" \
    --advertise-client-urls "https://127.0.0.1:$ETCD_CLIENT_PORT" \
    --listen-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" \
    --initial-advertise-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" \
    --initial-cluster "neurallog-local=http://127.0.0.1:$ETCD_PEER_PORT" \
    --initial-cluster-state new \
    --cert-file "$PKI/etcd-server.crt" --key-file "$PKI/etcd-server.key" \
    --client-cert-auth --trusted-ca-file "$PKI/etcd-ca.crt" \
    --log-level warn
  etcd_healthy() {
    curl -sf --max-time 2 --cacert "$PKI/etcd-ca.crt" --cert "$PKI/apiserver-etcd-client.crt" \
      --key "$PKI/apiserver-etcd-client.key" "https://127.0.0.1:$ETCD_CLIENT_PORT/health" | grep -q '"health":"true"'
  }
  wait_until etcd "$START_DEADLINE" etcd_healthy || fail_component etcd "not healthy within ${START_DEADLINE}s"
  log "etcd healthy on 127.0.0.1:$ETCD_CLIENT_PORT"
fi

# kube-apiserver (default admission plugins left alone on purpose).
if pid="$(running_pid kube-apiserver)"; then
  log "kube-apiserver already running (pid $pid)"
else
  start kube-apiserver \
    --bind-address 127.0.0.1 --secure-port "$APISERVER_PORT" \
    --etcd-servers "https://127.0.0.1:$ETCD_CLIENT_PORT" \
    --etcd-cafile "$PKI/etcd-ca.crt" --etcd-certfile "$PKI/apiserver-etcd-client.crt" --etcd-keyfile "$PKI/apiserver-etcd-client.key" \
    --tls-cert-file "$PKI/apiserver.crt" --tls-private-key-file "$PKI/apiserver.key" \
    --client-ca-file "$PKI/ca.crt" \
    --requestheader-client-ca-file "$PKI/front-proxy-ca.crt" \
    --requestheader-allowed-names front-proxy-client \
    --requestheader-username-headers X-Remote-User \
    --requestheader-group-headers X-Remote-Group \
    --requestheader-extra-headers-prefix X-Remote-Extra- \
    --proxy-client-cert-file "$PKI/front-proxy-client.crt" --proxy-client-key-file "$PKI/front-proxy-client.key" \
    --cert-dir "$PKI/apiserver-generated" \
    --service-account-issuer "$SA_ISSUER" \
    --service-account-key-file "$PKI/sa.pub" \
    --service-account-signing-key-file "$PKI/sa.key" \
    --service-cluster-ip-range "$SERVICE_CIDR" \
    --authorization-mode Node,RBAC \
    --allow-privileged=true \
    --profiling=false
  wait_until kube-apiserver "$START_DEADLINE" kc get --raw /readyz ||
    fail_component kube-apiserver "/readyz not ok within ${START_DEADLINE}s"
  log "kube-apiserver ready on https://127.0.0.1:$APISERVER_PORT"
fi

apply_cluster_objects
bash "$REPO_ROOT/scripts/cluster/crds.sh"

# kwok: keeps the fake nodes Ready (leases + heartbeats) and plays pods and volumes.
if pid="$(running_pid kwok)"; then
  log "kwok already running (pid $pid)"
else
  start kwok \
    --kubeconfig "$KCFGS/kwok.kubeconfig" \
    --manage-nodes-with-annotation-selector kwok.x-k8s.io/node=fake \
    --config "$KWOK_DIR/stages/fast" \
    --config "$CLUSTER_DIR/kwok/volume-stages.yaml" \
    --node-lease-duration-seconds 40 \
    --cidr "$POD_CIDR"
fi

# kube-controller-manager: default controller set. The quota controller recounts every
# quota every 15 s (default 5 min): a new pod triggers no recount, so a usage it wrote from
# a lagging cache under load stays until the next full count. The live suite's quota test
# (one minute per tenant) once saw 1 pod counted of 2.
if pid="$(running_pid kube-controller-manager)"; then
  log "kube-controller-manager already running (pid $pid)"
else
  start kube-controller-manager \
    --bind-address 127.0.0.1 --secure-port "$CONTROLLER_MANAGER_PORT" \
    --cert-dir "$PKI/controller-manager-generated" \
    --kubeconfig "$KCFGS/controller-manager.kubeconfig" \
    --authentication-kubeconfig "$KCFGS/controller-manager.kubeconfig" \
    --authorization-kubeconfig "$KCFGS/controller-manager.kubeconfig" \
    --client-ca-file "$PKI/ca.crt" \
    --use-service-account-credentials=true \
    --service-account-private-key-file "$PKI/sa.key" \
    --root-ca-file "$PKI/ca.crt" \
    --cluster-signing-cert-file "$PKI/ca.crt" --cluster-signing-key-file "$PKI/ca.key" \
    --service-cluster-ip-range "$SERVICE_CIDR" \
    --resource-quota-sync-period 15s \
    --leader-elect=false \
    --profiling=false
  kcm_healthy() { curl -skf --max-time 2 "https://127.0.0.1:$CONTROLLER_MANAGER_PORT/healthz" | grep -qx ok; }
  wait_until kube-controller-manager "$START_DEADLINE" kcm_healthy ||
    fail_component kube-controller-manager "/healthz not ok within ${START_DEADLINE}s"
  log "kube-controller-manager healthy on 127.0.0.1:$CONTROLLER_MANAGER_PORT"
fi

# kube-scheduler
if pid="$(running_pid kube-scheduler)"; then
  log "kube-scheduler already running (pid $pid)"
else
  start kube-scheduler \
    --bind-address 127.0.0.1 --secure-port "$SCHEDULER_PORT" \
    --cert-dir "$PKI/scheduler-generated" \
    --kubeconfig "$KCFGS/scheduler.kubeconfig" \
    --authentication-kubeconfig "$KCFGS/scheduler.kubeconfig" \
    --authorization-kubeconfig "$KCFGS/scheduler.kubeconfig" \
    --client-ca-file "$PKI/ca.crt" \
    --leader-elect=false \
    --profiling=false
  sched_healthy() { curl -skf --max-time 2 "https://127.0.0.1:$SCHEDULER_PORT/healthz" | grep -qx ok; }
  wait_until kube-scheduler "$START_DEADLINE" sched_healthy ||
    fail_component kube-scheduler "/healthz not ok within ${START_DEADLINE}s"
  log "kube-scheduler healthy on 127.0.0.1:$SCHEDULER_PORT"
fi

# The cluster is usable once kwok has made every node Ready and the
# controller manager has created the default service account.
nodes_ready() {
  local entry name
  for entry in "${NODES[@]}"; do
    read -r name _ <<<"$entry"
    [ "$(kc get node "$name" -o jsonpath='{.status.conditions[?(@.type=="Ready")].status}')" = True ] || return 1
  done
}
wait_until kwok "$START_DEADLINE" nodes_ready || fail_component kwok "nodes not Ready within ${START_DEADLINE}s"
log "${#NODES[@]} fake nodes Ready"
wait_until kube-controller-manager "$START_DEADLINE" kc -n default get serviceaccount default ||
  fail_component kube-controller-manager "default service account not created within ${START_DEADLINE}s"
kc get --raw /readyz >/dev/null || fail_component kube-apiserver "/readyz not ok"

SUCCESS=1
log "cluster is up"
summary
