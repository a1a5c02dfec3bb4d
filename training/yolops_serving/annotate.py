"""`python -m yolops_serving.annotate`: the server's detections drawn on the images they came from, as PNGs.

`yolops predict --save-dir` runs it with the project's Python, so drawing needs no image library in Node. It
reads one JSON document on stdin: {"images": [{"source": <image path>, "output": <png path>, "prediction":
<one entry of the server's `predictions`>}]} and writes each output at the source image's size. A problem is
one line on stderr naming the image, exit 1; outputs already written stay (each is complete: written to a temp
name and renamed).
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

from PIL import Image, ImageDraw, ImageFont

# Distinct, readable on light and dark backgrounds; a class's colour is fixed by its id.
PALETTE = ("#ff3838", "#2c99a8", "#ff9d97", "#00c2ff", "#cfd231", "#48f90a", "#92cc17", "#3ddb86", "#1a9334", "#ff701f")


def colour(class_id: int) -> str:
    return PALETTE[class_id % len(PALETTE)]


def annotate(source: Path, output: Path, prediction: dict[str, Any]) -> None:
    with Image.open(source) as opened:
        image = opened.convert("RGB")
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default()
    # Thin lines on the small images of a synthetic dataset, thicker on a photo.
    width = max(1, round(min(image.size) / 200))
    for detection in prediction.get("detections", []):
        box = detection["box"]
        x1, y1, x2, y2 = box["x1"], box["y1"], box["x2"], box["y2"]
        fill = colour(int(detection["class_id"]))
        draw.rectangle((x1, y1, x2, y2), outline=fill, width=width)
        label = f"{detection['class_name']} {detection['score']:.2f}"
        left, top, right, bottom = draw.textbbox((0, 0), label, font=font)
        text_w, text_h = right - left, bottom - top
        # Above the box when it fits, inside its top edge otherwise.
        ty = y1 - text_h - 2 if y1 - text_h - 2 >= 0 else y1
        draw.rectangle((x1, ty, x1 + text_w + 2, ty + text_h + 2), fill=fill)
        draw.text((x1 + 1 - left, ty + 1 - top), label, fill="white", font=font)
    output.parent.mkdir(parents=True, exist_ok=True)
    partial = output.with_name(f".{output.name}.partial")
    image.save(partial, format="PNG")
    os.replace(partial, output)


def main() -> int:
    try:
        request = json.load(sys.stdin)
        images = request["images"]
    except (ValueError, KeyError, TypeError) as e:
        print(f"annotate: stdin is not {{\"images\": [...]}}: {e}", file=sys.stderr)
        return 1
    for entry in images:
        source = Path(entry["source"])
        try:
            annotate(source, Path(entry["output"]), entry["prediction"])
        except (OSError, KeyError, TypeError, ValueError) as e:
            print(f"annotate: {source}: {e}", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
