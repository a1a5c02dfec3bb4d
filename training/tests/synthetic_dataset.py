"""Tiny YOLO datasets made on the fly: coloured squares (class 0) and discs (class 1) on dark noise."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

NAMES = ("square", "disc")


@dataclass(frozen=True)
class SyntheticDataset:
    root: Path
    boxes: dict[str, int]  # split -> number of boxes written


def _draw(rng: np.random.Generator, size: int) -> tuple[np.ndarray, list[str]]:
    image = rng.integers(0, 60, (size, size, 3), dtype=np.uint8)
    lines = []
    for _ in range(int(rng.integers(1, 3))):
        cls = int(rng.integers(0, len(NAMES)))
        side = int(rng.integers(size // 5, size // 3))
        x, y = int(rng.integers(0, size - side)), int(rng.integers(0, size - side))
        color = (0, 0, 255) if cls == 0 else (0, 255, 0)
        if cls == 0:
            cv2.rectangle(image, (x, y), (x + side, y + side), color, -1)
        else:
            cv2.circle(image, (x + side // 2, y + side // 2), side // 2, color, -1)
        cx, cy, w = (x + side / 2) / size, (y + side / 2) / size, side / size
        lines.append(f"{cls} {cx:.6f} {cy:.6f} {w:.6f} {w:.6f}")
    return image, lines


def make_dataset(
    root: Path,
    *,
    layout: str = "images_first",
    train: int = 24,
    val: int = 8,
    backgrounds: int = 0,
    size: int = 64,
    seed: int = 0,
    yaml_text: str | None = None,
) -> SyntheticDataset:
    """layout 'images_first': images/train + labels/train, val; 'roboflow': train/images + train/labels, valid.

    The data.yaml looks written on another machine: an absolute `path:` that does not exist here
    (images_first) or Roboflow's `../train/images` paths. `backgrounds` train images get no label file.
    """
    rng = np.random.default_rng(seed)
    val_folder = "val" if layout == "images_first" else "valid"
    boxes: dict[str, int] = {}
    for split, folder, count in (("train", "train", train), ("val", val_folder, val)):
        if layout == "images_first":
            images, labels = root / "images" / folder, root / "labels" / folder
        else:
            images, labels = root / folder / "images", root / folder / "labels"
        images.mkdir(parents=True, exist_ok=True)
        labels.mkdir(parents=True, exist_ok=True)
        boxes[split] = 0
        for i in range(count):
            image, lines = _draw(rng, size)
            cv2.imwrite(str(images / f"{split}_{i:03d}.jpg"), image)
            if split == "train" and i < backgrounds:
                continue  # a background image: no label file
            (labels / f"{split}_{i:03d}.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
            boxes[split] += len(lines)
    if yaml_text is None:
        if layout == "images_first":
            yaml_text = "path: /home/someone/datasets/shapes\ntrain: images/train\nval: images/val\n"
        else:
            yaml_text = "train: ../train/images\nval: ../valid/images\n"
        yaml_text += "nc: 2\nnames: ['square', 'disc']\n"
    (root / "data.yaml").write_text(yaml_text, encoding="utf-8")
    return SyntheticDataset(root=root, boxes=boxes)


def snapshot(root: Path) -> dict[str, tuple[int, int]]:
    """Every file below root with its size and mtime: equal snapshots mean nothing was written there."""
    return {str(p.relative_to(root)): (p.stat().st_size, p.stat().st_mtime_ns) for p in sorted(root.rglob("*"))}
