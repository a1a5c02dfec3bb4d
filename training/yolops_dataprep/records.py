"""What every reader of a labelling format produces, and what the splitter and the writer take.

A reader turns one export into an Export: the images with their boxes in pixels (corner form, as most exports
and Ultralytics' plots think of them), the class names in their stable order, and every problem it met, each
with where it is and what to do. Nothing is written until the whole export has been read.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the export. `where` names the file and the record, line or key; `fix` says what to do."""

    severity: Severity
    code: str
    where: str
    message: str
    fix: str

    def line(self) -> str:
        return f"{self.where}: {self.message}; {self.fix}"


@dataclass(frozen=True)
class Box:
    """One box in pixels of its image, corners (x_min, y_min) and (x_max, y_max), of class `class_index`."""

    class_index: int
    x_min: float
    y_min: float
    x_max: float
    y_max: float


@dataclass
class LabelledImage:
    """One image of the export: where its file is, its size in pixels, its boxes, and where it was described."""

    source: Path
    width: int
    height: int
    boxes: list[Box]
    where: str
    # The path under the output's images/<split>/ (and, with .txt, labels/<split>/); unique within the export.
    output_name: str


@dataclass
class Export:
    """A whole export, read: images in a stable order (the export's), class names in index order, problems."""

    format: str
    images: list[LabelledImage]
    class_names: list[str]
    problems: list[Problem] = field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]
