"""Adding and verifying evidence with real files: bytes kept, hashes proved, labels for good."""

from __future__ import annotations

import hashlib
import io
import shutil
from pathlib import Path

import pytest
from PIL import Image
from pypdf import PdfWriter
from reportlab.pdfgen import canvas

from harassment_pack.case import load_case, save_case
from harassment_pack.cli import main
from harassment_pack.errors import UserError
from harassment_pack.evidence import MAX_FILE_BYTES, add_evidence, verify_evidence
from harassment_pack.law import load_law

from .conftest import SAMPLES, copy_sample


@pytest.fixture()
def case_dir(tmp_path) -> Path:
    """The minimal sample (no evidence yet), copied so it can change."""
    target = tmp_path / "case"
    copy_sample(SAMPLES / "minimal", target)
    return target


def _image(path: Path, fmt: str, size=(320, 200), colour=(200, 30, 30)) -> Path:
    Image.new("RGB", size, colour).save(path, format=fmt)
    return path


def _pdf(path: Path) -> Path:
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer)
    pdf.drawString(72, 720, "Letter from the landlord")
    pdf.showPage()
    pdf.save()
    path.write_bytes(buffer.getvalue())
    return path


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_files_are_copied_byte_for_byte_with_hash_size_type_and_label(case_dir, tmp_path):
    files = [
        _image(tmp_path / "shot.png", "PNG"),
        _image(tmp_path / "photo.jpg", "JPEG"),
        _image(tmp_path / "anim.gif", "GIF"),
        _image(tmp_path / "pic.webp", "WEBP"),
        _pdf(tmp_path / "letter.pdf"),
        tmp_path / "voice.mp4",
        tmp_path / "notes.txt",
    ]
    files[5].write_bytes(b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + b"\x01" * 500)
    files[6].write_text("Call log exported from my phone\n", encoding="utf-8")
    added = add_evidence(case_dir, files, description="Test file", captured="14/09/2026 20:30")
    assert [e.label for e in added] == [f"ST/{n}" for n in range(1, 8)]
    assert [e.media_type for e in added] == [
        "image/png", "image/jpeg", "image/gif", "image/webp", "application/pdf", "video/mp4",
        "text/plain",
    ]  # fmt: skip
    for original, item in zip(files, added, strict=True):
        copy = case_dir / item.file
        assert copy.read_bytes() == original.read_bytes()  # never re-encoded
        assert item.sha256 == _sha(original) and item.size == original.stat().st_size
        assert copy.stat().st_mode & 0o777 == 0o600
    assert (case_dir / "evidence").stat().st_mode & 0o777 == 0o700
    reloaded = load_case(case_dir)
    assert [e.label for e in reloaded.evidence] == [e.label for e in added]
    assert reloaded.evidence[0].captured.isoformat() == "2026-09-14T20:30:00+01:00"
    assert reloaded.next_exhibit_number == 8


def test_hash_round_trip_and_tamper_detection(case_dir, tmp_path, capsys):
    shot, letter = _image(tmp_path / "shot.png", "PNG"), _pdf(tmp_path / "letter.pdf")
    add_evidence(case_dir, [shot, letter])
    report = verify_evidence(case_dir)
    assert report.passed and len(report.ok) == 2 and not report.unregistered
    assert main(["verify", str(case_dir)]) == 0

    copy = case_dir / "evidence" / "shot.png"
    data = bytearray(copy.read_bytes())
    data[-20] ^= 0x01  # one bit, the kind of change no one could see
    copy.write_bytes(bytes(data))
    (case_dir / "evidence" / "letter.pdf").unlink()
    (case_dir / "evidence" / "stray.png").write_bytes(shot.read_bytes())
    report = verify_evidence(case_dir)
    assert not report.passed
    assert [e.label for e in report.changed] == ["ST/1"]
    assert [e.label for e in report.missing] == ["ST/2"]
    assert [p.name for p in report.unregistered] == ["stray.png"]
    capsys.readouterr()
    assert main(["verify", str(case_dir)]) == 1
    out = capsys.readouterr().out
    assert "CHANGED       ST/1" in out and "MISSING       ST/2" in out and "stray.png" in out

    copy.write_bytes(shot.read_bytes())  # the originals restored
    shutil.copyfile(letter, case_dir / "evidence" / "letter.pdf")
    assert verify_evidence(case_dir).passed


