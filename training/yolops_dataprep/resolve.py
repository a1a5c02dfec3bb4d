"""Find the file an export's image reference names, inside the export's folder.

A labelled-data version is self-contained: the annotation file(s) and the images under one folder. But the
references in exports are written where the labelling happened: COCO `file_name` ("img/a.jpg" or just "a.jpg"),
VOC `path` ("C:\\\\data\\\\a.jpg"), Label Studio URLs ("/data/upload/3/abc-a.jpg", "/data/local-files/?d=x/a.jpg"),
Ground Truth `s3://bucket/prefix/a.jpg`. The rule: take the reference's path parts, and the longest trailing run
of them that exists as a file under the folder, or under the folder's images/, wins. "labeling/job/img/a.jpg"
finds images/labeling/job/img/a.jpg before img/a.jpg before a.jpg. None found: the caller reports missing_image.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from .images import read_size, unsupported_reason
from .problems import problem
from .records import Problem

IMAGES_FOLDER = "images"


def reference_parts(reference: str) -> list[str]:
    """The path parts of a reference: scheme, host and query dropped, %-escapes decoded, / and \\ both separate.
    Label Studio's local-files URLs carry the path in the `d` query parameter; that path is used instead."""
    text = reference.strip()
    path = text
    if "://" in text or text.startswith("/") or "?" in text:
        parts = urlsplit(text)
        query = parse_qs(parts.query)
        path = query["d"][0] if query.get("d") else unquote(parts.path)
    pieces = [p for p in path.replace("\\", "/").split("/") if p]
    # A drive letter ("C:") and the dot folders can never be part of a path inside the folder.
    return [p for p in pieces if p not in (".", "..") and not (len(p) == 2 and p[1] == ":")]


class ImageResolver:
    """Resolves references against one folder; remembers which folders exist, so a large export stays quick."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.roots = [folder] + ([folder / IMAGES_FOLDER] if (folder / IMAGES_FOLDER).is_dir() else [])

    def resolve(self, reference: str) -> Path | None:
        parts = reference_parts(reference)
        for start in range(len(parts)):
            tail = Path(*parts[start:])
            for root in self.roots:
                candidate = root / tail
                if candidate.is_file():
                    return candidate
        return None


def resolve_image(reference: str, folder: Path) -> Path | None:
    """The file under `folder` (or `folder/images/`) that the reference names, or None."""
    return ImageResolver(folder).resolve(reference)


def shown_path(path: Path, folder: Path) -> str:
    """How problems name a file of the export: its path inside the export's folder, else its name."""
    try:
        return path.relative_to(folder).as_posix()
    except ValueError:
        return path.name


def output_name(path: Path, folder: Path) -> str:
    """The image's path under the output's images/<split>/: its path inside the export's images/ (or the export's
    folder), so names stay unique and recognisable; a file outside the folder keeps its name only."""
    for root in (folder / IMAGES_FOLDER, folder):
        try:
            return path.relative_to(root).as_posix()
        except ValueError:
            continue
    return path.name


def locate_image(
    resolver: ImageResolver,
    references: list[str],
    where: str,
    recorded: tuple[int, int] | None,
    problems: list[Problem],
) -> tuple[Path, tuple[int, int]] | None:
    """The image file one record names (the first of `references` that resolves) and the size its boxes are in,
    or None with the problem appended: missing, of a format the training cannot read, unreadable, or of another
    size than the export records. A recorded size that matches the image as displayed (EXIF rotation applied,
    as the labelling tool and OpenCV show it) is accepted."""
    wanted = [r for r in references if r and r.strip()]
    if not wanted:
        problems.append(problem("missing_source_ref", where, "names no image file"))
        return None
    path = next((p for p in map(resolver.resolve, wanted) if p is not None), None)
    if path is None:
        roots = " or ".join(f"{r}/" for r in resolver.roots)
        problems.append(problem("missing_image", where, f"image {wanted[0]!r} is not under {roots}"))
        return None
    reason = unsupported_reason(path)
    if reason is not None:
        problems.append(problem("unsupported_image", where, f"image {path.name}: {reason}"))
        return None
    size = read_size(path)
    if isinstance(size, str):
        problems.append(problem("unreadable_image", where, f"image {path.name} {size}"))
        return None
    if recorded is None or recorded[0] <= 0 or recorded[1] <= 0:
        return path, size.displayed
    if recorded in ((size.width, size.height), size.displayed):
        return path, recorded
    problems.append(
        problem(
            "size_mismatch",
            where,
            f"records the image as {recorded[0]}x{recorded[1]} pixels but {path.name} is {size.width}x{size.height}",
        )
    )
    return None
