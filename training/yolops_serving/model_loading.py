"""The model the server answers with: best.pt found where SageMaker unpacks model.tar.gz, loaded once, warmed up,
and best.onnx beside it when the runtime chosen is ONNX Runtime (runtime_choice.py).

SageMaker unpacks the training job's model.tar.gz into /opt/ml/model; the training writes its files flat
(yolops_training/model_dir.py), so best.pt and best.onnx are at the top. evaluation.locate_model already finds
them in a folder, a .pt file or a model.tar.gz, so local runs may point YOLOPS_MODEL_DIR at any of them.
"""

from __future__ import annotations

import hashlib
import os
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from yolops_training.errors import JobFailure
from yolops_training.evaluation import locate_model
from yolops_training.ultralytics_setup import prepare_ultralytics

from .runtime_choice import choose_runtime, log
from .settings import ONNX, TORCH

# The imgsz Ultralytics' own predict default would use when a checkpoint lacks its training arguments.
FALLBACK_IMGSZ = 640
HASH_PREFIX_CHARS = 16


@dataclass(frozen=True)
class LoadedModel:
    model: Any  # ultralytics.YOLO on best.pt (torch): the chosen runtime, or the one for sizes best.onnx cannot take
    names: dict[int, str]
    version: str  # sha256:<first 16 hex digits of best.pt>: names the exact weights whatever the folder says
    mlflow_run_id: str | None  # the training's MLflow run, when mlflow_run.json came with the model
    imgsz: int  # the size it was trained at: the default for requests that do not name one
    weights: Path
    runtime: str = TORCH  # torch | onnx: what answers requests at the default size
    onnx_model: Any = None  # ultralytics.YOLO on best.onnx, when the runtime is onnx
    onnx_imgsz: int | None = None  # the one size best.onnx takes (static shape)

    def runtime_for(self, imgsz: int) -> tuple[str, Any]:
        """The runtime and model for a request at imgsz: best.onnx takes only the size it was exported at (Ultralytics
        would run it at that size whatever the request said), so other sizes go to torch, which takes any."""
        if self.runtime == ONNX and imgsz == self.onnx_imgsz:
            return ONNX, self.onnx_model
        return TORCH, self.model


def content_version(weights: Path) -> str:
    digest = hashlib.sha256()
    with open(weights, "rb") as source:
        while chunk := source.read(1 << 20):
            digest.update(chunk)
    return f"sha256:{digest.hexdigest()[:HASH_PREFIX_CHARS]}"


def load_model(model_dir: Path, work_dir: Path, runtime: str = TORCH) -> LoadedModel:
    """Find, load and warm up the model, and choose its runtime (auto | torch | onnx); raises JobFailure with a
    reason a user can act on."""
    prepare_ultralytics(work_dir)
    # Each uvicorn worker loads its own copy: a per-process folder keeps two extractions of model.tar.gz apart.
    located = locate_model(model_dir, work_dir / f"worker-{os.getpid()}", with_onnx=runtime != TORCH)
    from ultralytics import YOLO

    try:
        model = YOLO(str(located.weights), task="detect")
    except Exception as e:  # a corrupt or foreign .pt: torch and Ultralytics raise many kinds
        raise JobFailure(f"Cannot load {located.weights}: {e}. Fix: serve the best.pt of a yolops training.") from e
    if model.task != "detect":
        raise JobFailure(f"{located.weights} is a '{model.task}' model; the server answers detection models only.")
    train_args = (getattr(model, "ckpt", None) or {}).get("train_args", {}) or {}
    imgsz = int(train_args.get("imgsz", FALLBACK_IMGSZ))
    import numpy as np
    import torch

    # The first prediction builds the predictor (seconds); do it now so /ping turns 200 only when it is fast.
    # torch is warmed up whatever the runtime: it also answers the sizes a static best.onnx cannot take.
    model.predict(np.zeros((imgsz, imgsz, 3), dtype=np.uint8), imgsz=imgsz, verbose=False)
    choice = choose_runtime(runtime, model, located.onnx, imgsz, cuda=torch.cuda.is_available())
    log(f"runtime {choice.runtime} ({choice.reason})")
    run_id = (located.mlflow_run or {}).get("run_id")
    return LoadedModel(
        model=model,
        names={int(k): str(v) for k, v in model.names.items()},
        version=content_version(located.weights),
        mlflow_run_id=run_id if isinstance(run_id, str) else None,
        imgsz=imgsz,
        weights=located.weights,
        runtime=choice.runtime,
        onnx_model=choice.onnx_model,
        onnx_imgsz=choice.onnx_imgsz,
    )


class ModelSlot:
    """The model being loaded in the background: /ping answers 503 until it is there (or with the reason it
    never will be), and one lock serialises predictions (an Ultralytics predictor is not thread-safe)."""

    def __init__(self) -> None:
        self.loaded: LoadedModel | None = None
        self.failure: str | None = None
        self.predict_lock = threading.Lock()

    def load_in_background(self, model_dir: Path, work_dir: Path, runtime: str = TORCH) -> threading.Thread:
        def run() -> None:
            try:
                self.loaded = load_model(model_dir, work_dir, runtime)
            except JobFailure as e:
                self.failure = str(e)
            except Exception as e:  # noqa: BLE001 - any load error must reach /ping, not kill the thread silently
                self.failure = f"Loading the model from {model_dir} failed: {type(e).__name__}: {e}"

        thread = threading.Thread(target=run, name="yolops-model-load", daemon=True)
        thread.start()
        return thread
