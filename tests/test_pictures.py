"""Pictures in the pack: their own data where the PDF allows, never EXIF; OCR cached per case.

Built with the real LibreOffice and tesseract; the pack's image streams are compared with the
evidence files byte for byte.
"""

from __future__ import annotations

import io
import re
import struct
import subprocess
from pathlib import Path

import pytest
from PIL import Image, ImageChops, ImageDraw, ImageFont
from pypdf import PdfReader

from harassment_pack.build import build_case
from harassment_pack.case import load_case
from harassment_pack.evidence import add_evidence
from harassment_pack.pack import OCR_CACHE_DIRNAME

from .conftest import SAMPLES, TODAY, copy_sample

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
GPS = {1: "N", 2: (51.0, 30.0, 12.5), 3: "W", 4: (0.0, 7.0, 40.1)}


def _picture(size, words, mode="RGB"):
    image = Image.new(mode, size, "white")
    ImageDraw.Draw(image).text((20, 40), words, fill="black", font=ImageFont.truetype(FONT, 30))
    return image


def _with_gps(orientation=1) -> Image.Exif:
    exif = Image.Exif()
    exif[0x0112] = orientation
    exif[0x0110] = "Pixel 7"  # phone model
    exif.get_ifd(0x8825).update(GPS)
    return exif


def _png_idat(path) -> bytes:
    data = path.read_bytes()
    position, parts = 8, []
    while position < len(data):
        length, kind = struct.unpack(">I4s", data[position : position + 8])
        if kind == b"IDAT":
            parts.append(data[position + 8 : position + 8 + length])
        position += 12 + length
    return b"".join(parts)


def _streams(pdf) -> list[tuple[int, int, bytes]]:
    """(width, height, raw data) of every image XObject on every page, as stored."""
    found = []
    for page in PdfReader(pdf).pages:
        xobjects = page["/Resources"].get("/XObject") or {}
        for ref in xobjects.values():
            image = ref.get_object()
            if image["/Subtype"] == "/Image":
                found.append((image["/Width"], image["/Height"], image._data))
    return found


@pytest.fixture(scope="module")
def picture_case(tmp_path_factory):
    """The minimal sample with an RGB PNG, a JPEG carrying GPS, a turned JPEG and an RGBA PNG."""
    root = tmp_path_factory.mktemp("pictures")
    case_dir = root / "case"
    copy_sample(SAMPLES / "minimal", case_dir)
    png = root / "screenshot.png"
    _picture((600, 300), "Delete your account tonight").save(png)
    photo = root / "photo.jpg"
    _picture((500, 260), "Seen outside your door").save(photo, exif=_with_gps(), comment=b"home")
    turned = root / "turned.jpg"
    _picture((400, 240), "Sideways words").save(turned, exif=_with_gps(orientation=6))
    clear = root / "clear.png"
    _picture((320, 200), "Clear background", mode="RGBA").save(clear)
    for path in (png, photo, turned, clear):
        add_evidence(case_dir, [path], incident="C1", description=f"Picture {path.name}")
    return case_dir


@pytest.fixture(scope="module")
def picture_pack(picture_case, tmp_path_factory):
    out = tmp_path_factory.mktemp("pictures-out")
    return build_case(picture_case, out, only=["evidence_schedule"], today=TODAY)


def test_a_png_screenshot_goes_in_as_its_own_compressed_data(picture_case, picture_pack):
    streams = _streams(picture_pack.pack.path)
    assert (600, 300, _png_idat(picture_case / "evidence" / "screenshot.png")) in streams


def test_a_jpeg_goes_in_unchanged_but_without_gps_model_or_comment(picture_case, picture_pack):
    original = (picture_case / "evidence" / "photo.jpg").read_bytes()
    assert b"Exif" in original and b"Pixel 7" in original and b"home" in original
    data = next(s[2] for s in _streams(picture_pack.pack.path) if s[:2] == (500, 260))
    assert data.startswith(b"\xff\xd8")
    assert b"Exif" not in data and b"Pixel 7" not in data and b"home" not in data
    scan = original.index(b"\xff\xda")  # the picture itself, byte for byte
    assert data.endswith(original[scan:])
    pack = picture_pack.pack.path.read_bytes()
    assert b"Pixel 7" not in pack and b"Exif" not in pack


def test_a_turned_photo_is_drawn_upright_and_a_transparent_png_flattened(picture_pack):
    sizes = [s[:2] for s in _streams(picture_pack.pack.path)]
    assert (240, 400) in sizes  # EXIF orientation 6: turned a quarter, so decoded and re-encoded
    assert (320, 200) in sizes
    listing = subprocess.run(["pdfimages", "-list", str(picture_pack.pack.path)],
                             capture_output=True, text=True, check=True).stdout  # fmt: skip
    assert "smask" not in listing


def test_ocr_is_cached_in_the_case_by_sha256_and_size_for_every_output_folder(
    picture_case, picture_pack, tmp_path
):
    item = next(e for e in load_case(picture_case).evidence if e.file.endswith("screenshot.png"))
    cache = picture_case / OCR_CACHE_DIRNAME / f"{item.sha256}-600x300.tsv"
    assert cache.is_file() and cache.stat().st_mode & 0o777 == 0o600
    assert cache.parent.stat().st_mode & 0o777 == 0o700
    text = "".join(page.extract_text() for page in PdfReader(picture_pack.pack.path).pages)
    assert "Delete your account tonight" in " ".join(text.split())
    # Another output folder reads the same cache: tesseract is not run again.
    cache.write_text(cache.read_text(encoding="utf-8").replace("tonight", "today"), "utf-8")
    again = build_case(picture_case, tmp_path, only=["evidence_schedule"], today=TODAY)
    text = "".join(page.extract_text() for page in PdfReader(again.pack.path).pages)
    assert "Delete your account today" in " ".join(text.split())


