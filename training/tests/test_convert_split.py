"""The split: the same export, ratios and seed give the same split whatever order the images come in; every
class with at least as many images as splits is in every split; the ratios hold; background images are split."""

from __future__ import annotations

import random
from collections import Counter
from pathlib import Path

import pytest

from yolops_dataprep.records import Box, LabelledImage
from yolops_dataprep.split import SplitError, parse_ratios, split_images


def _images(classes: dict[int, int], backgrounds: int = 0) -> list[LabelledImage]:
    """`n` single-class images per class, plus background images."""
    images = []
    for c, n in classes.items():
        for i in range(n):
            name = f"c{c}/img{i:04d}.jpg"
            images.append(LabelledImage(Path(name), 64, 64, [Box(c, 1, 1, 10, 10)], name, name))
    for i in range(backgrounds):
        name = f"bg/img{i:04d}.jpg"
        images.append(LabelledImage(Path(name), 64, 64, [], name, name))
    return images


def _names(split: dict[str, list[LabelledImage]]) -> dict[str, list[str]]:
    return {k: [i.output_name for i in v] for k, v in split.items()}


def test_deterministic_and_independent_of_the_input_order() -> None:
    images = _images({0: 40, 1: 25, 2: 3}, backgrounds=12)
    first = _names(split_images(images, (0.8, 0.2), seed=0))
    shuffled = images[:]
    random.Random(7).shuffle(shuffled)
    assert _names(split_images(shuffled, (0.8, 0.2), seed=0)) == first
    assert _names(split_images(list(reversed(images)), (0.8, 0.2), seed=0)) == first
    assert _names(split_images(images, (0.8, 0.2), seed=1)) != first  # the seed changes it
    assert sorted(sum(first.values(), [])) == sorted(i.output_name for i in images)  # each image once


@pytest.mark.parametrize("ratios", [(0.8, 0.2), (0.7, 0.2, 0.1), (0.5, 0.5)])
def test_stratified_and_ratios_respected(ratios: tuple[float, ...]) -> None:
    classes = {0: 120, 1: 45, 2: 9, 3: 3, 4: 1}  # a common class, rarer ones, one with exactly 3, one with 1
    images = _images(classes, backgrounds=30)
    split = split_images(images, ratios, seed=0)
    assert list(split) == ["train", "val", "test"][: len(ratios)]
    total = len(images)
    for (name, items), ratio in zip(split.items(), ratios, strict=True):
        assert abs(len(items) - total * ratio) <= 2, (name, len(items), total * ratio)
        per_class = Counter(b.class_index for i in items for b in i.boxes)
        for c, n in classes.items():
            if n >= len(ratios):  # "enough": at least one image per split
                assert per_class[c] >= 1, (name, c)
            if n >= 40:  # a common class follows the ratios too
                assert abs(per_class[c] - n * ratio) <= 2, (name, c, per_class[c])
        backgrounds = sum(1 for i in items if not i.boxes)
        assert abs(backgrounds - 30 * ratio) <= 2, (name, backgrounds)


def test_the_single_image_class_goes_to_train() -> None:
    split = split_images(_images({0: 20, 1: 1}), (0.8, 0.2), seed=3)
    assert any(b.class_index == 1 for i in split["train"] for b in i.boxes)


def test_too_few_images_and_bad_ratios() -> None:
    with pytest.raises(SplitError, match="cannot fill 3 splits"):
        split_images(_images({0: 2}), (0.7, 0.2, 0.1), seed=0)
    small = split_images(_images({0: 2}), (0.9, 0.1), seed=0)
    assert [len(v) for v in small.values()] == [1, 1]  # no split left empty
    assert parse_ratios(" 0.7, 0.2 ,0.1") == (0.7, 0.2, 0.1)
    for text, match in (("0.8", "1 parts"), ("0.5,0.6", "adds up to 1.1"), ("a,b", "positive numbers"), ("1,0", "positive")):
        with pytest.raises(SplitError, match=match):
            parse_ratios(text)
