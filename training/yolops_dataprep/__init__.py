"""Labelled data in: exports of labelling tools (COCO, Pascal VOC, Ground Truth, Label Studio, unsplit YOLO)
become a split dataset in the dataset contract's YOLO layout, inside the Preprocess step and from the CLI."""
