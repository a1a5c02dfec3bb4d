"""The SageMaker container contract as typed values: directories and job facts read from the environment.

Every value has SageMaker's default, so the same code runs in a SageMaker training job (which sets none or
some of these variables), in AWS's PyTorch container in script mode (which sets all of the SM_* ones) and on
a user's machine, where the local runner points them at folders of its own.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path


def _path(env: Mapping[str, str], name: str, default: str) -> Path:
    value = env.get(name, "").strip()
    return Path(value or default)


@dataclass(frozen=True)
class TrainingPaths:
    """Where a training job reads its inputs and writes its outputs."""

    training_channel: Path  # SM_CHANNEL_TRAINING: the dataset (data.yaml + images + labels), maybe read-only
    model_dir: Path  # SM_MODEL_DIR: becomes model.tar.gz
    output_data_dir: Path  # SM_OUTPUT_DATA_DIR: becomes output.tar.gz (the whole Ultralytics run folder)
    output_dir: Path  # SM_OUTPUT_DIR: holds the `failure` file
    checkpoint_dir: Path  # SM_CHECKPOINT_DIR: synced to S3 by SageMaker, restored on a managed-spot restart
    input_config_dir: Path  # SM_INPUT_CONFIG_DIR: holds hyperparameters.json
    work_dir: Path  # YOLOPS_WORK_DIR: scratch (dataset mirror, resolved data.yaml, Ultralytics settings)

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> TrainingPaths:
        output_dir = _path(env, "SM_OUTPUT_DIR", "/opt/ml/output")
        return cls(
            training_channel=_path(env, "SM_CHANNEL_TRAINING", "/opt/ml/input/data/training"),
            model_dir=_path(env, "SM_MODEL_DIR", "/opt/ml/model"),
            output_data_dir=_path(env, "SM_OUTPUT_DATA_DIR", str(output_dir / "data")),
            output_dir=output_dir,
            checkpoint_dir=_path(env, "SM_CHECKPOINT_DIR", "/opt/ml/checkpoints"),
            input_config_dir=_path(env, "SM_INPUT_CONFIG_DIR", "/opt/ml/input/config"),
            # Under /opt/ml/output (the job's storage volume, not uploaded: only output/data is) rather than
            # /tmp, which lives on the container's small root volume.
            work_dir=_path(env, "YOLOPS_WORK_DIR", str(output_dir / "yolops-work")),
        )

    @property
    def failure_file(self) -> Path:
        return self.output_dir / "failure"

    @property
    def hyperparameters_file(self) -> Path:
        return self.input_config_dir / "hyperparameters.json"


def instance_type(env: Mapping[str, str]) -> str:
    """The instance type for MLflow params: SageMaker's, else the one the local runner passes, else 'local'."""
    return env.get("SM_CURRENT_INSTANCE_TYPE", "").strip() or env.get("YOLOPS_INSTANCE_TYPE", "").strip() or "local"


def run_name(env: Mapping[str, str], now: float | None = None) -> str:
    """The MLflow run name: the pipeline execution when known, else the training job, else a timestamp."""
    for name in ("YOLOPS_EXECUTION_ID", "TRAINING_JOB_NAME"):
        value = env.get(name, "").strip()
        if value:
            return value
    return time.strftime("yolo-%Y%m%d-%H%M%S", time.gmtime(now))
