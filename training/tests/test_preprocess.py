"""preprocess.py as the Preprocess processing job runs it (a real process, through processing_entrypoint.sh for
one case): preprocess.json always, the dataset in --output, exit 0 / 2 with one line and the exit message."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from jobs import TRAINING_DIR
from PIL import Image
from synthetic_dataset import make_dataset

from yolops_dataprep.convert import validate_dataset

PREPROCESS_PY = TRAINING_DIR / "preprocess.py"
CORPUS = TRAINING_DIR.parent / "test" / "corpus" / "labelled"
REPORT_KEYS = {"schemaVersion", "format", "converted", "valid", "splits", "classes", "problems", "errors", "warnings"}


class Job:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.output = root / "processing" / "dataset"
        self.report = root / "processing" / "report"
        self.sm_output = root / "sm-output"
        self.output.mkdir(parents=True)  # SageMaker creates the output folders before the job starts

    def run(self, input: Path, format: str, split: str = "0.8,0.2", command: list[str] | None = None) -> subprocess.CompletedProcess[str]:
        args = ["--input", str(input), "--format", format, "--split", split, "--seed", "0", "--output", str(self.output), "--report", str(self.report)]
        env = {**os.environ, "SM_OUTPUT_DIR": str(self.sm_output)}
        return subprocess.run([*(command or [sys.executable, str(PREPROCESS_PY)]), *args], capture_output=True, text=True, env=env, timeout=120)

    @property
    def preprocess_json(self) -> dict:
        data = json.loads((self.report / "preprocess.json").read_text())
        assert set(data) == REPORT_KEYS and data["schemaVersion"] == 1
        assert data["errors"] == sum(p["severity"] == "error" for p in data["problems"])
        return data

    @property
    def message(self) -> str:
        return (self.sm_output / "message").read_text()


def _voc_export(folder: Path, n: int = 10) -> Path:
    (folder / "Annotations").mkdir(parents=True)
    (folder / "JPEGImages").mkdir()
    for i in range(n):
        Image.new("RGB", (50, 40), (i * 20, 10, 10)).save(folder / "JPEGImages" / f"{i:06d}.jpg")
        name = "cat" if i % 2 else "dog"
        (folder / "Annotations" / f"{i:06d}.xml").write_text(
            f"<annotation><filename>{i:06d}.jpg</filename><size><width>50</width><height>40</height></size>"
            f"<object><name>{name}</name><bndbox><xmin>5</xmin><ymin>5</ymin><xmax>30</xmax><ymax>25</ymax></bndbox></object></annotation>"
        )
    (folder / ".yolops-upload.json").write_text("{}")
    return folder


BLOCK_ULTRALYTICS = """import importlib.abc, sys
class _NoUltralytics(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] == "ultralytics":
            raise ModuleNotFoundError(name)
        return None
