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
bash scripts/cluster/up.sh

PROJECT_DIR="$STATE_DIR/project"
prepare_project_dir "$PROJECT_DIR" "$STACK"

log "pulumi: stack $STACK in $PROJECT_DIR, state $PULUMI_BACKEND_URL"
cd "$PROJECT_DIR"
pulumi stack select --create "$STACK" --non-interactive
pulumi up --yes --non-interactive --stack "$STACK" --refresh
pulumi stack output --stack "$STACK"
kubectl get tenants
kubectl get deploy,sts -A -l app.kubernetes.io/part-of=neurallog
