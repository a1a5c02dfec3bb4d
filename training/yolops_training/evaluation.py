"""The evaluation job: a trained model and a dataset split in, evaluation.json out.

evaluation.json is read by the pipeline's quality gate with SageMaker's `Std:JsonGet` (path
`metrics.mAP50_95`) and by the model registry. Its keys are plain JSONPath names: `mAP50-95` would have to be
quoted in a JsonGet path (`metrics['mAP50-95']`), so it is keyed `mAP50_95`. Every number is a plain float
or int; a class without instances in the split gets 0.0 rather than NaN (JSON has no NaN).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import tarfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .dataset_checks import DatasetReport, check_dataset
from .dataset_layout import read_layout
from .dataset_mirror import mirror_split_for_evaluation
from .errors import JobFailure, run_with_reason_file
from .json_files import read_json_object, write_json_atomic
from .log import info
from .mlflow_tracking import MlflowTracker
from .model_dir import MLFLOW_RUN_FILE
from .onnx_export import ONNX_FILE
from .ultralytics_setup import prepare_ultralytics

SCHEMA_VERSION = 1
REPORT_FILE = "evaluation.json"
MODEL_ARCHIVE = "model.tar.gz"
WEIGHTS_FILE = "best.pt"
MLFLOW_PREFIX = "eval/"


@dataclass(frozen=True)
class EvaluationInputs:
    model: Path  # model.tar.gz, best.pt, or a folder holding one of them
    data: Path
    output: Path
    split: str
    imgsz: int | None
    work_dir: Path


@dataclass(frozen=True)
class LocatedModel:
    source: Path  # the file found: model.tar.gz or a .pt
    weights: Path  # best.pt (extracted from the archive) or the .pt itself
    mlflow_run: dict[str, Any] | None  # mlflow_run.json of the training job, when it came with the model
    onnx: Path | None = None  # best.onnx beside best.pt (extracted from the archive), when the model has one


def _extract_member(archive: tarfile.TarFile, name: str, target: Path) -> bool:
    """Extract the top-level file `name` (by its base name) to target; the archive's paths are never used,
    so a hostile member name cannot write outside the work dir."""
    member = next((m for m in archive.getmembers() if m.isfile() and os.path.basename(m.name) == name), None)
    if member is None:
        return False
    source = archive.extractfile(member)
    if source is None:
        return False
    target.parent.mkdir(parents=True, exist_ok=True)
    with source, open(target, "wb") as sink:
        while chunk := source.read(1 << 20):
            sink.write(chunk)
    return True


def locate_model(model: Path, work_dir: Path, with_onnx: bool = False) -> LocatedModel:
    """best.pt from model.tar.gz (SageMaker's model artifact), a .pt file, or a folder holding either; with_onnx
    also finds best.onnx there (the .onnx beside a .pt), which the inference server may run instead."""
    if model.is_dir():
        if (model / MODEL_ARCHIVE).is_file():
            model = model / MODEL_ARCHIVE
        elif (model / WEIGHTS_FILE).is_file():
            model = model / WEIGHTS_FILE
        else:
            found = ", ".join(sorted(p.name for p in model.iterdir())[:10]) or "nothing"
            raise JobFailure(
                f"The model folder {model} holds neither {MODEL_ARCHIVE} nor {WEIGHTS_FILE} (found: {found}). "
                "Fix: pass the training step's model artifact (model.tar.gz) as --model."
            )
    if not model.is_file():
        raise JobFailure(f"The model {model} does not exist. Fix: pass --model <model.tar.gz | best.pt | folder>.")
    if model.name.endswith((".tar.gz", ".tgz")):
        target = work_dir / "model"
        try:
            with tarfile.open(model, "r:*") as archive:
                has_weights = _extract_member(archive, WEIGHTS_FILE, target / WEIGHTS_FILE)
                _extract_member(archive, MLFLOW_RUN_FILE, target / MLFLOW_RUN_FILE)
                has_onnx = with_onnx and _extract_member(archive, ONNX_FILE, target / ONNX_FILE)
        except (tarfile.TarError, OSError) as e:
            raise JobFailure(
                f"Cannot read the model archive {model}: {e}. Fix: pass the model.tar.gz of a training job."
            ) from e
        if not has_weights:
            raise JobFailure(
                f"The model archive {model} holds no {WEIGHTS_FILE}. "
                "Fix: pass the model.tar.gz of a yolops training job."
            )
        onnx = target / ONNX_FILE if has_onnx else None
        return LocatedModel(model, target / WEIGHTS_FILE, read_json_object(target / MLFLOW_RUN_FILE), onnx)
    if model.suffix == ".pt":
        beside = model.with_suffix(".onnx")
        onnx = beside if with_onnx and beside.is_file() else None
        return LocatedModel(model, model, read_json_object(model.parent / MLFLOW_RUN_FILE), onnx)
    raise JobFailure(f"The model {model} is not a .pt file nor a .tar.gz archive. Fix: pass model.tar.gz or best.pt.")


def _number(value: Any) -> float:
    number = float(value)
    return number if math.isfinite(number) else 0.0


def build_report(
    metrics: Any, names: Sequence[str], dataset: DatasetReport, inputs: EvaluationInputs, model_name: str, imgsz: int
) -> dict[str, Any]:
    """evaluation.json from Ultralytics' DetMetrics."""
    from ultralytics import __version__

    box = metrics.box
    rows = {int(c): i for i, c in enumerate(metrics.ap_class_index)}  # class id -> row of the per-class arrays
    per_image = metrics.nt_per_image if metrics.nt_per_image is not None else [0] * len(names)
    per_instance = metrics.nt_per_class if metrics.nt_per_class is not None else [0] * len(names)
    per_class: dict[str, dict[str, float | int]] = {}
    for class_id, name in enumerate(names):
        precision, recall, ap50, ap = box.class_result(rows[class_id]) if class_id in rows else (0.0, 0.0, 0.0, 0.0)
        per_class[name] = {
            "mAP50": _number(ap50),
            "mAP50_95": _number(ap),
            "precision": _number(precision),
            "recall": _number(recall),
            "images": int(per_image[class_id]),
            "instances": int(per_instance[class_id]),
        }
    return {
        "schema_version": SCHEMA_VERSION,
        "metrics": {
            "mAP50": _number(box.map50),
            "mAP50_95": _number(box.map),
            "precision": _number(box.mp),
            "recall": _number(box.mr),
        },
        "per_class": per_class,
        "evaluated": {
            "model": model_name,
            "dataset": str(inputs.data),
            "split": inputs.split,
            "images": len(dataset.splits[inputs.split].images),
            "instances": int(sum(int(n) for n in per_instance)),
            "imgsz": imgsz,
            "classes": list(names),
            "ultralytics_version": __version__,
        },
    }


def _log_to_training_run(located: LocatedModel, report: dict[str, Any], report_file: Path) -> None:
    """Add the evaluation to the training job's MLflow run, best effort."""
    run_id = (located.mlflow_run or {}).get("run_id")
    tracker = MlflowTracker.from_env(os.environ)
    if not tracker.tracking_uri:
        info("MLflow: MLFLOW_TRACKING_URI is not set, the evaluation is not added to an MLflow run")
        return
    if not run_id:
        info(f"MLflow: the model came without a {MLFLOW_RUN_FILE} naming a run, the evaluation is not logged")
        return
    tracker.attach(str(run_id))
    metrics = {f"{MLFLOW_PREFIX}{'mAP50-95' if k == 'mAP50_95' else k}": v for k, v in report["metrics"].items()}
    tracker.log_metrics(0, metrics, "evaluation metrics")
    tracker.log_artifacts({report_file: "evaluation"})
    if tracker.run_id:
        info(f"MLflow: evaluation logged to run {tracker.run_id}")
    tracker.report_not_logged()


def run_evaluation(inputs: EvaluationInputs) -> dict[str, Any]:
    prepare_ultralytics(inputs.work_dir)
    located = locate_model(inputs.model, inputs.work_dir)
    dataset = check_dataset(read_layout(inputs.data, (inputs.split,)))
    data_yaml = mirror_split_for_evaluation(dataset, inputs.split, inputs.work_dir)

    from ultralytics import YOLO

    model = YOLO(str(located.weights))
    names = [model.names[i] for i in sorted(model.names)]
    if names != list(dataset.names):
        raise JobFailure(
            f"The model's classes {names} differ from the dataset's {list(dataset.names)} "
            f"({dataset.layout.yaml_file.name}). Fix: evaluate on a dataset with the classes the model was trained on."
        )
    imgsz = inputs.imgsz or int((model.ckpt or {}).get("train_args", {}).get("imgsz", 640))
    count = len(dataset.splits[inputs.split].images)
    info(f"evaluating {located.weights.name} on split '{inputs.split}' ({count} images) at imgsz {imgsz}")
    metrics = model.val(
        data=str(data_yaml),
        split=inputs.split,
        imgsz=imgsz,
        plots=False,
        save_dir=str(inputs.work_dir / "val"),
        exist_ok=True,
    )
    report = build_report(metrics, names, dataset, inputs, located.source.name, imgsz)
    report_file = inputs.output / REPORT_FILE
    write_json_atomic(report_file, report)
    info(f"wrote {report_file}: {json.dumps(report['metrics'])}")
    _log_to_training_run(located, report, report_file)
    return report


class _ArgumentParser(argparse.ArgumentParser):
    """Bad arguments become a JobFailure, so they reach the exit message like any other failure."""

    def error(self, message: str) -> Any:  # argparse would print and sys.exit(2)
        raise JobFailure(f"evaluate.py: {message}. Usage: {self.format_usage().strip()}")


def parse_arguments(argv: Sequence[str]) -> EvaluationInputs:
    parser = _ArgumentParser(prog="evaluate.py", description="Evaluate a yolops model on a dataset split.")
    parser.add_argument(
        "--model",
        type=Path,
        default=Path("/opt/ml/processing/model"),
        help="model.tar.gz, best.pt or a folder holding one",
    )
    parser.add_argument(
        "--data", type=Path, default=Path("/opt/ml/processing/data"), help="YOLO dataset folder (data.yaml at its top)"
    )
    parser.add_argument(
        "--output", type=Path, default=Path("/opt/ml/processing/evaluation"), help="folder for evaluation.json"
    )
    parser.add_argument(
        "--split", default="val", choices=("train", "val", "test"), help="dataset split to evaluate (default val)"
    )
    parser.add_argument(
        "--imgsz", type=int, default=None, help="image size (default: the one the model was trained at)"
    )
    args = parser.parse_args(list(argv))
    if args.imgsz is not None and args.imgsz < 32:
        parser.error(f"argument --imgsz: {args.imgsz} is below 32")
    work_dir = Path(os.environ.get("YOLOPS_WORK_DIR", "").strip() or output_dir() / "yolops-work")
    return EvaluationInputs(args.model, args.data, args.output, args.split, args.imgsz, work_dir)


def output_dir() -> Path:
    return Path(os.environ.get("SM_OUTPUT_DIR", "").strip() or "/opt/ml/output")


def message_file() -> Path:
    """Where a processing job's container leaves its exit message: SageMaker returns its first 1 KB as
    ExitMessage in DescribeProcessingJob (docs: 'Save and Access Metadata Information About Your Processing Job')."""
    return output_dir() / "message"


def main(argv: Sequence[str] | None = None) -> int:
    """The entrypoint of evaluate.py: exit code 0, or 1 with the reason in ${SM_OUTPUT_DIR}/message."""
    arguments = list(sys.argv[1:] if argv is None else argv)

    def job() -> None:
        run_evaluation(parse_arguments(arguments))

    return run_with_reason_file(job, message_file(), "evaluation")
