"""Text exhibits (chat exports): readable, cut to the cited lines, complete file attached.

A million-line imported chat must not become thousands of pages: the pack prints the lines the
documents cite with a little context and the file's own line numbers, and attaches the file.
"""

from __future__ import annotations

import hashlib
import re

import yaml
from pypdf import PdfReader

from harassment_pack.build import build_case
from harassment_pack.pack import TEXT_SIZE

from .conftest import TODAY

LINES = 1_000_000
CITED = [2, 17, 40_000, 123_456, 500_000, 500_002, 999_999]


def _case(folder, lines: int = LINES, cited: list[int] = CITED):
    evidence = folder / "evidence"
    evidence.mkdir(parents=True)
    chat = evidence / "chat.txt"
    with chat.open("w", encoding="utf-8") as handle:
        for number in range(1, lines + 1):
            who = "Mark Davies" if number % 3 else "Jane Smith"
            handle.write(f"01/06/2026, 09:{number % 60:02d} - {who}: message number {number}\n")
    digest = hashlib.sha256(chat.read_bytes()).hexdigest()
    incidents = [
        {"id": f"i{n}", "when": f"2026-06-{1 + n % 28:02d}T09:00:00+01:00",
         "platform": "WhatsApp", "respondent": "r1", "kinds": ["contact"],
         "summary": f"Mark messaged me (line {line}).", "exact_words": f"message number {line}",
         "evidence": ["e1"],
         "source": {"kind": "imported", "file": "evidence/chat.txt", "file_sha256": digest,
                    "record": f"line {line}"}}
        for n, line in enumerate(cited)
    ]  # fmt: skip
    case = {
        "schema_version": 1,
        "applicant": {"full_name": "Jane Smith"},
        "respondents": [{"id": "r1", "name": "Mark Davies"}],
        "incidents": incidents,
        "evidence": [{"id": "e1", "file": "evidence/chat.txt", "sha256": digest,
                      "size": chat.stat().st_size, "media_type": "text/plain",
                      "description": "WhatsApp export of my chat with Mark Davies"}],
    }  # fmt: skip
    (folder / "case.yaml").write_text(yaml.safe_dump(case, sort_keys=False), encoding="utf-8")
    return chat


def _chat_pages(reader: PdfReader) -> list[str]:
    texts = [page.extract_text() for page in reader.pages]
    return [t for t in texts if t.startswith("Exhibit JS/1: lines cited from the file")]


def test_a_million_line_chat_prints_only_the_cited_lines_and_attaches_the_file(tmp_path):
    chat = _case(tmp_path / "case")
    result = build_case(tmp_path / "case", tmp_path / "out", only=["chronology"], today=TODAY)
    reader = PdfReader(result.pack.path)
    pages = _chat_pages(reader)
    assert 0 < len(pages) < 100
    text = "\n".join(pages)
    for line in CITED:
        assert f"message number {line}\n" in text or f"message number {line}" in text, line
        # ... with two lines of context either side, numbered as in the file.
        assert f"message number {max(1, line - 2)}" in text
        assert re.search(rf"\b{line - 1}\b", text)
    assert "message number 300" not in text  # far from any cited line
    assert "lines 20\u201339997 not printed" in text.replace("\n", " ")
    attached = reader.attachments["JS-1.txt"][0]
    assert attached == chat.read_bytes()  # the complete export, byte for byte


def test_chat_text_is_printed_at_a_readable_size():
    assert TEXT_SIZE >= 9


def test_an_uncited_short_text_file_is_printed_in_full(tmp_path):
    _case(tmp_path / "case", lines=40, cited=[])
    data = yaml.safe_load((tmp_path / "case" / "case.yaml").read_text(encoding="utf-8"))
    one = {"id": "i1", "when": "2026-06-01", "platform": "WhatsApp", "respondent": "r1",
           "summary": "Messages.", "evidence": ["e1"]}  # fmt: skip
    data["incidents"] = [one]
    (tmp_path / "case" / "case.yaml").write_text(yaml.safe_dump(data), encoding="utf-8")
    result = build_case(tmp_path / "case", tmp_path / "out", only=["chronology"], today=TODAY)
    texts = [p.extract_text() for p in PdfReader(result.pack.path).pages]
    chat = "\n".join(t for t in texts if t.startswith("Exhibit JS/1: text of the file"))
    assert "message number 1\n" in chat + "\n" and "message number 40" in chat
    assert "not printed" not in chat
