"""The labelled-data formats and split rules both languages read: label_formats.json beside this module.

The TypeScript side (src/core/dataset/label-formats.ts) imports the same file, so the format names, the default
split and the report's file name exist once. The file ships with the code bundle (training/ is the bundle).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

FORMATS_FILE = Path(__file__).with_name("label_formats.json")


@dataclass(frozen=True)
class LabelFormat:
    name: str
    title: str
    description: str
    converts: bool


@dataclass(frozen=True)
class LabelFormats:
    default_format: str
    formats: dict[str, LabelFormat]
    split_names: tuple[str, ...]
    default_ratios: tuple[float, ...]
    min_ratios: int
    max_ratios: int
    report_file: str


def load_label_formats(path: Path = FORMATS_FILE) -> LabelFormats:
    raw = json.loads(path.read_text(encoding="utf-8"))
    if raw.get("schemaVersion") != 1:
        raise ValueError(f"{path}: schemaVersion must be 1")
    formats = {
        name: LabelFormat(name=name, title=entry["title"], description=entry["description"], converts=bool(entry["converts"]))
        for name, entry in raw["formats"].items()
    }
    if raw["defaultFormat"] not in formats:
        raise ValueError(f"{path}: defaultFormat {raw['defaultFormat']!r} is not one of the formats")
    split = raw["split"]
    return LabelFormats(
        default_format=raw["defaultFormat"],
        formats=formats,
        split_names=tuple(split["names"]),
        default_ratios=tuple(float(r) for r in split["defaultRatios"]),
        min_ratios=int(split["minRatios"]),
        max_ratios=int(split["maxRatios"]),
        report_file=raw["report"]["file"],
    )


LABEL_FORMATS = load_label_formats()
FORMAT_NAMES = tuple(LABEL_FORMATS.formats)
