"""Which devices the training runs on: every GPU of the machine, unless the user names the devices.

Ultralytics trains on one GPU unless its `device` argument lists several (`device=0,1,2,3`); it then starts
one process per GPU itself (torch.distributed.run, DDP) and its `batch` is the total over all GPUs, each GPU
taking batch / GPU count. So a 4-GPU instance (ml.g5.12xlarge) left to Ultralytics' default trains on one
of its 4 GPUs. The job therefore lists every GPU it may use. SageMaker's own `distribution` setting must not
be added on top: it would start this script once per GPU, and each copy would start Ultralytics' DDP again.

The GPUs the job may use: torch's count, which already honours CUDA_VISIBLE_DEVICES, bounded by SM_NUM_GPUS
(what SageMaker gives the job) and by the CUDA_VISIBLE_DEVICES list when they are set. Ultralytics' device
indices are torch indices, relative to CUDA_VISIBLE_DEVICES, so the list is always 0..n-1.

`choose_devices` is a pure function of those facts so that it can be unit-tested on a machine without a GPU.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

CPU = "cpu"


@dataclass(frozen=True)
class DeviceChoice:
    device: str  # Ultralytics' device argument: 'cpu', '0' or '0,1,2,3' (or what the user gave)
    gpu_count: int  # GPUs the training runs on, 0 on the CPU
    reason: str

    @property
    def first_gpu(self) -> int | None:
        """The index of the first GPU (whose memory sizes the batch), None on the CPU."""
        if self.gpu_count == 0:
            return None
        first = self.device.replace("cuda:", "").split(",")[0].strip()
        return int(first) if first.isdigit() else 0


def gpus_named(device: Any) -> int:
    """How many GPUs an Ultralytics device argument names: 'cpu'/'mps' 0, '0' 1, '0,1' or [0, 1] 2."""
    if isinstance(device, (list, tuple)):
        return len(device)
    text = str(device).strip().lower().replace("cuda:", "")
    if text in (CPU, "mps", "mps:0"):
        return 0
    return len([part for part in text.split(",") if part.strip()]) or 1  # '' or 'cuda': the current GPU


def _env_count(env: Mapping[str, str], name: str) -> int | None:
    value = env.get(name, "").strip()
    return int(value) if value.isdigit() else None


def usable_gpu_count(cuda_device_count: int, env: Mapping[str, str]) -> tuple[int, str]:
    """The GPUs this job may train on, and where that number comes from."""
    count, sources = cuda_device_count, [f"torch sees {cuda_device_count}"]
    sm_num_gpus = _env_count(env, "SM_NUM_GPUS")
    if sm_num_gpus is not None:
        sources.append(f"SM_NUM_GPUS={sm_num_gpus}")
        count = min(count, sm_num_gpus)
    visible = env.get("CUDA_VISIBLE_DEVICES")
    if visible is not None:
        listed = [part for part in visible.split(",") if part.strip() and part.strip() != "-1"]
        sources.append(f"CUDA_VISIBLE_DEVICES={visible!r}")
        count = min(count, len(listed))
    return max(count, 0), ", ".join(sources)


def choose_devices(
    *, requested: Any, cuda_device_count: int, env: Mapping[str, str], autobatch: bool = False
) -> DeviceChoice:
    """The device list for Ultralytics.

    requested: the user's `device` hyperparameter (None when not given), which wins as given.
    autobatch: the user asked for Ultralytics' AutoBatch (batch -1 or a GPU memory fraction), which Ultralytics
    runs on one GPU only: then one GPU is chosen.
    """
    if requested is not None:
        return DeviceChoice(str(requested), gpus_named(requested), "given as the 'device' hyperparameter")
    count, source = usable_gpu_count(cuda_device_count, env)
    if count == 0:
        return DeviceChoice(CPU, 0, f"no GPU ({source})")
    if count > 1 and autobatch:
        return DeviceChoice(
            "0", 1, f"{count} GPUs ({source}), but Ultralytics' AutoBatch (batch -1 or a fraction) runs on one GPU"
        )
    device = ",".join(str(index) for index in range(count))
    if count == 1:
        return DeviceChoice(device, 1, f"the one GPU ({source})")
    return DeviceChoice(device, count, f"all {count} GPUs ({source}): Ultralytics trains them with DDP")
