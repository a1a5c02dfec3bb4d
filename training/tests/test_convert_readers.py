"""The COCO, VOC and YOLO readers on small realistic exports made here with Pillow, and Ultralytics' own COCO
converter (ultralytics.data.converter.convert_coco) against ours: where it agrees and where it does not."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PIL import Image

from yolops_dataprep import read_coco, read_voc, read_yolo
from yolops_dataprep.records import Box
from yolops_dataprep.resolve import reference_parts, resolve_image
from yolops_dataprep.write_yolo import label_lines


def _image(path: Path, size: tuple[int, int], exif_orientation: int | None = None) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    image = Image.new("RGB", size, (90, 120, 150))
    if exif_orientation is None:
        image.save(path)
    else:
        exif = Image.Exif()
        exif[0x0112] = exif_orientation
        image.save(path, exif=exif)
    return path


def _coco(folder: Path, data: dict) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "annotations").mkdir(exist_ok=True)
    file = folder / "annotations" / "instances_default.json"  # CVAT's COCO export layout
    file.write_text(json.dumps(data))
    return file


def _roboflow_like(tmp_path: Path) -> Path:
    """Sparse, unordered category ids, a grouping category (id 0) no annotation uses, images in images/sub/."""
    for name in ("a.jpg", "b.jpg", "c.jpg"):
        _image(tmp_path / "exp" / "images" / "sub" / name, (100, 80))
    data = {
        "images": [
            {"id": 10, "file_name": "sub/a.jpg", "width": 100, "height": 80},
            {"id": 11, "file_name": "C:\\labelling\\sub\\b.jpg", "width": 100, "height": 80},
            {"id": 12, "file_name": "https://tool.example/media/sub/c.jpg", "width": 100, "height": 80},
        ],
        "annotations": [
            {"id": 1, "image_id": 10, "category_id": 9, "bbox": [10, 20, 30, 40], "iscrowd": 0},
            {"id": 2, "image_id": 10, "category_id": 3, "bbox": [0, 0, 100, 80], "iscrowd": 0},
            {"id": 3, "image_id": 11, "category_id": 5, "bbox": [50.5, 10.25, 20, 10], "area": 200},
        ],
        "categories": [
            {"id": 9, "name": "truck", "supercategory": "vehicles"},
            {"id": 0, "name": "vehicles", "supercategory": "none"},
            {"id": 3, "name": "car", "supercategory": "vehicles"},
            {"id": 5, "name": "bus", "supercategory": "vehicles"},
        ],
    }
    return _coco(tmp_path / "exp", data)


def test_coco_sparse_ids_become_classes_in_id_order_and_images_resolve(tmp_path: Path) -> None:
    file = _roboflow_like(tmp_path)
    export = read_coco.read(tmp_path / "exp")  # the folder: the one .json in annotations/ is found
    assert export.problems == []
    assert export.class_names == ["car", "bus", "truck"]  # ids 3, 5, 9; the grouping category 0 left out
    assert [i.output_name for i in export.images] == ["sub/a.jpg", "sub/b.jpg", "sub/c.jpg"]
    a, b, c = export.images
    assert a.boxes == [Box(2, 10, 20, 40, 60), Box(0, 0, 0, 100, 80)]
    assert b.boxes == [Box(1, 50.5, 10.25, 70.5, 20.25)]
    assert c.boxes == [] and (c.width, c.height) == (100, 80)  # an image without annotations: a background
    assert read_coco.read(file).class_names == export.class_names  # the file itself gives the same


def test_coco_box_arithmetic_agrees_with_ultralytics_convert_coco_on_a_clean_export(tmp_path: Path) -> None:
    """Contiguous ids from 1, boxes inside: the one case where convert_coco(cls91to80=False) is right. Its label
    lines and ours must be the same boxes (it prints %g, we print 6 decimals)."""
    from ultralytics.data.converter import convert_coco

    for name in ("a.jpg", "b.jpg"):
        _image(tmp_path / "exp" / name, (64, 48))
    data = {
        "images": [{"id": 1, "file_name": "a.jpg", "width": 64, "height": 48}, {"id": 2, "file_name": "b.jpg", "width": 64, "height": 48}],
        "annotations": [
            {"id": 1, "image_id": 1, "category_id": 1, "bbox": [3, 5, 20, 10], "iscrowd": 0},
            {"id": 2, "image_id": 1, "category_id": 2, "bbox": [30.5, 12, 16, 30], "iscrowd": 0},
            {"id": 3, "image_id": 2, "category_id": 2, "bbox": [0, 0, 64, 48], "iscrowd": 0},
        ],
        "categories": [{"id": 1, "name": "cat"}, {"id": 2, "name": "dog"}],
    }
    (tmp_path / "exp").mkdir(exist_ok=True)
    (tmp_path / "exp" / "instances.json").write_text(json.dumps(data))
    ours = {i.output_name: [[float(v) for v in line.split()] for line in label_lines(i)] for i in read_coco.read(tmp_path / "exp").images}
    convert_coco(str(tmp_path / "exp"), str(tmp_path / "uc"), cls91to80=False)
    theirs = {
        f"{p.stem}.jpg": [[float(v) for v in line.split()] for line in p.read_text().splitlines()]
        for p in (tmp_path / "uc" / "labels" / "instances").glob("*.txt")
    }
    assert ours.keys() == theirs.keys()
    for name, lines in ours.items():
        assert len(lines) == len(theirs[name])
        for mine, other in zip(sorted(lines), sorted(theirs[name]), strict=True):
            assert mine == pytest.approx(other, abs=1e-6)


def test_where_ultralytics_convert_coco_goes_wrong_and_we_do_not(tmp_path: Path) -> None:
    """Sparse ids: convert_coco writes class = category_id - 1 (8 for id 9, -1 for id 0) and writes no names; a
    box past the edge is written unclipped (x + w > 1); crowd regions vanish without a word."""
    from ultralytics.data.converter import convert_coco

    _roboflow_like(tmp_path)
    data = json.loads((tmp_path / "exp" / "annotations" / "instances_default.json").read_text())
    data["annotations"].append({"id": 4, "image_id": 12, "category_id": 3, "bbox": [90, 70, 30, 30], "iscrowd": 0})
    data["annotations"].append({"id": 5, "image_id": 12, "category_id": 3, "bbox": [1, 1, 5, 5], "iscrowd": 1})
    (tmp_path / "exp" / "annotations" / "instances_default.json").write_text(json.dumps(data))
    convert_coco(str(tmp_path / "exp" / "annotations"), str(tmp_path / "uc"), cls91to80=False)
    labels = tmp_path / "uc" / "labels" / "default"
    a = [line.split() for line in (labels / "sub" / "a.txt").read_text().splitlines()]
    assert {row[0] for row in a} == {"8", "2"}  # ids 9 and 3 minus one: not classes of a 3-class dataset
    c = [[float(v) for v in line.split()] for line in next(labels.rglob("c.txt")).read_text().splitlines()]
    assert len(c) == 1 and c[0][1] + c[0][3] / 2 > 1  # reaches past the right edge, unclipped; the crowd is gone
    assert not list((tmp_path / "uc").rglob("*.yaml"))  # no class names anywhere

    export = read_coco.read(tmp_path / "exp")
    codes = sorted(p.code for p in export.problems)
    assert codes == ["box_outside_image", "crowd_annotation"]
    assert export.images[2].boxes == [Box(0, 90, 70, 100, 80)]


def test_coco_an_annotation_whose_image_id_is_not_listed(tmp_path: Path) -> None:
    _image(tmp_path / "exp" / "a.png", (32, 32))
    data = {
        "images": [{"id": 1, "file_name": "a.png", "width": 32, "height": 32}],
        "annotations": [{"id": 1, "image_id": 2, "category_id": 1, "bbox": [1, 1, 4, 4]}],
        "categories": [{"id": 1, "name": "x"}],
    }
    (tmp_path / "exp").mkdir(exist_ok=True)
    (tmp_path / "exp" / "coco.json").write_text(json.dumps(data))
    (tmp_path / "exp" / ".yolops-upload.json").write_text("{}")  # the upload marker is not a second export
    export = read_coco.read(tmp_path / "exp")
    assert [(p.code, p.where) for p in export.problems] == [("missing_image", "coco.json: annotations[0] (id 1)")]


def test_coco_accepts_a_recorded_size_that_is_the_exif_rotated_one(tmp_path: Path) -> None:
    _image(tmp_path / "exp" / "phone.jpg", (60, 40), exif_orientation=6)  # stored 60x40, shown 40x60
    data = {
        "images": [{"id": 1, "file_name": "phone.jpg", "width": 40, "height": 60}],
        "annotations": [{"id": 1, "image_id": 1, "category_id": 1, "bbox": [1, 1, 30, 50]}],
        "categories": [{"id": 1, "name": "x"}],
    }
    (tmp_path / "exp").mkdir(exist_ok=True)
    (tmp_path / "exp" / "coco.json").write_text(json.dumps(data))
    export = read_coco.read(tmp_path / "exp")
    assert export.problems == [] and (export.images[0].width, export.images[0].height) == (40, 60)


def _voc(folder: Path, stem: str, size: tuple[int, int], objects: list[tuple[str, str, str, str, str, int]]) -> None:
    body = "".join(
        f"<object><name>{n}</name><truncated>1</truncated><difficult>{d}</difficult>"
        f"<bndbox><xmin>{a}</xmin><ymin>{b}</ymin><xmax>{c}</xmax><ymax>{e}</ymax></bndbox></object>"
        for n, a, b, c, e, d in objects
    )
    (folder / "Annotations").mkdir(parents=True, exist_ok=True)
    (folder / "Annotations" / f"{stem}.xml").write_text(
        f"<annotation><folder>VOC2012</folder><filename>{stem}.jpg</filename><path>/home/me/VOC2012/JPEGImages/{stem}.jpg</path>"
        f"<size><width>{size[0]}</width><height>{size[1]}</height><depth>3</depth></size>{body}</annotation>"
    )
    _image(folder / "JPEGImages" / f"{stem}.jpg", size)


def test_voc_devkit_coordinates_are_one_based_inclusive(tmp_path: Path) -> None:
    exp = tmp_path / "voc"
    _voc(exp, "2008_000001", (500, 375), [("person", "1", "1", "500", "375", 0), ("dog", "48", "240", "195", "371", 1)])
    _voc(exp, "2008_000002", (200, 100), [("cat", "10", "20", "30", "40", 0)])
    export = read_voc.read(exp)
    assert export.class_names == ["cat", "dog", "person"]  # sorted: the same export, the same ids
    assert [(p.code, p.where) for p in export.problems] == [("difficult_object", "Annotations/2008_000001.xml: object[1]")]
    first, second = export.images
    assert first.output_name == "2008_000001.jpg"
    assert first.boxes == [Box(2, 0, 0, 500, 375), Box(1, 47, 239, 195, 371)]  # the whole image, and a dog
    assert second.boxes == [Box(0, 9, 19, 30, 40)]  # pixels 10..30 inclusive: 21 pixels wide


def test_voc_fractional_coordinates_are_taken_as_continuous(tmp_path: Path) -> None:
    exp = tmp_path / "cvat"
    _voc(exp, "frame_0", (100, 100), [("car", "10.5", "20.25", "30.0", "40.75", 0)])
    export = read_voc.read(exp)
    assert export.images[0].boxes == [Box(0, 10.5, 20.25, 30.0, 40.75)]


def test_voc_xml_beside_the_images_and_classes_txt_order(tmp_path: Path) -> None:
    exp = tmp_path / "labelimg"
    _image(exp / "a.png", (50, 50))
    (exp / "a.xml").write_text(
        "<annotation><filename>a.png</filename><size><width>50</width><height>50</height></size>"
        "<object><name>zebra</name><bndbox><xmin>5</xmin><ymin>5</ymin><xmax>25</xmax><ymax>25</ymax></bndbox></object>"
        "</annotation>"
    )
    (exp / "classes.txt").write_text("zebra\nant\n")
    export = read_voc.read(exp)
    assert export.problems == [] and export.class_names == ["zebra", "ant"]
    assert export.images[0].boxes == [Box(0, 4, 4, 25, 25)]


def test_yolo_unsplit_with_classes_txt_and_a_polygon_line(tmp_path: Path) -> None:
    exp = tmp_path / "yolo"
    _image(exp / "images" / "a.jpg", (200, 100))
    _image(exp / "images" / "bg.jpg", (200, 100))
    (exp / "labels").mkdir()
    (exp / "labels" / "a.txt").write_text("1 0.5 0.5 0.2 0.4\n0 0.1 0.1 0.3 0.1 0.3 0.5\n")
    (exp / "labels" / "classes.txt").write_text("ignored by the reader, as Ultralytics ignores it\n")
    (exp / "classes.txt").write_text("cat\ndog\n")
    export = read_yolo.read(exp)
    assert export.problems == [] and export.class_names == ["cat", "dog"]
    a, bg = export.images
    assert a.boxes == [Box(1, 80, 30, 120, 70), Box(0, pytest.approx(20), pytest.approx(10), pytest.approx(60), pytest.approx(50))]
    assert bg.boxes == []
    assert not read_yolo.is_split(exp)


def test_resolving_references_of_every_tool(tmp_path: Path) -> None:
    target = tmp_path / "images" / "labeling" / "job" / "img" / "a.jpg"
    _image(target, (16, 16))
    _image(tmp_path / "a.jpg", (16, 16))
    assert reference_parts("/data/local-files/?d=img/a%20b.jpg") == ["img", "a b.jpg"]
    assert resolve_image("s3://bucket/labeling/job/img/a.jpg", tmp_path) == target  # the longest tail wins
    assert resolve_image("C:\\Users\\me\\a.jpg", tmp_path) == tmp_path / "a.jpg"
    assert resolve_image("../../etc/passwd", tmp_path) is None
