"""yolops' training container code: the SageMaker contract around Ultralytics YOLO (see training/README.md).

train.py and evaluate.py import this package from their own folder, so the whole training/ folder works as
a SageMaker script-mode sourcedir.tar.gz and as /opt/ml/code of the custom image.
"""
