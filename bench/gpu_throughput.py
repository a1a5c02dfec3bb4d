#!/usr/bin/env python3
"""Training throughput of Ultralytics' defaults against yolops' auto defaults, side by side in one run.

Both configurations train the same model on the same dataset on this machine, each in a fresh child process;
images/s is the training loop's speed (data loading + forward + backward + optimizer) over the epochs after
the first, which carries one-time costs (CUDA/cuDNN warm-up). The RAM cache is filled before the first epoch,
so its one-time cost is printed apart, as "setup". Each configuration reports the device list it trained on:
Ultralytics' default is one GPU; yolops-auto uses every GPU of the machine (DDP, batch = the total over them), as
the training job does, unless --device names the devices for both.

    python bench/gpu_throughput.py                      # GPU box: yolo11n, imgsz 640, 4000 images, 3 epochs
    python bench/gpu_throughput.py --smoke              # CPU smoke check: 32 images, imgsz 64, 2 epochs
    python bench/gpu_throughput.py --min-ratio 2.0      # exit 1 when auto is not at least 2x the defaults

Measured reference (H100, 16 CPUs, yolo11n, 640, 4000 images): defaults ~130 images/s, batch 128 + workers 16
+ cache=ram ~310, forward+backward ceiling ~730. See bench/README-gpu.md.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "training"))

CONFIGS = ("ultralytics-defaults", "yolops-auto")


def make_dataset(root: Path, images: int, width: int, height: int, seed: int = 0) -> Path:
    """Coloured squares and discs on noise, JPEG like a real upload; 1 in 5 images held out for val."""
    import cv2
    import numpy as np

    rng = np.random.default_rng(seed)
    for split in ("train", "val"):
        (root / "images" / split).mkdir(parents=True, exist_ok=True)
        (root / "labels" / split).mkdir(parents=True, exist_ok=True)
    for i in range(images):
        split = "val" if i % 5 == 4 else "train"
        image = rng.integers(0, 80, (height, width, 3), dtype=np.uint8)
        lines = []
        for _ in range(int(rng.integers(1, 6))):
            cls = int(rng.integers(0, 2))
            side = int(rng.integers(min(width, height) // 10, min(width, height) // 3))
            x, y = int(rng.integers(0, width - side)), int(rng.integers(0, height - side))
            if cls == 0:
                cv2.rectangle(image, (x, y), (x + side, y + side), (0, 0, 255), -1)
            else:
                cv2.circle(image, (x + side // 2, y + side // 2), side // 2, (0, 255, 0), -1)
            lines.append(
                f"{cls} {(x + side / 2) / width:.6f} {(y + side / 2) / height:.6f} "
                f"{side / width:.6f} {side / height:.6f}"
            )
        cv2.imwrite(str(root / "images" / split / f"{i:05d}.jpg"), image, [cv2.IMWRITE_JPEG_QUALITY, 90])
        (root / "labels" / split / f"{i:05d}.txt").write_text("\n".join(lines) + "\n")
    data_yaml = root / "data.yaml"
    data_yaml.write_text(f"path: {root}\ntrain: images/train\nval: images/val\nnames: ['square', 'disc']\n")
    return data_yaml


def settings_for(config: str, args: argparse.Namespace, train_images: int) -> dict[str, Any]:
    """Ultralytics' defaults pass nothing but --device (one GPU, batch 16, workers 8, no cache); auto asks the
    job's own functions: every GPU of the machine (unless --device), and batch/workers/cache for them."""
    if config == "ultralytics-defaults":
        return {"device": args.device} if args.device is not None else {}
    from yolops_training.devices import choose_devices
    from yolops_training.throughput import (
        choose_throughput_settings,
        cuda_device_count,
        model_scale,
        probe_machine,
        ram_cache_bytes,
    )

    devices = choose_devices(requested=args.device, cuda_device_count=cuda_device_count(), env=os.environ)
    print(f"[{config}] device={devices.device}: {devices.reason}", flush=True)
    machine = probe_machine(devices.first_gpu)
    choice = choose_throughput_settings(
        cpu_count=machine.cpu_count,
        gpu_memory_bytes=machine.gpu_memory_bytes,
        dataset_bytes=ram_cache_bytes(train_images, args.imgsz),
        free_ram_bytes=machine.free_ram_bytes,
        imgsz=args.imgsz,
        scale=model_scale(args.model),
        gpu_count=devices.gpu_count,
    )
    print(f"[{config}] {choice.describe()}", flush=True)
    return {"device": devices.device, "batch": choice.batch, "workers": choice.workers, "cache": choice.cache}


def devices_used(trainer: Any) -> str:
    """The device list as Ultralytics' device argument writes it: 'cpu', '0', '0,1,2,3'."""
    if trainer.args.device not in (None, ""):
        return str(trainer.args.device)
    return str(trainer.device.index or 0) if trainer.device.type == "cuda" else trainer.device.type


