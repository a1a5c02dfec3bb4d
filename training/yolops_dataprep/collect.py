"""Adds an export's images once each, whatever the format: exports list one file twice more often than one
would think (a re-import, two tasks on one image, an image in two COCO files merged by hand)."""

from __future__ import annotations

from pathlib import Path

from .boxes import box_key
from .problems import problem
from .records import Export, LabelledImage


class ImageCollector:
    """A second record of a file already added is kept once with a duplicate_image warning when its boxes are the
    same, and refused as conflicting_labels when they differ: which labels are right is a person's call."""

    def __init__(self, export: Export) -> None:
        self.export = export
        self.seen: dict[Path, LabelledImage] = {}

    def add(self, image: LabelledImage) -> None:
        first = self.seen.get(image.source)
        if first is None:
            self.seen[image.source] = image
            self.export.images.append(image)
            return
        name = image.source.name
        if sorted(map(box_key, first.boxes)) == sorted(map(box_key, image.boxes)):
            message = f"describes {name} as {first.where} does, with the same boxes; kept once"
            self.export.problems.append(problem("duplicate_image", image.where, message, severity="warning"))
        else:
            message = f"describes {name}, as {first.where} does, with other boxes"
            self.export.problems.append(problem("conflicting_labels", image.where, message))
