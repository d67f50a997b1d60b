#!/usr/bin/env bash
# `npm run local`: build or reuse the toolchain, start the local cluster, and bring the
# `test` stack (NEURALLOG_STACK to choose another) up for real with the locally built
# Pulumi engine. Running it again reports no changes.
#
# The engine runs in a project directory under .local/project: symlinks to the program
# and a copy of Pulumi.<stack>.yaml. With the passphrase secrets provider, `pulumi stack
# init` writes this machine's `encryptionsalt` into the stack file; keeping it in the
# copy (and carrying it over when the repository's file changes) keeps the committed
# stack files clean. Point a shell at it with:
#   source scripts/pulumi-env.sh && cd .local/project && pulumi preview -s test
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/pulumi-env.sh"
STACK="${NEURALLOG_STACK:-test}"
cd "$REPO_ROOT"

[ -d node_modules ] || npm ci --no-audit --no-fund
bash scripts/toolchain/build.sh
# The cluster stands in for a real one: it keeps Go's defaults, not the CLI's collector settings.
env -u GOGC -u GOMEMLIMIT bash scripts/cluster/up.sh

PROJECT_DIR="$STATE_DIR/project"
prepare_project_dir "$PROJECT_DIR" "$STACK"

log "pulumi: stack $STACK in $PROJECT_DIR, state $PULUMI_BACKEND_URL"
cd "$PROJECT_DIR"
pulumi stack select --create "$STACK" --non-interactive
if [ "$STACK" != test ]; then
  # The stack's own config names its real cluster, which the program would (rightly)
  # refuse to swap for this one; the copy here points at the local cluster instead.
  log "pointing the local copy of stack $STACK at the local cluster (context neurallog-local)"
  pulumi config rm --path cluster --stack "$STACK" >/dev/null 2>&1 || true
  pulumi config set --path cluster.context neurallog-local --stack "$STACK"
fi
pulumi up --yes --non-interactive --stack "$STACK" --refresh
pulumi stack output --stack "$STACK"
kubectl get tenants
kubectl get deploy,sts -A -l app.kubernetes.io/part-of=neurallog
