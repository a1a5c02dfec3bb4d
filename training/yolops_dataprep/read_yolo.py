"""YOLO folders: an unsplit one (images/ and labels/ beside a data.yaml naming the classes, or a classes.txt) to
be split, or a split one (data.yaml naming train and val, the dataset contract's layout).

A split dataset is not converted (convert.py and preprocess.py pass it through after the contract's checks);
reading one here gives all its images as one export, for statistics or to split it again.

A label line is `class x_center y_center width height`, normalized to the image; a polygon line (`class x1 y1
x2 y2 ...`) becomes the box around its points, as Ultralytics does for detection. An image without a label
file is a background image; a label file without an image is missing_image.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from yolops_training.dataset_checks import label_path_for
from yolops_training.dataset_contract import CONTRACT
from yolops_training.dataset_layout import find_data_yaml, read_layout
from yolops_training.errors import JobFailure

from .boxes import checked_box
from .images import image_extensions, read_size, unsupported_reason
from .problems import problem
from .records import Box, Export, LabelledImage, Problem

FORMAT = "yolo"
CLASSES_FILE = "classes.txt"


def data_yaml(folder: Path) -> Path | None:
    return next((folder / n for n in CONTRACT.data_yaml_names if (folder / n).is_file()), None)


def _load_yaml(file: Path, problems: list[Problem]) -> dict[str, Any] | None:
    try:
        data = yaml.safe_load(file.read_text(encoding="utf-8"))
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = f"{file.name}:{mark.line + 1}" if mark is not None else file.name
        problems.append(problem("malformed_file", where, f"is not valid YAML ({getattr(e, 'problem', e)})"))
        return None
    except (OSError, UnicodeDecodeError) as e:
        problems.append(problem("malformed_file", file.name, f"cannot be read ({e})"))
        return None
    if not isinstance(data, dict):
        problems.append(problem("malformed_file", file.name, "must be a mapping with names (and train/val for a split dataset)"))
        return None
    return data


def is_split(folder: Path) -> bool:
    """Whether the folder holds a split dataset: a data.yaml (at its top or one folder down) naming train and val."""
    try:
        file = find_data_yaml(folder)
    except Exception:  # noqa: BLE001 - any failure to find one means: not a split dataset
        return False
    data = _load_yaml(file, [])
    return data is not None and any(k in data for k in CONTRACT.split_keys["train"]) and any(
        k in data for k in CONTRACT.split_keys["val"]
    )


def _names(folder: Path, problems: list[Problem]) -> list[str] | None:
    file = data_yaml(folder)
    if file is not None:
        data = _load_yaml(file, problems)
        if data is None:
            return None
        names = data.get("names")
        if isinstance(names, dict) and sorted(names) == list(range(len(names))):
            return [str(names[i]) for i in range(len(names))]
        if isinstance(names, list) and names:
            return [str(n) for n in names]
        problems.append(problem("no_categories", file.name, "has no usable 'names' (a list, or ids 0..n-1 mapped to names)"))
        return None
    listed = folder / CLASSES_FILE
    if listed.is_file():
        names = [line.strip() for line in listed.read_text(encoding="utf-8").splitlines() if line.strip()]
        if names:
            return names
        problems.append(problem("no_categories", CLASSES_FILE, "is empty"))
        return None
    problems.append(
        problem("no_categories", str(folder), f"has neither data.yaml nor {CLASSES_FILE}", fix="add a data.yaml with names: [...] (class i on line i)")
    )
    return None


def _boxes(label: Path, shown: str, size: tuple[int, int], nc: int, problems: list[Problem]) -> list[Box]:
    width, height = size
    boxes: list[Box] = []
    try:
        lines = label.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as e:
        problems.append(problem("malformed_file", shown, f"cannot be read ({e})"))
        return boxes
    for number, line in enumerate(lines, start=1):
        fields = line.split()
        if not fields:
            continue
        where = f"{shown}:{number}"
        try:
            class_id, values = int(fields[0]), [float(v) for v in fields[1:]]
        except ValueError:
            problems.append(problem("malformed_file", where, f"{line.strip()!r} is not 'class x y w h' with a whole class id"))
            continue
        if len(values) == 4:
            cx, cy, w, h = values
            corners = ((cx - w / 2) * width, (cy - h / 2) * height, (cx + w / 2) * width, (cy + h / 2) * height)
        elif len(values) >= 6 and len(values) % 2 == 0:
            xs, ys = values[0::2], values[1::2]
            corners = (min(xs) * width, min(ys) * height, max(xs) * width, max(ys) * height)
        else:
            problems.append(problem("malformed_file", where, f"has {len(fields)} values; a box line has 5, a polygon an odd number >= 7"))
            continue
        if not 0 <= class_id < nc:
            problems.append(problem("unknown_category", where, f"class {class_id} is not one of the {nc} classes (0..{nc - 1})"))
            continue
        box = checked_box(class_id, corners, size, where, problems)
        if box is not None:
            boxes.append(box)
    return boxes


def _image_folders(folder: Path) -> list[tuple[Path, str]]:
    """(image folder, prefix of output names): images/ of an unsplit dataset, or every split of a split one."""
    if not is_split(folder):
        return [(folder / "images", "")]
    layout = read_layout(folder, ("train", "val"))  # a broken data.yaml raises the contract's failure
    return [(d, f"{split}/") for split, dirs in layout.split_dirs.items() for d in dirs]


def read(input: Path) -> Export:
    problems: list[Problem] = []
    export = Export(format=FORMAT, images=[], class_names=[], problems=problems)
    folder = input if input.is_dir() else input.parent
    if not folder.is_dir():
        problems.append(problem("missing_annotations", str(input), "does not exist"))
        return export
    split = is_split(folder)
    names = _names(folder if not split else find_data_yaml(folder).parent, problems)
    if names is None:
        return export
    export.class_names = names
    try:
        image_folders = _image_folders(folder)
    except JobFailure as failure:
        problems.append(problem("malformed_file", "data.yaml", str(failure).splitlines()[0], fix="correct data.yaml (the dataset contract's rules)"))
        return export
    extensions = image_extensions()
    for image_dir, prefix in image_folders:
        if not image_dir.is_dir():
            problems.append(problem("no_images", str(image_dir.relative_to(folder)), "is not a folder", fix="put the images in images/ and their labels in labels/"))
            continue
        images = sorted(p for p in image_dir.rglob("*") if p.is_file() and (p.suffix[1:].lower() in extensions or unsupported_reason(p) and p.suffix[1:].lower() in CONTRACT.images))
        expected = set()
        for path in images:
            shown = path.relative_to(folder).as_posix()
            reason = unsupported_reason(path)
            if reason:
                problems.append(problem("unsupported_image", shown, reason))
                continue
            size = read_size(path)
            if isinstance(size, str):
                problems.append(problem("unreadable_image", shown, size))
                continue
            label = label_path_for(path)
            expected.add(label)
            boxes = _boxes(label, label.relative_to(folder).as_posix(), size.displayed, len(names), problems) if label.is_file() else []
            name = prefix + path.relative_to(image_dir).as_posix()
            export.images.append(LabelledImage(source=path, width=size.displayed[0], height=size.displayed[1], boxes=boxes, where=shown, output_name=name))
        label_root = label_path_for(image_dir / "x.jpg").parent
        if label_root.is_dir():
            for orphan in sorted(label_root.rglob("*.txt")):
                if orphan not in expected and orphan.name != CLASSES_FILE:
                    problems.append(problem("missing_image", orphan.relative_to(folder).as_posix(), "is a label file with no image of the same name"))
    if not export.images and not any(p.severity == "error" for p in problems):
        problems.append(problem("no_images", str(input), "holds no images"))
    return export
