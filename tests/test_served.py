"""Nothing that is served can hurt the applicant: the served-documents check, end to end.

A copy of the sample case is made leaky the way real cases are: an exclusion zone written out at
the confidential address, a routine told in the witness statement, the phone number in a summary
and a new screenshot (a JPEG carrying GPS EXIF) whose OCR text shows the address and postcode.
The real build (LibreOffice, tesseract) must refuse and name each leak; after the fixes the
check itself suggests (annex, redaction box) it builds, and every page, the metadata and every
attached file of court-bundle.pdf are free of those details in any spacing or case.
"""

from __future__ import annotations

import io
import random
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from PIL import Image, ImageDraw, ImageFont
from pypdf import PdfReader

from harassment_pack.build import build_case
from harassment_pack.case import Order, load_case, save_case
from harassment_pack.cli import main
from harassment_pack.documents import BY_NAME
from harassment_pack.errors import UserError
from harassment_pack.evidence import add_evidence, add_redaction, file_sha256
from harassment_pack.law import load_data
from harassment_pack.served import (
    _SQUASHED,
    ServedLeakError,
    _squash_with_positions,
    find,
    protected_details,
    safety_warning,
    safety_words,
)

from .conftest import SAMPLES, copy_sample

EXE = str(Path(sys.executable).with_name("harassment-pack"))
ADDRESS = "Flat 3, 41 Larkspur Road, Reading, Berkshire"
POSTCODE = "RG2 8QJ"
ROUTINE = "I now leave work by the back entrance every evening."
FORBIDDEN = ["41 Larkspur Road", "Larkspur Road", POSTCODE, "back entrance", "07700 900481",
             "7700900481", "jane.smith.safe", "7700900731"]  # fmt: skip
DEVICE = "Pixel-SECRET-7"


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    path = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
    return ImageFont.truetype(str(path), size) if path.is_file() else ImageFont.load_default(size)


def _screenshot_with_gps(path: Path) -> None:
    """A phone screenshot of a post giving the address, saved as JPEG with GPS and device EXIF."""
    image = Image.new("RGB", (900, 420), "white")
    draw = ImageDraw.Draw(image)
    draw.text((30, 30), "@markdavies_rdg", font=_font(30), fill="black")
    draw.text((30, 120), "She lives at 41 Larkspur Road", font=_font(34), fill="black")
    draw.text((30, 190), "Reading RG2 8QJ. Go and see her.", font=_font(34), fill="black")
    draw.text((30, 300), "22 Aug 2026 22:47", font=_font(26), fill="black")
    exif = Image.Exif()
    exif[0x0110] = DEVICE  # Model
    gps = exif.get_ifd(0x8825)
    gps.update({1: "N", 2: (51.0, 27.0, 15.5), 3: "W", 4: (0.0, 58.0, 42.1)})
    image.save(path, "JPEG", quality=92, exif=exif)
    with Image.open(path) as check:  # the input really carries GPS
        assert check.getexif().get_ifd(0x8825)


@pytest.fixture(scope="module")
def leaky(tmp_path_factory: pytest.TempPathFactory) -> Path:
    case_dir = tmp_path_factory.mktemp("served") / "jane"
    copy_sample(SAMPLES / "jane-smith", case_dir)
    case = load_case(case_dir)
    case.applicant.private_details = ["back entrance"]
    case.applicant.routines = None
    assert case.injunction is not None
    case.injunction.exclusion_address = f"{ADDRESS} {POSTCODE}"
    # The same zone typed again in her own words, address and all.
    case.injunction.orders.append(
        Order(text=f"going within 100 metres of 41 Larkspur Road, Reading {POSTCODE}")
    )
    incidents = {i.id: i for i in case.incidents}
    incidents["i15"].impact = ROUTINE
    incidents["i13"].summary += " He wrote to me saying he had my number, +44 (0)7700-900-481."
    # Her sister's own number, typed into what her sister saw (it belongs on Jane's sheet only).
    case.witnesses[0].account += " Jane can reach me on 07700-900-731."
    save_case(case, case_dir)
    shot = case_dir.parent / "post.jpg"
    _screenshot_with_gps(shot)
    number = load_case(case_dir).incident_numbers()["i10"]  # the post giving the address
    add_evidence(case_dir, [shot], incident=number, description="Screenshot of the X post")
    return case_dir


@pytest.fixture(scope="module")
def refused(leaky: Path) -> ServedLeakError:
    out = leaky / "out"
    with pytest.raises(ServedLeakError) as caught:
        build_case(leaky, out)
    assert not (out / "court-bundle.pdf").exists() and not (out / "pack.pdf").exists()
    return caught.value


