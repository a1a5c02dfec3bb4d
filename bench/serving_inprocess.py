#!/usr/bin/env python3
"""The in-process side of bench/serving.ts: the model, the images, and Ultralytics' own predict timed per image.

    python bench/serving_inprocess.py prepare --work W --images 200 --image-size 640 [--format jpeg|png]
    python bench/serving_inprocess.py measure --model W/model/best.pt --images-dir W/images [--warmup 5]

`prepare` writes W/images/ (synthetic scenes, seeded) and W/model/best.pt (and model.tar.gz holding it, the
artifact the server is given, as a training job writes it): an untrained yolo11n built from
Ultralytics' yolo11n.yaml, saved with train_args.imgsz = --image-size, so the inference server (which reads
the size a checkpoint was trained at) and this baseline predict at the same size. An untrained network costs
exactly what a trained one of the same architecture costs per image. When onnx and onnxruntime import, it also
exports W/model/best.onnx with the training's own exporter (yolops_training/onnx_export.py: static shape, not
simplified); otherwise it says why not in its JSON answer. Nothing is downloaded.

`measure` loads the model the way the server does (YOLO(weights, task="detect"), one warm-up prediction on a
blank image), reads every image file into memory first, then times, per image with perf_counter:
    Image.open(BytesIO(bytes)).convert("RGB")  +  model.predict(image, imgsz, conf=0.25, verbose=False)
i.e. the decode from bytes and Ultralytics' predict (preprocess, forward, NMS, Results), which is exactly the
work the server does for one image/jpeg body, minus HTTP, JSON and the server's threads. The predict call alone
is also reported (predict_ms), to set beside the server's own inference_ms. File reading is not timed.
Both commands print one JSON document as the last line of stdout; Ultralytics' own logging goes to stderr.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import resource
import sys
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "training"))

# The server's default confidence threshold (yolops_serving/request_options.py, Ultralytics' own default).
CONF = 0.25
ARCHITECTURE = "yolo11n.yaml"


def _scene(rng: Any, size: int) -> Any:
    """A smooth gradient with a few filled shapes and mild sensor noise: compresses like a photo, unlike pure noise."""
    import numpy as np
    from PIL import Image, ImageDraw

    ys, xs = np.mgrid[0:size, 0:size].astype(np.float32) / size
    base = rng.uniform(40, 200, 3)
    tilt = rng.uniform(-60, 60, (2, 3))
    pixels = base + xs[..., None] * tilt[0] + ys[..., None] * tilt[1]
    image = Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8))
    draw = ImageDraw.Draw(image)
    for _ in range(int(rng.integers(2, 8))):
        side = int(rng.integers(size // 12, size // 3))
        x, y = int(rng.integers(0, size - side)), int(rng.integers(0, size - side))
        fill = tuple(int(c) for c in rng.integers(0, 256, 3))
        shape = draw.rectangle if rng.random() < 0.5 else draw.ellipse
        shape((x, y, x + side, y + side), fill=fill)
    noisy = np.asarray(image, dtype=np.int16) + rng.integers(-6, 7, (size, size, 3))
    return Image.fromarray(np.clip(noisy, 0, 255).astype(np.uint8))


def write_images(folder: Path, count: int, size: int, fmt: str, seed: int) -> dict[str, Any]:
    import numpy as np

    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    total = 0
    for i in range(count):
        path = folder / f"image-{i:04d}.{'jpg' if fmt == 'jpeg' else 'png'}"
        _scene(rng, size).save(path, format="JPEG", quality=90) if fmt == "jpeg" else _scene(rng, size).save(path)
        total += path.stat().st_size
    return {"count": count, "width": size, "height": size, "format": fmt, "mean_bytes": round(total / count)}


def onnx_missing() -> str | None:
    """Why best.onnx cannot be exported or run here, or None when it can."""
    missing = []
    for module in ("onnx", "onnxruntime"):
        try:
            __import__(module)
        except ImportError:
            missing.append(module)
    return f"{' and '.join(missing)} not importable in {sys.prefix}" if missing else None


def write_model(folder: Path, imgsz: int, work: Path, skip_onnx: bool) -> dict[str, Any]:
    from yolops_training.ultralytics_setup import prepare_ultralytics

    prepare_ultralytics(work)
    from ultralytics import YOLO

    folder.mkdir(parents=True, exist_ok=True)
    model = YOLO(ARCHITECTURE, task="detect")
    # The server predicts at the checkpoint's training size (yolops_serving/model_loading.py): name it here.
    model.ckpt = {"train_args": {"imgsz": imgsz, "task": "detect", "model": ARCHITECTURE}}
    weights = folder / "best.pt"
    model.save(weights)
    answer: dict[str, Any] = {"weights": str(weights), "architecture": ARCHITECTURE, "imgsz": imgsz, "onnx": None}
    reason = "--skip-onnx was given" if skip_onnx else onnx_missing()
    if reason is not None:
        answer["onnx_skipped"] = reason
        return answer
    from yolops_training.onnx_export import export_onnx

    answer["onnx"] = str(export_onnx(weights))  # the training's own export: what a model.tar.gz holds
    return answer


def pack(folder: Path) -> Path:
    """model.tar.gz with best.pt (and best.onnx) at the top: the artifact a training job writes and the server takes."""
    import tarfile

    archive = folder / "model.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        for name in ("best.pt", "best.onnx"):
            if (folder / name).is_file():
                tar.add(folder / name, arcname=name)
    return archive


def rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure(weights: Path, images_dir: Path, warmup: int, work: Path) -> dict[str, Any]:
    from yolops_training.ultralytics_setup import prepare_ultralytics

    prepare_ultralytics(work)
    import numpy as np
    from PIL import Image
    from ultralytics import YOLO

    started = time.perf_counter()
    model = YOLO(str(weights), task="detect")
    if weights.suffix == ".onnx":
        imgsz = int(json.loads((weights.parent / "bench-model.json").read_text())["imgsz"])
    else:
        imgsz = int(((getattr(model, "ckpt", None) or {}).get("train_args") or {}).get("imgsz", 640))
    model.predict(np.zeros((imgsz, imgsz, 3), dtype=np.uint8), imgsz=imgsz, verbose=False)
    load_seconds = time.perf_counter() - started
    bodies = [path.read_bytes() for path in sorted(images_dir.iterdir()) if path.is_file()]

    def one(body: bytes) -> tuple[int, float]:
        image = Image.open(io.BytesIO(body)).convert("RGB")
        decoded = time.perf_counter()
        boxes = len(model.predict(image, imgsz=imgsz, conf=CONF, verbose=False)[0].boxes)
        return boxes, decoded

    for body in bodies[:warmup]:  # the same warm-up the bench gives the server
        one(body)
    latencies_ms, predict_ms = [], []
    detections = 0
    loop_started = time.perf_counter()
    for body in bodies:
        t0 = time.perf_counter()
        boxes, decoded = one(body)
        t1 = time.perf_counter()
        detections += boxes
        latencies_ms.append((t1 - t0) * 1000.0)
        predict_ms.append((t1 - decoded) * 1000.0)
    loop_seconds = time.perf_counter() - loop_started
    import torch

    return {
        "runtime": "onnx" if weights.suffix == ".onnx" else "torch",
        "weights": str(weights),
        "imgsz": imgsz,
        "images": len(bodies),
        "warmup": min(warmup, len(bodies)),
        "load_seconds": round(load_seconds, 3),
        "latencies_ms": [round(v, 3) for v in latencies_ms],
        "predict_ms": [round(v, 3) for v in predict_ms],
        "loop_seconds": round(loop_seconds, 4),
        "detections": detections,
        "rss_mb": round(rss_mb(), 1),
        "torch_threads": torch.get_num_threads(),
        "omp_num_threads": os.environ.get("OMP_NUM_THREADS"),
    }


def main() -> int:
    parser = argparse.ArgumentParser(prog="serving_inprocess.py", description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    prep = commands.add_parser("prepare")
    prep.add_argument("--work", type=Path, required=True)
    prep.add_argument("--images", type=int, default=200)
    prep.add_argument("--image-size", type=int, default=640)
    prep.add_argument("--format", choices=("jpeg", "png"), default="jpeg")
    prep.add_argument("--seed", type=int, default=0)
    prep.add_argument("--skip-onnx", action="store_true", help="do not export best.onnx (the ONNX sides are skipped)")
    meas = commands.add_parser("measure")
    meas.add_argument("--model", type=Path, required=True)
    meas.add_argument("--images-dir", type=Path, required=True)
    meas.add_argument("--warmup", type=int, default=5)
    meas.add_argument("--work", type=Path, required=True)
    args = parser.parse_args()
    if args.command == "prepare":
        images = write_images(args.work / "images", args.images, args.image_size, args.format, args.seed)
        model = write_model(args.work / "model", args.image_size, args.work / "python", args.skip_onnx)
        model["archive"] = str(pack(args.work / "model"))
        (args.work / "model" / "bench-model.json").write_text(json.dumps(model))
        answer = {"images": images, "model": model}
    else:
        answer = measure(args.model, args.images_dir, args.warmup, args.work)
    # Ultralytics logs to stdout in places; the answer is the last line, so the caller reads that one.
    print("\n" + json.dumps(answer))
    return 0


if __name__ == "__main__":
    sys.exit(main())
