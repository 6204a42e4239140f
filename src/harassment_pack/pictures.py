"""Pictures on exhibit pages: measured without decoding, embedded as the file's own data.

Why: a phone screenshot is 1170 by 2532 pixels. Decoding it and compressing the pixels again
costs about a quarter of a second and 9 MB of memory each, and a case may hold hundreds. The
compressed data of a PNG (its IDAT chunks) and of a JPEG (its DCT scans) is exactly what a PDF
image holds, so, as img2pdf does, it is copied as it is (a palette PNG's with its palette as an
``/Indexed`` colour space, at any of its bit depths). Metadata never goes with it: only the
PNG's pixel data is taken, and a JPEG loses its APP1 (EXIF with the GPS position and phone
model, XMP), APP13 (IPTC) and comment segments, which is done segment by segment without
touching the picture. A picture that cannot go in as it is (transparency, interlacing, a
rotation in EXIF, more pixels than MAX_DPI needs, 16 bits a channel, HEIC, WebP, GIF) is
decoded once, on its own, and only its pixels are compressed again: losslessly for
screenshots, as JPEG for photos.
"""

from __future__ import annotations

import io
import struct
import warnings
import zlib
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageOps

from .errors import UserError

MAX_DPI = 300
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_ORIENTATION = 0x0112
_DROPPED_JPEG_SEGMENTS = {0xE1, 0xED, 0xFE}
"""APP1 (EXIF, XMP), APP13 (IPTC, Photoshop) and COM: where phones and editors put who, where
and with what a picture was taken."""


@dataclass(frozen=True)
class Picture:
    """An image file as it will be shown: upright size in pixels, and how it was stored."""

    path: Path
    media_type: str
    width: int
    height: int
    turned: bool
    """EXIF says the picture must be rotated or mirrored to be upright."""


@dataclass(frozen=True)
class Embedded:
    """Image data ready for a PDF image XObject."""

    data: bytes
    width: int
    height: int
    colour_space: str
    """``/DeviceRGB``, ``/DeviceGray``, or ``/Indexed`` (on ``/DeviceRGB``, with ``palette``)."""
    filter: str
    decode_parms: dict[str, int] | None = None
    bits: int = 8
    """Bits per component (a palette PNG's indexes may have 1, 2, 4 or 8)."""
    palette: bytes = b""
    """An indexed picture's colours: red, green, blue of each index in turn."""


def probe(path: Path, media_type: str, label: str) -> Picture:
    """Size and orientation from the file's header alone; the pixels are not decoded."""
    if media_type == "image/heic":
        from .evidence import enable_heic

        enable_heic()
    try:
        with Image.open(path) as opened:
            width, height = opened.size
            exif = opened.info.get("exif")
    except (OSError, SyntaxError, Image.DecompressionBombError) as exc:
        raise _unreadable(path, label, exc) from None
    check_pixels(path, width, height)
    orientation = 1
    if exif:
        try:
            orientation = Image.Exif()
            orientation.load(exif)
            orientation = int(orientation.get(_ORIENTATION, 1))
        except Exception:  # a damaged EXIF block must not stop the pack; draw it as stored
            orientation = 1
    if orientation in (5, 6, 7, 8):
        width, height = height, width
    return Picture(path, media_type, width, height, orientation not in (1, 0))


def target_size(picture: Picture, draw_w: float, draw_h: float) -> tuple[int, int]:
    """The pixel size the picture is embedded (and read by OCR) at: at most MAX_DPI on the page."""
    max_w = int(draw_w / 72 * MAX_DPI)
    max_h = int(draw_h / 72 * MAX_DPI)
    if picture.width <= max_w and picture.height <= max_h:
        return picture.width, picture.height
    return max(1, max_w), max(1, max_h)


def stored(picture: Picture, size: tuple[int, int]) -> Embedded | None:
    """The file's own compressed data when it can go into the PDF unchanged, else None."""
    if picture.turned or size != (picture.width, picture.height):
        return None
    data = picture.path.read_bytes()
    if picture.media_type == "image/png":
        return _png(data)
    if picture.media_type == "image/jpeg":
        return _jpeg(data)
    return None


def decoded(picture: Picture, size: tuple[int, int], label: str) -> Image.Image:
    """The picture's pixels only, upright and at ``size`` (the slow way, one picture at a time)."""
    try:
        with Image.open(picture.path) as opened:
            image = ImageOps.exif_transpose(opened)
            image.load()
    except (OSError, SyntaxError) as exc:
        raise _unreadable(picture.path, label, exc) from None
    if image.mode not in ("RGB", "L"):
        image = image.convert("RGB")
    if image.size != size:
        image = image.resize(size, Image.Resampling.LANCZOS)
    return image


