"""Managed spot: a training killed after epoch 2 resumes (remaining epochs only, same MLflow run), and a job
whose epochs were all done before the kill only writes the final outputs."""

from __future__ import annotations

import csv
import json
import shutil
import signal
import time
from pathlib import Path

import pytest
from jobs import DURATIONS, Job, run_train_in_process
from mlflow_server import MlflowServer
from synthetic_dataset import make_dataset

pytestmark = pytest.mark.slow

EPOCHS = 4
# plots=false: these jobs test resuming; the plot files are covered by the shared training run.
ARGS = ["--epochs", str(EPOCHS), "--batch_size", "8", "--imgsz", "64", "--model", "yolo11n.yaml", "--plots", "false"]


def csv_epochs(path: Path) -> list[int]:
    with open(path, encoding="utf-8") as f:
        return [int(float(row["epoch"])) for row in csv.DictReader(f)]


def completed_epochs(job: Job) -> int:
    state = job.checkpoint_dir / "yolops-checkpoint.json"
    if not state.is_file():
        return 0
    return int(json.loads(state.read_text())["completed_epochs"])


class KilledAndResumed:
    def __init__(self, job: Job, server: MlflowServer) -> None:
        self.job = job
        make_dataset(job.channel, layout="roboflow", train=16, val=8, seed=1)
        job.extra_env.update(
            {
                "MLFLOW_TRACKING_URI": server.uri,
                "MLFLOW_EXPERIMENT_NAME": "yolops-resume",
                "TRAINING_JOB_NAME": "spot-job",
            }
        )
        self.server = server

        started = time.monotonic()
        first = job.start_train(ARGS)
        deadline = time.monotonic() + 300
        while completed_epochs(job) < 2 and first.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        first.send_signal(signal.SIGKILL)  # a spot interruption gives no chance to clean up
        self.first_stdout, _ = first.communicate(timeout=60)
        self.first_returncode = first.returncode
        self.killed_after = completed_epochs(job)
        DURATIONS["resume test: attempt 1, killed after epoch 2"] = time.monotonic() - started

        self.second = job.run_train(ARGS, label="resume test: attempt 2, remaining epochs")
        self.model_files = {p.name for p in job.model_dir.iterdir()} if job.model_dir.is_dir() else set()
        self.run_id = (
            json.loads((job.model_dir / "mlflow_run.json").read_text())["run_id"] if self.model_files else None
        )


@pytest.fixture(scope="module")
def resumed(tmp_path_factory: pytest.TempPathFactory, mlflow_server: MlflowServer) -> KilledAndResumed:
    return KilledAndResumed(Job(tmp_path_factory.mktemp("resume") / "job"), mlflow_server)


def test_first_attempt_was_killed_mid_training(resumed: KilledAndResumed) -> None:
    assert resumed.first_returncode == -signal.SIGKILL
    assert 2 <= resumed.killed_after < EPOCHS


def test_second_attempt_resumes_instead_of_restarting(resumed: KilledAndResumed) -> None:
    assert resumed.second.returncode == 0, resumed.second.stderr[-3000:]
    done = resumed.killed_after
    assert f"resuming from the checkpoint dir {resumed.job.checkpoint_dir}: {done} epochs done" in resumed.second.stdout
    assert f"from epoch {done + 1} to {EPOCHS} total epochs" in resumed.second.stdout
    trained_again = [
        line.split()[1] for line in resumed.second.stdout.splitlines() if line.startswith("yolops-metrics ")
    ]
    assert trained_again == [f"epoch={e}/{EPOCHS}" for e in range(done + 1, EPOCHS + 1)]


def test_results_csv_has_each_epoch_exactly_once(resumed: KilledAndResumed) -> None:
    assert csv_epochs(resumed.job.model_dir / "results.csv") == [1, 2, 3, 4]
    assert "results.csv" in resumed.model_files and "best.pt" in resumed.model_files


def test_the_same_mlflow_run_continues_with_each_epoch_once(resumed: KilledAndResumed) -> None:
    from mlflow.tracking import MlflowClient

    record = json.loads((resumed.job.model_dir / "mlflow_run.json").read_text())
    stored = json.loads((resumed.job.checkpoint_dir / "mlflow_run.json").read_text())
    assert record["run_id"] == stored["run_id"]
    assert "continuing run" in resumed.second.stdout
    client = MlflowClient(resumed.server.uri)
    experiment = client.get_experiment_by_name("yolops-resume")
    assert experiment is not None
    assert [r.info.run_id for r in client.search_runs([experiment.experiment_id])] == [record["run_id"]]
    steps = sorted(m.step for m in client.get_metric_history(record["run_id"], "val/mAP50-95"))
    assert steps == [1, 2, 3, 4]
    assert client.get_run(record["run_id"]).info.status == "FINISHED"


def test_a_job_restarted_after_its_last_epoch_only_finishes_the_outputs(
    resumed: KilledAndResumed, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    job = resumed.job
    for path in job.model_dir.iterdir():
        path.unlink()
    assert run_train_in_process(job, ARGS, monkeypatch) == 0
    assert "all epochs were done before the interruption" in capsys.readouterr().out
    assert {p.name for p in job.model_dir.iterdir()} == resumed.model_files
    assert csv_epochs(job.model_dir / "results.csv") == [1, 2, 3, 4]
    assert json.loads((job.model_dir / "mlflow_run.json").read_text())["run_id"] == resumed.run_id


def test_a_checkpoint_of_another_training_is_refused(
    resumed: KilledAndResumed, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    other = Job(tmp_path / "other")
    make_dataset(other.channel, layout="roboflow", train=16, val=8, seed=1)
    shutil.copytree(resumed.job.checkpoint_dir, other.checkpoint_dir)
    assert run_train_in_process(other, ["--epochs", "6", *ARGS[2:]], monkeypatch) == 1
    reason = other.failure_file.read_text()
    assert "holds a checkpoint of a different training" in reason and "epochs" in reason
    assert "own checkpoint location" in reason
    assert not other.model_dir.exists()
