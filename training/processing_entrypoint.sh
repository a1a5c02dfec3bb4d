#!/usr/bin/env bash
# Entrypoint of the processing jobs (evaluate.py, preprocess.py): `bash processing_entrypoint.sh <script.py> [args...]`.
# SageMaker downloads the code input (sourcedir.tar.gz and this file) into one folder; the job's image has
# Python but maybe not our packages. So: unpack the code next to this file, install the requirements only when
# what the script needs is missing (the local backend's venv and our own image have it all), then run the script.
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

# What the script needs that a SageMaker PyTorch image may lack: preprocess.py only PyYAML and Pillow, which those
# images have, so the Preprocess job starts without installing anything; evaluate.py needs Ultralytics.
# find_spec looks a package up without importing it (importing torch and Ultralytics costs seconds).
case "$(basename "$1")" in
  preprocess.py) needs=(yaml PIL) ;;
  *) needs=(ultralytics) ;;
esac
if ! python3 -c 'import importlib.util, sys; sys.exit(any(importlib.util.find_spec(m) is None for m in sys.argv[1:]))' "${needs[@]}" >/dev/null 2>&1; then
  if [[ ! -f requirements.txt ]]; then
    echo "processing_entrypoint.sh: ${needs[*]} not all installed and there is no requirements.txt in $here" >&2
    exit 1
  fi
  python3 -m pip install --no-cache-dir --quiet -r requirements.txt
fi

exec python3 "$@"
