"""Template code compiled once and kept in the user's cache gives the same documents."""

from __future__ import annotations

import zipfile

from harassment_pack import render
from harassment_pack.render import render_docx


def _parts(docx) -> dict[str, bytes]:
    with zipfile.ZipFile(docx) as archive:
        return {name: archive.read(name) for name in sorted(archive.namelist())}


def test_compiled_template_code_is_kept_private_reused_and_never_trusted_blindly(
    tmp_path, monkeypatch
):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setattr(render._CompiledOnce, "_compiled", {})
    template = tmp_path / "t.docx"
    from docx import Document

    document = Document()
    document.add_paragraph("Letter " * 200)  # a part long enough to be kept
    document.add_paragraph("Dear {{ name }}, {{ '<b>' }} {% for x in items %}[{{ x }}]{% endfor %}")
    document.save(str(template))
    context = {"name": "Jane & Co", "items": ["a", "b"]}

    first = render_docx(template, context, tmp_path / "first.docx")
    folder = tmp_path / "cache" / "harassment-pack" / "templates"
    kept = sorted(folder.glob("*.code"))
    assert kept and folder.stat().st_mode & 0o777 == 0o700
    assert all(path.stat().st_mode & 0o777 == 0o600 for path in kept)
    assert not any(b"Jane" in path.read_bytes() for path in kept)  # template text only

    # A new process (no memory of it) loads the kept code: the same document.
    monkeypatch.setattr(render._CompiledOnce, "_compiled", {})
    stamps = {path: path.stat().st_mtime_ns for path in kept}
    again = render_docx(template, context, tmp_path / "again.docx")
    assert {path: path.stat().st_mtime_ns for path in kept} == stamps
    assert _parts(again)["word/document.xml"] == _parts(first)["word/document.xml"]
    assert b"Jane &amp; Co" in _parts(again)["word/document.xml"]
    assert b"&lt;b&gt;" in _parts(again)["word/document.xml"]  # still autoescaped

    # Damaged code is compiled afresh rather than run.
    monkeypatch.setattr(render._CompiledOnce, "_compiled", {})
    for path in kept:
        path.write_bytes(path.read_bytes()[:40])
    damaged = render_docx(template, context, tmp_path / "damaged.docx")
    assert _parts(damaged)["word/document.xml"] == _parts(first)["word/document.xml"]

    # A changed template is compiled afresh.
    document.add_paragraph("Yours, {{ name }}")
    document.save(str(template))
    changed = render_docx(template, context, tmp_path / "changed.docx")
    assert b"Yours, Jane &amp; Co" in _parts(changed)["word/document.xml"]
    assert len(list(folder.glob("*.code"))) > len(kept)
