"""best.onnx at the end of training: written beside best.pt into the model dir, runnable by ONNX Runtime, exported
offline with nothing installed at run time, and a failed export leaves a good training good."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tarfile
import textwrap
from pathlib import Path

import pytest
from conftest import TrainedJob
from jobs import TRAINING_DIR, Job
from synthetic_dataset import NAMES, make_dataset

from yolops_training.evaluation import locate_model
from yolops_training.onnx_export import ONNX_FILE, ONNX_OPSET

# Run in a child process: blocks every socket connection and every pip or uv process, and records the attempts,
# so a test sees a download or an install that Ultralytics would try, offline or not.
GUARD = textwrap.dedent(
    """
    import json, os, socket, subprocess, sys
    from pathlib import Path
    sys.path.insert(0, {training!r})
    attempts = []
    def refuse_connect(self, address, *args, **kwargs):
        attempts.append(f"connect {{address}}")
        raise OSError("network blocked by the test")
    popen = subprocess.Popen.__init__
    def refuse_installers(self, args, *rest, **kwargs):
        words = [args] if isinstance(args, str) else [str(a) for a in args]
        if any(Path(w.split()[0]).name in ("pip", "pip3", "uv") or "pip" in w.split() for w in words if w.strip()):
            attempts.append(f"process {{words}}")
            raise OSError("installers blocked by the test")
        popen(self, args, *rest, **kwargs)
    socket.socket.connect = refuse_connect
    socket.create_connection = lambda *a, **k: refuse_connect(None, a)
    subprocess.Popen.__init__ = refuse_installers
    from yolops_training.ultralytics_setup import prepare_ultralytics
    prepare_ultralytics(Path(sys.argv[1]))
    from ultralytics.utils import AUTOINSTALL
    from ultralytics.utils.checks import check_requirements
    from yolops_training.onnx_export import export_best_onnx
    # A requirement nothing provides: with pip allowed, Ultralytics would try to install it here.
    missing_installed = check_requirements("yolops-no-such-package==1.0")
    exported = export_best_onnx(Path(sys.argv[2]))
    print(json.dumps({{"autoinstall": AUTOINSTALL, "missing_installed": missing_installed,
                      "exported": str(exported) if exported else None, "attempts": attempts}}))
    """
).format(training=str(TRAINING_DIR))


def run_guarded(tmp_path: Path, weights_dir: Path, extra_path: Path | None = None) -> tuple[dict, str]:
    import json
    import os

    script = tmp_path / "guarded_export.py"
    script.write_text(GUARD)
    env = {**os.environ, "YOLO_OFFLINE": "true"}
    env.pop("YOLO_AUTOINSTALL", None)  # prepare_ultralytics must turn it off by itself
    if extra_path is not None:
        env["PYTHONPATH"] = os.pathsep.join([str(extra_path), env.get("PYTHONPATH", "")])
    result = subprocess.run(
        [sys.executable, str(script), str(tmp_path / "work"), str(weights_dir)],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
    )
    assert result.returncode == 0, result.stderr[-4000:]
    return json.loads(result.stdout.strip().splitlines()[-1]), result.stderr


def broken_onnx_package(root: Path) -> Path:
    """A package named onnx that fails on import, ahead of the real one on the path: an install gone wrong."""
    (root / "onnx").mkdir(parents=True)
    (root / "onnx" / "__init__.py").write_text('raise ImportError("onnx is broken in this environment")\n')
    return root


@pytest.mark.slow
def test_the_training_writes_best_onnx_beside_best_pt(trained: TrainedJob) -> None:
    import numpy as np
    import onnx
    import onnxruntime

    model_dir = trained.job.model_dir
    exported = model_dir / ONNX_FILE
    assert exported.is_file() and (model_dir / "best.pt").is_file()
    graph = onnx.load(str(exported))
    assert any(o.domain in ("", "ai.onnx") and o.version == ONNX_OPSET for o in graph.opset_import)
    # Static shape at the training's imgsz (64): batch 1, 3 channels; outputs 4 box values + one score per class.
    session = onnxruntime.InferenceSession(str(exported), providers=["CPUExecutionProvider"])
    (images,) = session.get_inputs()
    assert images.shape == [1, 3, 64, 64]
    (output,) = session.run(None, {images.name: np.zeros((1, 3, 64, 64), dtype=np.float32)})
    assert output.shape[:2] == (1, 4 + len(NAMES))
    assert f"exported {ONNX_FILE}" in trained.result.stdout and " s\n" in trained.result.stdout


@pytest.mark.slow
def test_best_onnx_travels_in_model_tar_gz(trained: TrainedJob, tmp_path: Path) -> None:
    """SageMaker tars the model dir; the server finds best.onnx in the archive as it finds best.pt."""
    archive = tmp_path / "model.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        for path in trained.job.model_dir.iterdir():
            tar.add(path, arcname=path.name)
    located = locate_model(archive, tmp_path / "work", with_onnx=True)
    assert located.onnx is not None
    assert located.onnx.read_bytes() == (trained.job.model_dir / ONNX_FILE).read_bytes()
    assert locate_model(archive, tmp_path / "work2").onnx is None  # only looked for when asked


@pytest.mark.slow
def test_the_export_runs_offline_and_never_installs(trained: TrainedJob, tmp_path: Path) -> None:
    weights = tmp_path / "weights"
    weights.mkdir()
    shutil.copyfile(trained.job.model_dir / "best.pt", weights / "best.pt")
    report, stderr = run_guarded(tmp_path, weights)
    assert report["autoinstall"] is False
    assert report["missing_installed"] is False  # Ultralytics gave up on the missing package: no pip run
    assert report["exported"] == str(weights / ONNX_FILE) and (weights / ONNX_FILE).stat().st_size > 0
    assert report["attempts"] == [], stderr[-2000:]


@pytest.mark.slow
def test_a_failed_export_is_a_warning_and_leaves_no_file(trained: TrainedJob, tmp_path: Path) -> None:
    weights = tmp_path / "weights"
    weights.mkdir()
    shutil.copyfile(trained.job.model_dir / "best.pt", weights / "best.pt")
    (weights / ONNX_FILE).write_bytes(b"a stale export of older weights")
    report, stderr = run_guarded(tmp_path, weights, broken_onnx_package(tmp_path / "shadow"))
    assert report["exported"] is None and not (weights / ONNX_FILE).exists()
    assert report["attempts"] == []
    warning = next(line for line in stderr.splitlines() if line.startswith("yolops WARNING: exporting best.pt"))
    assert "onnx is broken in this environment" in warning and "run best.pt with torch" in warning


@pytest.mark.slow
def test_a_training_whose_export_fails_still_succeeds(job: Job, tmp_path: Path) -> None:
    import os

    make_dataset(job.channel, train=8, val=4)
    shadow = broken_onnx_package(tmp_path / "shadow")
    job.extra_env["PYTHONPATH"] = os.pathsep.join([str(shadow), os.environ.get("PYTHONPATH", "")])
    args = ["--epochs", "1", "--batch_size", "4", "--imgsz", "32", "--model", "yolo11n.yaml", "--plots", "false"]
    result = job.run_train(args, label="training with a broken onnx (1 epoch, imgsz 32)")
    assert result.returncode == 0, result.stderr[-4000:]
    assert (job.model_dir / "best.pt").is_file() and not (job.model_dir / ONNX_FILE).exists()
    assert not job.failure_file.exists()
    assert "yolops WARNING: exporting best.pt to ONNX failed" in result.stderr
