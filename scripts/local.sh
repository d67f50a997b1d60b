#!/usr/bin/env bash
# `npm run local`: build or reuse the toolchain, start the local cluster, and bring the
# `test` stack up for real with the locally built Pulumi engine. Running it again
# must report no changes.
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/pulumi-env.sh"
STACK="${NEURALLOG_STACK:-test}"
cd "$REPO_ROOT"

[ -d node_modules ] || npm ci --no-audit --no-fund
bash scripts/toolchain/build-control-plane.sh
bash scripts/cluster/up.sh
if ! bash scripts/toolchain/build-pulumi.sh; then
  die "the Pulumi language host or plugins could not be built (above), so the stack cannot be deployed.
The local cluster is up (source scripts/cluster/env.sh); npm run test:live applies the program's
objects to a real API server without the engine. npm run cluster:down stops the cluster."
fi

log "pulumi: stack $STACK on $PULUMI_BACKEND_URL"
pulumi stack select --create "$STACK" --non-interactive
pulumi up --yes --non-interactive --stack "$STACK"
pulumi stack output --stack "$STACK"
kubectl get tenants
kubectl get deploy,sts,pods -A -l app.kubernetes.io/part-of=neurallog
