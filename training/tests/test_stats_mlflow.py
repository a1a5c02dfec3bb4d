"""The training job's dataset statistics (yolops_training.dataset_stats_log) against a real MLflow server: the
JSON and the PNG under `dataset/` in the run, the dataset params, and failures that warn but never raise. The
logging function is called as run_training calls it, without training a model."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from mlflow_server import MlflowServer
from synthetic_dataset import make_dataset

from yolops_training.dataset_stats_log import STATS_JSON, STATS_PNG, log_dataset_stats
from yolops_training.mlflow_tracking import MlflowTracker


def _tracker(server: MlflowServer, tmp_path: Path, name: str) -> MlflowTracker:
    tracker = MlflowTracker.from_env({"MLFLOW_TRACKING_URI": server.uri, "MLFLOW_EXPERIMENT_NAME": "yolops-stats"})
    tracker.start(name, {}, tmp_path / "mlflow_run.json")
    assert tracker.run_id is not None, tracker.reason
    return tracker


def test_the_statistics_are_artifacts_and_params_of_the_run(tmp_path: Path, mlflow_server: MlflowServer) -> None:
    from mlflow.tracking import MlflowClient

    dataset = make_dataset(tmp_path / "channel", train=12, val=4, backgrounds=3)
    tracker = _tracker(mlflow_server, tmp_path, "stats")
    written = log_dataset_stats(tracker, dataset.root, tmp_path / "output" / "dataset", imgsz=64)
    tracker.finish(succeeded=True)
    assert [p.name for p in written] == [STATS_JSON, STATS_PNG]

    client = MlflowClient(mlflow_server.uri)
    listed = {a.path: a.file_size for a in client.list_artifacts(tracker.run_id, "dataset")}
    assert set(listed) == {f"dataset/{STATS_JSON}", f"dataset/{STATS_PNG}"}
    assert listed[f"dataset/{STATS_PNG}"] == (tmp_path / "output" / "dataset" / STATS_PNG).stat().st_size
    downloaded = Path(client.download_artifacts(tracker.run_id, f"dataset/{STATS_JSON}", str(tmp_path / "dl")))
    report = json.loads(downloaded.read_text())
    assert report == json.loads((tmp_path / "output" / "dataset" / STATS_JSON).read_text())
    assert report["boxSizeBuckets"]["imgsz"] == 64
    assert (report["splits"]["train"]["boxes"], report["splits"]["val"]["boxes"]) == (
        dataset.boxes["train"],
        dataset.boxes["val"],
    )

    params = client.get_run(tracker.run_id).data.params
    assert params == {
        "dataset.classes": "2",
        "dataset.class_names": "square,disc",
        "dataset.train.images": "12",
        "dataset.train.boxes": str(dataset.boxes["train"]),
        "dataset.train.background_images": "3",
        "dataset.val.images": "4",
        "dataset.val.boxes": str(dataset.boxes["val"]),
        "dataset.val.background_images": "0",
    }
    assert "not_logged" not in tracker.record()


def test_a_dataset_the_statistics_cannot_read_warns_and_the_run_goes_on(
    tmp_path: Path, mlflow_server: MlflowServer, capsys
) -> None:
    from mlflow.tracking import MlflowClient

    tracker = _tracker(mlflow_server, tmp_path, "stats-unreadable")
    (tmp_path / "channel").mkdir()  # no data.yaml
    assert log_dataset_stats(tracker, tmp_path / "channel", tmp_path / "output", imgsz=640) == []
    tracker.log_epoch(1, {"val/mAP50": 0.5})  # the tracker is untouched: the training's metrics still go in
    tracker.finish(succeeded=True)
    err = capsys.readouterr().err
    assert "yolops WARNING: dataset statistics failed: DatasetFailure: No data.yaml" in err
    assert "the training goes on without them" in err
    client = MlflowClient(mlflow_server.uri)
    assert client.list_artifacts(tracker.run_id, "dataset") == []
    assert [m.value for m in client.get_metric_history(tracker.run_id, "val/mAP50")] == [0.5]
    assert not (tmp_path / "output").exists()


def test_a_chart_that_cannot_be_written_keeps_the_json(tmp_path: Path, mlflow_server: MlflowServer, capsys) -> None:
    from mlflow.tracking import MlflowClient

    dataset = make_dataset(tmp_path / "channel", train=4, val=2)
    folder = tmp_path / "output"
    (folder / STATS_PNG).mkdir(parents=True)  # a folder where the PNG goes: the rename onto it fails
    tracker = _tracker(mlflow_server, tmp_path, "stats-no-png")
    written = log_dataset_stats(tracker, dataset.root, folder, imgsz=640)
    tracker.finish(succeeded=True)
    assert written == [folder / STATS_JSON]
    err = capsys.readouterr().err
    assert "dataset statistics failed: IsADirectoryError" in err and f"(written: {STATS_JSON})" in err
    paths = {a.path for a in MlflowClient(mlflow_server.uri).list_artifacts(tracker.run_id, "dataset")}
    assert paths == {f"dataset/{STATS_JSON}"}
    assert sorted(p.name for p in folder.iterdir()) == sorted([STATS_JSON, STATS_PNG])  # no temporary file left


def test_without_mlflow_the_files_are_still_written(tmp_path: Path) -> None:
    dataset = make_dataset(tmp_path / "channel", train=4, val=2)
    tracker = MlflowTracker.from_env({})
    tracker.start("none", {}, tmp_path / "mlflow_run.json")
    written = log_dataset_stats(tracker, dataset.root, tmp_path / "output", imgsz=640)
    assert [p.name for p in written] == [STATS_JSON, STATS_PNG]
    assert json.loads(written[0].read_text())["splits"]["train"]["images"] == 4


@pytest.mark.slow
def test_a_training_job_logs_its_dataset_statistics(trained) -> None:  # type: ignore[no-untyped-def]
    """The shared real training (conftest.TrainedJob): run_training calls the logging above on its channel."""
    from mlflow.tracking import MlflowClient

    folder = trained.job.output_data_dir / "dataset"
    report = json.loads((folder / STATS_JSON).read_text())
    assert report["splits"]["train"]["backgroundImages"] == trained.BACKGROUNDS
    assert report["boxSizeBuckets"]["imgsz"] == 64  # the job's --imgsz
    assert f"yolops: dataset statistics: {folder / STATS_JSON}, {folder / STATS_PNG}" in trained.result.stdout
    run_id = json.loads((trained.job.model_dir / "mlflow_run.json").read_text())["run_id"]
    client = MlflowClient(trained.server.uri)
    assert {a.path for a in client.list_artifacts(run_id, "dataset")} == {f"dataset/{STATS_JSON}", f"dataset/{STATS_PNG}"}
    params = client.get_run(run_id).data.params
    assert (params["dataset.train.images"], params["dataset.train.boxes"]) == (
        "24",
        str(trained.dataset.boxes["train"]),
    )
