"""The container contract's defaults and the run name / instance type fallbacks."""

from __future__ import annotations

from pathlib import Path

from yolops_training.sagemaker_env import TrainingPaths, instance_type, run_name


def test_sagemaker_defaults() -> None:
    paths = TrainingPaths.from_env({})
    assert paths.training_channel == Path("/opt/ml/input/data/training")
    assert paths.model_dir == Path("/opt/ml/model")
    assert paths.output_data_dir == Path("/opt/ml/output/data")
    assert paths.checkpoint_dir == Path("/opt/ml/checkpoints")
    assert paths.failure_file == Path("/opt/ml/output/failure")
    assert paths.hyperparameters_file == Path("/opt/ml/input/config/hyperparameters.json")
    assert paths.work_dir == Path("/opt/ml/output/yolops-work")


def test_environment_overrides() -> None:
    paths = TrainingPaths.from_env({"SM_CHANNEL_TRAINING": "/d", "SM_OUTPUT_DIR": "/o", "SM_CHECKPOINT_DIR": "/c"})
    assert (paths.training_channel, paths.output_data_dir, paths.checkpoint_dir, paths.work_dir) == (
        Path("/d"),
        Path("/o/data"),
        Path("/c"),
        Path("/o/yolops-work"),
    )


def test_instance_type_fallbacks() -> None:
    assert instance_type({"SM_CURRENT_INSTANCE_TYPE": "ml.g5.xlarge", "YOLOPS_INSTANCE_TYPE": "x"}) == "ml.g5.xlarge"
    assert instance_type({"YOLOPS_INSTANCE_TYPE": "ml.g5.2xlarge"}) == "ml.g5.2xlarge"
    assert instance_type({}) == "local"


def test_run_name_fallbacks() -> None:
    assert run_name({"YOLOPS_EXECUTION_ID": "exec-1", "TRAINING_JOB_NAME": "job-1"}) == "exec-1"
    assert run_name({"TRAINING_JOB_NAME": "job-1"}) == "job-1"
    assert run_name({}, now=0) == "yolo-19700101-000000"
