"""Publish a finished run into the model dir (SM_MODEL_DIR), flat, all or nothing.

SageMaker tars the model dir into model.tar.gz when the job ends, failed or not, so a half-filled model dir
would look like a model. Files are copied under temporary names first and renamed only when every copy
succeeded; on any error the copies are removed and the error propagates.

Names are the ones Ultralytics 8.4 writes (older releases' F1_curve.png / PR_curve.png are BoxF1_curve.png /
BoxPR_curve.png today).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

from .errors import JobFailure
from .json_files import write_json_atomic
from .onnx_export import ONNX_FILE

# model dir name -> path in the Ultralytics run folder
REQUIRED_FILES: dict[str, str] = {
    "best.pt": "weights/best.pt",
    "last.pt": "weights/last.pt",
    "results.csv": "results.csv",
    "args.yaml": "args.yaml",
}
# Published when the run folder has them: best.onnx is exported after training and may be missing (onnx_export.py).
OPTIONAL_FILES: dict[str, str] = {ONNX_FILE: f"weights/{ONNX_FILE}"}
REQUIRED_PLOTS = ("results.png", "confusion_matrix.png", "BoxF1_curve.png", "BoxPR_curve.png")
OPTIONAL_PLOTS = ("confusion_matrix_normalized.png", "BoxP_curve.png", "BoxR_curve.png")
MLFLOW_RUN_FILE = "mlflow_run.json"


def files_to_publish(run_dir: Path, plots: bool) -> dict[str, Path]:
    """Model dir name -> source file; raises when a file a model dir must hold is missing."""
    wanted = dict(REQUIRED_FILES)
    if plots:
        wanted.update({name: name for name in REQUIRED_PLOTS})
    missing = [source for source in wanted.values() if not (run_dir / source).is_file()]
    if missing:
        raise JobFailure(
            f"Training ended without {', '.join(missing)} in the run folder {run_dir}; the model dir is left "
            "empty. Fix: see the job log for the Ultralytics error that stopped it."
        )
    found = {name: run_dir / source for name, source in wanted.items()}
    found.update({name: run_dir / source for name, source in OPTIONAL_FILES.items() if (run_dir / source).is_file()})
    if plots:
        found.update({name: run_dir / name for name in OPTIONAL_PLOTS if (run_dir / name).is_file()})
    return found


def publish(run_dir: Path, model_dir: Path, plots: bool) -> list[Path]:
    """Copy the run's files flat into model_dir; returns the published paths (nothing is left on failure)."""
    sources = files_to_publish(run_dir, plots)
    model_dir.mkdir(parents=True, exist_ok=True)
    staged = [(source, model_dir / f".{name}.partial", model_dir / name) for name, source in sources.items()]
    done: list[Path] = []
    try:
        for source, temporary, _ in staged:
            shutil.copyfile(source, temporary)
        for _, temporary, target in staged:
            os.replace(temporary, target)
            done.append(target)
    except OSError:
        for _, temporary, _ in staged:
            temporary.unlink(missing_ok=True)
        for target in done:
            target.unlink(missing_ok=True)
        raise
    return done


def write_mlflow_record(model_dir: Path, record: dict[str, Any]) -> Path:
    """mlflow_run.json: {"run_id", "experiment_id", "tracking_uri"} or {"run_id": null, "reason"}."""
    target = model_dir / MLFLOW_RUN_FILE
    write_json_atomic(target, record)
    return target