sys.meta_path.insert(0, _NoUltralytics())
"""


def _image_without_ultralytics(root: Path) -> tuple[str, Path]:
    """A `python3` for the entrypoint that sees this environment without Ultralytics, as a SageMaker PyTorch
    image does, and records `python3 -m pip ...` instead of installing: (the PATH to run with, the pip log)."""
    bin_dir, blocker, log = root / "bin", root / "blocker", root / "pip.log"
    bin_dir.mkdir(parents=True)
    blocker.mkdir()
    (blocker / "sitecustomize.py").write_text(BLOCK_ULTRALYTICS)
    shim = bin_dir / "python3"
    shim.write_text(
        "#!/usr/bin/env bash\n"
        f'if [[ "$1" == "-m" && "$2" == "pip" ]]; then echo "$*" >> {log}; exit 0; fi\n'
        f'PYTHONPATH={blocker} exec {sys.executable} "$@"\n'
    )
    shim.chmod(0o755)
    return f"{bin_dir}{os.pathsep}{os.environ['PATH']}", log


def _code_copy(tmp_path: Path) -> Path:
    code = tmp_path / "code"
    code.mkdir()
    for name in ("processing_entrypoint.sh", "preprocess.py", "evaluate.py", "requirements.txt"):
        shutil.copy(TRAINING_DIR / name, code / name)
    for package in ("yolops_dataprep", "yolops_training"):
        shutil.copytree(TRAINING_DIR / package, code / package, ignore=shutil.ignore_patterns("__pycache__"))
    return code


def test_a_voc_export_is_converted_through_the_processing_entrypoint(tmp_path: Path) -> None:
    """The job's real command line, bash processing_entrypoint.sh preprocess.py ..., from a copy of the code, in
    an image without Ultralytics: the Preprocess job needs only PyYAML and Pillow, so nothing is installed."""
    code = _code_copy(tmp_path)
    job = Job(tmp_path)
    env_path, pip_log = _image_without_ultralytics(tmp_path / "image")
    os.environ["PATH"], saved = env_path, os.environ["PATH"]
    try:
        result = job.run(_voc_export(tmp_path / "voc"), "voc", command=["bash", str(code / "processing_entrypoint.sh"), "preprocess.py"])
    finally:
        os.environ["PATH"] = saved
    assert result.returncode == 0, result.stderr
    assert not pip_log.exists()
    report = job.preprocess_json
    assert report["valid"] and report["converted"] and report["classes"] == ["cat", "dog"]
    assert {k: v["images"] for k, v in report["splits"].items()} == {"train": 8, "val": 2}
    assert validate_dataset(job.output)[1] == []
    assert not (job.sm_output / "message").exists()


def test_the_evaluation_job_installs_the_requirements_where_ultralytics_is_missing(tmp_path: Path) -> None:
    code = _code_copy(tmp_path)
    env_path, pip_log = _image_without_ultralytics(tmp_path / "image")
    result = subprocess.run(
        ["bash", str(code / "processing_entrypoint.sh"), "evaluate.py", "--help"],
        env={**os.environ, "PATH": env_path}, capture_output=True, text=True, timeout=120,
    )
    assert pip_log.read_text().split() == ["-m", "pip", "install", "--no-cache-dir", "--quiet", "-r", "requirements.txt"], result.stderr


def test_a_split_yolo_dataset_is_passed_through_unchanged(tmp_path: Path) -> None:
    source = tmp_path / "upload"
    make_dataset(source, train=6, val=3, backgrounds=1)
    job = Job(tmp_path)
    result = job.run(source, "yolo")
    assert result.returncode == 0, result.stderr
    report = job.preprocess_json
    assert report["valid"] and not report["converted"]
    assert report["splits"]["train"]["images"] == 6 and report["splits"]["val"]["images"] == 3
    before = sorted(p.relative_to(source) for p in source.rglob("*") if p.is_file())
    after = sorted(p.relative_to(job.output) for p in job.output.rglob("*") if p.is_file())
    assert after == before
    assert all((job.output / p).read_bytes() == (source / p).read_bytes() for p in before)


def test_an_unsplit_yolo_folder_is_split(tmp_path: Path) -> None:
    source = tmp_path / "unsplit"
    (source / "labels").mkdir(parents=True)
    (source / "images").mkdir()
    for i in range(6):
        Image.new("RGB", (32, 32)).save(source / "images" / f"{i}.png")
        (source / "labels" / f"{i}.txt").write_text(f"{i % 2} 0.5 0.5 0.4 0.4\n")
    (source / "data.yaml").write_text("names: [a, b]\n")
    job = Job(tmp_path)
    result = job.run(source, "yolo", split="0.5,0.5")
    assert result.returncode == 0, result.stderr
    report = job.preprocess_json
    assert report["converted"] and {k: v["images"] for k, v in report["splits"].items()} == {"train": 3, "val": 3}


@pytest.mark.parametrize(
    ("case", "fmt", "code"),
    [("coco/unknown-category/instances.json", "coco", "unknown_category"), ("voc/malformed-xml", "voc", "malformed_file")],
)
def test_a_bad_export_exits_2_with_one_line_the_message_and_the_report(tmp_path: Path, case: str, fmt: str, code: str) -> None:
    job = Job(tmp_path)
    result = job.run(CORPUS / case, fmt)
    assert result.returncode == 2
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("yolops: 1 error(s) in the") and code not in last and "; " in last
    report = job.preprocess_json
    assert not report["valid"] and report["errors"] == 1 and report["problems"][0]["code"] == code
    assert "is not usable" in job.message and report["problems"][0]["where"] in job.message
    assert list(job.output.iterdir()) == []  # nothing written


def test_a_bad_argument_exits_2_and_still_writes_the_report(tmp_path: Path) -> None:
    job = Job(tmp_path)
    result = job.run(tmp_path, "coco", split="0.9,0.3")
    assert result.returncode == 2
    assert result.stderr.strip().splitlines()[-1] == 'yolops: preprocess.py: "0.9,0.3" adds up to 1.2; the parts must add up to 1'
    assert job.preprocess_json["problems"][0]["code"] == "invalid_argument"
    assert "adds up to 1.2" in job.message
