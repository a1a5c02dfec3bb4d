"""The rule that chooses batch / workers / cache from the machine facts (a pure function, no GPU needed).

What the choices are worth in images/s is measured by bench/gpu_throughput.py on a GPU machine, not here.
"""

from __future__ import annotations

import pytest

from yolops_training.throughput import (
    GIB,
    GPU_MEMORY_BUDGET,
    MAX_AUTO_BATCH,
    MAX_AUTO_WORKERS,
    MIN_AUTO_BATCH,
    TRAIN_GIB_PER_IMAGE_AT_640,
    choose_throughput_settings,
    model_scale,
    probe_machine,
    ram_cache_bytes,
)

NO_DATA = {"dataset_bytes": 0, "free_ram_bytes": 32 * GIB}


def per_image_bytes(scale: str, imgsz: int) -> float:
    return TRAIN_GIB_PER_IMAGE_AT_640[scale] * GIB * (imgsz / 640) ** 2


def test_an_80_gib_gpu_with_16_cpus_and_yolo11n_at_640_gets_batch_128_workers_16_and_the_ram_cache() -> None:
    # The configuration bench/README-gpu.md reports for an H100 with 16 CPUs.
    choice = choose_throughput_settings(
        cpu_count=16,
        gpu_memory_bytes=80 * GIB,
        dataset_bytes=ram_cache_bytes(4000, 640),
        free_ram_bytes=120 * GIB,
        imgsz=640,
        scale="n",
    )
    assert (choice.batch, choice.workers, choice.cache) == (128, 16, "ram")
    assert set(choice.reasons) == {"batch", "workers", "cache"}


@pytest.mark.parametrize("gpu_gib", [8, 12, 16, 24, 40, 48, 80])
@pytest.mark.parametrize(("scale", "imgsz"), [("n", 640), ("s", 640), ("m", 640), ("x", 640), ("n", 1280)])
def test_the_batch_is_the_largest_power_of_two_that_fits_the_gpu_memory_budget(
    gpu_gib: int, scale: str, imgsz: int
) -> None:
    budget = GPU_MEMORY_BUDGET * gpu_gib * GIB
    batch = choose_throughput_settings(
        cpu_count=8, gpu_memory_bytes=gpu_gib * GIB, imgsz=imgsz, scale=scale, **NO_DATA
    ).batch
    assert batch & (batch - 1) == 0, batch  # a power of two
    assert MIN_AUTO_BATCH <= batch <= MAX_AUTO_BATCH
    needed = batch * per_image_bytes(scale, imgsz)
    assert needed <= budget or batch == MIN_AUTO_BATCH
    assert 2 * needed > budget or batch == MAX_AUTO_BATCH  # twice the batch would not fit, or it is capped


def test_the_batch_is_kept_within_its_bounds() -> None:
    tiny = choose_throughput_settings(cpu_count=2, gpu_memory_bytes=2 * GIB, imgsz=1280, scale="x", **NO_DATA)
    huge = choose_throughput_settings(cpu_count=2, gpu_memory_bytes=1024 * GIB, imgsz=320, scale="n", **NO_DATA)
    assert (tiny.batch, huge.batch) == (MIN_AUTO_BATCH, MAX_AUTO_BATCH)


def test_bigger_models_and_images_get_smaller_batches_on_the_same_gpu() -> None:
    def batch(scale: str, imgsz: int) -> int:
        return choose_throughput_settings(
            cpu_count=8, gpu_memory_bytes=24 * GIB, imgsz=imgsz, scale=scale, **NO_DATA
        ).batch

    assert batch("n", 640) > batch("s", 640) >= batch("m", 640) >= batch("x", 640)
    assert batch("s", 640) > batch("x", 640)
    assert batch("n", 320) > batch("n", 640) > batch("n", 1280)


def test_a_model_of_unknown_size_gets_the_batch_of_a_large_one() -> None:
    common = {"cpu_count": 8, "gpu_memory_bytes": 24 * GIB, "imgsz": 640, **NO_DATA}
    unknown = choose_throughput_settings(**common, scale=None)
    assert unknown.batch == choose_throughput_settings(**common, scale="l").batch
    assert unknown.batch < choose_throughput_settings(**common, scale="n").batch
    assert "scale 'l'" in unknown.reasons["batch"]


