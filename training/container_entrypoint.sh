#!/bin/sh
# The image's entrypoint. SageMaker starts a training job as `docker run <image> train` and a hosting
# container as `docker run <image> serve`, so the first argument picks the program:
#   train [ARGS...]  -> python train.py ARGS...   (hyperparameters come from /opt/ml/input/config)
#   serve [ARGS...]  -> python serve ARGS...      (the inference server on port 8080)
#   anything else    -> run as given, e.g. `python /opt/ml/code/evaluate.py ...` or `bash`
set -eu

# The scripts sit next to this file (/opt/ml/code in the image); readlink follows a symlink to it.
code_dir=$(dirname "$(readlink -f "$0")")

if [ "$#" -eq 0 ]; then
    echo "usage: <image> train [ARGS...] | serve [ARGS...] | COMMAND [ARGS...]" >&2
    exit 2
fi

case "$1" in
    train)
        shift
        exec python "$code_dir/train.py" "$@"
        ;;
    serve)
        shift
        exec python "$code_dir/serve" "$@"
        ;;
    *)
        exec "$@"
        ;;
esac
