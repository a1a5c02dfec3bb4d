"""yolops_serving.annotate: the server's detections drawn on the image, as `yolops predict --save-dir` runs it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from PIL import Image, ImageColor

from yolops_serving.annotate import colour

TRAINING_DIR = Path(__file__).resolve().parents[1]


def run_annotate(request: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "yolops_serving.annotate"],
        cwd=TRAINING_DIR,
        input=json.dumps(request),
        capture_output=True,
        text=True,
        check=False,
    )


def detection(class_id: int, x1: float, y1: float, x2: float, y2: float) -> dict[str, object]:
    return {"class_id": class_id, "class_name": f"c{class_id}", "score": 0.9, "box": {"x1": x1, "y1": y1, "x2": x2, "y2": y2}}


def test_draws_each_box_in_its_class_colour_at_the_image_size(tmp_path: Path) -> None:
    source = tmp_path / "photo.jpg"
    Image.new("RGB", (120, 80), "black").save(source, format="JPEG")
    output = tmp_path / "out" / "photo.png"
    prediction = {"width": 120, "height": 80, "detections": [detection(1, 60, 40, 110, 75)]}
    result = run_annotate({"images": [{"source": str(source), "output": str(output), "prediction": prediction}]})
    assert result.returncode == 0, result.stderr
    with Image.open(output) as drawn:
        assert drawn.format == "PNG"
        assert drawn.size == (120, 80)
        # The box's bottom edge is drawn in class 1's colour; a pixel well outside every box stays black.
        assert drawn.convert("RGB").getpixel((85, 75)) == ImageColor.getrgb(colour(1))
        assert drawn.convert("RGB").getpixel((5, 75)) == (0, 0, 0)
    assert [p.name for p in output.parent.iterdir()] == ["photo.png"]


def test_names_the_image_it_cannot_read(tmp_path: Path) -> None:
    missing = tmp_path / "missing.png"
    result = run_annotate({"images": [{"source": str(missing), "output": str(tmp_path / "o.png"), "prediction": {"detections": []}}]})
    assert result.returncode == 1
    assert result.stderr.startswith(f"annotate: {missing}: ")
    assert not (tmp_path / "o.png").exists()


def test_refuses_a_request_that_is_not_the_expected_json() -> None:
    result = run_annotate({"pictures": []})
    assert result.returncode == 1
    assert result.stderr.startswith('annotate: stdin is not {"images": [...]}')
