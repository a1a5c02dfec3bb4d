"""Find a YOLO dataset's data.yaml and the real folders of its splits, by the dataset contract.

The rules are the TypeScript validator's (src/core/dataset/load-dataset.ts, split-paths.ts, data-yaml.ts), so a
dataset the validator passes is read the same way here; the shared corpus (test/corpus/dataset/) checks it.
data.yaml (or data.yml) is at the top of the dataset folder or in its only sub-folder that has one. Split paths
are relative to the folder that holds data.yaml: `images/train`, `train/images`, or Roboflow's
`../train/images`, whose leading `../` is dropped when it would leave that folder (as Ultralytics does when
the joined path does not exist). `path:` is ignored: it names a folder on the machine that exported the
dataset. Absolute paths, URLs and `.txt` list files are refused: they cannot point into an upload.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .dataset_contract import CONTRACT, DatasetFailure, DatasetProblem
from .errors import JobFailure, ProblemList

DATA_YAML_NAMES = CONTRACT.data_yaml_names
SPLIT_KEYS = CONTRACT.split_keys
_URL = re.compile(r"^[a-z][a-z0-9+.-]*://", re.IGNORECASE)
_DRIVE = re.compile(r"^[A-Za-z]:[\\/]")


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
    nested: list[Path] = []
    if CONTRACT.data_yaml_one_folder_down:
        for folder in sorted(p for p in root.iterdir() if p.is_dir()):
            found = next((folder / n for n in DATA_YAML_NAMES if (folder / n).is_file()), None)
            if found is not None:
                nested.append(found)
    if len(nested) == 1:
        return nested[0]
    where = (
        f"found {len(nested)} one folder down ({', '.join(_shown(p, root) for p in nested)})"
        if nested
        else "found none"
    )
    raise DatasetFailure(
        DatasetProblem(
            "missing-data-yaml",
            DATA_YAML_NAMES[0],
            f"No data.yaml in the dataset folder {root} (looked at its top and one folder down: {where}). "
            "Fix: upload the dataset with its data.yaml (names + train/val paths) at the top of the folder.",
        )
    )


class _UniqueKeyLoader(yaml.SafeLoader):
    """A repeated key is an error, as in the TypeScript reader (PyYAML would silently keep the last one)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)  # type: ignore[no-untyped-call]
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"the key {key!r} is repeated", key_node.start_mark
                )
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


def _load_yaml(file: Path, root: Path) -> dict[str, Any]:
    shown = _shown(file, root)
    try:
        data = yaml.load(file.read_text(encoding="utf-8-sig"), Loader=_UniqueKeyLoader)  # noqa: S506 - a SafeLoader
    except yaml.MarkedYAMLError as e:
        line = e.problem_mark.line + 1 if e.problem_mark else None
        raise DatasetFailure(
            DatasetProblem(
                "invalid-yaml",
                shown,
                f"{shown}:{line or '?'}: not valid YAML ({e.problem}). Fix the syntax of data.yaml.",
                line,
            )
        ) from e
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as e:
        raise DatasetFailure(
            DatasetProblem("invalid-yaml", shown, f"Cannot read {file}: {e}. Fix: data.yaml must be a UTF-8 YAML file.")
        ) from e
    if not isinstance(data, dict):
        kind = "nothing" if data is None else type(data).__name__
        raise DatasetFailure(
            DatasetProblem(
                "invalid-data-yaml",
                shown,
                f"{shown} holds {kind}, not a mapping with 'names', 'train' and 'val'.",
            )
        )
    return data


def _class_names(data: dict[str, Any], shown: str, problems: list[DatasetProblem]) -> tuple[str, ...]:
    def bad(code: str, text: str) -> tuple[str, ...]:
        problems.append(DatasetProblem(code, shown, f"{shown}: {text}"))
        return ()

    names = data.get("names")
    result: tuple[str, ...] = ()
    if names is None:
        bad(
            "missing-names",
            "key 'names' is missing; add the class names, e.g. names: ['cat', 'dog'] "
            "(index i is the class id used in the label files)",
        )
    elif isinstance(names, dict):
        if not all(isinstance(k, int) and not isinstance(k, bool) and k >= 0 for k in names):
            return bad("invalid-names", f"'names' keys must be class ids 0, 1, 2, ...; found {list(names)}")
        if sorted(names) != list(range(len(names))):
            return bad("invalid-names", f"'names' ids must be 0..{len(names) - 1} without gaps; found {sorted(names)}")
        result = tuple(_name(names[i]) for i in range(len(names)))
    elif isinstance(names, list):
        result = tuple(_name(n) for n in names)
    else:
        return bad("invalid-names", f"'names' must be a list or a mapping of id: name, not {type(names).__name__}")
    if names is not None and not result:
        return bad("invalid-names", "'names' is empty; list at least one class")
    if "" in result:
        return bad("invalid-names", f"class {result.index('')} in 'names' has no usable name; give it a plain text name")
    nc = data.get("nc")
    if nc is not None:
        if isinstance(nc, bool) or not isinstance(nc, int) or nc < 1:
            bad("invalid-data-yaml", f"'nc: {nc}' must be a whole number of classes (at least 1); fix or remove 'nc'")
        elif result and nc != len(result):
            bad("nc-mismatch", f"'nc: {nc}' does not match the {len(result)} entries of 'names'; fix or remove 'nc'")
    return result


def _name(value: Any) -> str:
    """A class name as Ultralytics makes it (str() of a scalar); '' for a value that is no name."""
    if isinstance(value, (str, int, float, bool)):
        return str(value).strip() and str(value)
    return ""


