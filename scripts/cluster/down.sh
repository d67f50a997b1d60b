#!/usr/bin/env bash
# Stops the local cluster started by up.sh: exactly the processes whose PIDs
# were recorded in $STATE_DIR/cluster/pids, after checking each PID still runs
# the expected binary with this cluster's state directory on its command line
# (another cluster's etcd is never ours). SIGTERM first, SIGKILL after a deadline.
# A component that will not exit is reported and the others are still stopped;
# the exit status is then non-zero.
#
#   down.sh                 stop everything (kwok/scheduler/controller-manager, API server, etcd)
#   down.sh --wipe          stop, then delete $STATE_DIR/cluster (etcd data, PKI, logs)
#   down.sh NAME...         stop only those components (used by up.sh to undo a failed start)
# shellcheck source=SCRIPTDIR/../toolchain/common.sh
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/../toolchain/common.sh"

CLUSTER_DIR="$STATE_DIR/cluster"
PIDS="$CLUSTER_DIR/pids"
# Reverse start order: clients first, etcd last.
ALL=(kube-scheduler kube-controller-manager kwok kube-apiserver etcd)
STOP_DEADLINE="${NEURALLOG_CLUSTER_STOP_TIMEOUT:-20}"

wipe=0
targets=()
for arg in "$@"; do
  case "$arg" in
    --wipe) wipe=1 ;;
    -h | --help) sed -n '2,9p' "$0"; exit 0 ;;
    -*) die "unknown option $arg" ;;
    *)
      case " ${ALL[*]} " in *" $arg "*) targets+=("$arg") ;; *) die "unknown component $arg (one of: ${ALL[*]})" ;; esac
      ;;
  esac
done
[ "${#targets[@]}" -gt 0 ] || targets=("${ALL[@]}")

# Keep the stop order whatever order names were given in.
ordered=()
for c in "${ALL[@]}"; do
  case " ${targets[*]} " in *" $c "*) ordered+=("$c") ;; esac
done

exe_name() {
  local exe
  exe="$(readlink "/proc/$1/exe" 2>/dev/null || true)"
  exe="${exe% (deleted)}"
  basename "${exe:-?}"
}

# is_ours PID NAME: the process runs the NAME binary with this cluster's directory in its arguments.
is_ours() {
  [ "$(exe_name "$1")" = "$2" ] && tr '\0' ' ' <"/proc/$1/cmdline" 2>/dev/null | grep -qF "$CLUSTER_DIR/"
}

stop_one() {
  local name="$1" pidfile="$PIDS/$1.pid" pid
  [ -f "$pidfile" ] || return 0
  pid="$(cat "$pidfile" 2>/dev/null || true)"
  if ! [[ "$pid" =~ ^[0-9]+$ ]] || ! kill -0 "$pid" 2>/dev/null; then
    log "$name: not running (stale pid file removed)"
    rm -f "$pidfile"
    return 0
  fi
  if ! is_ours "$pid" "$name"; then
    log "$name: pid $pid now runs '$(exe_name "$pid")', not this cluster's $name; left alone (stale pid file removed)"
    rm -f "$pidfile"
    return 0
  fi
  log "$name: stopping pid $pid"
  kill -TERM "$pid" 2>/dev/null || true
  local end=$(($(date +%s) + STOP_DEADLINE))
  while kill -0 "$pid" 2>/dev/null && is_ours "$pid" "$name"; do
    if [ "$(date +%s)" -ge "$end" ]; then
      log "$name: still running after ${STOP_DEADLINE}s, sending SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
      local kend=$(($(date +%s) + 5))
      while kill -0 "$pid" 2>/dev/null && [ "$(date +%s)" -lt "$kend" ]; do sleep 0.2; done
      break
    fi
    sleep 0.2
  done
  # A zombie (not yet reaped by its parent) has no exe link; it is gone for our purposes.
  if kill -0 "$pid" 2>/dev/null && is_ours "$pid" "$name"; then
    log "$name: pid $pid did not exit"
    return 1
  fi
  rm -f "$pidfile"
  log "$name: stopped"
}

failed=()
if [ -d "$PIDS" ]; then
  for c in "${ordered[@]}"; do stop_one "$c" || failed+=("$c"); done
else
  log "no recorded processes under $PIDS"
fi

[ "${#failed[@]}" -eq 0 ] || die "could not stop: ${failed[*]} (pid files kept in $PIDS)"

if [ "$wipe" = 1 ]; then
  if [ "${#targets[@]}" -ne "${#ALL[@]}" ]; then
    die "--wipe only together with stopping every component"
  fi
  left="$(ls "$PIDS" 2>/dev/null || true)"
  [ -z "$left" ] || die "pid files remain ($left); not wiping"
  # STATE_DIR may be pointed elsewhere (NEURALLOG_STATE_DIR); only ever delete a "…/cluster" folder.
  case "$CLUSTER_DIR" in /cluster | //*) die "refusing to wipe $CLUSTER_DIR" ;; /?*/cluster) ;; *) die "refusing to wipe unexpected path $CLUSTER_DIR" ;; esac
  rm -rf "$CLUSTER_DIR"
  log "wiped $CLUSTER_DIR"
fi
log "cluster is down"
