"""Dataset statistics (yolops_dataprep.stats, stats_plot, stats_cli) on a small dataset whose figures are known:
every count below is worked out by hand from the files written in `known_dataset`."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from yolops_dataprep.stats import compute_stats, parse_boxes

TRAINING_DIR = Path(__file__).resolve().parents[1]


def _image(path: Path, width: int, height: int) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (width, height), (40, 80, 120)).save(path)


def _labels(path: Path, *lines: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(f"{line}\n" for line in lines), encoding="utf-8")


@pytest.fixture
def known_dataset(tmp_path: Path) -> Path:
    """Box sizes in the pixels of the image resized to imgsz 640 (its longer side), against COCO's 32² and 96²:

    train  a.jpg 100x50  (x6.4)  0: 0.1x0.2 -> 64x64 medium; 1: 0.5x0.5 -> 320x160 large
           b.png 200x200 (x3.2)  polygons: 0: bbox 0.01x0.01 -> 6.4x6.4 small; 1: bbox 0.2x0.3 -> 128x192 large
           c.jpg 100x50          no label file: background
           d.jpg 100x50          empty label file: background
           e.jpg 200x200 (x3.2)  0: 0.2x0.2 -> 128x128 large; class 7 (no such class) and a width 0: skipped
    val    f.jpg 64x64   (x10)   1: 0.25x0.25 -> 160x160 large
    test   g.jpg 64x64   (x10)   0: 0.05x0.05 -> 32x32: exactly COCO's small limit, so medium
    """
    root = tmp_path / "known"
    for name, (w, h) in {"a.jpg": (100, 50), "b.png": (200, 200), "c.jpg": (100, 50), "d.jpg": (100, 50), "e.jpg": (200, 200)}.items():
        _image(root / "images" / "train" / name, w, h)
    _labels(root / "labels" / "train" / "a.txt", "0 0.5 0.5 0.1 0.2", "1 0.5 0.5 0.5 0.5")
    _labels(root / "labels" / "train" / "b.txt", "0 0.5 0.5 0.51 0.5 0.51 0.51", "1 0.1 0.1 0.3 0.1 0.3 0.4")
    _labels(root / "labels" / "train" / "d.txt")
    _labels(root / "labels" / "train" / "e.txt", "0 0.5 0.5 0.2 0.2", "7 0.5 0.5 0.1 0.1", "0 0.5 0.5 0 0.1")
    _image(root / "images" / "val" / "f.jpg", 64, 64)
    _labels(root / "labels" / "val" / "f.txt", "1 0.5 0.5 0.25 0.25")
    _image(root / "images" / "test" / "g.jpg", 64, 64)
    _labels(root / "labels" / "test" / "g.txt", "0 0.5 0.5 0.05 0.05")
    (root / "data.yaml").write_text(
        "train: images/train\nval: images/val\ntest: images/test\nnames: [square, disc]\n", encoding="utf-8"
    )
    return root


def _stats_cli(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "yolops_dataprep", "stats", *map(str, args)],
        cwd=TRAINING_DIR,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_counts_per_split_and_class(known_dataset: Path) -> None:
    report = compute_stats(known_dataset).report
    assert report["schemaVersion"] == 1
    assert report["classes"] == ["square", "disc"]
    assert report["dataYaml"] == "data.yaml"
    figures = {
        split: (s["images"], s["backgroundImages"], s["boxes"], s["skippedLabelLines"])
        for split, s in report["splits"].items()
    }
    assert figures == {"train": (5, 2, 5, 2), "val": (1, 0, 1, 0), "test": (1, 0, 1, 0)}
    per_class = {
        split: [(c["name"], c["images"], c["boxes"]) for c in s["classes"]] for split, s in report["splits"].items()
    }
    assert per_class == {
        "train": [("square", 3, 3), ("disc", 2, 2)],
        "val": [("square", 0, 0), ("disc", 1, 1)],
        "test": [("square", 1, 1), ("disc", 0, 0)],
    }
    total = report["total"]
    assert (total["images"], total["backgroundImages"], total["boxes"]) == (7, 2, 7)
    assert [(c["images"], c["boxes"]) for c in total["classes"]] == [(4, 4), (3, 3)]
    assert report["classBalance"] == {"maxToMinBoxes": 1.333333, "boxShare": [0.571429, 0.428571], "withoutBoxes": []}
    assert report["problems"] == 2  # the class 7 line and the box of width 0


def test_boxes_per_image(known_dataset: Path) -> None:
    train = compute_stats(known_dataset).report["splits"]["train"]["boxesPerImage"]
    assert train == {
        "mean": 1.0,
        "median": 1,
        "max": 2,
        "histogram": [{"boxes": 0, "images": 2}, {"boxes": 1, "images": 1}, {"boxes": 2, "images": 2}],
    }


def test_box_sizes_relative_and_in_coco_buckets_at_the_training_size(known_dataset: Path) -> None:
    report = compute_stats(known_dataset).report
    train = report["splits"]["train"]["boxSizes"]
    assert train["buckets"] == {"small": 1, "medium": 1, "large": 3}
    assert report["splits"]["test"]["boxSizes"]["buckets"] == {"small": 0, "medium": 1, "large": 0}
    assert report["total"]["boxSizes"]["buckets"] == {"small": 1, "medium": 2, "large": 4}
    # widths 0.1, 0.5, 0.01, 0.2 (polygons), 0.2
    assert train["width"]["histogram"] == [1, 1, 2, 0, 0, 1, 0, 0, 0, 0]
    assert train["width"]["quantiles"] == {
        "p0": 0.01, "p5": 0.028, "p25": 0.1, "p50": 0.2, "p75": 0.2, "p95": 0.44, "p100": 0.5,
    }
    # heights 0.2, 0.5, 0.01, 0.3 (polygons), 0.2
    assert train["height"]["histogram"] == [1, 0, 2, 1, 0, 1, 0, 0, 0, 0]
    assert report["boxSizeBuckets"] == {"imgsz": 640, "smallMaxArea": 1024, "mediumMaxArea": 9216, "histogramBins": 10}


def test_the_buckets_follow_the_training_image_size(known_dataset: Path) -> None:
    # At imgsz 320 every side is halved: small b0 (3.2x3.2) and g (16x16); medium a0 (32x32), b1 (64x96),
    # e0 (64x64), f (80x80); large a1 (160x80) alone.
    report = compute_stats(known_dataset, imgsz=320).report
    assert report["total"]["boxSizes"]["buckets"] == {"small": 2, "medium": 4, "large": 1}


def test_image_sizes_from_the_headers(known_dataset: Path) -> None:
    sizes = compute_stats(known_dataset).report["splits"]["train"]["imageSizes"]
    assert sizes == {
        "width": {"min": 100, "median": 100, "max": 200},
        "height": {"min": 50, "median": 50, "max": 200},
        "distinct": 2,
        "common": [{"width": 100, "height": 50, "images": 3}, {"width": 200, "height": 200, "images": 2}],
        "unreadable": 0,
    }


def test_an_unreadable_image_is_counted_not_fatal(known_dataset: Path) -> None:
    (known_dataset / "images" / "val" / "f.jpg").write_bytes(b"not an image")
    report = compute_stats(known_dataset).report
    assert report["splits"]["val"]["imageSizes"]["unreadable"] == 1
    assert report["splits"]["val"]["boxes"] == 1  # its boxes still count, the image taken as square
    assert report["problems"] == 2  # corrupt images are the training job's check (Pillow verify), not this one


def test_a_class_without_boxes_is_named(known_dataset: Path) -> None:
    yaml = known_dataset / "data.yaml"
    yaml.write_text(yaml.read_text().replace("[square, disc]", "[square, disc, star]"))
    balance = compute_stats(known_dataset).report["classBalance"]
    assert balance == {"maxToMinBoxes": None, "boxShare": [0.571429, 0.428571, 0.0], "withoutBoxes": ["star"]}


def test_parse_boxes_skips_what_the_contract_refuses() -> None:
    text = "0 0.5 0.5 0.2 0.4\n\n1 0.5 0.5 0.2\n1.0 0.1 0.1 0.3 0.1 0.3 0.4\nx 0.5 0.5 0.1 0.1\n0 0.5 0.5 1.2 0.1\n2 0.5 0.5 0.1 0.1\n"
    boxes, skipped = parse_boxes(text, class_count=2)
    assert [(c, round(w, 6), round(h, 6)) for c, w, h in boxes] == [(0, 0.2, 0.4), (1, 0.2, 0.3)]
    assert skipped == 4  # 4 values; a letter; a width beyond 1; class 2 of 2 classes


def test_cli_writes_the_same_json_and_png_every_time(known_dataset: Path, tmp_path: Path) -> None:
    runs = []
    for n in (1, 2):
        json_file, png_file = tmp_path / f"out{n}" / "stats.json", tmp_path / f"out{n}" / "stats.png"
        result = _stats_cli(known_dataset, "--json", json_file, "--png", png_file)
        assert result.returncode == 0, result.stderr
        runs.append((json_file.read_bytes(), png_file.read_bytes()))
    (json_bytes, png_bytes), second = runs
    assert second == (json_bytes, png_bytes)
    content = json.loads(json_bytes)
    assert content == json.loads(json.dumps(compute_stats(known_dataset).report))
    assert list(content) == sorted(content)  # sorted keys
    assert png_bytes[:8] == b"\x89PNG\r\n\x1a\n"
    assert 20_000 < len(png_bytes) < 2_000_000
    png = tmp_path / "out1" / "stats.png"
    with Image.open(png) as image:
        assert image.size == (1400, 1000)
    assert not [p.name for p in (tmp_path / "out1").iterdir() if p.name.startswith(".")]  # no temporary left


def test_cli_without_png_writes_only_the_json(known_dataset: Path, tmp_path: Path) -> None:
    result = _stats_cli(known_dataset, "--json", tmp_path / "s.json")
    assert result.returncode == 0, result.stderr
    assert [p.name for p in tmp_path.iterdir() if p.is_file()] == ["s.json"]


def test_data_yaml_one_folder_down_is_found(known_dataset: Path, tmp_path: Path) -> None:
    result = _stats_cli(known_dataset.parent, "--json", tmp_path / "s.json")
    assert result.returncode == 0, result.stderr
    assert json.loads((tmp_path / "s.json").read_text())["dataYaml"] == "known/data.yaml"


def _one_line_exit_2(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 2, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("yolops: "), result.stderr
    assert "Traceback" not in result.stderr
    return lines[0]


def test_a_missing_folder_is_one_line_and_exit_2(tmp_path: Path) -> None:
    line = _one_line_exit_2(_stats_cli(tmp_path / "nope", "--json", tmp_path / "s.json"))
    assert f"{tmp_path / 'nope'}: does not exist; give the dataset folder that holds data.yaml" in line
    assert not (tmp_path / "s.json").exists()


def test_a_folder_without_data_yaml_is_one_line_and_exit_2(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    line = _one_line_exit_2(_stats_cli(tmp_path / "empty", "--json", tmp_path / "s.json"))
    assert "No data.yaml" in line and str(tmp_path / "empty") in line


def test_a_data_yaml_without_val_is_one_line_and_exit_2(known_dataset: Path, tmp_path: Path) -> None:
    (known_dataset / "data.yaml").write_text("train: images/train\nnames: [square, disc]\n")
    line = _one_line_exit_2(_stats_cli(known_dataset, "--json", tmp_path / "s.json"))
    assert "has no 'val' key" in line and "add 'val: images/val'" in line


def test_a_missing_json_option_is_one_line_and_exit_2(known_dataset: Path) -> None:
    line = _one_line_exit_2(_stats_cli(known_dataset))
    assert "--json" in line and "usage:" in line


def test_charts_of_many_classes_and_no_boxes_are_drawn(tmp_path: Path) -> None:
    from yolops_dataprep.stats_plot import draw_stats

    root = tmp_path / "bare"
    _image(root / "images" / "train" / "a.jpg", 32, 32)
    _image(root / "images" / "val" / "b.jpg", 32, 32)
    names = ", ".join(f"c{i}" for i in range(45))
    (root / "data.yaml").write_text(f"train: images/train\nval: images/val\nnames: [{names}]\n", encoding="utf-8")
    stats = compute_stats(root)
    assert stats.report["total"]["backgroundImages"] == 2 and stats.report["total"]["boxes"] == 0
    assert stats.report["classBalance"]["withoutBoxes"] == [f"c{i}" for i in range(45)]
    draw_stats(stats, tmp_path / "bare.png")
    with Image.open(tmp_path / "bare.png") as image:
        assert image.format == "PNG" and image.size == (1400, 1000)
