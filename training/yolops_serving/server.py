"""`serve [--model-dir D] [--port N] [--workers N] [--host H]`: uvicorn with the app, as SageMaker starts it.

SageMaker starts a hosting container as `docker run <image> serve` and sends requests to port 8080 (or the
port in SAGEMAKER_BIND_TO_PORT). A leading `serve` argument is therefore ignored. The options override the
environment variables of settings.py and are handed to the workers through them: uvicorn starts each worker
from the import string, and each reads its settings from the environment.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from .settings import ENV_MODEL_DIR, ENV_PORT, ENV_WORKERS, ServingSettings, SettingsError

APP_FACTORY = "yolops_serving.app:create_app"
DEFAULT_HOST = "0.0.0.0"  # noqa: S104 - the container's port is what SageMaker connects to


def parse_arguments(argv: Sequence[str]) -> argparse.Namespace:
    arguments = list(argv)
    if arguments[:1] == ["serve"]:
        arguments = arguments[1:]
    parser = argparse.ArgumentParser(prog="serve", description="yolops inference server (SageMaker hosting)")
    parser.add_argument("--model-dir", help=f"best.pt, model.tar.gz or a folder holding one (env {ENV_MODEL_DIR})")
    parser.add_argument("--port", help=f"port (env {ENV_PORT}, default 8080)")
    parser.add_argument("--workers", help=f"uvicorn worker processes (env {ENV_WORKERS}, default 1)")
    parser.add_argument("--host", default=DEFAULT_HOST, help=f"address to bind (default {DEFAULT_HOST})")
    return parser.parse_args(arguments)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_arguments(sys.argv[1:] if argv is None else argv)
    for name, value in ((ENV_MODEL_DIR, args.model_dir), (ENV_PORT, args.port), (ENV_WORKERS, args.workers)):
        if value is not None:
            os.environ[name] = value
    try:
        settings = ServingSettings.from_env()
    except SettingsError as e:
        print(f"yolops serve: {e}", file=sys.stderr)
        return 2
    import uvicorn

    uvicorn.run(
        APP_FACTORY,
        factory=True,
        host=args.host,
        port=settings.port,
        workers=settings.workers,
        # SageMaker waits up to 60 s for a response; keep-alive longer than its load balancer's idle time.
        timeout_keep_alive=75,
        access_log=False,
    )
    return 0
