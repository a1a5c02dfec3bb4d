"""The per-epoch metrics: their names, how to read them from the Ultralytics trainer, and the stdout line.

SageMaker extracts training metrics from the job log with the regexes of training/metric_definitions.json,
so the line format is a contract: one line per epoch, starting with `yolops-metrics`, `epoch=<n>/<total>`,
then `name=value` pairs in a fixed order with six decimals (never an exponent), e.g.

    yolops-metrics epoch=3/10 train/box_loss=1.234500 train/cls_loss=2.345600 train/dfl_loss=1.100000 \
val/precision=0.512300 val/recall=0.400000 val/mAP50=0.450000 val/mAP50-95=0.250000

(one line; wrapped here). A value that is not finite is printed as `nan` and the regexes skip it.
The same names are MLflow's metric names (MLflow allows '/' and '-' in them).
"""

from __future__ import annotations

import csv
import math
from pathlib import Path
from typing import Any

LINE_PREFIX = "yolops-metrics"

# Our metric name -> (where on the trainer, key there). Losses are the epoch's running means (trainer.tloss),
# validation metrics come from the validator run after the epoch (trainer.metrics).
EPOCH_METRICS: dict[str, tuple[str, str]] = {
    "train/box_loss": ("tloss", "box_loss"),
    "train/cls_loss": ("tloss", "cls_loss"),
    "train/dfl_loss": ("tloss", "dfl_loss"),
    "val/precision": ("metrics", "metrics/precision(B)"),
    "val/recall": ("metrics", "metrics/recall(B)"),
    "val/mAP50": ("metrics", "metrics/mAP50(B)"),
    "val/mAP50-95": ("metrics", "metrics/mAP50-95(B)"),
}


def epoch_metrics(trainer: Any) -> dict[str, float]:
    """The metrics of the epoch the trainer just finished (names missing on this model are left out)."""
    sources = {"tloss": trainer.tloss or {}, "metrics": trainer.metrics or {}}
    found: dict[str, float] = {}
    for name, (source, key) in EPOCH_METRICS.items():
        value = sources[source].get(key)
        if value is not None:
            found[name] = float(value)
    return found


def results_csv_column(name: str) -> str:
    """The results.csv column Ultralytics writes a metric to: losses as train/<key>, validation under its key."""
    source, key = EPOCH_METRICS[name]
    return f"train/{key}" if source == "tloss" else key


def results_csv_metrics(path: Path) -> dict[int, dict[str, float]]:
    """Epoch -> metrics, read back from an Ultralytics results.csv (empty when there is none)."""
    if not path.is_file():
        return {}
    with open(path, encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    epochs: dict[int, dict[str, float]] = {}
    for row in rows:
        row = {key.strip(): value.strip() for key, value in row.items() if key is not None and value is not None}
        if not row.get("epoch"):
            continue
        columns = {name: results_csv_column(name) for name in EPOCH_METRICS}
        epochs[int(float(row["epoch"]))] = {name: float(row[c]) for name, c in columns.items() if row.get(c)}
    return epochs


def format_value(value: float) -> str:
    return f"{value:.6f}" if math.isfinite(value) else "nan"


def format_metrics_line(epoch: int, epochs: int, metrics: dict[str, float]) -> str:
    pairs = " ".join(f"{name}={format_value(metrics[name])}" for name in EPOCH_METRICS if name in metrics)
    return f"{LINE_PREFIX} epoch={epoch}/{epochs} {pairs}"