def test_matching_ignores_spaces_case_punctuation_and_phone_forms() -> None:
    case = load_case(SAMPLES / "jane-smith")
    items = protected_details(case)
    keys = {item.key for item in items}
    assert {"address", "postcode", "phone", "email", "workplace", "private:1", "witness:1"} <= keys
    for text, key in [
        ("she lives at RG28QJ now", "postcode"),
        ("R G 2 - 8 q j", "postcode"),
        ("41 LARKSPUR   ROAD", "address"),
        ("4l Larkspur R0ad", "address"),  # what OCR makes of it
        ("call +44 7700 900481", "phone"),
        ("call 0044 (0)7700-900-481", "phone"),
        ("call 07700900481", "phone"),
        ("call +44 7700 900123", None),  # his number, not hers
        ("ring Claire on +44 7700 900 731", "witness:1"),  # her sister's, from the witnesses
        ("JANE.SMITH.SAFE at example", "email"),
        ("leaves by the BACK-ENTRANCE", "private:1"),
        ("Reading, Berkshire", None),  # the town alone names nobody's home
    ]:
        found = {item.key for item, _ in find(text, items)}
        assert (key in found) if key else not found, (text, found)


def test_fast_squashing_keeps_every_character_as_the_careful_one() -> None:
    """The translate table must squash exactly as the per-character NFKC walk it speeds up."""
    rng = random.Random(15)
    texts = [
        "Stra\u00dfe \ufb01ne \u0130stanbul \uff32\uff27\uff12",
        "e\u0301cole caf\u00e9",
        "\u201cFlat 3\u201d, 12 O\u2019Neil Rd \u2013 l0ndon",
        "\u00bd \u00b2 \u210c \u216b",
    ]
    texts += ["".join(chr(rng.randint(32, 0x2FFF)) for _ in range(40)) for _ in range(500)]
    for text in texts:
        assert text.translate(_SQUASHED) == _squash_with_positions(text)[0], text


def test_an_email_made_of_the_name_is_searched_whole() -> None:
    """jane.smith@… must not turn the Claimant's own name, on every page, into a leak."""
    case = load_case(SAMPLES / "jane-smith")
    case.applicant.email = "Jane.Smith@example.com"
    items = protected_details(case)
    assert not list(find("WITNESS STATEMENT OF JANE SMITH", items))
    assert [i.key for i, _ in find("write to jane.smith@example.com", items)] == ["email"]


def test_build_refuses_and_names_each_leak(refused: ServedLeakError) -> None:
    lines = str(refused).splitlines()
    assert lines[0].startswith("court-bundle.pdf was not written")
    assert len(lines) == 1 + len(refused.hits)
    text = "\n".join(lines)
    # The order's exclusion zone, the routine in the statement, the phone in the summary …
    assert re.search(r"Draft order \(injunction\), paragraph \d+: .[^\u201d]*Larkspur Road", text)
    assert re.search(r"Witness statement \(draft\), paragraph \d+: .back entrance", text)
    assert "--allow-disclosure private:1" in text
    assert re.search(r"paragraph \d+: .\+44 \(0\)7700-900-481. is your phone number", text)
    # A supporting witness's contact details are protected too, in any digit form.
    assert re.search(
        r"Supporting witness statements \(drafts\), paragraph \d+: .07700-900-731. is Claire "
        r"Smith's contact details; .*witnesses\[0\]\.account.*--allow-disclosure witness:1",
        text,
    )
    # … and the screenshot's OCR text, with the box to black out.
    ocr = [h for h in refused.hits if "text read from the image" in h.where]
    assert {h.item.key for h in ocr} >= {"postcode", "address"}
    assert all("evidence redact" in h.line() and "--box" in h.line() for h in ocr)
    for line in lines[1:]:
        assert "--allow-disclosure" in line  # every hit says how to fix it