def _join_inside(base: Path, segments: Sequence[str]) -> Path | None:
    """base / segments, or None when '..' climbs above base."""
    out: list[str] = []
    for segment in segments:
        if segment in ("", "."):
            continue
        if segment == "..":
            if not out:
                return None
            out.pop()
            continue
        out.append(segment)
    return base.joinpath(*out)


def _has_files(folder: Path) -> bool:
    """Whether the folder is there. The channel is a copy of an S3 prefix, which has no empty folders, so this
    agrees with the validator's "an object lies under it"; an empty folder made by hand is an empty split here."""
    return folder.is_dir()


def _resolve_path(value: str, yaml_dir: Path) -> tuple[Path | None, list[Path], str | None]:
    """(the folder found, the folders tried, why the value is refused)."""
    text = value.strip()
    if _URL.match(text):
        return None, [], f"{text} is a URL"
    if text.startswith(("/", "~")) or _DRIVE.match(text):
        return None, [], f"{text} is an absolute path on some machine"
    if text.lower().endswith(".txt"):
        return None, [], f"{text} is a list file"
    segments = text.replace("\\", "/").split("/")
    first = 0
    while first < len(segments) and segments[first] in ("..", ".", ""):
        first += 1
    tried: list[Path] = []
    for candidate in (_join_inside(yaml_dir, segments), _join_inside(yaml_dir, segments[first:])):
        if candidate is not None and candidate != yaml_dir and candidate not in tried:
            tried.append(candidate)
    return next((c for c in tried if _has_files(c)), None), tried, None


def _resolve_split(
    split: str, data: dict[str, Any], yaml_file: Path, root: Path, problems: list[DatasetProblem], notes: list[str]
) -> tuple[Path, ...] | None:
    shown = _shown(yaml_file, root)
    key = next((k for k in SPLIT_KEYS[split] if k in data), None)
    raw = data.get(key) if key is not None else None
    if raw is None or raw == "":
        if split != "test":  # `test:` with no value is how Ultralytics' own files say "no test split"
            existing = [f for f in CONTRACT.conventional_folders[split] if _has_files(yaml_file.parent / f)]
            fix = f"this dataset has {existing[0]}/: add '{split}: {existing[0]}'" if existing else (
                f"add '{split}: <folder of images>', e.g. '{split}: images/{split}'"
            )
            what = f"declares '{key}' without a folder" if key is not None else f"has no '{split}' key"
            problems.append(DatasetProblem("missing-split", shown, f"{shown}: {what}; {fix}"))
        return None

    values = raw if isinstance(raw, list) else [raw]
    dirs: list[Path] = []
    for value in values:
        if not isinstance(value, str) or not value.strip():
            problems.append(
                DatasetProblem(
                    "invalid-data-yaml", shown, f"{shown}: '{key}' must be a folder path (or a list of them), not {value!r}"
                )
            )
            continue
        hit, tried, refusal = _resolve_path(value, yaml_file.parent)
        if refusal is not None:
            problems.append(
                DatasetProblem(
                    "unsupported-split-path",
                    shown,
                    f"{shown}: '{key}: {value}': {refusal}; point '{key}' at a folder of images relative to data.yaml",
                )
            )
            continue
        if hit is None:
            looked = ", ".join(_shown(c, root) for c in tried) or "nothing inside the dataset"
            problems.append(
                DatasetProblem(
                    "split-path-missing",
                    shown,
                    f"{shown}: '{key}: {value}' names no folder in the dataset (tried {looked}); make it a path "
                    f"relative to data.yaml that exists, e.g. 'images/{split}' or '{split}/images'",
                )
            )
            continue
        notes.append(f"{split}: {key}: {value!r} -> {_shown(hit, root)}")
        if hit not in dirs:
            dirs.append(hit)
    return tuple(dirs) if dirs and len(dirs) == len(values) else None


def _shown(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(root))
    except ValueError:
        return str(path)


def escaping_links(root: Path) -> list[DatasetProblem]:
    """Symbolic links under the dataset folder that lead out of it. Reading through one would train on a file
    that is not part of the dataset (an S3 upload has no links, so the same dataset uploaded would differ)."""
    real_root = root.resolve()
    found: list[DatasetProblem] = []
    for folder, dirs, files in os.walk(root):  # does not descend into linked folders
        for name in sorted(dirs + files):
            path = Path(folder) / name
            if not path.is_symlink():
                continue
            target = path.resolve()
            if target != real_root and real_root not in target.parents:
                shown = _shown(path, root)
                found.append(
                    DatasetProblem(
                        "symlink-outside-dataset",
                        shown,
                        f"{shown}: a symbolic link to {target}, outside the dataset folder; copy the file into the "
                        "dataset instead of linking it, or remove the link",
                    )
                )
    return sorted(found, key=lambda p: p.file)


def read_layout(root: Path, splits: Sequence[str] = ("train", "val")) -> DatasetLayout:
    """Read data.yaml and resolve the given splits (plus 'test' when present); report all problems at once."""
    links = escaping_links(root) if root.is_dir() else []
    if links:
        raise ProblemList(
            f"The dataset in {root} has links to files outside it",
            links,
            "copy the linked files into the dataset folder, then upload the dataset again",
        )
    yaml_file = find_data_yaml(root)
    data = _load_yaml(yaml_file, root)
    problems: list[DatasetProblem] = []
    notes: list[str] = []
    names = _class_names(data, _shown(yaml_file, root), problems)
    split_dirs: dict[str, tuple[Path, ...]] = {}
    wanted = list(splits) + (["test"] if "test" not in splits and "train" in splits else [])
    for split in wanted:
        split_problems: list[DatasetProblem] = []
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
