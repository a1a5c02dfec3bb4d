"""A real training job on the CPU (shared by these tests): outputs, checkpoints, metrics line, MLflow run."""

from __future__ import annotations

import csv
import json
import re
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from conftest import TrainedJob
from synthetic_dataset import snapshot

pytestmark = pytest.mark.slow

TRAINING_DIR = Path(__file__).resolve().parents[1]
MODEL_DIR_FILES = {
    "best.pt",
    "best.onnx",
    "last.pt",
    "results.csv",
    "results.png",
    "confusion_matrix.png",
    "confusion_matrix_normalized.png",
    "BoxF1_curve.png",
    "BoxPR_curve.png",
    "BoxP_curve.png",
    "BoxR_curve.png",
    "args.yaml",
    "mlflow_run.json",
}
# metric_definitions.json name -> results.csv column
CSV_COLUMNS = {
    "train:box_loss": "train/box_loss",
    "train:cls_loss": "train/cls_loss",
    "train:dfl_loss": "train/dfl_loss",
    "val:precision": "metrics/precision(B)",
    "val:recall": "metrics/recall(B)",
    "val:mAP50": "metrics/mAP50(B)",
    "val:mAP50-95": "metrics/mAP50-95(B)",
}


def results_rows(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8") as f:
        return [{k.strip(): v.strip() for k, v in row.items()} for row in csv.DictReader(f)]


def test_model_dir_holds_exactly_the_contract_files(trained: TrainedJob) -> None:
    assert {p.name for p in trained.job.model_dir.iterdir()} == MODEL_DIR_FILES


def test_output_data_dir_holds_the_whole_ultralytics_run(trained: TrainedJob) -> None:
    run = trained.job.output_data_dir / "train"
    assert (run / "weights" / "best.pt").is_file() and (run / "weights" / "last.pt").is_file()
    assert (run / "labels.jpg").is_file() and any(run.glob("train_batch*.jpg"))
    assert (run / "results.csv").read_text() == (trained.job.model_dir / "results.csv").read_text()


def test_input_channel_is_left_unchanged(trained: TrainedJob) -> None:
    assert snapshot(trained.job.channel) == trained.channel_before
    assert not list(trained.job.channel.rglob("*.cache"))
    assert list((trained.job.root / "work" / "dataset" / "labels").glob("*.cache")), "label caches go to the work dir"


def test_results_csv_has_one_row_per_epoch(trained: TrainedJob) -> None:
    epochs = [int(float(r["epoch"])) for r in results_rows(trained.job.model_dir / "results.csv")]
    assert epochs == list(range(1, trained.EPOCHS + 1))


def test_background_images_are_allowed_and_counted(trained: TrainedJob) -> None:
    assert f"train: 24 images ({trained.BACKGROUNDS} backgrounds without boxes)" in trained.result.stdout


def test_stdout_metrics_line_has_the_documented_format(trained: TrainedJob) -> None:
    lines = [line for line in trained.result.stdout.splitlines() if line.startswith("yolops-metrics ")]
    number = r"[0-9]+\.[0-9]{6}"
    pattern = re.compile(
        rf"yolops-metrics epoch=(\d+)/{trained.EPOCHS} train/box_loss={number} train/cls_loss={number} "
        rf"train/dfl_loss={number} val/precision={number} val/recall={number} val/mAP50={number} val/mAP50-95={number}"
    )
    matches = [pattern.fullmatch(line) for line in lines]
    assert all(matches), lines
    assert [int(m.group(1)) for m in matches if m] == list(range(1, trained.EPOCHS + 1))


def test_every_metric_definition_extracts_the_right_numbers_from_the_real_log(trained: TrainedJob) -> None:
    definitions = json.loads((TRAINING_DIR / "metric_definitions.json").read_text())
    rows = results_rows(trained.job.model_dir / "results.csv")
    log = trained.result.stdout + trained.result.stderr  # SageMaker scans the whole log
    for definition in definitions:
        found = [float(v) for v in re.findall(definition["Regex"], log)]
        if definition["Name"] == "epoch":
            assert found == [float(e) for e in range(1, trained.EPOCHS + 1)]
            continue
        expected = [float(row[CSV_COLUMNS[definition["Name"]]]) for row in rows]
        assert found == pytest.approx(expected, abs=2e-5), definition["Name"]


def test_checkpoint_dir_holds_the_last_epoch(trained: TrainedJob) -> None:
    state = json.loads((trained.job.checkpoint_dir / "yolops-checkpoint.json").read_text())
    assert state["completed_epochs"] == trained.EPOCHS and state["done"] is True
    for name in ("last.pt", "best.pt", "results.csv", "args.yaml", "mlflow_run.json"):
        assert (trained.job.checkpoint_dir / name).is_file(), name
    assert not list(trained.job.checkpoint_dir.glob(".*.tmp")), "no temporary file is left behind"


def test_failure_file_is_absent_after_success(trained: TrainedJob) -> None:
    assert not trained.job.failure_file.exists()


def _rest(uri: str, path: str, **query: str) -> dict:
    url = f"{uri}/api/2.0/mlflow/{path}?{urllib.parse.urlencode(query)}"
    with urllib.request.urlopen(url, timeout=10) as response:
        return json.loads(response.read())


def test_exactly_one_mlflow_run_named_after_the_execution(trained: TrainedJob) -> None:
    from mlflow.tracking import MlflowClient

    record = json.loads((trained.job.model_dir / "mlflow_run.json").read_text())
    assert record["tracking_uri"] == trained.server.uri and record["run_id"] and "not_logged" not in record
    client = MlflowClient(trained.server.uri)
    # Ultralytics' own MLflow callback (off) would log a second run into MLFLOW_EXPERIMENT_NAME, or into an
    # experiment of its own: one run in ours, none in any experiment that no test created.
    ours = client.get_experiment_by_name(trained.EXPERIMENT)
    assert ours is not None
    assert [r.info.run_id for r in client.search_runs([ours.experiment_id])] == [record["run_id"]]
    created_by_tests = (trained.EXPERIMENT, "yolops-resume", "yolops-catch-up", "yolops-ddp", "yolops-stats")
    others = [e.experiment_id for e in client.search_experiments() if e.name not in created_by_tests]
    assert client.search_runs(others) == []
    run = _rest(trained.server.uri, "runs/get", run_id=record["run_id"])["run"]
    assert run["info"]["run_name"] == trained.EXECUTION_ID
    assert run["info"]["status"] == "FINISHED"
    assert run["info"]["experiment_id"] == record["experiment_id"]
    experiment = _rest(trained.server.uri, "experiments/get", experiment_id=record["experiment_id"])["experiment"]
    assert experiment["name"] == trained.EXPERIMENT


def test_mlflow_params_are_the_resolved_hyperparameters(trained: TrainedJob) -> None:
    from mlflow.tracking import MlflowClient

    run_id = json.loads((trained.job.model_dir / "mlflow_run.json").read_text())["run_id"]
    params = MlflowClient(trained.server.uri).get_run(run_id).data.params
    assert params["epochs"] == str(trained.EPOCHS)
    assert params["batch_size"] == "8"
    assert params["imgsz"] == "64"
    assert params["model"] == "yolo11n.yaml"
    assert params["seed"] == "0"
    assert params["instance_type"] == trained.INSTANCE_TYPE
    assert params["workers"] == "0"  # CPU: Ultralytics loads data in-process, and the param says so
    assert params["cache"] == "ram"  # chosen from the machine (auto)
    assert params["optimizer"] != "auto"  # resolved by Ultralytics before it is logged
    for key in ("patience", "lr0", "device"):
        assert key in params


def test_mlflow_has_every_epoch_metric_once_per_epoch(trained: TrainedJob) -> None:
    from mlflow.tracking import MlflowClient

    client = MlflowClient(trained.server.uri)
    run_id = json.loads((trained.job.model_dir / "mlflow_run.json").read_text())["run_id"]
    rows = results_rows(trained.job.model_dir / "results.csv")
    for name, column in CSV_COLUMNS.items():
        key = name.replace(":", "/")
        history = sorted(client.get_metric_history(run_id, key), key=lambda m: m.step)
        assert [m.step for m in history] == list(range(1, trained.EPOCHS + 1)), key
        assert [m.value for m in history] == pytest.approx([float(r[column]) for r in rows], abs=2e-5), key


def test_mlflow_artifacts_are_weights_plots_and_results(trained: TrainedJob) -> None:
    from mlflow.tracking import MlflowClient

    client = MlflowClient(trained.server.uri)
    run_id = json.loads((trained.job.model_dir / "mlflow_run.json").read_text())["run_id"]
    top = {a.path for a in client.list_artifacts(run_id)}
    assert {"weights", "plots", "results.csv", "args.yaml"} <= top
    weights = {a.path for a in client.list_artifacts(run_id, "weights")}
    assert weights == {"weights/best.pt", "weights/last.pt", "weights/best.onnx"}
    plots = {a.path for a in client.list_artifacts(run_id, "plots")}
    assert {
        "plots/results.png",
        "plots/confusion_matrix.png",
        "plots/BoxF1_curve.png",
        "plots/BoxPR_curve.png",
    } <= plots
