"""The model the server answers with: best.pt found where SageMaker unpacks model.tar.gz, loaded once, warmed up.

SageMaker unpacks the training job's model.tar.gz into /opt/ml/model; the training writes its files flat
(yolops_training/model_dir.py), so best.pt is at the top. evaluation.locate_model already finds best.pt in a
folder, a .pt file or a model.tar.gz, so local runs may point YOLOPS_MODEL_DIR at any of them.
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

# The imgsz Ultralytics' own predict default would use when a checkpoint lacks its training arguments.
FALLBACK_IMGSZ = 640
HASH_PREFIX_CHARS = 16


@dataclass(frozen=True)
class LoadedModel:
    model: Any  # ultralytics.YOLO
    names: dict[int, str]
    version: str  # sha256:<first 16 hex digits of best.pt>: names the exact weights whatever the folder says
    mlflow_run_id: str | None  # the training's MLflow run, when mlflow_run.json came with the model
    imgsz: int  # the size it was trained at: the default for requests that do not name one
    weights: Path


def content_version(weights: Path) -> str:
    digest = hashlib.sha256()
    with open(weights, "rb") as source:
        while chunk := source.read(1 << 20):
            digest.update(chunk)
    return f"sha256:{digest.hexdigest()[:HASH_PREFIX_CHARS]}"


def load_model(model_dir: Path, work_dir: Path) -> LoadedModel:
    """Find, load and warm up the model; raises JobFailure with a reason a user can act on."""
    prepare_ultralytics(work_dir)
    # Each uvicorn worker loads its own copy: a per-process folder keeps two extractions of model.tar.gz apart.
    located = locate_model(model_dir, work_dir / f"worker-{os.getpid()}")
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

    # The first prediction builds the predictor (seconds); do it now so /ping turns 200 only when it is fast.
    model.predict(np.zeros((imgsz, imgsz, 3), dtype=np.uint8), imgsz=imgsz, verbose=False)
    run_id = (located.mlflow_run or {}).get("run_id")
    return LoadedModel(
        model=model,
        names={int(k): str(v) for k, v in model.names.items()},
        version=content_version(located.weights),
        mlflow_run_id=run_id if isinstance(run_id, str) else None,
        imgsz=imgsz,
        weights=located.weights,
    )


class ModelSlot:
    """The model being loaded in the background: /ping answers 503 until it is there (or with the reason it
    never will be), and one lock serialises predictions (an Ultralytics predictor is not thread-safe)."""

    def __init__(self) -> None:
        self.loaded: LoadedModel | None = None
        self.failure: str | None = None
        self.predict_lock = threading.Lock()

    def load_in_background(self, model_dir: Path, work_dir: Path) -> threading.Thread:
        def run() -> None:
            try:
                self.loaded = load_model(model_dir, work_dir)
            except JobFailure as e:
                self.failure = str(e)
            except Exception as e:  # noqa: BLE001 - any load error must reach /ping, not kill the thread silently
                self.failure = f"Loading the model from {model_dir} failed: {type(e).__name__}: {e}"

        thread = threading.Thread(target=run, name="yolops-model-load", daemon=True)
        thread.start()
        return thread
