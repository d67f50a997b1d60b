#!/usr/bin/env bash
# checkov's Kubernetes checks on a directory of manifests, fully offline.
#
#   bash scripts/lint/checkov.sh DIR     JSON report on stdout; exit 0 clean, 1 failed checks
#
# Installs the pinned checkov (scripts/versions.env) into its own virtualenv under the
# cache on first use. Offline: no guideline download (BC_SKIP_MAPPING, --skip-download)
# and no version check (CKV_SKIP_PACKAGE_UPDATE_CHECK).
# shellcheck source=SCRIPTDIR/../toolchain/common.sh
source "$(cd "$(dirname "${BASH_SOURCE[0]}")/../toolchain" && pwd)/common.sh"

dir="${1:?usage: checkov.sh DIR}"
dir="$(cd "$dir" && pwd)" # checkov doubles a relative path in its report
venv="$CACHE_ROOT/checkov-v$CHECKOV_VERSION"
if [ ! -f "$venv/.complete" ]; then
  command -v python3 >/dev/null || die "python3 is not on PATH"
  log "checkov $CHECKOV_VERSION: installing into $venv"
  rm -rf "$venv"
  python3 -m venv "$venv" || die "python3 -m venv failed (Debian: apt-get install python3-venv)"
  "$venv/bin/pip" install --quiet --disable-pip-version-check "checkov==$CHECKOV_VERSION" >&2 ||
    die "pip install checkov==$CHECKOV_VERSION failed"
  mark_built "$venv"
fi
BC_SKIP_MAPPING=TRUE CKV_SKIP_PACKAGE_UPDATE_CHECK=true \
  exec "$venv/bin/checkov" --framework kubernetes -d "$dir" --compact --output json --skip-download
