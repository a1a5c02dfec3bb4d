#!/usr/bin/env python3
"""SageMaker processing entrypoint of the Preprocess step: a labelled export becomes a split YOLO dataset.

    python preprocess.py --input <export dir> --format <yolo|coco|voc|groundtruth|labelstudio> --split 0.8,0.2
                         --seed 0 --output <dataset dir> --report <report dir>

A split YOLO dataset (format yolo, data.yaml naming train and val) is checked and passed through unchanged; an
unsplit one, or an export of any other format, is read, split and written (yolops_dataprep.convert). The report
<report>/preprocess.json is written in every case, a refused input included. Exit 0 when the output dataset is
valid; 2 when the input is not usable, with one line on stderr and the reason in ${SM_OUTPUT_DIR:-/opt/ml/output}/message,
where SageMaker reads a processing job's ExitMessage; 1 when the converter itself failed (same places).
"""

import sys
from pathlib import Path

# The packages sit next to this file in the sourcedir / image; put them first on the path whatever the cwd.
sys.path.insert(0, str(Path(__file__).resolve().parent))

from yolops_dataprep.preprocess_job import main  # noqa: E402 - needs the path above

if __name__ == "__main__":
    sys.exit(main())
