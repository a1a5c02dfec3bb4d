"""One conversion, start to end: read the export, refuse it when it has errors (nothing written), split, write,
then check the written dataset with the training job's own dataset checks, so what is written trains.

A YOLO dataset that is already split is not converted: it is checked as the training job checks it, then passed
through unchanged (linked or copied). The result is one dict, the shape of preprocess.json (the Preprocess
step's report) and of the CLI's --result file.
"""

from __future__ import annotations

import importlib
import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from yolops_training.dataset_checks import DatasetReport, check_dataset
from yolops_training.dataset_layout import read_layout
from yolops_training.errors import JobFailure, ProblemList

from .label_formats import FORMAT_NAMES
from .problems import as_json, counts, problem
from .read_yolo import is_split
from .records import Export, Problem
from .split import split_images
from .write_yolo import check_output, copy_tree, write_yolo

SCHEMA_VERSION = 1


class ConvertRefused(ValueError):
    """A mistake in how the converter was called (unknown format, bad ratios, output not empty): one line."""


def read_export(format: str, input: Path) -> Export:
    if format not in FORMAT_NAMES:
        raise ConvertRefused(f"unknown format {format!r}; use one of {', '.join(FORMAT_NAMES)}")
    module = importlib.import_module(f"{__package__}.read_{format}")
    export: Export = module.read(input)
    return export


def _contract_problems(failure: JobFailure) -> list[Problem]:
    """The dataset checks' problems as the converter's: their contract code, file, and text (which says the fix)."""
    items = getattr(failure, "problems", None) or [str(failure)]
    fix = failure.fix if isinstance(failure, ProblemList) else "correct the dataset and try again"
    found = []
    for item in items:
        code = getattr(item, "code", "invalid-dataset")
        where = getattr(item, "file", "") or "dataset"
        found.append(Problem(severity="error", code=code, where=where, message=str(item), fix=fix))
    return found


def validate_dataset(folder: Path) -> tuple[DatasetReport | None, list[Problem]]:
    """The dataset contract's checks, as the training job runs them: (report, []) or (None, problems)."""
    try:
        return check_dataset(read_layout(folder, ("train", "val"))), []
    except JobFailure as failure:
        return None, _contract_problems(failure)


def _split_counts(report: DatasetReport) -> dict[str, dict[str, int]]:
    return {name: {"images": len(split.images), "boxes": split.boxes} for name, split in report.splits.items()}


def result(
    format: str, converted: bool, valid: bool, problems: Sequence[Problem], classes: Sequence[str] = (), splits: dict[str, dict[str, int]] | None = None
) -> dict[str, Any]:
    errors, warnings = counts(list(problems))
    return {
        "schemaVersion": SCHEMA_VERSION,
        "format": format,
        "converted": converted,
        "valid": valid,
        "splits": splits or {},
        "classes": list(classes),
        "problems": [as_json(p) for p in problems],
        "errors": errors,
        "warnings": warnings,
    }


def pass_through(input: Path, output: Path) -> dict[str, Any]:
    """A split YOLO dataset: checked, then linked or copied to `output` unchanged."""
    report, problems = validate_dataset(input)
    if report is None:
        return result("yolo", False, False, problems)
    copy_tree(input, output)
    return result("yolo", False, True, [], report.names, _split_counts(report))


def convert(format: str, input: Path, output: Path, ratios: Sequence[float], seed: int) -> dict[str, Any]:
    """Convert `input` (an export of `format`) into a split YOLO dataset at `output` (new or empty folder).
    Raises ConvertRefused for a mistake in the call; a bad export is a result with valid false and errors."""
    check_output_or_refuse(output)
    existed = output.exists()
    if format == "yolo" and input.is_dir() and is_split(input):
        return pass_through(input, output)
    export = read_export(format, input)
    problems = list(export.problems)
    if not export.errors and export.images and not any(image.boxes for image in export.images):
        problems.append(problem("no_boxes", str(input), f"none of its {len(export.images)} images has a box"))
    if not export.errors and not export.images and not any(p.severity == "error" for p in problems):
        problems.append(problem("no_images", str(input), "has no usable images"))
    if any(p.severity == "error" for p in problems):
        return result(format, True, False, problems, export.class_names)
    try:
        splits = split_images(export.images, ratios, seed)
    except ValueError as e:
        problems.append(problem("no_images", str(input), str(e), fix="label more images, or use fewer splits"))
        return result(format, True, False, problems, export.class_names)
    write_yolo(output, splits, export.class_names)
    report, contract = validate_dataset(output)
    if report is None:
        _remove_written(output, existed)  # never leave a dataset the training would refuse
        return result(format, True, False, problems + contract, export.class_names)
    return result(format, True, True, problems, export.class_names, _split_counts(report))


def check_output_or_refuse(output: Path) -> None:
    try:
        check_output(output)
    except ValueError as e:
        raise ConvertRefused(str(e)) from e


def _remove_written(output: Path, existed: bool) -> None:
    """Remove what was written; a folder that existed before (a processing job's output folder) stays, empty."""
    if not existed:
        shutil.rmtree(output)
        return
    for entry in list(output.iterdir()):
        shutil.rmtree(entry) if entry.is_dir() and not entry.is_symlink() else entry.unlink()