def run_child(args: argparse.Namespace) -> None:
    """One configuration's training, timed by callbacks that write its figures to --result.

    With several GPUs Ultralytics trains in DDP processes of its own and hands them these callbacks; the
    result is written by the main one (on_train_end runs there only), so it is the same with one GPU or many."""
    from yolops_training.ultralytics_setup import prepare_ultralytics

    prepare_ultralytics(Path(args.work))
    from ultralytics.models.yolo.detect import DetectionTrainer

    train_images = len(list((Path(args.data).parent / "images" / "train").iterdir()))
    started = time.monotonic()
    overrides = {
        "model": args.model,
        "data": args.data,
        "epochs": args.epochs,
        "imgsz": args.imgsz,
        "plots": False,
        "val": False,  # validation runs after the timed part of each epoch, and only on the last one
        "save_dir": str(Path(args.work) / f"run-{args.child}"),
        "exist_ok": True,
        **settings_for(args.child, args, train_images),
    }
    timings: dict[str, Any] = {"epoch_seconds": []}
    result_file = Path(args.result)
    trainer = DetectionTrainer(overrides=overrides)

    def epoch_start(t: Any) -> None:
        timings.setdefault("setup_seconds", time.monotonic() - started)
        timings["epoch_started"] = time.monotonic()

    def epoch_end(t: Any) -> None:
        timings["epoch_seconds"].append(time.monotonic() - timings.pop("epoch_started"))

    def train_end(t: Any) -> None:
        result = {
            "config": args.child,
            "batch": t.args.batch,
            "workers": t.args.workers,
            "cache": t.args.cache,
            "devices": devices_used(t),
            "gpus": max(t.world_size, 0),
            "images_per_epoch": len(t.train_loader.dataset),  # the whole dataset, also when DDP shards it
            "setup_seconds": timings.get("setup_seconds", 0.0),
            "epoch_seconds": timings["epoch_seconds"],
        }
        result_file.write_text(json.dumps(result))

    trainer.add_callback("on_train_epoch_start", epoch_start)
    trainer.add_callback("on_train_epoch_end", epoch_end)
    trainer.add_callback("on_train_end", train_end)
    trainer.train()
    if not result_file.is_file():
        raise SystemExit(f"{args.child}: the training ended without writing {result_file}")


def images_per_second(result: dict[str, Any]) -> float:
    timed = result["epoch_seconds"][1:] or result["epoch_seconds"]  # the first epoch carries the warm-up
    return result["images_per_epoch"] * len(timed) / sum(timed)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--images", type=int, default=4000, help="synthetic images to generate (80%% train)")
    parser.add_argument("--imgsz", type=int, default=640)
    parser.add_argument("--epochs", type=int, default=3, help="epochs per configuration (the first is not timed)")
    parser.add_argument("--model", default="yolo11n.yaml", help="a .yaml trains from scratch: no weights download")
    parser.add_argument(
        "--device",
        default=None,
        help="Ultralytics device for both configurations, e.g. 0 or 0,1 (default: Ultralytics' one GPU for the "
        "defaults, every GPU of the machine for yolops-auto, as the training job does)",
    )
    parser.add_argument("--data", default=None, help="an existing data.yaml instead of the synthetic dataset")
    parser.add_argument("--work", default=None, help="scratch folder (default: a temporary one)")
    parser.add_argument("--smoke", action="store_true", help="CPU smoke check: 32 images, imgsz 64, 2 epochs")
    parser.add_argument("--min-ratio", type=float, default=None, help="exit 1 when auto / defaults is below this")
    parser.add_argument("--child", choices=CONFIGS, help=argparse.SUPPRESS)
    parser.add_argument("--result", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.smoke:
        args.images, args.imgsz, args.epochs, args.device = 32, 64, 2, args.device or "cpu"
    os.environ.setdefault("YOLO_OFFLINE", "true")  # no update checks or downloads while timing

    if args.child:
        run_child(args)
        return 0

    work = Path(args.work or tempfile.mkdtemp(prefix="yolops-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    if args.data is None:
        started = time.monotonic()
        side = max(args.imgsz, 64)
        args.data = str(make_dataset(work / "dataset", args.images, width=side, height=side * 3 // 4))
        print(
            f"dataset: {args.images} images of {side}x{side * 3 // 4} in {time.monotonic() - started:.0f} s", flush=True
        )

    results = []
    for config in CONFIGS:
        result_file = work / f"{config}.json"
        command = [
            sys.executable,
            __file__,
            "--child",
            config,
            "--result",
            str(result_file),
            "--data",
            args.data,
            "--work",
            str(work),
            "--imgsz",
            str(args.imgsz),
            "--epochs",
            str(args.epochs),
            "--model",
            args.model,
        ]
        if args.device is not None:
            command += ["--device", args.device]
        print(f"--- {config}", flush=True)
        subprocess.run(command, check=True)
        results.append(json.loads(result_file.read_text()))

    print("\nconfig                batch  workers  cache  devices  setup s  images/s")
    for r in results:
        print(
            f"{r['config']:<21} {r['batch']:>5}  {r['workers']:>7}  {r['cache']!s:>5}  {r['devices']:<7} "
            f"{r['setup_seconds']:>7.1f}  {images_per_second(r):>8.1f}"
        )
    for r in results:
        print(f"devices of {r['config']}: {r['devices']} ({r['gpus']} GPU{'' if r['gpus'] == 1 else 's'})")
    ratio = images_per_second(results[1]) / images_per_second(results[0])
    print(f"ratio yolops-auto / ultralytics-defaults: {ratio:.2f}x")
    if args.min_ratio is not None and ratio < args.min_ratio:
        print(f"below the required {args.min_ratio:.2f}x", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
