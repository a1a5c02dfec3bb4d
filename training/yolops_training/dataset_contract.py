"""The dataset contract both languages read: dataset_contract.json beside this module.

The TypeScript validator (src/core/dataset/contract.ts) imports the same file, so the accepted image extensions,
where data.yaml may be, the tolerances and the problem codes exist once. The file ships with the package
(training/ is the code bundle, and the Dockerfile copies yolops_training/ whole). Its shape is checked when it
is read: a broken file stops the job with the key that is wrong, not with a KeyError deep in a check.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import JobFailure

CONTRACT_FILE = Path(__file__).with_name("dataset_contract.json")
SPLITS = ("train", "val", "test")
SEVERITIES = ("error", "warning")
SCOPES = ("data.yaml", "file", "line")
SIDES = ("typescript", "python")
IMAGE_CHECKS = ("header", "signature", "refused")


class ContractError(Exception):
    """dataset_contract.json does not have the contract's shape: a bug of this code, not of the dataset."""


@dataclass(frozen=True)
class ImageEntry:
    format: str
    check: str  # how the TypeScript validator reads it; "refused" is refused by both sides
    refusal: str | None


@dataclass(frozen=True)
class ProblemEntry:
    severity: str
    scope: str
    checked_by: tuple[str, ...]


@dataclass(frozen=True)
class DatasetContract:
    ultralytics_version: str
    data_yaml_names: tuple[str, ...]
    data_yaml_one_folder_down: bool
    split_keys: dict[str, tuple[str, ...]]
    conventional_folders: dict[str, tuple[str, ...]]
    images: dict[str, ImageEntry]
    ignored_label_files: frozenset[str]
    coordinate_tolerance: float
    min_image_side: int
    problems: dict[str, ProblemEntry]

    @property
    def image_extensions(self) -> frozenset[str]:
        return frozenset(self.images)


def _need(condition: bool, where: str, what: str) -> None:
    if not condition:
        raise ContractError(f"{CONTRACT_FILE.name}: {where} {what}")


def _strings(value: Any, where: str) -> tuple[str, ...]:
    _need(
        isinstance(value, list) and bool(value) and all(isinstance(v, str) and v for v in value),
        where,
        "must be a non-empty list of names",
    )
    return tuple(value)


def _splits(value: Any, where: str) -> dict[str, tuple[str, ...]]:
    _need(isinstance(value, dict) and sorted(value) == sorted(SPLITS), where, f"must have exactly the keys {SPLITS}")
    return {split: _strings(value[split], f"{where}.{split}") for split in SPLITS}


def parse_contract(data: Any) -> DatasetContract:
    """The contract from the file's JSON value, its shape checked (the TypeScript side checks it with zod)."""
    _need(isinstance(data, dict) and data.get("schemaVersion") == 1, "(root)", "must be an object with schemaVersion 1")
    data_yaml = data.get("dataYaml")
    _need(isinstance(data_yaml, dict), "dataYaml", "must be an object")
    _need(isinstance(data_yaml.get("oneFolderDown"), bool), "dataYaml.oneFolderDown", "must be true or false")
    images: dict[str, ImageEntry] = {}
    _need(isinstance(data.get("images"), dict) and bool(data["images"]), "images", "must be an object")
    for extension, entry in data["images"].items():
        where = f"images.{extension}"
        _need(extension.isalnum() and extension == extension.lower(), where, "must be a lowercase extension")
        _need(isinstance(entry, dict) and entry.get("check") in IMAGE_CHECKS, where, f"needs a check of {IMAGE_CHECKS}")
        _need(isinstance(entry.get("format"), str), where, "needs a format")
        refusal = entry.get("refusal")
        _need((entry["check"] == "refused") == isinstance(refusal, str), where, "has a refusal exactly when refused")
        images[extension] = ImageEntry(format=entry["format"], check=entry["check"], refusal=refusal)
    problems: dict[str, ProblemEntry] = {}
    _need(isinstance(data.get("problems"), dict) and bool(data["problems"]), "problems", "must be an object")
    for code, entry in data["problems"].items():
        where = f"problems.{code}"
        _need(isinstance(entry, dict), where, "must be an object")
        _need(entry.get("severity") in SEVERITIES, f"{where}.severity", f"must be one of {SEVERITIES}")
        _need(entry.get("scope") in SCOPES, f"{where}.scope", f"must be one of {SCOPES}")
        sides = entry.get("checkedBy")
        _need(isinstance(sides, list) and bool(sides) and set(sides) <= set(SIDES), f"{where}.checkedBy", "bad sides")
        problems[code] = ProblemEntry(severity=entry["severity"], scope=entry["scope"], checked_by=tuple(sides))
    tolerances = data.get("tolerances")
    _need(isinstance(tolerances, dict), "tolerances", "must be an object")
    coordinate, min_side = tolerances.get("coordinate"), tolerances.get("minImageSide")
    _need(isinstance(coordinate, (int, float)) and 0 <= coordinate <= 0.5, "tolerances.coordinate", "must be 0..0.5")
    _need(isinstance(min_side, int) and min_side >= 1, "tolerances.minImageSide", "must be a whole number >= 1")
    ignored = data.get("ignoredLabelFiles")
    _need(isinstance(ignored, list) and all(isinstance(n, str) for n in ignored), "ignoredLabelFiles", "bad list")
    return DatasetContract(
        ultralytics_version=str(data.get("ultralyticsVersion")),
        data_yaml_names=_strings(data_yaml.get("fileNames"), "dataYaml.fileNames"),
        data_yaml_one_folder_down=data_yaml["oneFolderDown"],
        split_keys=_splits(data.get("splitKeys"), "splitKeys"),
        conventional_folders=_splits(data.get("conventionalFolders"), "conventionalFolders"),
        images=images,
        ignored_label_files=frozenset(ignored),
        coordinate_tolerance=float(coordinate),
        min_image_side=min_side,
        problems=problems,
    )


def load_contract(path: Path = CONTRACT_FILE) -> DatasetContract:
    try:
        return parse_contract(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, json.JSONDecodeError) as e:
        raise ContractError(f"cannot read the dataset contract {path}: {e}") from e


CONTRACT = load_contract()


class DatasetProblem(str):
    """One problem of a dataset: the text the job reports (a str, so ProblemList lists it as is), with the
    contract's code and the file (relative to the dataset folder) and line it is on, for tools and tests."""

    code: str
    file: str
    line: int | None

    def __new__(cls, code: str, file: str, text: str, line: int | None = None) -> DatasetProblem:
        if code not in CONTRACT.problems:
            raise ContractError(f"{code!r} is not a problem code of {CONTRACT_FILE.name}")
        problem = super().__new__(cls, text)
        problem.code, problem.file, problem.line = code, file, line
        return problem

    @property
    def severity(self) -> str:
        return CONTRACT.problems[self.code].severity


class DatasetFailure(JobFailure):
    """A dataset that cannot be read at all (no data.yaml, unparseable YAML): one problem, its text the reason."""

    def __init__(self, problem: DatasetProblem) -> None:
        self.problems = [problem]
        super().__init__(str(problem))
