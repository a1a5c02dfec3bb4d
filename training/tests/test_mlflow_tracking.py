"""The MLflow tracker's failure paths (the happy paths run against a real server in test_train_run.py)."""

from __future__ import annotations

import time
from pathlib import Path

from mlflow_server import free_port

from yolops_training.mlflow_tracking import MlflowTracker, redact


def test_redact_drops_credentials() -> None:
    assert redact("https://user:secret@mlflow.example:8443/path") == "https://mlflow.example:8443/path"
    assert (
        redact("arn:aws:sagemaker:eu-west-1:123456789012:mlflow-tracking-server/x")
        == "arn:aws:sagemaker:eu-west-1:123456789012:mlflow-tracking-server/x"
    )


def test_without_a_tracking_uri_nothing_is_attempted(tmp_path: Path) -> None:
    tracker = MlflowTracker.from_env({})
    tracker.start("run", {}, tmp_path / "mlflow_run.json")
    tracker.log_epoch(1, {"val/mAP50": 0.5})
    tracker.finish(succeeded=True)
    assert tracker.record() == {"run_id": None, "reason": "MLFLOW_TRACKING_URI is not set"}
    assert not (tmp_path / "mlflow_run.json").exists()


def test_an_unreachable_server_is_found_out_quickly_and_said(tmp_path: Path, capsys) -> None:
    import mlflow.tracking  # noqa: F401 - imported before the clock starts: it takes tens of seconds on a busy machine

    uri = f"http://127.0.0.1:{free_port()}"
    tracker = MlflowTracker.from_env({"MLFLOW_TRACKING_URI": uri, "MLFLOW_EXPERIMENT_NAME": "x"})
    started = time.monotonic()  # MLflow's default retries would take minutes
    tracker.start("run", {}, tmp_path / "mlflow_run.json")
    tracker.log_epoch(1, {"val/mAP50": 0.5})
    tracker.finish(succeeded=True)
    assert time.monotonic() - started < 30
    record = tracker.record()
    assert record["run_id"] is None and uri in record["reason"]
    err = capsys.readouterr().err
    assert "unreachable" in err and "not logged to" in err


class _BrokenClient:
    """A client whose server went away after the run was created."""

    def __init__(self) -> None:
        self.calls = 0

    def log_batch(self, run_id: str, **kwargs: object) -> None:
        self.calls += 1
        raise ConnectionError("server went away")

    def set_terminated(self, run_id: str, status: str) -> None:
        self.calls += 1
        raise ConnectionError("server went away")


def test_a_server_lost_mid_run_is_called_once_then_left_alone(capsys) -> None:
    tracker = MlflowTracker("http://127.0.0.1:1")
    client = _BrokenClient()
    tracker._client, tracker.run_id = client, "run-1"  # as start() leaves them when the server answered
    for epoch in (1, 2, 3):
        tracker.log_epoch(epoch, {"val/mAP50": 0.5})
    tracker.finish(succeeded=True)
    assert client.calls == 1  # no minutes of retries per epoch against a dead server
    assert tracker.record()["not_logged"] == [
        "metrics of epoch 1",
        "metrics of epoch 2",
        "metrics of epoch 3",
        "the run's end status",
    ]
    err = capsys.readouterr().err
    assert "could not log metrics of epoch 1 (ConnectionError: server went away)" in err
    assert "not logged to http://127.0.0.1:1: metrics of epoch 1, metrics of epoch 2" in err


