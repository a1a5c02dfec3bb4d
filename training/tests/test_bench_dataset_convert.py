"""bench/dataset_convert.py runs end to end on a few hundred images: both tools convert the same export, in their
own processes, and what each produced agrees with the export and with the other."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from pathlib import Path

from jobs import DURATIONS

BENCH = Path(__file__).resolve().parents[2] / "bench" / "dataset_convert.py"
IMAGES = 200


def test_the_conversion_benchmark_smoke_run(tmp_path: Path) -> None:
    started = time.monotonic()
    figures = tmp_path / "figures.json"
    result = subprocess.run(
        [sys.executable, str(BENCH), "--images", str(IMAGES), "--rounds", "1", "--work", str(tmp_path / "work"), "--json", str(figures)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    data = json.loads(figures.read_text())
    export = data["export"]
    ours, theirs = data["runs"]
    assert (ours["tool"], theirs["tool"]) == ("yolops", "convert_coco") and ours["round"] == theirs["round"] == 1
    assert export["images"] == IMAGES and export["crowd"] > 0 and export["outside"] > 0

    # yolops: every image linked and labelled, split 0.8/0.2, crowd regions skipped, boxes kept (clipped).
    assert ours["valid"] is True
    assert ours["output"] == {"images": IMAGES, "label_files": IMAGES, "boxes": export["boxes"]}
    sizes = {name: s["images"] for name, s in ours["splits"].items()}
    assert list(sizes) == ["train", "val"] and sum(sizes.values()) == IMAGES
    assert abs(sizes["val"] - IMAGES * 0.2) <= 2  # stratified by class: within a couple of images of 20%
    assert sum(s["boxes"] for s in ours["splits"].values()) == export["boxes"]
    assert ours["codes"] == ["box_outside_image", "crowd_annotation"]
    assert ours["warnings"] == export["crowd"] + export["outside"]
    # convert_coco: labels only, one file per image, the same boxes (crowd skipped there too).
    assert theirs["output"] == {"images": 0, "label_files": IMAGES, "boxes": export["boxes"]}

    for run in (ours, theirs):
        assert run["wall_s"] >= run["work_s"] > 0 and run["cpu_s"] > 0 and run["peak_mb"] > 10
    assert data["ratio_wall"] == ours["wall_s"] / theirs["wall_s"]  # one round: the medians are the runs
    assert data["ratio_cpu"] == ours["cpu_s"] / theirs["cpu_s"]
    assert re.search(r"^ratio yolops / convert_coco \(median wall\): \d+\.\d\dx$", result.stdout, re.M)
    assert re.search(r"^ratio yolops / convert_coco \(median cpu\): \d+\.\d\dx$", result.stdout, re.M)
    assert not (tmp_path / "work" / "out-yolops" / "images").is_symlink()
    DURATIONS[f"bench/dataset_convert.py --images {IMAGES}"] = time.monotonic() - started
