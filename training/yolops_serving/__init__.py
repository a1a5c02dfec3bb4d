"""yolops' inference server: SageMaker's hosting contract (GET /ping, POST /invocations on port 8080) around a
model trained by yolops_training (see the Serving section of training/README.md).

It shares the training package's Ultralytics setup and model lookup, so both live in the same /opt/ml/code.
"""
