"""Ultralytics results to the response JSON: per image its size and detections, pixel and normalised boxes."""

from __future__ import annotations

from typing import Any

# Rounded so that responses stay small: a pixel to 0.01, a normalised value or score to 1e-6.
PIXEL_DIGITS, UNIT_DIGITS = 2, 6


def image_prediction(result: Any, names: dict[int, str]) -> dict[str, Any]:
    height, width = result.orig_shape
    boxes = result.boxes
    detections = []
    for xyxy, xywhn, score, cls in zip(
        boxes.xyxy.tolist(), boxes.xywhn.tolist(), boxes.conf.tolist(), boxes.cls.tolist(), strict=True
    ):
        class_id = int(cls)
        x1, y1, x2, y2 = (round(v, PIXEL_DIGITS) for v in xyxy)
        x, y, w, h = (round(v, UNIT_DIGITS) for v in xywhn)
        detections.append(
            {
                "class_id": class_id,
                "class_name": names.get(class_id, str(class_id)),
                "score": round(score, UNIT_DIGITS),
                "box": {"x1": x1, "y1": y1, "x2": x2, "y2": y2},
                "box_normalized": {"x_center": x, "y_center": y, "width": w, "height": h},
            }
        )
    return {"width": int(width), "height": int(height), "detections": detections}
