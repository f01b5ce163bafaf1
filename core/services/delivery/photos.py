"""Photos of activities, and photographed sign-in sheets: checked by their content, stored
without what they say about where and with what they were taken, with a thumbnail.

- The first bytes must say JPEG or PNG (``core.services.storage``: the name and the client's
  Content-Type are not trusted), and Pillow must read the whole picture: a file that only
  starts like an image is refused, naming the field.
- A picture of more than ``MAX_PIXELS`` is refused before it is decoded (a decompression bomb
  would take the server's memory).
- What is stored is the picture alone, re-encoded from its pixels: the EXIF block (GPS position,
  camera make and model, time, the owner's name), XMP, ICC profiles and comments are left
  behind. The EXIF orientation is applied first, so the picture still stands the right way up.
  Pictures are kept at most ``MAX_SIDE`` pixels on their long side (phones take far more than a
  record needs) and a thumbnail of ``THUMB_SIDE`` is made for lists.
"""
from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

from core.i18n import T
from core.violations import RuleError, Violation

IMAGE_TYPES = ("image/jpeg", "image/png")
MAX_PIXELS = 50_000_000
MAX_SIDE = 2560
THUMB_SIDE = 320
JPEG_QUALITY = 85


@dataclass(frozen=True)
class CleanImage:
    data: bytes
    content_type: str
    width: int
    height: int
    thumbnail: bytes  # always a JPEG


def _unreadable(field: str) -> RuleError:
    return RuleError(Violation("image_unreadable", T("无法识别为图片（文件可能已损坏，或并非照片），请上传 JPG 或 PNG 照片",
                                                     "This is not a readable picture (damaged, or not a photo); upload a JPG or PNG"),
                               field=field), status=415)


def clean_image(data: bytes, field: str) -> CleanImage:
    """``data`` as it is stored: re-encoded from its pixels, upright, without metadata; or a
    ``RuleError`` naming ``field`` when it is not a picture Pillow can read whole."""
    from PIL import Image, ImageOps, UnidentifiedImageError  # late: only uploads need Pillow

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as probe:
                kind = probe.format
                if probe.width * probe.height > MAX_PIXELS:
                    raise RuleError(Violation("image_too_large", T(
                        f"照片像素过多（{probe.width}×{probe.height}），请缩小后再上传",
                        f"The picture is too large ({probe.width}x{probe.height} pixels); shrink it first"),
                        field=field), status=413)
                probe.verify()  # the whole file, not just its header
            with Image.open(io.BytesIO(data)) as image:
                image.load()
                upright = ImageOps.exif_transpose(image)
    except RuleError:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError,
            Image.DecompressionBombWarning):
        raise _unreadable(field) from None
    if kind not in ("JPEG", "PNG"):
        raise _unreadable(field)
    has_alpha = upright.mode in ("RGBA", "LA") or (upright.mode == "P" and "transparency" in upright.info)
    mode = ("RGBA" if has_alpha else "RGB") if kind == "PNG" else "RGB"
    pixels = upright.convert(mode)
    # A new image from the pixels alone: nothing of the original's info (exif, xmp, icc,
    # comments, text chunks) can travel with it.
    bare = Image.frombytes(mode, pixels.size, pixels.tobytes())
    bare.thumbnail((MAX_SIDE, MAX_SIDE))
    out = io.BytesIO()
    if kind == "JPEG":
        bare.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True)
        content_type = "image/jpeg"
    else:
        bare.save(out, "PNG", optimize=True)
        content_type = "image/png"
    thumb = bare.convert("RGB")
    thumb.thumbnail((THUMB_SIDE, THUMB_SIDE))
    small = io.BytesIO()
    thumb.save(small, "JPEG", quality=80)
    return CleanImage(out.getvalue(), content_type, bare.width, bare.height, small.getvalue())