@pytest.mark.parametrize(("cpus", "workers"), [(1, 1), (4, 4), (16, 16), (32, 32), (96, MAX_AUTO_WORKERS)])
def test_a_gpu_training_gets_one_dataloader_worker_per_cpu_up_to_the_cap(cpus: int, workers: int) -> None:
    choice = choose_throughput_settings(cpu_count=cpus, gpu_memory_bytes=24 * GIB, imgsz=640, **NO_DATA)
    assert choice.workers == workers


def test_on_the_cpu_the_batch_is_ultralytics_default_and_data_loads_in_process() -> None:
    choice = choose_throughput_settings(
        cpu_count=8, gpu_memory_bytes=None, dataset_bytes=GIB, free_ram_bytes=20 * GIB, imgsz=640
    )
    assert (choice.batch, choice.workers, choice.cache) == (16, 0, "ram")
    assert "no GPU" in choice.reasons["batch"] and "no GPU" in choice.reasons["workers"]


@pytest.mark.parametrize("gpu", [24 * GIB, None])
def test_the_ram_cache_is_chosen_only_when_the_images_fit_free_ram_with_50_percent_headroom(gpu: int | None) -> None:
    def cache(dataset_gib: float, free_gib: float) -> bool | str:
        return choose_throughput_settings(
            cpu_count=8,
            gpu_memory_bytes=gpu,
            dataset_bytes=int(dataset_gib * GIB),
            free_ram_bytes=int(free_gib * GIB),
            imgsz=640,
        ).cache

    assert cache(10, 15) == "ram"  # exactly 1.5x
    assert cache(10, 14.9) is False
    assert cache(100, 120) is False
    refused = choose_throughput_settings(
        cpu_count=8, gpu_memory_bytes=gpu, dataset_bytes=100 * GIB, free_ram_bytes=120 * GIB, imgsz=640
    )
    assert "only 120.0 GiB RAM free" in refused.reasons["cache"]


def test_with_several_gpus_the_batch_is_the_total_and_cpus_and_ram_are_shared() -> None:
    common = {"cpu_count": 48, "gpu_memory_bytes": 24 * GIB, "imgsz": 640, "scale": "n"}
    one = choose_throughput_settings(**common, dataset_bytes=10 * GIB, free_ram_bytes=100 * GIB, gpu_count=1)
    four = choose_throughput_settings(**common, dataset_bytes=10 * GIB, free_ram_bytes=100 * GIB, gpu_count=4)
    assert four.batch == 4 * one.batch  # Ultralytics gives each DDP process batch / GPUs
    assert (one.workers, four.workers) == (32, 12)  # 48 CPUs: capped at 32 alone, 48 / 4 per GPU process
    assert one.cache == four.cache == "ram"  # 4 copies x 10 GiB x 1.5 = 60 GiB fit 100 GiB
    crowded = choose_throughput_settings(**common, dataset_bytes=20 * GIB, free_ram_bytes=100 * GIB, gpu_count=4)
    assert crowded.cache is False  # one copy would fit (30 GiB), four (120 GiB) do not
    assert "x 4 GPU processes" in crowded.reasons["cache"] and "per GPU x 4 GPUs" in four.reasons["batch"]


def test_more_gpus_than_cpus_still_get_one_worker_each() -> None:
    choice = choose_throughput_settings(cpu_count=4, gpu_memory_bytes=24 * GIB, imgsz=640, gpu_count=8, **NO_DATA)
    assert choice.workers == 1


def test_the_model_scale_is_read_from_ultralytics_model_names() -> None:
    names = ("yolo11n.pt", "yolov8s.yaml", "yolo26m.pt", "yolo11x-seg.pt", "YOLO11L.PT", "/x/best.pt", "my-model.yaml")
    assert [model_scale(m) for m in names] == ["n", "s", "m", "x", "l", None, None]


def test_the_ram_cache_size_is_every_image_at_imgsz_squared_and_3_bytes_a_pixel() -> None:
    assert ram_cache_bytes(10, 640) == 10 * 640 * 640 * 3
    assert ram_cache_bytes(0, 640) == 0


def test_probing_this_machine_for_a_cpu_training_reads_cpus_and_free_ram_and_no_gpu() -> None:
    facts = probe_machine(None)
    assert facts.cpu_count >= 1 and facts.free_ram_bytes > 0
    assert facts.gpu_memory_bytes is None and facts.gpu_name is None