def test_re_encoded_pictures_are_kept_on_disk_only_while_the_bundle_is_written(
    picture_case, tmp_path, monkeypatch
):
    import tempfile

    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    result = build_case(picture_case, tmp_path / "out", only=["evidence_schedule"], today=TODAY)
    assert (240, 400) in [s[:2] for s in _streams(result.pack.path)]  # the turned photo is in
    assert list(scratch.glob("harassment-pack-pictures-*")) == []


SUITE = Path(__file__).parent / "fixtures" / "real" / "pngsuite"
PASSED = ["basn3p01.png", "basn3p02.png", "basn3p04.png", "basn3p08.png", "ftp0n3p08.png"]
"""Real palette PNGs (PngSuite, by Willem van Schaik) of 1, 2, 4 and 8 bits: copied as they are."""
DECODED = ["ftbbn3p08.png", "ibasn3p08.png"]
"""A palette with transparency (tRNS) and an interlaced one: decoded, as before."""


def _png_header(path) -> tuple[int, int]:
    """(bit depth, colour type) from the IHDR chunk."""
    return path.read_bytes()[24], path.read_bytes()[25]


def _exhibit_pages(pdf) -> dict[str, tuple[int, dict, str]]:
    """For each exhibit page with a picture: file name -> (page number, image, where it is)."""
    found = {}
    for number, page in enumerate(PdfReader(pdf).pages, start=1):
        xobjects = page["/Resources"].get("/XObject") or {}
        if "/HPPicture" not in xobjects:
            continue
        name = re.search(r"\S+\.png", page.extract_text())[0]
        contents = page.get_contents().get_data().decode("latin-1")
        where = re.search(r"([\d.]+) 0 0 ([\d.]+) ([\d.]+) ([\d.]+) cm /HPPicture Do", contents)
        found[name] = (number, xobjects["/HPPicture"].get_object(), where.groups())
    return found


def _render(pdf, number: int, where, dpi: int = 60) -> Image.Image:
    """The page's picture box as pdftoppm draws it (the page's PNG, cropped to the picture)."""
    page_h = PdfReader(pdf).pages[number - 1].mediabox.height
    w, h, x, y = (float(v) * dpi / 72 for v in where)
    top = float(page_h) * dpi / 72 - y - h
    png = subprocess.run(
        ["pdftoppm", "-png", "-r", str(dpi), "-f", str(number), "-l", str(number),
         "-x", str(int(x)), "-y", str(int(top)), "-W", str(int(w) + 1), "-H", str(int(h) + 1),
         str(pdf)], capture_output=True, check=True,
    ).stdout  # fmt: skip
    return Image.open(io.BytesIO(png)).convert("RGB")


def test_palette_pngs_go_in_as_their_own_data_and_look_as_before(tmp_path):
    """Palette (indexed-colour) screenshots: the IDAT data byte for byte, with the PNG's palette
    as an /Indexed colour space, drawn exactly as before, when they were decoded (to RGB)."""
    case_dir = copy_sample(SAMPLES / "minimal", tmp_path / "case")
    chat = _picture((600, 300), "Delete your account tonight").quantize(256)
    chat.save(tmp_path / "chat.png")
    _picture((300, 120), "Two colours").convert("1").convert("P").save(tmp_path / "two.png")
    for name in PASSED + DECODED:
        (tmp_path / name).write_bytes((SUITE / name).read_bytes())
    threat = SAMPLES / "jane-smith" / "evidence" / "2026-07-03-whatsapp-threat.png"
    (tmp_path / "threat.png").write_bytes(threat.read_bytes())
    palettes = ["chat.png", "two.png", *PASSED, "threat.png"]
    for name in palettes:  # each beside its pixels as RGB: what was embedded before
        with Image.open(tmp_path / name) as image:
            image.convert("RGB").save(tmp_path / name.replace(".png", "-rgb.png"))
    names = sorted(path.name for path in tmp_path.glob("*.png"))
    for name in names:
        add_evidence(case_dir, [tmp_path / name], incident="C1", description=name)
    pdf = build_case(case_dir, tmp_path / "out", only=["evidence_schedule"], today=TODAY).pack.path
    pages = _exhibit_pages(pdf)
    assert sorted(pages) == names
    evidence = case_dir / "evidence"
    for name in palettes:
        depth, colour_type = _png_header(evidence / name)
        assert colour_type == 3, name  # a palette PNG …
        number, image, where = pages[name]
        assert image._data == _png_idat(evidence / name), name  # … copied byte for byte
        space = image["/ColorSpace"]
        assert space[:2] == ["/Indexed", "/DeviceRGB"] and image["/BitsPerComponent"] == depth
        with Image.open(evidence / name) as original:
            palette = bytes(original.getpalette())
        assert space[3].original_bytes.startswith(palette), name
        # pdftoppm draws it as it drew the decoded picture: the same pixels in the same box.
        twin_number, _, twin_where = pages[name.replace(".png", "-rgb.png")]
        assert twin_where == where
        drawn, before = _render(pdf, number, where), _render(pdf, twin_number, where)
        assert ImageChops.difference(drawn, before).getbbox() is None, name
    assert {_png_header(evidence / name)[0] for name in PASSED} == {1, 2, 4, 8}
    for name in DECODED:  # transparency or interlacing: decoded and compressed again, as before
        image = pages[name][1]
        assert image["/ColorSpace"] == "/DeviceRGB" and image._data != _png_idat(evidence / name)
