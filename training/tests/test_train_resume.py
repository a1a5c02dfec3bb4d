"""Managed spot: a training killed right after the checkpoint of epoch 2, before that epoch reached MLflow, resumes
(remaining epochs only, same MLflow run, the lost epoch logged from results.csv), and a job whose epochs were all
done before the kill only writes the final outputs."""

from __future__ import annotations

import csv
import json
import shutil
import signal
from pathlib import Path

import pytest
from jobs import Job, run_train_in_process
from mlflow_server import MlflowServer
from synthetic_dataset import make_dataset

from yolops_training.train_job import KILL_AFTER_CHECKPOINT_ENV

pytestmark = pytest.mark.slow

EPOCHS = 4
KILLED_AFTER = 2  # the job kills itself between the checkpoint of this epoch and its MLflow call
# plots=false: these jobs test resuming; the plot files are covered by the shared training run.
ARGS = ["--epochs", str(EPOCHS), "--batch_size", "8", "--imgsz", "64", "--model", "yolo11n.yaml", "--plots", "false"]
MAP = "val/mAP50-95"


def csv_epochs(path: Path) -> list[int]:
    with open(path, encoding="utf-8") as f:
        return [int(float(row["epoch"])) for row in csv.DictReader(f)]


def completed_epochs(job: Job) -> int:
    state = job.checkpoint_dir / "yolops-checkpoint.json"
    if not state.is_file():
        return 0
    return int(json.loads(state.read_text())["completed_epochs"])


def logged_steps(server: MlflowServer, run_id: str, metric: str = MAP) -> list[int]:
    from mlflow.tracking import MlflowClient

    return sorted(m.step for m in MlflowClient(server.uri).get_metric_history(run_id, metric))


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

        # SIGKILL, as a spot interruption gives no chance to clean up, at the moment it costs the most.
        job.extra_env[KILL_AFTER_CHECKPOINT_ENV] = str(KILLED_AFTER)
        self.first = job.run_train(ARGS, label=f"resume test: attempt 1, killed after checkpoint {KILLED_AFTER}")
        del job.extra_env[KILL_AFTER_CHECKPOINT_ENV]
        self.killed_after = completed_epochs(job)
        self.csv_before_resume = csv_epochs(job.checkpoint_dir / "results.csv")
        self.first_run_id = json.loads((job.checkpoint_dir / "mlflow_run.json").read_text())["run_id"]
        self.steps_before_resume = logged_steps(server, self.first_run_id)

        self.second = job.run_train(ARGS, label="resume test: attempt 2, remaining epochs")
        self.model_files = {p.name for p in job.model_dir.iterdir()} if job.model_dir.is_dir() else set()
        self.run_id = (
            json.loads((job.model_dir / "mlflow_run.json").read_text())["run_id"] if self.model_files else None
        )


@pytest.fixture(scope="module")
def resumed(tmp_path_factory: pytest.TempPathFactory, mlflow_server: MlflowServer) -> KilledAndResumed:
    return KilledAndResumed(Job(tmp_path_factory.mktemp("resume") / "job"), mlflow_server)


def test_first_attempt_was_killed_after_a_checkpoint_before_its_mlflow_call(resumed: KilledAndResumed) -> None:
    assert resumed.first.returncode == -signal.SIGKILL, resumed.first.stderr[-3000:]
    assert resumed.killed_after == KILLED_AFTER
    assert resumed.csv_before_resume == list(range(1, KILLED_AFTER + 1))
    assert f"epoch={KILLED_AFTER}/{EPOCHS}" not in resumed.first.stdout  # killed before its metrics line too
    assert resumed.steps_before_resume == list(range(1, KILLED_AFTER))  # the last checkpointed epoch never got there


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
    caught_up = f"MLflow: logged the metrics of epoch {KILLED_AFTER}, finished before the interruption"
    assert caught_up in resumed.second.stdout
    for name in ("train/box_loss", "val/precision", "val/recall", "val/mAP50", MAP):
        assert logged_steps(resumed.server, record["run_id"], name) == [1, 2, 3, 4], name
    with open(resumed.job.model_dir / "results.csv", encoding="utf-8") as f:
        row = next(r for r in csv.DictReader(f) if int(float(r["epoch"])) == KILLED_AFTER)
    [caught_up_map] = [m for m in client.get_metric_history(record["run_id"], MAP) if m.step == KILLED_AFTER]
    assert caught_up_map.value == pytest.approx(float(row["metrics/mAP50-95(B)"]), abs=1e-6)
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
