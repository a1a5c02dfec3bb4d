"""An image's size from its header, cheaply: Pillow reads the header on open and decodes no pixels until asked.

Readers check the size an export records against the real file (VOC's size, COCO's width/height) and need the
size where the export records none (unsplit YOLO). A file Pillow cannot identify, or one of a format the
dataset contract refuses or does not list, is a problem of the export, returned as text, never raised.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PIL import Image, UnidentifiedImageError

from yolops_training.dataset_contract import CONTRACT

# Opening a 100-megapixel scan is legitimate here: only the header is read.
Image.MAX_IMAGE_PIXELS = None

# EXIF orientations that swap width and height when a viewer (and OpenCV's imread, which Ultralytics uses)
# applies them: 5..8 are the transposed and 90/270 degree rotations.
_SWAPPING_ORIENTATIONS = frozenset({5, 6, 7, 8})
_EXIF_ORIENTATION = 0x0112


@dataclass(frozen=True)
class ImageSize:
    """The stored size in pixels, and the size as displayed (EXIF orientation applied) when it differs."""

    width: int
    height: int
    rotated: bool = False  # True when the EXIF orientation swaps width and height for display

    @property
    def displayed(self) -> tuple[int, int]:
        return (self.height, self.width) if self.rotated else (self.width, self.height)


def image_extensions() -> frozenset[str]:
    """The extensions a dataset may hold (the contract's list, without the refused formats), lowercase."""
    return frozenset(ext for ext, entry in CONTRACT.images.items() if entry.refusal is None)


def is_image_file(path: Path) -> bool:
    return path.suffix[1:].lower() in image_extensions()


def unsupported_reason(path: Path) -> str | None:
    """Why the dataset contract cannot take an image file of this extension, or None when it can."""
    extension = path.suffix[1:].lower()
    entry = CONTRACT.images.get(extension)
    if entry is None:
        return f"'.{extension}' is not an image format the training reads ({', '.join(sorted(image_extensions()))})"
    return entry.refusal


def read_size(path: Path) -> ImageSize | str:
    """The image's size, or a sentence saying why it cannot be read."""
    try:
        with Image.open(path) as im:
            width, height = im.size
            orientation = 1
            try:
                orientation = int(im.getexif().get(_EXIF_ORIENTATION, 1))
            except (OSError, ValueError, TypeError, SyntaxError):  # a broken EXIF block is not a broken image
                orientation = 1
    except FileNotFoundError:
        return "does not exist"
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as e:
        return f"cannot be read as an image ({type(e).__name__}: {e})"
    return ImageSize(width=width, height=height, rotated=orientation in _SWAPPING_ORIENTATIONS)
