"""Test environment: offline Ultralytics with a private config dir, no MLflow unless a test sets it, and the
shared fixtures (a real MLflow server, one real training run shared by many tests)."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

# Before anything imports Ultralytics (it reads these at import): never reach the network, keep settings
# and fonts in a temporary folder, and use both CPUs of the test machine.
for _key in list(os.environ):
    if _key.startswith(("SM_", "MLFLOW_", "YOLOPS_")) or _key in ("TRAINING_JOB_NAME", "YOLO_CONFIG_DIR"):
        del os.environ[_key]
_CONFIG_DIR = Path(tempfile.mkdtemp(prefix="yolops-tests-config-"))
os.environ.update(
    {"YOLO_OFFLINE": "true", "YOLO_CONFIG_DIR": str(_CONFIG_DIR), "OMP_NUM_THREADS": "2", "MPLBACKEND": "Agg"}
)


def _install_fonts() -> None:
    import matplotlib

    source = Path(matplotlib.get_data_path()) / "fonts" / "ttf" / "DejaVuSans.ttf"
    (_CONFIG_DIR / "Ultralytics").mkdir(parents=True, exist_ok=True)
    for name in ("Arial.ttf", "Arial.Unicode.ttf"):
        shutil.copyfile(source, _CONFIG_DIR / "Ultralytics" / name)


_install_fonts()

from jobs import DURATIONS, Job  # noqa: E402
from mlflow_server import MlflowServer  # noqa: E402
from synthetic_dataset import make_dataset, snapshot  # noqa: E402


def pytest_unconfigure(config: pytest.Config) -> None:
    shutil.rmtree(_CONFIG_DIR, ignore_errors=True)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if DURATIONS:
        terminalreporter.section("yolops job durations (subprocess wall time, CPU)")
        for label, seconds in DURATIONS.items():
            terminalreporter.write_line(f"{label}: {seconds:.1f} s")


@pytest.fixture(scope="session", autouse=True)
def _mlflow_server_process(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MlflowServer]:
    """Started when the session starts (it takes ~15 s to come up) and stopped, group and all, at its end."""
    server = MlflowServer(tmp_path_factory.mktemp("mlflow-server"))
    yield server
    server.stop()


@pytest.fixture(scope="session")
def mlflow_server(_mlflow_server_process: MlflowServer) -> MlflowServer:
    _mlflow_server_process.wait_ready()
    return _mlflow_server_process


@pytest.fixture
def job(tmp_path: Path) -> Job:
    return Job(tmp_path / "job")


class TrainedJob:
    """The shared real training: script mode arguments, MLflow on, 3 epochs at imgsz 64 on the CPU."""

    EPOCHS = 3
    EXPERIMENT = "yolops-tests"
    EXECUTION_ID = "exec-0001"
    INSTANCE_TYPE = "ml.g5.xlarge"
    BACKGROUNDS = 2

    def __init__(self, job: Job, server: MlflowServer) -> None:
        self.job = job
        self.server = server
        self.dataset = make_dataset(job.channel, train=24, val=8, backgrounds=self.BACKGROUNDS)
        self.channel_before = snapshot(job.channel)
        job.extra_env.update(
            {
                "MLFLOW_TRACKING_URI": server.uri,
                "MLFLOW_EXPERIMENT_NAME": self.EXPERIMENT,
                "YOLOPS_EXECUTION_ID": self.EXECUTION_ID,
                "SM_CURRENT_INSTANCE_TYPE": self.INSTANCE_TYPE,
                "TRAINING_JOB_NAME": "yolops-train-0001",
            }
        )
        args = [
            "--epochs",
            str(self.EPOCHS),
            "--batch_size",
            "8",
            "--imgsz",
            "64",
            "--model",
            "yolo11n.yaml",
            "--seed",
            "0",
        ]
        self.result = job.run_train(args, label=f"shared training ({self.EPOCHS} epochs, imgsz 64, 24+8 images)")


@pytest.fixture(scope="session")
def trained(tmp_path_factory: pytest.TempPathFactory, mlflow_server: MlflowServer) -> TrainedJob:
    trained = TrainedJob(Job(tmp_path_factory.mktemp("trained") / "job"), mlflow_server)
    assert trained.result.returncode == 0, (
        f"training failed:\n{trained.result.stdout[-4000:]}\n{trained.result.stderr[-4000:]}"
    )
    return trained


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Fast tests first: they run while the MLflow server starts, the real trainings come after."""
    items.sort(key=lambda item: item.get_closest_marker("slow") is not None)