def test_labels_never_change_across_re_adds_and_removals(case_dir, tmp_path):
    a, b, c, d = (
        _image(tmp_path / f"{name}.png", "PNG", colour=(n * 40, 0, 0))
        for n, name in enumerate("abcd")
    )
    first = add_evidence(case_dir, [a, b, c])
    assert [e.label for e in first] == ["ST/1", "ST/2", "ST/3"]

    again = add_evidence(case_dir, [b, b])  # the same file twice: no new exhibit
    assert [e.label for e in again] == ["ST/2", "ST/2"]
    assert len(load_case(case_dir).evidence) == 3

    case = load_case(case_dir)
    case.evidence = [e for e in case.evidence if e.label not in {"ST/2", "ST/3"}]
    save_case(case, case_dir)
    (case_dir / "evidence" / "b.png").unlink()
    (case_dir / "evidence" / "c.png").unlink()

    later = add_evidence(case_dir, [d, b])
    assert [e.label for e in later] == ["ST/4", "ST/5"]  # ST/2 and ST/3 are never reused
    assert {e.label for e in load_case(case_dir).evidence} == {"ST/1", "ST/4", "ST/5"}


def test_labels_written_by_hand_or_missing_are_kept_as_documents_show_them(case_dir, tmp_path):
    (case_dir / "evidence").mkdir()
    _image(case_dir / "evidence" / "old.png", "PNG")
    text = (case_dir / "case.yaml").read_text(encoding="utf-8")
    text += "\nevidence:\n  - id: e1\n    file: evidence/old.png\n    description: Old\n"
    (case_dir / "case.yaml").write_text(text, encoding="utf-8")
    added = add_evidence(case_dir, [_image(tmp_path / "new.png", "PNG", colour=(1, 2, 3))])
    assert added[0].label == "ST/2"
    assert load_case(case_dir).evidence[0].label == "ST/1"  # what documents already called it


def test_incident_sensitive_and_file_already_in_the_evidence_folder(case_dir, tmp_path):
    (case_dir / "evidence").mkdir()
    inside = _image(case_dir / "evidence" / "dm.png", "PNG")
    added = add_evidence(case_dir, [inside], incident="C1", sensitive=True, description="DM")
    case = load_case(case_dir)
    assert added[0].file == "evidence/dm.png"
    assert sorted(p.name for p in (case_dir / "evidence").iterdir()) == ["dm.png"]
    assert case.incidents[0].evidence == [added[0].id] and case.evidence[0].sensitive

    # A name already used by a different file gets a new name, not an overwrite.
    other = _image(tmp_path / "dm.png", "PNG", colour=(9, 9, 9))
    second = add_evidence(case_dir, [other])
    assert second[0].file == "evidence/dm-2.png"
    assert (case_dir / "evidence" / "dm.png").read_bytes() == inside.read_bytes()


def _write(name: str, data: bytes):
    def make(folder: Path) -> Path:
        (folder / name).write_bytes(data)
        return folder / name

    return make


def _truncated_png(folder: Path) -> Path:
    path = folder / "cut.png"
    buffer = io.BytesIO()
    Image.effect_noise((400, 400), 60).save(buffer, format="PNG")
    path.write_bytes(buffer.getvalue()[: len(buffer.getvalue()) // 2])
    return path


def _encrypted_pdf(folder: Path) -> Path:
    path = folder / "locked.pdf"
    writer = PdfWriter()
    writer.add_blank_page(200, 200)
    writer.encrypt("secret")
    with path.open("wb") as handle:
        writer.write(handle)
    return path


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        (lambda p: p / "nothere.png", "no such file"),
        (_write("empty.png", b""), "is empty"),
        (_truncated_png, "damaged or only partly copied"),
        (_write("fake.png", b"hello, not a picture"),
         "named like a PNG but its contents are not one"),
        (lambda p: _image(p / "scan.bmp", "BMP"), "is not supported"),
        (lambda p: _image(p / "scan.tiff", "TIFF"), "is not supported"),
        (_write("cut.pdf", b"%PDF-1.7\n1 0 obj"),
         "this PDF cannot be read"),
        (_encrypted_pdf, "protected by a password"),
    ],
)  # fmt: skip
def test_bad_files_are_one_line_errors_and_nothing_is_registered(
    case_dir, tmp_path, make, expected
):
    before = (case_dir / "case.yaml").read_bytes()
    good = _image(tmp_path / "good.png", "PNG")
    bad = make(tmp_path)
    with pytest.raises(UserError) as info:
        add_evidence(case_dir, [good, bad])
    message = str(info.value)
    assert expected in message and "\n" not in message and bad.name in message
    assert (case_dir / "case.yaml").read_bytes() == before
    assert not (case_dir / "evidence").exists() or not any((case_dir / "evidence").iterdir())


