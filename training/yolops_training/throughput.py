"""Choose batch, workers and cache from the machine when the user leaves them to us.

Measured on an H100 with 16 CPUs (yolo11n, imgsz 640, 4000 images): Ultralytics' defaults (batch 16,
workers 8, no cache) ran about 130 images/s, batch 128 + workers 16 + cache=ram about 310, while the GPU's
forward+backward ceiling was about 730. Plain Ultralytics is bound by its CPU data pipeline (mosaic
augmentation costs about 1/20 s of a core per image at 640), so the levers are, in order:
- workers: one dataloader process per CPU (Ultralytics' default of 8 leaves half of a 16-CPU box idle);
- cache=ram: decode each image once instead of every epoch, when the resized images fit in free RAM;
- batch: as large as GPU memory allows (capped at 128), fewer optimizer steps and kernel launches per image.
On a CPU-only machine Ultralytics loads data in the main process (workers are forced to 0) and the batch
size barely matters, so only the cache is chosen.

With several GPUs (devices.py) Ultralytics runs one DDP process per GPU, and in ultralytics 8.4.190
(engine/trainer.py, `_build_train_pipeline`) each process loads `batch // world_size` images per step: `batch`
is the total over the GPUs. Each process also builds its own dataset, so cache=ram holds one copy of the
resized images per GPU (data/base.py), and its dataloader starts at most `cpu_count // GPUs` workers
(data/build.py). The rule follows: batch = per-GPU batch x GPUs, workers = CPUs / GPUs per process, and the
RAM cache must fit once per GPU.

`choose_throughput_settings` is a pure function of the machine facts so it can be unit-tested;
`probe_machine` reads those facts from this machine.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass

GIB = 1024**3
# Training memory per image at imgsz 640 with AMP, by model scale (GiB): Ultralytics' GPU_mem column for
# YOLO11 at batch 16 divided by 16, rounded up. Memory grows with the pixel count, i.e. with imgsz squared.
TRAIN_GIB_PER_IMAGE_AT_640 = {"n": 0.18, "s": 0.26, "m": 0.45, "l": 0.60, "x": 0.90}
UNKNOWN_SCALE = "l"  # a custom .pt or config of unknown size: assume a large model rather than run out of memory
GPU_MEMORY_BUDGET = 0.6  # the fraction of GPU memory Ultralytics' AutoBatch aims for too
MIN_AUTO_BATCH = 8
MAX_AUTO_BATCH = 128  # per GPU; the measured setting; larger batches change the optimization (nbs=64) for no speed
CPU_BATCH = 16  # Ultralytics' default
MAX_AUTO_WORKERS = 32  # each worker is a process holding a copy of the augmentation pipeline
RAM_CACHE_MARGIN = 1.5  # Ultralytics' own RAM-cache check asks for 50% headroom too


@dataclass(frozen=True)
class MachineFacts:
    cpu_count: int
    gpu_memory_bytes: int | None  # total memory of the training GPU; None when training on the CPU
    free_ram_bytes: int
    gpu_name: str | None = None


@dataclass(frozen=True)
class ThroughputChoice:
    batch: int
    workers: int
    cache: bool | str  # 'ram' or False
    reasons: dict[str, str]

    def describe(self) -> str:
        return "; ".join(f"{key}={getattr(self, key)} ({why})" for key, why in self.reasons.items())


def model_scale(model: str) -> str | None:
    """'yolo11n.pt' -> 'n', 'yolov8s.yaml' -> 's', '/path/best.pt' -> None."""
    match = re.search(r"yolo(?:v)?\d+([nslmx])(?:[-.]|$)", os.path.basename(model).lower())
    return match.group(1) if match else None


def ram_cache_bytes(image_count: int, imgsz: int) -> int:
    """Upper bound of what cache=ram holds: each image resized to imgsz on its long side, 3 bytes a pixel."""
    return image_count * imgsz * imgsz * 3


def _floor_power_of_two(value: float) -> int:
    power = 1
    while power * 2 <= value:
        power *= 2
    return power


def choose_throughput_settings(
    *,
    cpu_count: int,
    gpu_memory_bytes: int | None,
    dataset_bytes: int,
    free_ram_bytes: int,
    imgsz: int = 640,
    scale: str | None = None,
    gpu_count: int = 1,
) -> ThroughputChoice:
    """batch, workers and cache for this machine.

    gpu_memory_bytes is the memory of one training GPU (None on the CPU); gpu_count is how many GPUs train
    together (DDP). dataset_bytes is what cache=ram would hold (see ram_cache_bytes), not the size of the
    files on disk.
    """
    reasons: dict[str, str] = {}
    cpus = max(1, cpu_count)
    gpus = max(1, gpu_count) if gpu_memory_bytes else 0

    if gpu_memory_bytes:
        used_scale = scale if scale in TRAIN_GIB_PER_IMAGE_AT_640 else UNKNOWN_SCALE
        per_image = TRAIN_GIB_PER_IMAGE_AT_640[used_scale] * GIB * (imgsz / 640) ** 2
        fits = GPU_MEMORY_BUDGET * gpu_memory_bytes / per_image
        per_gpu = min(MAX_AUTO_BATCH, max(MIN_AUTO_BATCH, _floor_power_of_two(fits)))
        batch = per_gpu * gpus
        reasons["batch"] = (
            f"{gpu_memory_bytes / GIB:.0f} GiB GPU, about {per_image / GIB:.2f} GiB per image for scale "
            f"'{used_scale}' at imgsz {imgsz}: {GPU_MEMORY_BUDGET:.0%} of the GPU holds {int(fits)}, "
            f"power of two within {MIN_AUTO_BATCH}..{MAX_AUTO_BATCH}"
        )
        if gpus > 1:
            reasons["batch"] += f", {per_gpu} per GPU x {gpus} GPUs (Ultralytics' batch is the total)"
        workers = max(1, min(cpus // gpus, MAX_AUTO_WORKERS))
        reasons["workers"] = f"one dataloader process per CPU ({cpus} CPUs, at most {MAX_AUTO_WORKERS})"
        if gpus > 1:
            reasons["workers"] = (
                f"one dataloader process per CPU, shared by {gpus} GPU processes "
                f"({cpus} CPUs / {gpus}, at most {MAX_AUTO_WORKERS} each)"
            )
    else:
        batch = CPU_BATCH
        reasons["batch"] = "no GPU: Ultralytics' default, the batch size barely changes CPU speed"
        workers = 0
        reasons["workers"] = "no GPU: Ultralytics loads data in the training process on a CPU"

    copies = max(1, gpus)  # each DDP process caches the whole dataset
    cached = dataset_bytes * copies
    shown = f"{dataset_bytes / GIB:.1f} GiB" + (f" x {copies} GPU processes" if copies > 1 else "")
    if cached * RAM_CACHE_MARGIN <= free_ram_bytes:
        cache: bool | str = "ram"
        reasons["cache"] = f"resized images need about {shown}, {free_ram_bytes / GIB:.1f} GiB RAM free"
    else:
        cache = False
        reasons["cache"] = (
            f"resized images need about {shown} (+50% headroom), "
            f"only {free_ram_bytes / GIB:.1f} GiB RAM free: images are decoded every epoch"
        )
    return ThroughputChoice(batch=batch, workers=workers, cache=cache, reasons=reasons)


def _cpu_count() -> int:
    try:
        return len(os.sched_getaffinity(0))  # the CPUs this process may use (containers limit them)
    except AttributeError:  # macOS has no sched_getaffinity
        return os.cpu_count() or 1


def cuda_device_count() -> int:
    """The CUDA GPUs torch sees (CUDA_VISIBLE_DEVICES applied); 0 without CUDA."""
    import torch

    return int(torch.cuda.device_count()) if torch.cuda.is_available() else 0


def probe_machine(gpu_index: int | None) -> MachineFacts:
    """CPU count, the memory of GPU gpu_index (None: training runs on the CPU) and free RAM of this machine."""
    import psutil
    import torch

    gpu_memory: int | None = None
    gpu_name: str | None = None
    if gpu_index is not None and torch.cuda.is_available():
        props = torch.cuda.get_device_properties(gpu_index)
        gpu_memory, gpu_name = int(props.total_memory), str(props.name)
    return MachineFacts(
        cpu_count=_cpu_count(),
        gpu_memory_bytes=gpu_memory,
        free_ram_bytes=int(psutil.virtual_memory().available),
        gpu_name=gpu_name,
    )
