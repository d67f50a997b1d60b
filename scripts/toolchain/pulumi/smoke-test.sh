#!/usr/bin/env bash
# End-to-end check of the Pulumi toolchain that build-pulumi.sh built, with no
# cluster and no network except the npm registry (for the program's packages):
#  1. a JavaScript program with a dynamic provider (the language host and the
#     pulumi-resource-pulumi-nodejs shim next to the CLI): stack init, up, a
#     secret output, a second up that must change nothing, destroy;
#  2. a program with a kubernetes Provider whose kubeconfig points at a closed
#     loopback port: preview must reach the kubernetes plugin (a connection
#     error or an "unreachable" warning), never fail to find the plugin.
# State goes to a file backend in a temp dir via PULUMI_BACKEND_URL (no
# `pulumi login`, so the shared PULUMI_HOME keeps its current login).
# shellcheck source=SCRIPTDIR/../common.sh
source "$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/common.sh"

PULUMI="$PULUMI_DIR/bin/pulumi"
[ -x "$PULUMI" ] || die "no pulumi at $PULUMI"
export PATH="$PULUMI_DIR/bin:$PATH"
work="$(mktemp -d "${TMPDIR:-/tmp}/neurallog-pulumi-smoke.XXXXXX")"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/state"
export PULUMI_BACKEND_URL="file://$work/state"
export PULUMI_CONFIG_PASSPHRASE=test
unset PULUMI_CONFIG_PASSPHRASE_FILE
export PULUMI_SKIP_CONFIRMATIONS=true

log "smoke: node $(node --version), npm $(npm --version), pulumi $("$PULUMI" version)"

# One npm install shared by both programs (install scripts would try to download plugins).
mkdir -p "$work/node"
(cd "$work/node" && npm init -y >/dev/null &&
  npm install --ignore-scripts --no-audit --no-fund --loglevel=error \
    "@pulumi/pulumi@$PULUMI_VERSION" \
    "@pulumi/kubernetes@$PULUMI_KUBERNETES_VERSION" >&2) || die "npm install failed"

new_project() { # DIR NAME
  mkdir -p "$1"
  printf 'name: %s\nruntime: nodejs\nmain: index.js\n' "$2" >"$1/Pulumi.yaml"
  ln -s "$work/node/node_modules" "$1/node_modules"
  cp "$work/node/package.json" "$1/package.json"
}

run() { # DIR LOG ARGS...: run pulumi in DIR, tee output to LOG
  local dir=$1 out=$2
  shift 2
  log "smoke: pulumi $*"
  (cd "$dir" && "$PULUMI" --non-interactive "$@") 2>&1 | tee "$out" >&2
  return "${PIPESTATUS[0]}"
}

# --- dynamic provider: full lifecycle ------------------------------------------
R="$work/dynamic"
new_project "$R" neurallog-smoke-dynamic
cat >"$R/index.js" <<'EOF2'
"use strict";
const pulumi = require("@pulumi/pulumi");
const provider = {
  async create(inputs) {
    const value = require("crypto").randomBytes(inputs.length).toString("hex").slice(0, inputs.length);
    return { id: "token", outs: { length: inputs.length, value } };
  },
};
class Token extends pulumi.dynamic.Resource {
  constructor(name, length) {
    super(provider, name, { length, value: undefined }, { additionalSecretOutputs: ["value"] });
  }
}
const token = new Token("token", 24);
exports.tokenLength = token.value.apply((v) => v.length);
exports.token = token.value;
EOF2
run "$R" "$work/init.log" stack init dev || die "stack init failed"
run "$R" "$work/up1.log" up --yes --skip-preview || die "first pulumi up failed"
len="$(cd "$R" && "$PULUMI" stack output tokenLength --show-secrets)"
shown="$(cd "$R" && "$PULUMI" stack output token)"
[ "$len" = 24 ] || die "tokenLength output is '$len', expected 24"
[ "$shown" = "[secret]" ] || die "token output is shown as '$shown', expected [secret]"
log "smoke: outputs tokenLength=$len token=$shown"
run "$R" "$work/up2.log" up --yes --expect-no-changes || die "second pulumi up was not a no-op"
run "$R" "$work/destroy.log" destroy --yes || die "pulumi destroy failed"
run "$R" "$work/rm.log" stack rm dev --yes || die "pulumi stack rm failed"

# --- kubernetes: the plugin starts and tries to reach the cluster -------------
K="$work/k8s"
new_project "$K" neurallog-smoke-k8s
cat >"$K/index.js" <<'EOF'
"use strict";
const k8s = require("@pulumi/kubernetes");
// Nothing listens on loopback port 1: the provider must report the cluster unreachable.
const kubeconfig = `apiVersion: v1
kind: Config
clusters: [{name: none, cluster: {server: "https://127.0.0.1:1", insecure-skip-tls-verify: true}}]
users: [{name: none, user: {token: none}}]
contexts: [{name: none, context: {cluster: none, user: none}}]
current-context: none
`;
const provider = new k8s.Provider("unreachable", { kubeconfig });
new k8s.core.v1.ConfigMap("smoke", { data: { hello: "world" } }, { provider });
EOF
run "$K" "$work/k8s-init.log" stack init dev || die "stack init (k8s) failed"
set +e
run "$K" "$work/k8s-preview.log" preview
rc=$?
set -e
if grep -Eiq 'no resource plugin|could not find (the )?plugin|plugin .* not found|failed to load plugin' "$work/k8s-preview.log"; then
  die "preview could not load the kubernetes plugin"
fi
grep -Eiq 'unreachable|connection refused|127\.0\.0\.1:1' "$work/k8s-preview.log" ||
  die "preview (exit $rc) shows no sign of the kubernetes provider trying the cluster"
log "smoke: kubernetes plugin started (preview exit $rc, cluster unreachable as intended)"
run "$K" "$work/k8s-rm.log" stack rm dev --yes --force || true

# Anything the engine or the language host warned about (e.g. Node.js support).
if grep -hiE 'warning' "$work"/*.log | grep -viE 'cluster unreachable|unreachable' | sort -u | grep . >&2; then
  log "smoke: (warnings above are informational)"
fi
log "smoke: passed"
