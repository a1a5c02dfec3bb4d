"""The problem codes every reader of a labelled export uses, each with its default severity and one-line fix.

One table, so the same mistake reads the same whatever the format, and a test corpus can name the code it
expects. A reader makes a Problem with `problem(code, where, message)`; the severity and the fix come from here
unless the reader has a more precise fix to give (`fix=`) or the case is milder or worse than usual
(`severity=`). Codes are stable names: tests, preprocess.json and the CLI's --result file carry them.
"""

from __future__ import annotations

from dataclasses import dataclass

from .records import Problem, Severity


@dataclass(frozen=True)
class ProblemCode:
    severity: Severity
    fix: str


CODES: dict[str, ProblemCode] = {
    # The export as a whole.
    "malformed_file": ProblemCode("error", "fix the file's syntax (the position is in the message) and export again"),
    "empty_export": ProblemCode("error", "export again with the labelled images included"),
    "no_images": ProblemCode("error", "export again with the images listed (COCO: the images array)"),
    "no_categories": ProblemCode("error", "export again with the label classes (COCO: the categories array)"),
    "no_boxes": ProblemCode("error", "label some images with boxes before converting"),
    "missing_annotations": ProblemCode("error", "give the export's annotation file(s) or the folder that holds them"),
    "segmentation_export": ProblemCode(
        "error", "export the project as object detection (bounding boxes), not segmentation or keypoints"
    ),
    "class_map_mismatch": ProblemCode("error", "make the class list and the labels agree (same names, same ids)"),
    # The call, and the converter itself.
    "invalid_argument": ProblemCode("error", "correct the step's argument (the message names it)"),
    "conversion_failed": ProblemCode("error", "the converter failed unexpectedly; the job log has the traceback"),
    # One class or category.
    "unknown_category": ProblemCode("error", "add the category to the export's class list or remove its annotations"),
    "unknown_label": ProblemCode("error", "add the label to the project's class list or relabel the box"),
    "duplicate_category": ProblemCode("error", "give every category its own id and name"),
    # One image.
    "missing_image": ProblemCode("error", "put the image file in the export's folder (or its images/) under that name"),
    "missing_source_ref": ProblemCode("error", "give every record the reference to its image"),
    "duplicate_image": ProblemCode("error", "list each image once (one id, one file name)"),
    "conflicting_labels": ProblemCode("error", "keep one set of labels per image (remove the other record)"),
    "size_mismatch": ProblemCode("error", "export again so the recorded size matches the image file"),
    "unreadable_image": ProblemCode("error", "replace the file with a readable JPEG or PNG image"),
    "unsupported_image": ProblemCode("error", "convert the image to one of the dataset contract's formats (JPEG, PNG)"),
    # One box.
    "negative_box": ProblemCode("error", "fix or delete the box: its width and height must be positive"),
    "box_outside_image": ProblemCode("warning", "the box was clipped to the image; check it in the labelling tool"),
    "box_empty_after_clip": ProblemCode("warning", "the box lies outside its image and was dropped; relabel it"),
    "crowd_annotation": ProblemCode("warning", "crowd regions are skipped; label the objects one by one to keep them"),
    "segmentation_only": ProblemCode("warning", "the annotation has no bbox and was skipped; export with boxes"),
    "difficult_object": ProblemCode("warning", "kept as an ordinary box; remove it in the labelling tool if unwanted"),
    "unlabelled_image": ProblemCode("warning", "kept as a background image (no boxes); label it if it has objects"),
}


def problem(code: str, where: str, message: str, *, fix: str | None = None, severity: Severity | None = None) -> Problem:
    """A Problem of a known code, with the code's severity and fix unless given."""
    entry = CODES.get(code)
    if entry is None:
        raise KeyError(f"{code!r} is not a problem code of {__name__}")
    return Problem(
        severity=severity or entry.severity, code=code, where=where, message=message, fix=fix or entry.fix
    )


def error(code: str, where: str, message: str, *, fix: str | None = None) -> Problem:
    return problem(code, where, message, fix=fix, severity="error")


def warning(code: str, where: str, message: str, *, fix: str | None = None) -> Problem:
    return problem(code, where, message, fix=fix, severity="warning")


def as_json(item: Problem) -> dict[str, str]:
    """The shape of a problem in preprocess.json and the CLI's --result file."""
    return {"severity": item.severity, "code": item.code, "where": item.where, "message": item.message, "fix": item.fix}


def counts(items: list[Problem]) -> tuple[int, int]:
    """(errors, warnings)."""
    errors = sum(1 for p in items if p.severity == "error")
    return errors, len(items) - errors
