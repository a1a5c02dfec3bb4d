"""Prepare the process for Ultralytics before it is imported: config dir, fonts, threads, integrations.

- YOLO_CONFIG_DIR: Ultralytics keeps its settings file there and looks for its plot fonts there. Plotting
  calls check_font('Arial.ttf') (and Arial.Unicode.ttf for non-Latin names), which downloads the font when
  no match is found, so matplotlib's DejaVuSans is copied under both names: no network call at plot time.
- Settings: Ultralytics' own MLflow callback would log a second run (this job logs exactly one, see
  mlflow_tracking.py) and `sync` sends usage events; both are turned off, with the other experiment-tracker
  integrations, so that what the job logs does not depend on which packages happen to be installed.
- OMP_NUM_THREADS: torch may start with one intra-op thread in a container; CPU training wants all CPUs.
- YOLO_AUTOINSTALL=false: Ultralytics' check_requirements pip-installs a missing package (onnx for an export,
  onnxruntime for an .onnx model, pi-heif for an unknown image) and goes on. A job or server must run with what
  the lock installed, offline included: a missing package is then a clear error, never a download at run time.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

AUTOINSTALL_ENV = "YOLO_AUTOINSTALL"  # read once, when Ultralytics is imported
FONT_NAMES = ("Arial.ttf", "Arial.Unicode.ttf")
DISABLED_INTEGRATIONS = {
    "mlflow": False,
    "sync": False,
    "clearml": False,
    "comet": False,
    "dvc": False,
    "raytune": False,
    "tensorboard": False,
    "wandb": False,
}


def _install_fonts(settings_dir: Path) -> None:
    import matplotlib

    source = Path(matplotlib.get_data_path()) / "fonts" / "ttf" / "DejaVuSans.ttf"
    settings_dir.mkdir(parents=True, exist_ok=True)
    for name in FONT_NAMES:
        target = settings_dir / name
        if not target.exists():
            shutil.copyfile(source, target)


def prepare_ultralytics(work_dir: Path) -> Path:
    """Set the environment Ultralytics reads at import, then turn off its integrations. Returns the config dir."""
    config_dir = Path(os.environ.setdefault("YOLO_CONFIG_DIR", str(work_dir / "ultralytics-config")))
    _install_fonts(config_dir / "Ultralytics")  # Ultralytics' USER_CONFIG_DIR is $YOLO_CONFIG_DIR/Ultralytics
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    os.environ.setdefault("OMP_NUM_THREADS", str(cpus))
    os.environ[AUTOINSTALL_ENV] = "false"  # forced, not a default: no setting may turn pip on at run time

    from ultralytics import settings

    changed = {k: v for k, v in DISABLED_INTEGRATIONS.items() if settings.get(k) != v}
    if changed:
        settings.update(changed)
    return config_dir
