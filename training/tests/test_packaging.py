"""The two ways the code ships: a script-mode sourcedir.tar.gz of training/ and the image (Dockerfile) that
trains (`docker run <image> train`) and serves (`docker run <image> serve`)."""

from __future__ import annotations

import json
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
ENTRYPOINT_SCRIPT = TRAINING_DIR / "container_entrypoint.sh"
RUNTIME_FILES = (
    "train.py",
    "evaluate.py",
    "preprocess.py",
    "metric_definitions.json",
    "requirements.lock.txt",
    "yolops_training",
    "serve",
    "container_entrypoint.sh",
    "yolops_serving",
    "yolops_dataprep",
)


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
    assert "COPY train.py evaluate.py preprocess.py metric_definitions.json serve container_entrypoint.sh ./" in lines
    assert "COPY yolops_training/ ./yolops_training/" in lines
    assert "COPY yolops_serving/ ./yolops_serving/" in lines
    assert "COPY yolops_dataprep/ ./yolops_dataprep/" in lines
    # Dependencies are installed before the code is copied, so a code change does not reinstall torch.
    install = lines.index("RUN pip install --no-cache-dir --require-hashes -r requirements.lock.txt")
    assert all(install < index for index, line in enumerate(lines) if line.startswith("COPY") and "requirements" not in line)
    assert "EXPOSE 8080" in lines  # SageMaker hosting's port
    assert lines[-1] == 'ENTRYPOINT ["/bin/sh", "/opt/ml/code/container_entrypoint.sh"]'


def copied_sources() -> list[str]:
    """What the COPY instructions take from the build context (training/), as written."""
    return [source for line in instructions() if line.startswith("COPY ") for source in line.split()[1:-1]]


def test_every_copied_file_exists_and_the_dockerignore_lets_it_in() -> None:
    sources = copied_sources()
    assert {source.rstrip("/") for source in sources} == set(RUNTIME_FILES)
    for source in sources:
        assert (TRAINING_DIR / source).is_dir() if source.endswith("/") else (TRAINING_DIR / source).is_file(), source


def test_the_image_entrypoint_dispatches_to_the_scripts_these_tests_run() -> None:
    script = ENTRYPOINT_SCRIPT.read_text()
    assert f'"$code_dir/{TRAIN_PY.name}"' in script and TRAIN_PY.parent == TRAINING_DIR
    assert '"$code_dir/serve"' in script and (TRAINING_DIR / "serve").is_file()
    assert EVALUATE_PY.name in DOCKERFILE  # a processing job's ContainerEntrypoint: python /opt/ml/code/evaluate.py


def _stub_layout(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """The entrypoint beside a train.py and a serve that print their arguments, and `python` on PATH as the
    image has it; returns the script and the environment to run it in."""
    code = tmp_path / "opt" / "ml" / "code"
    code.mkdir(parents=True)
    shutil.copy(ENTRYPOINT_SCRIPT, code / ENTRYPOINT_SCRIPT.name)
    for name in ("train.py", "serve"):
        (code / name).write_text(
            f"import json, sys\nprint(json.dumps({{'program': {name!r}, 'argv': sys.argv[1:]}}))\n"
        )
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "python").symlink_to(sys.executable)
    return code / ENTRYPOINT_SCRIPT.name, {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}"}


def _dispatch(script: Path, env: dict[str, str], *args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["/bin/sh", str(script), *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize(
    ("args", "program", "argv"),
    [
        (["train"], "train.py", []),  # SageMaker training: docker run <image> train
        (["train", "--epochs", "3", "--model", "a b.pt"], "train.py", ["--epochs", "3", "--model", "a b.pt"]),
        (["serve"], "serve", []),  # SageMaker hosting: docker run <image> serve
        (["serve", "--port", "9090"], "serve", ["--port", "9090"]),
    ],
)
def test_the_entrypoint_runs_train_or_serve_with_the_remaining_arguments(
    tmp_path: Path, args: list[str], program: str, argv: list[str]
) -> None:
    script, env = _stub_layout(tmp_path)
    result = _dispatch(script, env, *args, cwd=tmp_path)  # from another folder: the scripts are found beside it
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {"program": program, "argv": argv}


def test_the_entrypoint_runs_any_other_command_as_given(tmp_path: Path) -> None:
    script, env = _stub_layout(tmp_path)
    result = _dispatch(script, env, "python", "-c", "import sys; print(sys.argv[1:])", "x y")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "['x y']"
    failing = _dispatch(script, env, "sh", "-c", "exit 7")
    assert failing.returncode == 7  # exec: the command's own status is the container's


def test_the_entrypoint_without_a_command_prints_its_usage(tmp_path: Path) -> None:
    script, env = _stub_layout(tmp_path)
    result = _dispatch(script, env)
    assert result.returncode == 2
    assert "usage: <image> train [ARGS...] | serve [ARGS...]" in result.stderr


def test_the_entrypoint_through_a_symlink_finds_the_scripts_beside_the_real_file(tmp_path: Path) -> None:
    script, env = _stub_layout(tmp_path)
    link = tmp_path / "entrypoint"
    link.symlink_to(script)
    result = _dispatch(link, env, "train", "--seed", "1")
    assert json.loads(result.stdout) == {"program": "train.py", "argv": ["--seed", "1"]}


def test_the_entrypoint_starts_the_real_inference_server_cli(tmp_path: Path) -> None:
    """The training folder as the image lays it out: `serve --help` reaches yolops_serving's own parser."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "python").symlink_to(sys.executable)
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}", "PYTHONPATH": ""}
    result = _dispatch(ENTRYPOINT_SCRIPT, env, "serve", "--help", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "yolops inference server (SageMaker hosting)" in result.stdout and "--model-dir" in result.stdout


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
