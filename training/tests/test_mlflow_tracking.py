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
    uri = f"http://127.0.0.1:{free_port()}"
    tracker = MlflowTracker.from_env({"MLFLOW_TRACKING_URI": uri, "MLFLOW_EXPERIMENT_NAME": "x"})
    started = time.monotonic()
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
