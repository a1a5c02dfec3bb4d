"""Split an export's images into train/val[/test]: deterministic, stratified by class, ratios respected.

Deterministic: an image's place in the order depends only on the seed and its output name (a SHA-256 of both),
never on the order the file system or the export lists images in; the same export, ratios and seed give the same
split, image for image, on any machine.

Stratified (iterative stratification, Sechidis et al. 2011): the rarest class still unplaced goes first, each of
its images to the split that still lacks most of that class's share (ties: the split that lacks most images
overall, then the earlier split). A class with at least as many images as there are splits ("enough") gets at
least one image in every split: while the images left of a class are no more than the splits still without it,
they go to those splits. With a box of several classes per image this holds for the rarer class of each image;
it holds for every class of an export where an image shows one class. Background images (no boxes) are split by
the same rule on the overall counts. No split is left empty when there are at least as many images as splits.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from .label_formats import LABEL_FORMATS
from .records import LabelledImage

SPLIT_NAMES = LABEL_FORMATS.split_names


class SplitError(ValueError):
    """Ratios that cannot split these images; the message is one line for the user."""


def parse_ratios(text: str) -> tuple[float, ...]:
    """Ratios as a person writes them ("0.8,0.2", "0.7,0.2,0.1"), checked as splitRatiosProblem does in TS."""
    parts = [p.strip() for p in text.split(",")]
    try:
        ratios = tuple(float(p) for p in parts)
    except ValueError:
        ratios = ()
    if not ratios or any(not (r > 0 and r != float("inf")) for r in ratios):
        raise SplitError(f'"{text}" must be comma-separated positive numbers, e.g. "0.8,0.2" (train, val) or "0.7,0.2,0.1" (train, val, test)')
    if not LABEL_FORMATS.min_ratios <= len(ratios) <= LABEL_FORMATS.max_ratios:
        raise SplitError(f'"{text}" has {len(ratios)} parts; give {LABEL_FORMATS.min_ratios} (train, val) or {LABEL_FORMATS.max_ratios} (train, val, test)')
    if abs(sum(ratios) - 1) > 1e-3:
        raise SplitError(f'"{text}" adds up to {sum(ratios):g}; the parts must add up to 1')
    return ratios


def order_key(seed: int, name: str) -> str:
    return hashlib.sha256(f"{seed}\0{name}".encode()).hexdigest()


def split_images(images: Sequence[LabelledImage], ratios: Sequence[float], seed: int) -> dict[str, list[LabelledImage]]:
    """The images of each split (names from label_formats.json, as many as ratios), each list in output-name order."""
    names = SPLIT_NAMES[: len(ratios)]
    if len(images) < len(names):
        raise SplitError(f"{len(images)} image(s) cannot fill {len(names)} splits ({', '.join(names)}); label at least {len(names)} images")
    ordered = sorted(images, key=lambda i: order_key(seed, i.output_name))
    classes_of = [sorted({b.class_index for b in image.boxes}) for image in ordered]
    count: dict[int, int] = {}
    for classes in classes_of:
        for c in classes:
            count[c] = count.get(c, 0) + 1
    want = [len(ordered) * r for r in ratios]  # images each split still lacks
    want_class = {c: [n * r for r in ratios] for c, n in count.items()}  # per class
    has_class = {c: [0] * len(names) for c in count}
    left = dict(count)  # unplaced images per class
    placed: list[int | None] = [None] * len(ordered)

    def place(i: int, s: int) -> None:
        placed[i] = s
        want[s] -= 1
        for c in classes_of[i]:
            want_class[c][s] -= 1
            has_class[c][s] += 1
            left[c] -= 1

    by_class: dict[int, list[int]] = {c: [] for c in count}
    for i, classes in enumerate(classes_of):
        for c in classes:
            by_class[c].append(i)
    while any(left.values()):
        rarest = min((c for c in left if left[c] > 0), key=lambda c: (left[c], c))
        for i in by_class[rarest]:
            if placed[i] is not None:
                continue
            lacking = [s for s in range(len(names)) if has_class[rarest][s] == 0]
            candidates = lacking if lacking and left[rarest] <= len(lacking) else range(len(names))
            place(i, max(candidates, key=lambda s: (want_class[rarest][s], want[s], -s)))
    for i in range(len(ordered)):
        if placed[i] is None:  # background images
            place(i, max(range(len(names)), key=lambda s: (want[s], -s)))
    for s in range(len(names)):  # a tiny export: take the last image of the largest split
        if placed.count(s) == 0:
            largest = max(range(len(names)), key=lambda t: (placed.count(t), -t))
            donor = max(i for i in range(len(ordered)) if placed[i] == largest)
            placed[donor] = s
    result = {name: [ordered[i] for i in range(len(ordered)) if placed[i] == s] for s, name in enumerate(names)}
    return {name: sorted(items, key=lambda i: i.output_name) for name, items in result.items()}
