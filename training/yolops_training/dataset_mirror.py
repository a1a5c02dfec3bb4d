"""Mirror a checked dataset into a writable work folder and write the data.yaml Ultralytics will read.

The input channel may be read-only and must stay unchanged, but Ultralytics writes next to the data:
`labels/<split>.cache` beside the label folder, `.npy` files beside images with cache=disk, and a repaired
copy of a truncated JPEG. So the dataset is mirrored as real folders of per-file symlinks (Ultralytics
resolves folder paths with Path.resolve(), which would follow a symlinked folder back into the channel,
but it never resolves file paths). Every split lands in the one layout images/<split>, labels/<split>,
whatever layout the upload used.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterable
from pathlib import Path

import yaml

from .dataset_checks import DatasetReport, SplitReport, label_path_for


def _remove(folder: Path) -> None:
    if folder.exists():
        shutil.rmtree(folder)


def _link(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    os.symlink(source.absolute(), target)


def _mirror_split(report: SplitReport, mirror_root: Path, split_folder: str) -> None:
    several = len(report.image_dirs) > 1
    for image_dir, image, label in report.images:
        relative = image.relative_to(image_dir)
        if several:  # keep same-named files of two source folders apart
            relative = Path(f"part{report.image_dirs.index(image_dir)}") / relative
        mirrored = mirror_root / "images" / split_folder / relative
        _link(image, mirrored)
        if label is not None:
            _link(label, label_path_for(mirrored))


def write_data_yaml(path: Path, mirror_root: Path, names: Iterable[str], splits: dict[str, str]) -> Path:
    """A data.yaml with absolute `path:` and one folder per split key."""
    content = {"path": str(mirror_root), **splits, "names": dict(enumerate(names))}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(content, sort_keys=False), encoding="utf-8")
    return path


def mirror_dataset(report: DatasetReport, work_dir: Path) -> Path:
    """Mirror all checked splits under work_dir/dataset; return the resolved data.yaml for training."""
    mirror_root = work_dir / "dataset"
    _remove(mirror_root)  # a stale mirror from an earlier run in the same work folder
    for name, split in report.splits.items():
        _mirror_split(split, mirror_root, name)
    splits = {name: f"images/{name}" for name in report.splits}
    return write_data_yaml(work_dir / "data.yaml", mirror_root, report.names, splits)


def mirror_split_for_evaluation(report: DatasetReport, split: str, work_dir: Path) -> Path:
    """Mirror one split and write a data.yaml whose train/val/<split> keys all name it (Ultralytics wants
    'train' and 'val' keys in every data.yaml, even to validate)."""
    mirror_root = work_dir / "dataset"
    _remove(mirror_root)
    _mirror_split(report.splits[split], mirror_root, split)
    folder = f"images/{split}"
    return write_data_yaml(
        work_dir / "data.yaml", mirror_root, report.names, {"train": folder, "val": folder, split: folder}
    )
