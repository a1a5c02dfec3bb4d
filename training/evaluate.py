#!/usr/bin/env python3
"""SageMaker processing entrypoint: evaluate a trained model on a dataset split, write evaluation.json.

    python evaluate.py --model <model.tar.gz|best.pt|dir> --data <dataset dir> --output <dir> [--split val] [--imgsz N]

Defaults are the processing job's folders: /opt/ml/processing/model, /opt/ml/processing/data,
/opt/ml/processing/evaluation. The evaluation.json shape is documented in training/README.md.
"""

import sys
from pathlib import Path

# The package sits next to this file in the sourcedir / image; put it first on the path whatever the cwd.
sys.path.insert(0, str(Path(__file__).resolve().parent))

from yolops_training.evaluation import main  # noqa: E402 - needs the path above

if __name__ == "__main__":
    sys.exit(main())