def test_a_resume_logs_the_epochs_the_run_lacks_and_only_those(tmp_path: Path, mlflow_server, capsys) -> None:
    from mlflow.tracking import MlflowClient

    env = {"MLFLOW_TRACKING_URI": mlflow_server.uri, "MLFLOW_EXPERIMENT_NAME": "yolops-catch-up"}
    first = MlflowTracker.from_env(env)
    first.start("interrupted", {}, tmp_path / "mlflow_run.json")
    first.log_epoch(1, {"val/mAP50": 0.1, "train/box_loss": 3.0})
    first.log_epoch(3, {"val/mAP50": 0.3})  # epoch 3's train/box_loss never arrived

    resumed = MlflowTracker.from_env(env)
    resumed.start("interrupted", {}, tmp_path / "mlflow_run.json")  # continues the same run
    assert resumed.run_id == first.run_id
    from_csv = {
        1: {"val/mAP50": 0.1, "train/box_loss": 3.0},
        2: {"val/mAP50": 0.2, "train/box_loss": 2.5},
        3: {"val/mAP50": 0.3, "train/box_loss": 2.0},
        4: {"val/mAP50": float("nan"), "train/box_loss": 1.5},
    }
    assert resumed.log_missing_epochs(from_csv) == [2, 3, 4]
    assert resumed.log_missing_epochs(from_csv) == []  # a second resume adds nothing

    client = MlflowClient(mlflow_server.uri)
    history = {
        name: sorted((m.step, m.value) for m in client.get_metric_history(first.run_id, name))
        for name in ("val/mAP50", "train/box_loss")
    }
    assert history == {
        "val/mAP50": [(1, 0.1), (2, 0.2), (3, 0.3)],  # nan is not logged, as in log_epoch
        "train/box_loss": [(1, 3.0), (2, 2.5), (3, 2.0), (4, 1.5)],
    }
    assert "logged the metrics of epochs 2, 3, 4, finished before the interruption" in capsys.readouterr().out
    assert "not_logged" not in resumed.record()


def test_the_epochs_of_a_results_csv_are_read_back_with_the_metric_names(tmp_path: Path) -> None:
    from yolops_training.metrics_line import EPOCH_METRICS, results_csv_metrics

    header = (
        "epoch,time,train/box_loss,train/cls_loss,train/dfl_loss,metrics/precision(B),metrics/recall(B),"
        "metrics/mAP50(B),metrics/mAP50-95(B),val/box_loss,val/cls_loss,val/dfl_loss,lr/pg0,lr/pg1,lr/pg2"
    )
    rows = [
        "1,2.1,3.1,4.1,1.1,0.5,0.25,0.125,0.0625,3,4,1,0.1,0.1,0.1",
        "2,4.2,3,4,1,0.6,0.3,0.2,0.1,3,4,1,0.1,0.1,0.1",
    ]
    (tmp_path / "results.csv").write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    epochs = results_csv_metrics(tmp_path / "results.csv")
    assert sorted(epochs) == [1, 2]
    assert set(epochs[1]) == set(EPOCH_METRICS)
    assert epochs[1]["train/box_loss"] == 3.1 and epochs[1]["val/mAP50-95"] == 0.0625
    assert epochs[2]["val/precision"] == 0.6
    assert results_csv_metrics(tmp_path / "absent.csv") == {}


def test_a_started_tracker_goes_to_ddp_processes_and_logs_into_the_same_run(tmp_path: Path, mlflow_server) -> None:
    # With several GPUs Ultralytics cloudpickles the trainer's callbacks, and what they hold, into its DDP
    # processes (ultralytics/utils/dist.py); the per-epoch hook holds the tracker.
    import cloudpickle
    from mlflow.tracking import MlflowClient

    env = {"MLFLOW_TRACKING_URI": mlflow_server.uri, "MLFLOW_EXPERIMENT_NAME": "yolops-ddp"}
    tracker = MlflowTracker.from_env(env)
    tracker.start("ddp", {}, tmp_path / "mlflow_run.json")
    in_ddp_process = cloudpickle.loads(cloudpickle.dumps(lambda epoch: tracker.log_epoch(epoch, {"val/mAP50": 0.5})))
    in_ddp_process(1)
    steps = [m.step for m in MlflowClient(mlflow_server.uri).get_metric_history(tracker.run_id, "val/mAP50")]
    assert steps == [1]