def test_a_file_over_the_limit_is_refused_before_it_is_read(case_dir, tmp_path):
    big = tmp_path / "phone-backup.mp4"
    with big.open("wb") as handle:  # sparse: no disk space is used
        handle.truncate(MAX_FILE_BYTES + 1)
    with pytest.raises(UserError, match=r"larger than the 200 MB"):
        add_evidence(case_dir, [big])


def test_unknown_incident_and_bad_capture_date_are_one_line_errors(case_dir, tmp_path):
    shot = _image(tmp_path / "shot.png", "PNG")
    with pytest.raises(
        UserError, match=r"--incident C9: .* no incident C9 .*this case has only C1\)"
    ):
        add_evidence(case_dir, [shot], incident="C9")
    with pytest.raises(UserError, match=r"--captured: .*31/02/2026"):
        add_evidence(case_dir, [shot], captured="31/02/2026")


def test_an_iphone_heic_photo_is_added_and_shown_in_the_pack(case_dir, tmp_path):
    from pillow_heif import register_heif_opener
    from pypdf import PdfReader

    from harassment_pack.build import build_case

    register_heif_opener()
    heic = tmp_path / "IMG_0001.HEIC"
    Image.new("RGB", (800, 400), (40, 90, 160)).save(heic, format="HEIF")
    item = add_evidence(case_dir, [heic], description="Photo of the note left on my car")[0]
    assert item.media_type == "image/heic"
    assert (case_dir / item.file).read_bytes() == heic.read_bytes()  # kept byte for byte
    result = build_case(case_dir, tmp_path / "out", only=["evidence_schedule"])
    exhibit = result.pack.entries[-1].children[0]
    page = PdfReader(result.pack.path).pages[exhibit.page - 1]
    assert "/XObject" in page["/Resources"]  # the photo itself is drawn
    assert page.mediabox.width > page.mediabox.height  # a wide photo on a landscape page
    cut = tmp_path / "cut.heic"
    cut.write_bytes(heic.read_bytes()[:300])
    with pytest.raises(UserError, match=r"cut\.heic"):
        add_evidence(case_dir, [cut])


def test_csam_is_never_opened_or_copied_and_the_person_is_told_where_to_report(
    case_dir, tmp_path, capsys
):
    before = (case_dir / "case.yaml").read_bytes()
    image = _image(tmp_path / "image.png", "PNG")
    code = main(["evidence", "add", str(case_dir), str(image), "--csam"])
    out = capsys.readouterr().out
    assert code != 0
    iwf = load_law()["helplines"]["iwf"]
    assert iwf["web"] in out and iwf["name"] in out
    assert "police" in out and "101" in out and "999" in out
    assert (case_dir / "case.yaml").read_bytes() == before
    assert not (case_dir / "evidence").exists()


def test_cli_adds_and_prints_each_label(case_dir, tmp_path, capsys):
    shot = _image(tmp_path / "shot.png", "PNG")
    args = ["evidence", "add", str(case_dir), str(shot), "--incident", "C1", "--sensitive"]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "Exhibit ST/1: evidence/shot.png" in out and _sha(shot) in out and "sensitive" in out
    assert main(["evidence", "add", str(case_dir), str(tmp_path / "gone.png")]) == 2
    assert "gone.png: no such file" in capsys.readouterr().err


@pytest.mark.parametrize("command", [["evidence"], ["evidence", "add"], ["verify"]])
def test_evidence_commands_have_help_ending_with_an_example(command, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main([*command, "--help"])
    assert exit_info.value.code == 0
    last = capsys.readouterr().out.strip().splitlines()[-1]
    assert last.startswith("Example: harassment-pack " + " ".join(command))
