"""The auto choice of batch / workers / cache: a pure function of the machine facts."""

from __future__ import annotations

from yolops_training.throughput import (
    GIB,
    choose_throughput_settings,
    model_scale,
    probe_machine,
    ram_cache_bytes,
)


def test_h100_with_16_cpus_gets_the_measured_2_4x_setting() -> None:
    # The measured box: yolo11n at 640, 4000 images. batch 128 + workers 16 + cache=ram ran 310 images/s
    # against 130 with Ultralytics' defaults (batch 16, workers 8, no cache).
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


def test_g5_xlarge_a10g_with_4_vcpus() -> None:
    choice = choose_throughput_settings(
        cpu_count=4,
        gpu_memory_bytes=24 * GIB,
        dataset_bytes=ram_cache_bytes(4000, 640),
        free_ram_bytes=14 * GIB,
        imgsz=640,
        scale="n",
    )
    assert (choice.batch, choice.workers, choice.cache) == (64, 4, "ram")


def test_bigger_models_and_images_get_smaller_batches() -> None:
    common = {"cpu_count": 8, "gpu_memory_bytes": 24 * GIB, "dataset_bytes": 0, "free_ram_bytes": 32 * GIB}
    batch = {
        (scale, imgsz): choose_throughput_settings(**common, imgsz=imgsz, scale=scale).batch
        for scale, imgsz in (("n", 320), ("n", 640), ("s", 640), ("x", 640), ("n", 1280))
    }
    assert batch == {("n", 320): 128, ("n", 640): 64, ("s", 640): 32, ("x", 640): 8, ("n", 1280): 16}


def test_an_unknown_model_is_assumed_large() -> None:
    common = {
        "cpu_count": 8,
        "gpu_memory_bytes": 24 * GIB,
        "dataset_bytes": 0,
        "free_ram_bytes": 32 * GIB,
        "imgsz": 640,
    }
    assert (
        choose_throughput_settings(**common, scale=None).batch == choose_throughput_settings(**common, scale="l").batch
    )


def test_a_small_gpu_keeps_the_minimum_batch() -> None:
    choice = choose_throughput_settings(
        cpu_count=2, gpu_memory_bytes=2 * GIB, dataset_bytes=0, free_ram_bytes=GIB, imgsz=1280, scale="x"
    )
    assert choice.batch == 8


def test_workers_are_capped() -> None:
    choice = choose_throughput_settings(
        cpu_count=96, gpu_memory_bytes=80 * GIB, dataset_bytes=0, free_ram_bytes=GIB, imgsz=640
    )
    assert choice.workers == 32


def test_a_dataset_larger_than_free_ram_is_not_cached() -> None:
    choice = choose_throughput_settings(
        cpu_count=16, gpu_memory_bytes=80 * GIB, dataset_bytes=100 * GIB, free_ram_bytes=120 * GIB, imgsz=640
    )
    assert choice.cache is False
    assert "only 120.0 GiB RAM free" in choice.reasons["cache"]


def test_cpu_only_machine() -> None:
    choice = choose_throughput_settings(
        cpu_count=2, gpu_memory_bytes=None, dataset_bytes=GIB, free_ram_bytes=20 * GIB, imgsz=640
    )
    assert (choice.batch, choice.workers, choice.cache) == (16, 0, "ram")
    assert "no GPU" in choice.describe()


def test_model_scale_and_cache_size() -> None:
    assert [model_scale(m) for m in ("yolo11n.pt", "yolov8s.yaml", "yolo26m.pt", "yolo11x-seg.pt", "/x/best.pt")] == [
        "n",
        "s",
        "m",
        "x",
        None,
    ]
    assert ram_cache_bytes(10, 640) == 10 * 640 * 640 * 3


def test_probe_machine_reads_this_machine() -> None:
    facts = probe_machine("cpu")
    assert facts.cpu_count >= 1 and facts.free_ram_bytes > 0 and facts.gpu_memory_bytes is None
