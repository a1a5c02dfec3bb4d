#!/usr/bin/env python3
"""SageMaker training entrypoint: `python train.py [train] [--key value ...]`.

Script mode (AWS's PyTorch container) runs it with the hyperparameters as arguments; the custom image
(training/Dockerfile) runs it as its ENTRYPOINT, and SageMaker starts that image as `docker run <image> train`.
The contract (inputs, outputs, checkpoints, MLflow, metrics, failure file) is in training/README.md.
"""

import sys
from pathlib import Path

# The package sits next to this file in the sourcedir / image; put it first on the path whatever the cwd.
sys.path.insert(0, str(Path(__file__).resolve().parent))

from yolops_training.train_job import main  # noqa: E402 - needs the path above

if __name__ == "__main__":
    sys.exit(main())
