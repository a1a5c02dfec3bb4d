#!/usr/bin/env bash
# Entrypoint of the processing jobs (evaluate.py, preprocess.py): `bash processing_entrypoint.sh <script.py> [args...]`.
# SageMaker downloads the code input (sourcedir.tar.gz and this file) into one folder; the job's image has
# Python but maybe not our packages. So: unpack the code next to this file, install the requirements only when
# Ultralytics is missing (the local backend's venv and our own image already have them), then run the script.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$here"

if [[ $# -lt 1 ]]; then
  echo "usage: processing_entrypoint.sh <script.py> [args...]" >&2
  exit 2
fi

if [[ -f sourcedir.tar.gz ]]; then
  tar -xzf sourcedir.tar.gz
fi

# find_spec looks the package up without importing it (importing torch and Ultralytics costs seconds).
if ! python3 -c 'import importlib.util, sys; sys.exit(importlib.util.find_spec("ultralytics") is None)' >/dev/null 2>&1; then
  if [[ ! -f requirements.txt ]]; then
    echo "processing_entrypoint.sh: ultralytics is not installed and there is no requirements.txt in $here" >&2
    exit 1
  fi
  python3 -m pip install --no-cache-dir --quiet -r requirements.txt
fi

exec python3 "$@"
