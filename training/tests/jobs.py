"""A SageMaker-like job folder (channel, model dir, output, checkpoints) and ways to run the entrypoints in it."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pytest

TRAINING_DIR = Path(__file__).resolve().parents[1]
TRAIN_PY = TRAINING_DIR / "train.py"
EVALUATE_PY = TRAINING_DIR / "evaluate.py"
DURATIONS: dict[str, float] = {}  # label -> seconds, printed in the terminal summary (conftest.py)


@dataclass(frozen=True)
class Finished:
    returncode: int
    stdout: str
    stderr: str
    seconds: float


@dataclass
class Job:
    root: Path
    extra_env: dict[str, str] = field(default_factory=dict)

    @property
    def channel(self) -> Path:
        return self.root / "input" / "data" / "training"

    @property
    def config_dir(self) -> Path:
        return self.root / "input" / "config"

    @property
    def model_dir(self) -> Path:
        return self.root / "model"

    @property
    def output_dir(self) -> Path:
        return self.root / "output"

    @property
    def output_data_dir(self) -> Path:
        return self.root / "output" / "data"

    @property
    def checkpoint_dir(self) -> Path:
        return self.root / "checkpoints"

    @property
    def failure_file(self) -> Path:
        return self.output_dir / "failure"

    def env(self) -> dict[str, str]:
        """The SageMaker variables a script-mode container sets, pointed at this job's folders."""
        return {
            "SM_CHANNEL_TRAINING": str(self.channel),
            "SM_MODEL_DIR": str(self.model_dir),
            "SM_OUTPUT_DIR": str(self.output_dir),
            "SM_OUTPUT_DATA_DIR": str(self.output_data_dir),
            "SM_CHECKPOINT_DIR": str(self.checkpoint_dir),
            "SM_INPUT_CONFIG_DIR": str(self.config_dir),
            "YOLOPS_WORK_DIR": str(self.root / "work"),
            **self.extra_env,
        }

    def start_train(self, args: list[str]) -> subprocess.Popen[str]:
        return subprocess.Popen(
            [sys.executable, str(TRAIN_PY), *args],
            env={**os.environ, **self.env()},
            cwd=self.root,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    def run_train(self, args: list[str], label: str | None = None, timeout: float = 600) -> Finished:
        started = time.monotonic()
        process = self.start_train(args)
        stdout, stderr = process.communicate(timeout=timeout)
        seconds = time.monotonic() - started
        if label:
            DURATIONS[label] = seconds
        return Finished(process.returncode, stdout, stderr, seconds)

    def run_evaluate(self, args: list[str], label: str | None = None, timeout: float = 300) -> Finished:
        started = time.monotonic()
        completed = subprocess.run(
            [sys.executable, str(EVALUATE_PY), *args],
            env={**os.environ, **self.env()},
            cwd=self.root,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        seconds = time.monotonic() - started
        if label:
            DURATIONS[label] = seconds
        return Finished(completed.returncode, completed.stdout, completed.stderr, seconds)


def _in_process(job: Job, monkeypatch: pytest.MonkeyPatch, main: Callable[[list[str]], int], args: list[str]) -> int:
    for key, value in job.env().items():
        monkeypatch.setenv(key, value)
    saved = dict(os.environ)  # the job sets variables for Ultralytics and MLflow; keep them out of later tests
    try:
        return main(args)
    finally:
        os.environ.clear()
        os.environ.update(saved)


def run_train_in_process(job: Job, args: list[str], monkeypatch: pytest.MonkeyPatch) -> int:
    """train.py's main() in this process (Ultralytics is imported once per session): for jobs without a training."""
    from yolops_training.train_job import main

    return _in_process(job, monkeypatch, main, args)


def run_evaluate_in_process(job: Job, args: list[str], monkeypatch: pytest.MonkeyPatch) -> int:
    from yolops_training.evaluation import main

    return _in_process(job, monkeypatch, main, args)
