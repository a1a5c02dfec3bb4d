"""The statistics of the dataset a job trains on, next to its results: dataset_stats.json and dataset_stats.png in
the job's output data folder (output.tar.gz) and under `dataset/` in its MLflow run, plus a few params
(classes, images, boxes and background images per split) to compare runs by.

Best effort, like the tracking itself: a dataset that trains but whose statistics fail (a drawing error, a disk
full, the statistics module missing from an old image) gives one warning in the job log and the training goes
on. The figures are yolops_dataprep.stats', the same `yolops dataset stats` prints.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from .log import info, warn

if TYPE_CHECKING:
    from .dataset_layout import DatasetLayout
    from .mlflow_tracking import MlflowTracker

STATS_JSON = "dataset_stats.json"
STATS_PNG = "dataset_stats.png"
ARTIFACT_FOLDER = "dataset"  # in the MLflow run
MAX_PARAM_CHARS = 500  # MLflow takes 6000 characters per param value; a long class list is cut, never refused


def dataset_params(report: dict[str, Any]) -> dict[str, str]:
    """The MLflow params of a statistics report: dataset.classes, dataset.class_names and, per split,
    dataset.<split>.images / .boxes / .background_images."""
    names = ",".join(report["classes"])
    params = {
        "dataset.classes": str(len(report["classes"])),
        "dataset.class_names": names if len(names) <= MAX_PARAM_CHARS else names[: MAX_PARAM_CHARS - 3] + "...",
    }
    for split, figures in sorted(report["splits"].items()):
        params[f"dataset.{split}.images"] = str(figures["images"])
        params[f"dataset.{split}.boxes"] = str(figures["boxes"])
        params[f"dataset.{split}.background_images"] = str(figures["backgroundImages"])
    return params


def log_dataset_stats(
    tracker: MlflowTracker, channel: Path, folder: Path, imgsz: int, layout: DatasetLayout | None = None
) -> list[Path]:
    """Compute the statistics of the dataset in channel, write them into folder and log them to the tracker's
    run. Returns the files written (none when the statistics failed, which is said in a warning)."""
    written: list[Path] = []
    try:
        from yolops_dataprep.stats import compute_stats, write_report

        stats = compute_stats(channel, imgsz=imgsz, layout=layout)
        write_report(stats, folder / STATS_JSON)
        written.append(folder / STATS_JSON)
        tracker.log_params(dataset_params(stats.report))
        from yolops_dataprep.stats_plot import draw_stats

        draw_stats(stats, folder / STATS_PNG)
        written.append(folder / STATS_PNG)
    except Exception as e:  # noqa: BLE001 - statistics are a report about the data, never a reason not to train
        done = f" (written: {', '.join(p.name for p in written)})" if written else ""
        warn(f"dataset statistics failed: {type(e).__name__}: {e}{done}; the training goes on without them")
    if written:
        tracker.log_artifacts({path: ARTIFACT_FOLDER for path in written})
        info(f"dataset statistics: {', '.join(str(p) for p in written)}")
    return written
