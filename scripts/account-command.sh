#!/usr/bin/env bash
# Runs an AccountService command (e.g. `admin create …`, `import-original …`) against the
# `make run` data: the generated secrets and data/accountservice.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -f data/secrets.env ] || { echo "error: run \`make run\` once first (it creates data/secrets.env)" >&2; exit 1; }
[ -x .build/debug/AccountService ] || swift build --product AccountService
set -a
# shellcheck disable=SC1091
. data/secrets.env
set +a
DATA_DIR=${DATA_DIR:-data/accountservice} exec .build/debug/AccountService "$@"
