"""The server's settings, read once from the environment, each with the default the README documents."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

# SageMaker sends inference requests to port 8080 unless it names another in SAGEMAKER_BIND_TO_PORT.
DEFAULT_PORT = 8080
# SageMaker unpacks the model artifact (model.tar.gz) here before it starts the container with `serve`.
DEFAULT_MODEL_DIR = "/opt/ml/model"
# One worker by default: each worker loads its own model and torch already uses every CPU thread for one
# prediction, so more workers mostly add memory. SageMaker's SDK sets this variable (model_server_workers).
DEFAULT_WORKERS = 1
# A real-time endpoint accepts at most 6 MB per request (25 MB for serverless); the default matches the former.
DEFAULT_MAX_BODY_BYTES = 6 * 1024 * 1024
# Width x height an image may claim in its header; 40 MP covers an 8K frame (7680 x 4320 = 33 MP).
DEFAULT_MAX_IMAGE_PIXELS = 40_000_000
DEFAULT_MAX_BATCH_IMAGES = 8
# What runs the model: torch (best.pt), onnx (best.onnx on ONNX Runtime, CPU) or auto (runtime_choice.py).
TORCH, ONNX, AUTO = "torch", "onnx", "auto"
INFERENCE_RUNTIMES = (AUTO, TORCH, ONNX)
DEFAULT_INFERENCE_RUNTIME = AUTO

ENV_MODEL_DIR = "YOLOPS_MODEL_DIR"
ENV_PORT = "SAGEMAKER_BIND_TO_PORT"
ENV_WORKERS = "SAGEMAKER_MODEL_SERVER_WORKERS"
ENV_MAX_BODY_BYTES = "YOLOPS_MAX_BODY_BYTES"
ENV_MAX_IMAGE_PIXELS = "YOLOPS_MAX_IMAGE_PIXELS"
ENV_MAX_BATCH_IMAGES = "YOLOPS_MAX_BATCH_IMAGES"
ENV_WORK_DIR = "YOLOPS_WORK_DIR"
ENV_INFERENCE_RUNTIME = "YOLOPS_INFERENCE_RUNTIME"


class SettingsError(ValueError):
    """A setting with a value the server cannot use; the message names the variable."""


def _positive_int(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SettingsError(f"{name}={raw!r} is not a whole number") from None
    if value < 1:
        raise SettingsError(f"{name}={raw!r} must be at least 1")
    return value


def _runtime(env: Mapping[str, str]) -> str:
    raw = env.get(ENV_INFERENCE_RUNTIME, "").strip()
    if not raw:
        return DEFAULT_INFERENCE_RUNTIME
    if raw.lower() not in INFERENCE_RUNTIMES:
        raise SettingsError(f"{ENV_INFERENCE_RUNTIME}={raw!r} must be one of {', '.join(INFERENCE_RUNTIMES)}")
    return raw.lower()


@dataclass(frozen=True)
class ServingSettings:
    model_dir: Path  # a folder holding best.pt or model.tar.gz, or the .pt / .tar.gz itself
    port: int
    workers: int
    max_body_bytes: int
    max_image_pixels: int
    max_batch_images: int
    work_dir: Path  # scratch: the Ultralytics config dir, best.pt extracted from a model.tar.gz
    runtime: str = DEFAULT_INFERENCE_RUNTIME  # auto | torch | onnx

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> ServingSettings:
        env = os.environ if env is None else env
        return cls(
            model_dir=Path(env.get(ENV_MODEL_DIR, "").strip() or DEFAULT_MODEL_DIR),
            port=_positive_int(env, ENV_PORT, DEFAULT_PORT),
            workers=_positive_int(env, ENV_WORKERS, DEFAULT_WORKERS),
            max_body_bytes=_positive_int(env, ENV_MAX_BODY_BYTES, DEFAULT_MAX_BODY_BYTES),
            max_image_pixels=_positive_int(env, ENV_MAX_IMAGE_PIXELS, DEFAULT_MAX_IMAGE_PIXELS),
            max_batch_images=_positive_int(env, ENV_MAX_BATCH_IMAGES, DEFAULT_MAX_BATCH_IMAGES),
            # /tmp is writable in a SageMaker hosting container; /opt/ml/model may be read-only.
            work_dir=Path(env.get(ENV_WORK_DIR, "").strip() or Path(tempfile.gettempdir()) / "yolops-serve"),
            runtime=_runtime(env),
        )
