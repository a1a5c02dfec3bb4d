"""Find a YOLO dataset's data.yaml and the real folders of its splits.

The data.yaml was written on another machine: its `path:` may be absolute (`/home/alice/ds`), its splits
relative to that path (`images/train`), relative to the yaml (`train/images`) or Roboflow-style
(`../train/images` next to a data.yaml at the top). Each split value is tried against where the dataset
really is now; a value that names no folder here is an error (never silently replaced by a guess).
A split key that is absent falls back to the usual folders: images/<split> or <split>/images, with
`val`, `valid` or `validation` for the validation split.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .errors import JobFailure, ProblemList

DATA_YAML_NAMES = ("data.yaml", "data.yml")
SPLIT_FOLDER_NAMES: dict[str, tuple[str, ...]] = {
    "train": ("train",),
    "val": ("val", "valid", "validation"),
    "test": ("test",),
}
SPLIT_KEY_ALIASES: dict[str, tuple[str, ...]] = {"train": ("train",), "val": ("val", "validation"), "test": ("test",)}


@dataclass(frozen=True)
class DatasetLayout:
    """A data.yaml and the folders its splits really are in on this machine."""

    root: Path  # the channel (or dataset) folder
    yaml_file: Path
    names: tuple[str, ...]
    split_dirs: dict[str, tuple[Path, ...]]  # split -> image folders
    notes: list[str] = field(default_factory=list)  # how each split was resolved, for the log

    def shown(self, path: Path) -> str:
        """A path as the user knows it: relative to the dataset folder when inside it."""
        return _shown(path, self.root)


def find_data_yaml(root: Path) -> Path:
    """data.yaml (or data.yml) at the top of the dataset, or in its only sub-folder that has one."""
    if not root.is_dir():
        raise JobFailure(
            f"The dataset folder {root} does not exist. Fix: give the training job a 'training' channel "
            "(SM_CHANNEL_TRAINING) that holds a YOLO dataset with data.yaml at its top."
        )
    for name in DATA_YAML_NAMES:
        if (root / name).is_file():
            return root / name
    nested = sorted(p for p in root.glob("*/*") if p.name in DATA_YAML_NAMES and p.is_file())
    if len(nested) == 1:
        return nested[0]
    where = (
        f"found {len(nested)} one folder down ({', '.join(str(p.relative_to(root)) for p in nested)})"
        if nested
        else "found none"
    )
    raise JobFailure(
        f"No data.yaml in the dataset folder {root} (looked at its top and one folder down: {where}). "
        "Fix: upload the dataset with its data.yaml (names + train/val paths) at the top of the folder."
    )


def _load_yaml(file: Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(file.read_text(encoding="utf-8-sig"))
    except yaml.MarkedYAMLError as e:
        line = e.problem_mark.line + 1 if e.problem_mark else "?"
        raise JobFailure(f"{file.name}:{line}: not valid YAML ({e.problem}). Fix the syntax of data.yaml.") from e
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as e:
        raise JobFailure(f"Cannot read {file}: {e}. Fix: data.yaml must be a UTF-8 YAML file.") from e
    if not isinstance(data, dict):
        raise JobFailure(f"{file.name} holds a {type(data).__name__}, not a mapping with 'names', 'train' and 'val'.")
    return data


def _class_names(data: dict[str, Any], file: Path, problems: list[str]) -> tuple[str, ...]:
    names = data.get("names")
    if names is None:
        problems.append(
            f"{file.name}: key 'names' is missing; add the class names, e.g. names: ['cat', 'dog'] "
            "(index i is the class id used in the label files)"
        )
        return ()
    if isinstance(names, dict):
        try:
            by_id = {int(k): str(v) for k, v in names.items()}
        except (TypeError, ValueError):
            problems.append(f"{file.name}: 'names' keys must be class ids 0, 1, 2, ...; found {list(names)}")
            return ()
        if sorted(by_id) != list(range(len(by_id))):
            problems.append(f"{file.name}: 'names' ids must be 0..{len(by_id) - 1} without gaps; found {sorted(by_id)}")
            return ()
        result = tuple(by_id[i] for i in range(len(by_id)))
    elif isinstance(names, list):
        result = tuple(str(n) for n in names)
    else:
        problems.append(f"{file.name}: 'names' must be a list or a mapping of id: name, not {type(names).__name__}")
        return ()
    if not result:
        problems.append(f"{file.name}: 'names' is empty; list at least one class")
    nc = data.get("nc")
    if nc is not None and nc != len(result):
        problems.append(
            f"{file.name}: 'nc: {nc}' does not match the {len(result)} entries of 'names'; fix or remove 'nc'"
        )
    return result


def _suffixes(parts: Sequence[str]) -> Iterable[Path]:
    """'/home/a/ds/images/train' -> 'home/a/ds/images/train', 'a/ds/images/train', ..., 'train'."""
    for i in range(len(parts)):
        yield Path(*parts[i:])


def _candidates(value: str, yaml_dir: Path, path_key: Any) -> list[Path]:
    """Where a split value written on another machine may point on this one, most literal first."""
    given = Path(value)
    bases: list[Path] = []
    if isinstance(path_key, str) and path_key.strip():
        p = Path(path_key)
        bases.append(p if p.is_absolute() else yaml_dir / p)
    bases.append(yaml_dir)
    found: list[Path] = []
    if given.is_absolute():
        found.append(given)
    else:
        found += [base / given for base in bases]
    parts = [p for p in given.parts if p not in ("/", "..", ".")]
    found += [yaml_dir / s for s in _suffixes(parts)]  # a moved dataset: keep the tail that exists here
    return found


def _resolve_split(
    split: str, data: dict[str, Any], yaml_file: Path, root: Path, problems: list[str], notes: list[str]
) -> tuple[Path, ...] | None:
    key = next((k for k in SPLIT_KEY_ALIASES[split] if data.get(k)), None)
    if key is None:
        conventional = [
            d
            for name in SPLIT_FOLDER_NAMES[split]
            for d in (yaml_file.parent / "images" / name, yaml_file.parent / name / "images")
        ]
        hit = next((d for d in conventional if d.is_dir()), None)
        if hit is None:
            if split != "test":
                tried = ", ".join(_shown(d, root) for d in conventional)
                problems.append(
                    f"{yaml_file.name}: key '{split}' is missing and none of {tried} exists; "
                    f"add '{split}: <folder of images>'"
                )
            return None
        notes.append(f"{split}: no '{split}' key in {yaml_file.name}, using {_shown(hit, root)}")
        return (hit,)

    raw = data[key]
    values = raw if isinstance(raw, list) else [raw]
    dirs: list[Path] = []
    for value in values:
        if not isinstance(value, str):
            problems.append(f"{yaml_file.name}: '{key}' must be a folder path (or a list of them), not {value!r}")
            continue
        if value.lower().endswith(".txt"):
            problems.append(
                f"{yaml_file.name}: '{key}: {value}' is a list file; point '{key}' at a folder of images instead"
            )
            continue
        candidates = _candidates(value, yaml_file.parent, data.get("path"))
        hit = next((c for c in candidates if c.is_dir()), None)
        if hit is None:
            problems.append(
                f"{yaml_file.name}: '{key}: {value}' names no folder in the dataset (tried "
                f"{', '.join(dict.fromkeys(_shown(c, root) for c in candidates[:4]))}); make it a path relative to "
                f"data.yaml that exists, e.g. 'images/{split}' or '{split}/images'"
            )
            continue
        notes.append(f"{split}: {key}: {value!r} -> {_shown(hit, root)}")
        dirs.append(hit)
    return tuple(dirs) if dirs and len(dirs) == len(values) else None


def _shown(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(root))
    except ValueError:
        return str(path)


def read_layout(root: Path, splits: Sequence[str] = ("train", "val")) -> DatasetLayout:
    """Read data.yaml and resolve the given splits (plus 'test' when present); report all problems at once."""
    yaml_file = find_data_yaml(root)
    data = _load_yaml(yaml_file)
    problems: list[str] = []
    notes: list[str] = []
    names = _class_names(data, yaml_file, problems)
    split_dirs: dict[str, tuple[Path, ...]] = {}
    wanted = list(splits) + (["test"] if "test" not in splits and "train" in splits else [])
    for split in wanted:
        split_problems: list[str] = []
        found = _resolve_split(split, data, yaml_file, root, split_problems, notes)
        if split in splits:
            problems += split_problems
        else:  # an optional 'test' split that does not resolve is left out of training, and said so
            notes += [f"test split ignored: {p}" for p in split_problems]
        if found:
            split_dirs[split] = found
    if problems:
        raise ProblemList(
            f"The dataset's {yaml_file.name} is not usable",
            problems,
            "correct data.yaml, then upload the dataset again",
        )
    return DatasetLayout(root=root, yaml_file=yaml_file, names=names, split_dirs=split_dirs, notes=notes)
