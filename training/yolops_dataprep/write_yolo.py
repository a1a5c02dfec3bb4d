"""Write a split export in the dataset contract's YOLO layout, all or nothing.

    <output>/data.yaml            train: images/train, val: images/val[, test: images/test], names: [...]
    <output>/images/<split>/<name>  the export's image files, hard-linked when the file system allows, else copied;
                                    never re-encoded or modified
    <output>/labels/<split>/<name>.txt  `class x_center y_center width height`, normalized; empty for a background

All or nothing: the dataset is written into a temporary folder and moved into place at the end. A new output
folder is one rename of a sibling folder. An existing empty folder (a processing job's output folder, which may
be a mount point that cannot be replaced) gets the temporary folder inside it, whose entries are renamed up one
level at the end, data.yaml last; a failure removes whatever was written. The output must not exist or be empty.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path, PurePosixPath

import yaml

from .records import LabelledImage

DATA_YAML = "data.yaml"


class OutputNotEmpty(ValueError):
    """The output exists and holds something: nothing is mixed into or replaces an existing folder."""


def check_output(output: Path) -> None:
    if output.exists() and (not output.is_dir() or any(output.iterdir())):
        kind = "a folder that is not empty" if output.is_dir() else "a file"
        raise OutputNotEmpty(f"{output} is {kind}; give a new or empty folder, so no dataset is mixed with another")


def link_or_copy(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(source, target)
    except OSError:  # another file system, or links not allowed: copy the bytes as they are
        shutil.copyfile(source, target)


def label_lines(image: LabelledImage) -> list[str]:
    lines = []
    for box in image.boxes:
        cx = (box.x_min + box.x_max) / 2 / image.width
        cy = (box.y_min + box.y_max) / 2 / image.height
        w = (box.x_max - box.x_min) / image.width
        h = (box.y_max - box.y_min) / image.height
        lines.append(f"{box.class_index} {cx:.6f} {cy:.6f} {w:.6f} {h:.6f}")
    return lines


def unique_names(images: Iterable[LabelledImage]) -> dict[int, str]:
    """The name each image gets under images/<split>/ (by id of the image): its output_name, except that two
    images whose names differ only by extension (a.jpg, a.png) would share a label file, so the later one
    becomes a_png.png."""
    names: dict[int, str] = {}
    taken: set[str] = set()
    for image in images:
        path = PurePosixPath(image.output_name)
        name = str(path)
        stem = str(path.with_suffix(""))
        if stem.lower() in taken:
            name = str(path.with_name(f"{path.stem}_{path.suffix[1:]}{path.suffix}"))
            stem = str(PurePosixPath(name).with_suffix(""))
        taken.add(stem.lower())
        names[id(image)] = name
    return names


def data_yaml_text(split_names: Sequence[str], class_names: Sequence[str]) -> str:
    data = {split: f"images/{split}" for split in split_names} | {"nc": len(class_names), "names": list(class_names)}
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


def _write_dataset(folder: Path, splits: Mapping[str, Sequence[LabelledImage]], class_names: Sequence[str]) -> None:
    for split, images in splits.items():
        (folder / "images" / split).mkdir(parents=True, exist_ok=True)
        (folder / "labels" / split).mkdir(parents=True, exist_ok=True)
        names = unique_names(images)
        for image in images:
            name = names[id(image)]
            link_or_copy(image.source, folder / "images" / split / name)
            label = (folder / "labels" / split / name).with_suffix(".txt")
            label.parent.mkdir(parents=True, exist_ok=True)
            lines = label_lines(image)
            label.write_text("".join(f"{line}\n" for line in lines), encoding="utf-8")
    (folder / DATA_YAML).write_text(data_yaml_text(list(splits), class_names), encoding="utf-8")


def write_atomically(output: Path, fill: Callable[[Path], None], last: str | None = DATA_YAML) -> None:
    """Run fill(temporary folder), then put what it wrote at `output` (entry `last` moved last); on any failure
    remove everything and re-raise, leaving `output` as it was (absent, or an empty folder)."""
    check_output(output)
    existed = output.is_dir()
    if existed:
        temporary = Path(tempfile.mkdtemp(prefix=".yolops-writing-", dir=output))
    else:
        output.parent.mkdir(parents=True, exist_ok=True)
        temporary = Path(tempfile.mkdtemp(prefix=f".{output.name}.writing-", dir=output.parent))
    moved: list[Path] = []
    try:
        fill(temporary)
        if not existed:
            temporary.rename(output)
            return
        entries = sorted(temporary.iterdir(), key=lambda p: (p.name == last, p.name))
        for entry in entries:
            entry.rename(output / entry.name)
            moved.append(output / entry.name)
        temporary.rmdir()
    except BaseException:
        shutil.rmtree(temporary, ignore_errors=True)
        for path in moved:
            shutil.rmtree(path, ignore_errors=True) if path.is_dir() else path.unlink(missing_ok=True)
        raise


def write_yolo(output: Path, splits: Mapping[str, Sequence[LabelledImage]], class_names: Sequence[str]) -> None:
    """Write the dataset at `output` (new or empty), all or nothing."""
    write_atomically(output, lambda folder: _write_dataset(folder, splits, class_names))


def copy_tree(source: Path, output: Path) -> int:
    """A dataset passed through unchanged: every file of `source` at the same path under `output`, linked or
    copied, all or nothing. Returns the number of files."""
    files = sorted(p for p in source.rglob("*") if p.is_file())

    def fill(folder: Path) -> None:
        for file in files:
            link_or_copy(file, folder / file.relative_to(source))

    top_yaml = next((n for n in ("data.yaml", "data.yml") if (source / n).is_file()), None)
    write_atomically(output, fill, last=top_yaml)
    return len(files)
