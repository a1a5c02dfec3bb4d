"""The device list: every GPU the job may use, unless the user names the devices (a pure function of the
GPU count torch sees and the environment, so no GPU is needed to test it)."""

from __future__ import annotations

import pytest

from yolops_training.devices import choose_devices, gpus_named


def choose(cuda: int, env: dict[str, str] | None = None, requested: object = None, autobatch: bool = False):
    return choose_devices(requested=requested, cuda_device_count=cuda, env=env or {}, autobatch=autobatch)


@pytest.mark.parametrize(("cuda", "device"), [(0, "cpu"), (1, "0"), (4, "0,1,2,3"), (8, "0,1,2,3,4,5,6,7")])
def test_every_gpu_torch_sees_is_listed(cuda: int, device: str) -> None:
    choice = choose(cuda)
    assert (choice.device, choice.gpu_count) == (device, cuda)


def test_four_gpus_of_a_g5_12xlarge_train_with_ddp() -> None:
    choice = choose(4, {"SM_NUM_GPUS": "4", "SM_CURRENT_INSTANCE_TYPE": "ml.g5.12xlarge"})
    assert (choice.device, choice.gpu_count, choice.first_gpu) == ("0,1,2,3", 4, 0)
    assert "all 4 GPUs" in choice.reason and "DDP" in choice.reason and "SM_NUM_GPUS=4" in choice.reason


def test_sm_num_gpus_and_cuda_visible_devices_bound_the_count() -> None:
    assert choose(4, {"SM_NUM_GPUS": "2"}).device == "0,1"
    assert choose(2, {"SM_NUM_GPUS": "8"}).device == "0,1"  # torch cannot use GPUs it does not see
    # torch's indices are relative to CUDA_VISIBLE_DEVICES: GPUs 2 and 3 of the machine are 0 and 1 here
    assert choose(2, {"CUDA_VISIBLE_DEVICES": "2,3"}).device == "0,1"
    assert choose(4, {"CUDA_VISIBLE_DEVICES": "1"}).device == "0"
    assert choose(4, {"CUDA_VISIBLE_DEVICES": ""}).device == "cpu"
    assert choose(4, {"CUDA_VISIBLE_DEVICES": "-1"}).device == "cpu"
    assert choose(1, {"SM_NUM_GPUS": "0"}).device == "cpu"  # a CPU instance
    assert choose(2, {"SM_NUM_GPUS": "not a number"}).device == "0,1"


@pytest.mark.parametrize(
    ("requested", "gpus"), [("cpu", 0), ("mps", 0), ("0", 1), ("3", 1), ("0,1", 2), ("cuda:0,1,2", 3), ("", 1)]
)
def test_the_users_device_wins_as_given(requested: str, gpus: int) -> None:
    choice = choose(4, {"SM_NUM_GPUS": "4"}, requested=requested)
    assert (choice.device, choice.gpu_count) == (requested, gpus)
    assert "given as the 'device' hyperparameter" in choice.reason


def test_the_first_gpu_of_a_users_list_sizes_the_batch() -> None:
    assert choose(4, requested="2,3").first_gpu == 2
    assert choose(4, requested="cpu").first_gpu is None
    assert choose(0).first_gpu is None


def test_autobatch_keeps_one_gpu_because_ultralytics_runs_it_on_one() -> None:
    choice = choose(4, autobatch=True)
    assert (choice.device, choice.gpu_count) == ("0", 1)
    assert "AutoBatch" in choice.reason
    assert choose(1, autobatch=True).device == "0" and choose(0, autobatch=True).device == "cpu"


def test_gpus_named_counts_like_ultralytics() -> None:
    assert [gpus_named(d) for d in ("cpu", "CPU", "mps", "0", "0,1", " 0, 1 ", "cuda:0", "cuda", "")] == [
        0, 0, 0, 1, 2, 2, 1, 1, 1,
    ]
    assert gpus_named([0, 1, 2]) == 3
