"""One box of an export checked and clipped the same way whatever the format: the readers call checked_box.

- A coordinate that is not a finite number: malformed_file (error).
- Width or height zero or negative: negative_box (error): the labelling tool wrote something no one drew.
- A box reaching outside its image is clipped to it: box_outside_image (warning). Up to one pixel of overflow
  is clipped silently: labelling tools round (Label Studio's percentages, VOC's inclusive pixel indices).
- A box wholly outside its image is dropped: box_empty_after_clip (warning).
"""

from __future__ import annotations

import math

from .problems import problem
from .records import Box, Problem

# Overflow (pixels) clipped without a warning: the rounding of the tools, not a box drawn outside.
SILENT_OVERFLOW_PX = 1.0


def checked_box(
    class_index: int,
    corners: tuple[float, float, float, float],
    size: tuple[int, int],
    where: str,
    problems: list[Problem],
) -> Box | None:
    """The box (x_min, y_min, x_max, y_max in pixels) clipped to an image of size (width, height), or None
    when it is unusable; every problem found is appended to `problems`."""
    x_min, y_min, x_max, y_max = corners
    width, height = size
    if not all(isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) for v in corners):
        problems.append(problem("malformed_file", where, f"box coordinates {list(corners)} are not all numbers"))
        return None
    if x_max <= x_min or y_max <= y_min:
        problems.append(
            problem(
                "negative_box",
                where,
                f"box has width {x_max - x_min:g} and height {y_max - y_min:g} pixels",
            )
        )
        return None
    clipped = (max(0.0, x_min), max(0.0, y_min), min(float(width), x_max), min(float(height), y_max))
    if clipped[2] <= clipped[0] or clipped[3] <= clipped[1]:
        problems.append(
            problem(
                "box_empty_after_clip",
                where,
                f"box ({x_min:g}, {y_min:g})-({x_max:g}, {y_max:g}) lies outside its {width}x{height} image",
            )
        )
        return None
    overflow = max(-x_min, -y_min, x_max - width, y_max - height)
    if overflow > SILENT_OVERFLOW_PX:
        problems.append(
            problem(
                "box_outside_image",
                where,
                f"box ({x_min:g}, {y_min:g})-({x_max:g}, {y_max:g}) reaches {overflow:g} px outside its "
                f"{width}x{height} image",
            )
        )
    return Box(class_index, *clipped)


def box_key(box: Box) -> tuple[int, float, float, float, float]:
    """A box compared to a thousandth of a pixel: two records of one image agree when their keys do."""
    return (box.class_index, round(box.x_min, 3), round(box.y_min, 3), round(box.x_max, 3), round(box.y_max, 3))
