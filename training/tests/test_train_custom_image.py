"""The custom-image way (`docker run <image> train`, hyperparameters only in hyperparameters.json as the
SageMaker SDK writes them) with an MLflow server that does not answer: training finishes regardless."""

from __future__ import annotations

import json

import pytest
from jobs import Finished, Job
from mlflow_server import free_port
from synthetic_dataset import make_dataset

pytestmark = pytest.mark.slow

HYPERPARAMETERS = {  # every value a string, JSON-encoded by the SageMaker Python SDK
    "epochs": "1",
    "batch_size": "8",
    "imgsz": "64",
    "model": '"yolo11n.yaml"',
    "cache": '"auto"',
    "sagemaker_program": '"train.py"',
    "sagemaker_submit_directory": '"s3://bucket/sourcedir.tar.gz"',
    "sagemaker_region": '"eu-west-1"',
    "sagemaker_container_log_level": "20",
    "sagemaker_job_name": '"yolops-train-0002"',
}


@pytest.fixture(scope="module")
def offline_tracking_job(tmp_path_factory: pytest.TempPathFactory) -> tuple[Job, Finished]:
    job = Job(tmp_path_factory.mktemp("custom-image") / "job")
    make_dataset(job.channel, layout="roboflow", train=16, val=8, seed=2)
    job.config_dir.mkdir(parents=True)
    (job.config_dir / "hyperparameters.json").write_text(json.dumps(HYPERPARAMETERS))
    job.extra_env["MLFLOW_TRACKING_URI"] = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    # No SM_* variables but the folders: a custom image gets no SageMaker toolkit.
    return job, job.run_train(["train"], label="custom image, unreachable MLflow (1 epoch)")


def test_training_finishes_and_the_model_dir_is_complete(offline_tracking_job: tuple[Job, Finished]) -> None:
    job, result = offline_tracking_job
    assert result.returncode == 0, result.stderr[-3000:]
    names = {p.name for p in job.model_dir.iterdir()}
    assert {
        "best.pt",
        "last.pt",
        "results.csv",
        "results.png",
        "confusion_matrix.png",
        "BoxF1_curve.png",
        "BoxPR_curve.png",
        "args.yaml",
        "mlflow_run.json",
    } <= names
    assert not [n for n in names if n.endswith(".partial")]


def test_a_warning_says_what_was_not_logged(offline_tracking_job: tuple[Job, Finished]) -> None:
    job, result = offline_tracking_job
    uri = job.extra_env["MLFLOW_TRACKING_URI"]
    assert f"MLflow tracking server {uri} unreachable" in result.stderr
    assert "nothing is logged to MLflow" in result.stderr
    assert "not logged to" in result.stderr and "the whole run (params, per-epoch metrics, artifacts)" in result.stderr
    record = json.loads((job.model_dir / "mlflow_run.json").read_text())
    assert record["run_id"] is None and uri in record["reason"]


def test_the_unreachable_server_costs_seconds_not_minutes(offline_tracking_job: tuple[Job, Finished]) -> None:
    _, result = offline_tracking_job
    assert result.seconds < 120  # MLflow's default retries alone would take minutes


def test_sagemaker_keys_are_ignored_and_json_quoted_values_decoded(offline_tracking_job: tuple[Job, Finished]) -> None:
    job, result = offline_tracking_job
    assert "ignoring SageMaker's own hyperparameters: sagemaker_program, sagemaker_submit_directory" in result.stdout
    args = (job.model_dir / "args.yaml").read_text()
    assert "epochs: 1\n" in args and "imgsz: 64\n" in args and "batch: 8\n" in args
    assert "auto cache=" in result.stdout  # 'auto' chosen from the machine


def test_roboflow_layout_with_valid_split_trains_as_is(offline_tracking_job: tuple[Job, Finished]) -> None:
    _, result = offline_tracking_job
    assert "val: val: '../valid/images' -> valid/images" in result.stdout
    assert "train: train: '../train/images' -> train/images" in result.stdout
