#!/usr/bin/env bash
# Builds kwok $KWOK_VERSION (sigs.k8s.io/kwok/cmd/kwok) into $KWOK_DIR/bin/kwok
# and copies the module's stage configs into $KWOK_DIR/stages/, so the cluster
# scripts never depend on where the module cache happens to be.
#
# sigs.k8s.io/kwok's go.mod has no replace directives, so a plain
# `go install …@version` works (GOBIN points it at our cache).
# shellcheck source=SCRIPTDIR/common.sh
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/common.sh"

MODULE=sigs.k8s.io/kwok
TAG="v$KWOK_VERSION"
# Stage folders (relative to the module's kustomize/stage) cluster-up needs:
# node/fast + node/heartbeat-with-lease + pod/fast are what ./fast bundles;
# volume/fast (PVC provisioning, PV bind/delete) needs ../rbac beside it.
STAGE_DIRS=(fast node/fast node/heartbeat node/heartbeat-with-lease pod/fast pod/general volume/fast volume/rbac)

stages_ok() {
  local d
  for d in fast node/fast node/heartbeat-with-lease pod/fast volume/fast; do
    [ -f "$KWOK_DIR/stages/$d/kustomization.yaml" ] || return 1
  done
}

if is_built "$KWOK_DIR" && [ -x "$KWOK_DIR/bin/kwok" ] && stages_ok; then
  log "kwok $TAG already built in $KWOK_DIR"
  exit 0
fi

command -v go >/dev/null || die "go is not on PATH"
export GOTOOLCHAIN=local
export CGO_ENABLED=0

log "kwok $TAG: resolving $MODULE@$TAG"
dl_json="$(go_module_json "$MODULE@$TAG")"
module_dir="$(json_field "$dl_json" Dir)"
[ -d "$module_dir/kustomize/stage" ] || die "no kustomize/stage in $module_dir"

mkdir -p "$KWOK_DIR/bin"
rm -f "$KWOK_DIR/.complete"
build_log="$KWOK_DIR/build.log"
log "kwok $TAG: compiling kwok; log $build_log"
start=$(date +%s)
# Release builds stamp pkg/consts.Version; the module's default already equals the tag, set it anyway.
if ! (cd / && GOBIN="$KWOK_DIR/bin" go install -p "${GO_BUILD_P:-2}" -v -trimpath \
  -ldflags "-s -w -X $MODULE/pkg/consts.Version=$TAG" "$MODULE/cmd/kwok@$TAG") >"$build_log" 2>&1; then
  tail -n 40 "$build_log" >&2
  die "go install $MODULE/cmd/kwok@$TAG failed (full log: $build_log)"
fi
v="$("$KWOK_DIR/bin/kwok" --version 2>/dev/null | sed -n 1p)"
case "$v" in *"$KWOK_VERSION"*) ;; *) die "kwok reports '$v', expected $KWOK_VERSION" ;; esac
log "kwok $TAG: built kwok ($(du -h "$KWOK_DIR/bin/kwok" | cut -f1)): $v"

log "kwok $TAG: copying stage configs to $KWOK_DIR/stages"
rm -rf "$KWOK_DIR/stages"
for d in "${STAGE_DIRS[@]}"; do
  src="$module_dir/kustomize/stage/$d"
  [ -d "$src" ] || { log "kwok $TAG: stage folder $d not in this release, skipped"; continue; }
  mkdir -p "$KWOK_DIR/stages/$d"
  # Only the kustomizations, stages and manifests; tests and Go embeds stay behind.
  find "$src" -maxdepth 1 -type f \( -name '*.yaml' -o -name 'README.md' \) -exec cp {} "$KWOK_DIR/stages/$d/" \;
  log "kwok $TAG: stages/$d: $(cd "$KWOK_DIR/stages/$d" && printf '%s ' *)"
done
chmod -R u+w "$KWOK_DIR/stages"
stages_ok || die "stage copy incomplete under $KWOK_DIR/stages"
mark_built "$KWOK_DIR"
log "kwok $TAG: done in $(($(date +%s) - start))s -> $KWOK_DIR"