def encoded(image: Image.Image, photo: bool) -> Embedded:
    """Pixels compressed for a PDF: JPEG for photos, lossless Flate for screenshots."""
    colour = "/DeviceRGB" if image.mode == "RGB" else "/DeviceGray"
    if photo:
        buffer = io.BytesIO()
        image.save(buffer, format="JPEG", quality=90)
        return Embedded(buffer.getvalue(), image.width, image.height, colour, "/DCTDecode")
    data = zlib.compress(image.tobytes(), 6)
    return Embedded(data, image.width, image.height, colour, "/FlateDecode")


def _png(data: bytes) -> Embedded | None:
    """IDAT data of a non-interlaced PNG without transparency, 8-bit grey or RGB or a palette of
    any depth; else None."""
    if not data.startswith(_PNG_SIGNATURE):
        return None
    position = len(_PNG_SIGNATURE)
    header = None
    palette = b""
    parts = []
    while position + 8 <= len(data):
        length, kind = struct.unpack(">I4s", data[position : position + 8])
        body = data[position + 8 : position + 8 + length]
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            parts.append(body)
        elif kind == b"PLTE":
            palette = body
        elif kind in (b"tRNS", b"eXIf"):
            return None  # transparency would need a soft mask; an EXIF rotation applied
        elif kind == b"IEND":
            break
        position += 12 + length
    if header is None or not parts:
        return None
    width, height, depth, colour_type, _, _, interlace = header
    if interlace:
        return None  # PDF has no interlaced images
    if colour_type == 3 and depth in (1, 2, 4, 8) and palette and len(palette) % 3 == 0:
        # Indexes missing from a short palette are black, as when the picture is decoded.
        palette = palette[: 3 << depth].ljust(3 << depth, b"\0")
        colours, colour_space = 1, "/Indexed"
    elif colour_type in (0, 2) and depth == 8:
        colours = 3 if colour_type == 2 else 1
        colour_space = "/DeviceRGB" if colours == 3 else "/DeviceGray"
    else:
        return None
    return Embedded(
        b"".join(parts),
        width,
        height,
        colour_space,
        "/FlateDecode",
        {"/Predictor": 15, "/Colors": colours, "/BitsPerComponent": depth, "/Columns": width},
        bits=depth,
        palette=palette if colour_type == 3 else b"",
    )


def _jpeg(data: bytes) -> Embedded | None:
    """A baseline or progressive grey or RGB JPEG without its metadata segments; else None."""
    if not data.startswith(b"\xff\xd8"):
        return None
    kept = [b"\xff\xd8"]
    position = 2
    size = None
    while position + 4 <= len(data):
        if data[position] != 0xFF:
            return None
        marker = data[position + 1]
        if marker == 0xFF:  # fill byte
            position += 1
            continue
        length = struct.unpack(">H", data[position + 2 : position + 4])[0]
        segment = data[position : position + 2 + length]
        if marker in (0xC0, 0xC1, 0xC2):  # start of frame: precision, height, width, components
            _, height, width, components = struct.unpack(">BHHB", segment[4:10])
            if components not in (1, 3):
                return None  # CMYK needs Adobe's inverted decode: re-encode instead
            size = (width, height, components)
        elif marker in (0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF):
            return None  # lossless or arithmetic coding: PDF readers may not show it
        if marker == 0xDA:  # start of scan: the rest is picture data, kept as it is
            kept.append(data[position:])
            break
        if marker not in _DROPPED_JPEG_SEGMENTS:
            kept.append(segment)
        position += 2 + length
    if size is None or len(kept) < 2:
        return None
    width, height, components = size
    colour = "/DeviceRGB" if components == 3 else "/DeviceGray"
    return Embedded(b"".join(kept), width, height, colour, "/DCTDecode")


MAX_PIXELS = 64_000_000
"""Largest picture decoded (8000 x 8000: more than any phone camera or screen). Counted from the
header before any pixel is decoded, so a decompression bomb costs nothing."""


# Pillow's own guard warns on stderr above its limit; ours refuses such pictures with one line.
warnings.filterwarnings("ignore", category=Image.DecompressionBombWarning)


def check_pixels(path: Path, width: int, height: int) -> None:
    """Refuse a picture with more pixels than ``MAX_PIXELS`` before it is decoded."""
    if width * height > MAX_PIXELS:
        raise UserError(
            f"{path}: this picture is {width} x {height} pixels, too many to handle safely "
            "(take a smaller screenshot of the part that matters and use that instead)"
        )


def _unreadable(path: Path, label: str, exc: Exception) -> UserError:
    return UserError(
        f"{path}: exhibit {label} cannot be read as an image ({exc}); replace the file or "
        "remove it from the case"
    )
