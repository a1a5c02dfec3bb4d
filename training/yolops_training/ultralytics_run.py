"""Drive Ultralytics' DetectionTrainer: a fresh or resumed training with the job's per-epoch hook, or the final
steps of a training whose epochs were all done before the job was interrupted."""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from .devices import gpus_named
from .log import info

# MLflow params: the hyperparameters that shape a run, read back from the trainer so they are the values
# really used (Ultralytics resolves optimizer=auto to a name and lr0, forces workers=0 on a CPU, ...).
# batch is logged as batch_size, the name the pipeline parameters and training-config.json use.
PARAM_KEYS = ("epochs", "batch", "imgsz", "patience", "workers", "cache", "optimizer", "lr0", "seed", "device")


def effective_params(trainer: Any, given: Mapping[str, Any], model: str, instance_type: str) -> dict[str, Any]:
    args = trainer.args
    keys = list(PARAM_KEYS) + [
        k for k in given if k not in PARAM_KEYS and k not in ("model", "batch_size") and hasattr(args, k)
    ]
    params: dict[str, Any] = {("batch_size" if k == "batch" else k): getattr(args, k) for k in keys}
    params["model"] = model
    params["instance_type"] = instance_type
    return params


def _on_main_rank(callback: Callable[[Any], None], trainer: Any) -> None:
    """Run callback in the training process, or in DDP's rank 0 only (every rank calls on_train_start)."""
    from ultralytics.utils import RANK

    if RANK in (-1, 0):
        callback(trainer)


def train(
    overrides: Mapping[str, Any],
    on_start: Callable[[Any], None],
    on_epoch_saved: Callable[[Any], None],
) -> None:
    """Run DetectionTrainer with the given args; on_epoch_saved runs after each epoch's last.pt is written.

    With several GPUs Ultralytics starts one DDP process per GPU and hands them its callbacks (cloudpickled,
    ultralytics/utils/dist.py); the hooks then run in those processes, on the main one (rank 0) only."""
    from ultralytics.models.yolo.detect import DetectionTrainer

    trainer = DetectionTrainer(overrides=dict(overrides))
    trainer.add_callback("on_train_start", functools.partial(_on_main_rank, on_start))
    # on_model_save runs after results.csv got the epoch's row and last.pt/best.pt were written, every epoch
    # (save=True is enforced); on_fit_epoch_end would also fire once more for the final validation of best.pt.
    trainer.add_callback("on_model_save", on_epoch_saved)
    trainer.train()


def finish_completed_training(run_dir: Path, data_yaml: Path, overrides: Mapping[str, Any]) -> None:
    """What Ultralytics does after the last epoch (strip optimizers, validate best.pt with plots, plot results.csv),
    for a checkpoint whose epochs were all done when the previous attempt was interrupted."""
    from ultralytics import YOLO
    from ultralytics.utils.plotting import plot_results
    from ultralytics.utils.torch_utils import strip_optimizer

    weights = run_dir / "weights"
    for name in ("last.pt", "best.pt"):
        if (weights / name).is_file():
            strip_optimizer(weights / name)
    best = weights / "best.pt" if (weights / "best.pt").is_file() else weights / "last.pt"
    info(f"all epochs were done before the interruption: validating {best.name} and writing the final plots")
    plots = bool(overrides.get("plots", True))
    # Validation runs on one device; a DDP training's batch is the total over its GPUs (devices.py).
    device = str(overrides.get("device") or "")
    batch = overrides.get("batch")
    YOLO(str(best)).val(
        data=str(data_yaml),
        imgsz=overrides["imgsz"],
        batch=max(1, batch // max(1, gpus_named(device))) if isinstance(batch, int) and batch > 0 else 16,
        device=device.split(",")[0] or None,
        plots=plots,
        save_dir=str(run_dir),
        exist_ok=True,
    )
    if plots:
        plot_results(file=run_dir / "results.csv")
