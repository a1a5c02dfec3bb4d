"""The shared corpus of bad labelled exports (test/corpus/labelled/<format>/<case>/expected.json): each case names
the problem codes its reader must report and where, and optionally the input (a file of the case) and
the number of images read. This file runs the COCO, VOC and YOLO cases; every case with
an error must also be refused by convert() with nothing written."""

from __future__ import annotations

import importlib
import json
from pathlib import Path

import pytest

from yolops_dataprep.convert import convert
from yolops_dataprep.problems import CODES

CORPUS = Path(__file__).resolve().parents[2] / "test" / "corpus" / "labelled"
FORMATS = ("coco", "voc", "yolo")
CASES = sorted(p.parent for f in FORMATS for p in (CORPUS / f).glob("*/expected.json"))


def test_the_corpus_has_the_cases_of_each_format() -> None:
    assert {c.parent.name for c in CASES} == set(FORMATS)
    assert len(CASES) >= 25


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c.parent.name}/{c.name}")
def test_case(case: Path, tmp_path: Path) -> None:
    expected = json.loads((case / "expected.json").read_text())
    reader = importlib.import_module(f"yolops_dataprep.read_{expected['format']}")
    source = case / expected.get("input", ".")  # the annotation file, where expected.json sits beside it
    export = reader.read(source)
    found = [(p.code, p.where) for p in export.problems]
    for want in expected["problems"]:
        assert want["code"] in CODES
        assert any(code == want["code"] and want["where_contains"] in where for code, where in found), (want, found)
    for item in export.problems:  # every problem says where, what and how to fix it, at its code's severity
        assert item.where and item.message and item.fix
        assert item.severity == CODES[item.code].severity or item.code == "duplicate_image"  # same boxes: a warning
    if "images" in expected:
        assert len(export.images) == expected["images"]
    output = tmp_path / "out"
    outcome = convert(expected["format"], source, output, (0.5, 0.5), 0)
    has_error = any(CODES[w["code"]].severity == "error" for w in expected["problems"])
    assert outcome["valid"] is not has_error
    assert outcome["errors"] == sum(1 for p in outcome["problems"] if p["severity"] == "error")
    if has_error:
        assert not output.exists()  # refused: nothing written
    else:
        assert (output / "data.yaml").is_file()
        assert sum(s["images"] for s in outcome["splits"].values()) == expected["images"]