def test_check_served_command_gives_one_line_per_hit(leaky: Path, refused, capsys) -> None:
    assert main(["check-served", str(leaky)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    first = next(n for n, line in enumerate(err) if line.startswith("harassment-pack: "))
    assert len(err[first:]) == 1 + len(refused.hits)
    assert main(["check-served", str(leaky), "--allow-disclosure", "nothing"]) == 2
    assert "no private detail called that" in capsys.readouterr().err


@pytest.fixture(scope="module")
def fixed(leaky: Path, refused: ServedLeakError) -> Path:
    """The fixes the refusal points to: annex the routine and the zone, redact the boxes."""
    case = load_case(leaky)
    assert case.injunction is not None
    case.injunction.orders.pop()  # the zone stays, as "the address in the confidential schedule"
    incidents = {i.id: i for i in case.incidents}
    incidents["i15"].impact = None
    case.applicant.routines = ROUTINE
    incidents["i13"].summary = incidents["i13"].summary.split(" He wrote to me")[0]
    case.witnesses[0].account = case.witnesses[0].account.split(" Jane can reach me")[0]
    save_case(case, leaky)
    label = load_case(leaky).evidence[-1].label
    boxes = sorted(
        {re.search(r"--box (\S+),", h.line())[1] for h in refused.hits if "--box" in h.line()}
    )
    add_redaction(leaky, label, boxes, reason="my address")
    build_case(leaky, leaky / "out")
    return leaky


def _all_text(pdf: Path) -> list[str]:
    reader = PdfReader(pdf)
    texts = [page.extract_text() or "" for page in reader.pages]
    texts += [str(value) for value in (reader.metadata or {}).values()]
    for name, contents in reader.attachments.items():
        texts.append(name)
        texts += [data.decode("utf-8", errors="replace") for data in contents]
    return texts


def test_after_redaction_and_annexing_nothing_served_leaks(fixed: Path) -> None:
    bundle = fixed / "out" / "court-bundle.pdf"
    texts = _all_text(bundle)
    assert len(texts) > 20
    for text in texts:
        variants = {text, re.sub(r"\s+", "", text), text.upper(), re.sub(r"\s+", "", text).upper()}
        for needle in FORBIDDEN:
            for form in {needle, needle.replace(" ", ""), needle.upper()}:
                assert not any(form in v for v in variants), (needle, text[:200])
    joined = " ".join(" ".join(texts).split())
    assert "address provided to the court separately" in joined
    assert "the address in the confidential schedule" in joined
    assert "Confidential schedule" not in joined
    # The served manifest: labels, sizes and hashes only.
    manifest = PdfReader(bundle).attachments["manifest.json"][0].decode()
    assert "evidence/" not in manifest and ".jpg" not in manifest and ".png" not in manifest
    # Attached complete files are named by their label only (JS-1.txt), never the file's name.
    names = PdfReader(bundle).attachments
    assert all(re.fullmatch(r"manifest\.json|[A-Z]+-\d+\.\w+", name) for name in names), names


def test_the_applicant_keeps_the_original_and_the_schedule(fixed: Path) -> None:
    case = load_case(fixed)
    item = case.evidence[-1]
    assert file_sha256(fixed / item.file) == item.sha256  # evidence/ untouched
    pack = "\n".join(_all_text(fixed / "out" / "pack.pdf"))
    assert "Confidential schedule (for the court only" in pack
    assert "back entrance" in pack and "Larkspur Road" in pack
    squashed = re.sub(r"\s+", "", pack)
    assert "RG28QJ" in squashed  # the unredacted screenshot's OCR text, in her own copy only
    assert (
        "evidence/"
        in PdfReader(fixed / "out" / "pack.pdf").attachments["manifest.json"][0].decode()
    )


def test_served_copy_shows_a_solid_black_box(fixed: Path) -> None:
    """The redacted area is black pixels in the served image, not an overlay that lifts off."""
    reader = PdfReader(fixed / "out" / "court-bundle.pdf")
    label = load_case(fixed).evidence[-1].label
    (image,) = next(
        p.images for p in reader.pages if p.images and f"Exhibit {label}" in p.extract_text()
    )
    pixels = Image.open(io.BytesIO(image.data)).convert("L")
    # Inside the two address lines (drawn at y 120 and 190 of 900 x 420): solid black now.
    scale = pixels.width / 900
    for top in (132, 202):
        band = pixels.crop(
            (int(60 * scale), int(top * scale), int(480 * scale), int((top + 22) * scale))
        )
        dark = sum(band.histogram()[:30]) / (band.width * band.height)
        assert dark > 0.95, top


def test_exif_gps_and_device_never_reach_a_pdf(fixed: Path) -> None:
    for name in ("court-bundle.pdf", "pack.pdf"):
        pdf = fixed / "out" / name
        assert DEVICE.encode() not in pdf.read_bytes()
        for page in PdfReader(pdf).pages:
            for image in page.images:
                assert b"Exif" not in image.data
                with Image.open(io.BytesIO(image.data)) as opened:
                    exif = opened.getexif()
                    assert not exif.get_ifd(0x8825) and 0x0110 not in exif


# --------------------------------------------------------------------------- paths and hashes


def _one_line_error(argv: list[str]) -> str:
    run = subprocess.run([EXE, *argv], capture_output=True, text=True, timeout=120)
    assert run.returncode == 2, run.stderr
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in run.stderr, run.stderr
    return lines[0]


@pytest.mark.parametrize("bad", ["../../diary.txt", "/etc/passwd", "evidence/../../x.txt"])
def test_evidence_paths_outside_the_case_are_refused_at_load(tmp_path: Path, bad: str) -> None:
    case_dir = tmp_path / "case"
    copy_sample(SAMPLES / "jane-smith", case_dir)
    text = (case_dir / "case.yaml").read_text(encoding="utf-8")
    text = text.replace("file: evidence/2026-07-03-whatsapp-threat.png", f"file: {bad}", 1)
    (case_dir / "case.yaml").write_text(text, encoding="utf-8")
    line = _one_line_error(["verify", str(case_dir)])
    assert "evidence[1].file" in line and "outside the case folder" in line and bad in line


def test_an_evidence_link_leading_outside_is_refused(tmp_path: Path) -> None:
    case_dir = tmp_path / "case"
    copy_sample(SAMPLES / "jane-smith", case_dir)
    secret = tmp_path / "diary.txt"
    secret.write_text("my private diary\n", encoding="utf-8")
    shot = case_dir / "evidence" / "2026-07-03-whatsapp-threat.png"
    shot.unlink()
    shot.symlink_to(secret)
    line = _one_line_error(["build", str(case_dir), "-o", str(tmp_path / "out")])
    assert "is a link leading outside the case folder" in line
    with pytest.raises(UserError):
        load_case(case_dir)


def test_a_changed_file_stops_the_build_until_accepted(tmp_path: Path) -> None:
    case_dir = tmp_path / "case"
    copy_sample(SAMPLES / "jane-smith", case_dir)
    export = case_dir / "evidence" / "2026-08-23-whatsapp-chat-mark-davies.txt"
    export.write_text(export.read_text(encoding="utf-8") + "one more line\n", encoding="utf-8")
    out = tmp_path / "out"
    line = _one_line_error(["build", str(case_dir), "-o", str(out)])
    assert str(export) in line and "JS/1" in line
    assert "no longer matches the file registered on 23 August 2026" in line
    assert "--accept-changed" in line and not out.exists()

    # --accept-changed asks first; "no" leaves everything as it was.
    command = [EXE, "build", str(case_dir), "-o", str(out), "--only", "evidence_schedule",
               "--accept-changed"]  # fmt: skip
    run = subprocess.run(command, input="n\n", capture_output=True, text=True, timeout=300)
    assert run.returncode == 2 and "Register exhibit JS/1 as it is now?" in run.stdout
    assert load_case(case_dir).evidence[0].sha256 != file_sha256(export)

    run = subprocess.run(command, input="y\n", capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    item = load_case(case_dir).evidence[0]
    assert item.sha256 == file_sha256(export) and item.registered is not None
    schedule = "".join(PdfReader(out / "evidence_schedule.pdf").pages[0].extract_text().split())
    assert f"(SHA-256{item.sha256}" in schedule.replace("\u00ad", "")


def test_the_pack_says_what_a_fingerprint_shows(tmp_path: Path) -> None:
    yaml_case = yaml.safe_load((SAMPLES / "jane-smith" / "case.yaml").read_text(encoding="utf-8"))
    assert all(item.get("registered") for item in yaml_case["evidence"])
    out = tmp_path / "out"
    build_case(SAMPLES / "jane-smith", out, only=["evidence_schedule"])
    pages = PdfReader(out / "pack.pdf").pages
    text = " ".join(" ".join(page.extract_text() for page in pages).split())
    assert "matches the file registered on 3 July 2026 (SHA-256" in text.replace("\u00ad", "")
    assert "proves" not in text and "altered" not in text


def test_check_warns_of_safety_words_in_served_answers(capsys) -> None:
    """Her own words about her safety steps are shown to her (never rewritten, never blocking)."""
    assert main(["check", str(SAMPLES / "jane-smith")]) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert "Words about keeping safe in what is served" in out
    line = re.search(r"Witness statement, impact\.statement: [^\n]*?(?= - |$)", out)
    assert line and "\u201cvideo doorbell\u201d" in line[0] and "\u201ccurtains\u201d" in line[0]
    assert "applicant.private_details" in out and "confidential schedule" in out
    assert main(["check", str(SAMPLES / "minimal")]) == 0
    assert "Words about keeping safe" not in capsys.readouterr().out


def test_safety_words_are_data_and_whole_words() -> None:
    case = load_case(SAMPLES / "minimal")
    case.impact.statement = "I blocked him. I now take a different  Train and fitted two Locks."
    found = safety_words(case)
    assert [(w.document, w.field, w.words) for w in found] == [
        ("Witness statement", "impact.statement", ("different Train", "Locks"))
    ]
    data = load_data("served_words")
    assert "lock" in data["words"]  # "blocked" is not "lock"
    for name, label in data["documents"].items():  # the warning names them as they are titled
        assert BY_NAME[name].title.startswith(label)


def test_build_warns_of_safety_words_but_still_serves(jane_build) -> None:
    assert jane_build.court_bundle is not None  # not blocked
    lines = safety_warning(jane_build.safety_words)
    assert lines[0] == "Words about keeping safe in what is served:"
    assert any("Witness statement, impact.statement" in x and "video doorbell" in x
               for x in lines)  # fmt: skip
