"""WhatsApp in every language: notices, placeholders and date layouts come from data.

The lines here are written for these tests in the shapes real exports take (the shapes were
read from WhatsApp's own string resources and from other parsers' fixtures named in
whatsapp_strings.yaml); no line is copied from anyone's chat.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml

from harassment_pack.errors import UserError
from harassment_pack.importers import whatsapp
from harassment_pack.importers.base import Message, ParseOptions, Unreadable
from harassment_pack.importers.whatsapp import WhatsAppImporter

LRM, RLM = "\u200e", "\u200f"
TABLE = yaml.safe_load(whatsapp._STRINGS_FILE.read_text(encoding="utf-8"))


def parse(tmp_path: Path, text: str, **options) -> tuple[list[Message], list[Unreadable]]:
    path = tmp_path / "WhatsApp Chat with Sam.txt"
    path.write_text(text, encoding="utf-8")
    records = list(WhatsAppImporter().parse(path, ParseOptions(**options)))
    return (
        [r for r in records if isinstance(r, Message)],
        [r for r in records if isinstance(r, Unreadable)],
    )


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


# --------------------------------------------------------------------------- the data


MOST_USED = ["en", "es", "pt-BR", "hi", "id", "ar", "ru", "de", "fr", "it", "tr", "ur", "fa",
             "nl", "ms", "vi", "th", "ja", "ko", "zh-CN", "zh-TW", "pl", "uk", "he",
             "bn"]  # fmt: skip


@pytest.mark.parametrize("code", MOST_USED)
def test_each_of_the_most_used_languages_has_its_own_sourced_table(code):
    table = TABLE["languages"][code]
    for kind in ("deleted", "media_omitted", "notice"):
        assert table.get(kind), f"{code} has no {kind} strings"
    for kind, strings in table.items():
        if kind == "name":
            continue
        for words, source in strings.items():
            assert words.strip() and words == words.strip()
            assert source.split()[0] in ("ios", "android", "export", "report", "import-formats.md",
                                         "WhatsApp", "parsers"), (code, words, source)  # fmt: skip


def test_every_layout_example_in_the_data_is_read(tmp_path):
    for layout in TABLE["layouts"]:
        messages, unreadable = parse(tmp_path, layout["example"] + "\n")
        assert unreadable == [] and [m.sender for m in messages] == ["Sam Doe"], layout["name"]


# --------------------------------------------------------------------------- date layouts


DAY_FIRST = {"dayfirst": True}


@pytest.mark.parametrize(
    ("line", "options", "expected"),
    [
        # Arabic iPhone: Arabic-Indic digits, right-to-left marks, Arabic comma, م for pm.
        (f"[٢٧{RLM}/٣{RLM}/٢٠٢٢، ٩:٤١:٣٥ م] Sam: مرحبا", DAY_FIRST, utc(2022, 3, 27, 20, 41, 35)),
        (f"{RLM}[١٨{RLM}/١{RLM}/٢٠٢٢، ٩:٤١ ص] Sam: مرحبا", DAY_FIRST, utc(2022, 1, 18, 9, 41)),  # noqa: RUF001
        # Vietnamese iPhone: time first.
        ("[21:41:35, 3/27/22] Sam: Xin chào", {"dayfirst": False}, utc(2022, 3, 27, 20, 41, 35)),
        # Thai iPhone with the Buddhist calendar, and a Thai Android year without the marker.
        ("[3/27/2565 BE, 21:41:35] Sam: hi", {"dayfirst": False}, utc(2022, 3, 27, 20, 41, 35)),
        ("27/3/2565 21:41 - Sam: hi", {"dayfirst": True}, utc(2022, 3, 27, 20, 41)),
        # Japanese calendar: Reiwa 4 is 2022, Heisei 31 is 2019.
        ("[3/27/R4, 21:41:35] Sam: hi", {"dayfirst": False}, utc(2022, 3, 27, 20, 41, 35)),
        ("[1/15/H31, 08:00:00] Sam: hi", {"dayfirst": False}, utc(2019, 1, 15, 8)),
        # Word times and day periods before the time.
        ("18/03/2022, 9:15 in the morning - Sam: hi", {}, utc(2022, 3, 18, 9, 15)),
        ("18/03/2022, 9:15 in the afternoon - Sam: hi", {}, utc(2022, 3, 18, 21, 15)),
        ("[2022/7/21 下午5:11:12] Sam: 你好", {}, utc(2022, 7, 21, 16, 11, 12)),
        ("[2022. 7. 21. 오전 5:11:12] Sam: 안녕", {}, utc(2022, 7, 21, 4, 11, 12)),
        ("[2022/07/21 午後5:11:12] Sam: こんにちは", {}, utc(2022, 7, 21, 16, 11, 12)),
        # Spanish "p. m." with a no-break space, Indonesian dotted time.
        ("20/6/2017 8:28 p.\u00a0m. - Sam: hola", {}, utc(2017, 6, 20, 19, 28)),
        ("13/04/2022 20.01 - Sam: halo", {}, utc(2022, 4, 13, 19, 1)),
    ],
)  # fmt: skip
def test_date_and_time_layouts_from_every_region(tmp_path, line, options, expected):
    messages, unreadable = parse(tmp_path, line + "\n", **options)
    assert unreadable == []
    assert [m.timestamp for m in messages] == [expected]
    assert messages[0].sender == "Sam"


def test_an_unknown_layout_names_the_first_line_and_the_format_to_pick(tmp_path):
    text = "2024-05-15 T 21:07 | Sam: are you home?\n2024-05-15 T 21:08 | Sam: answer\n"
    with pytest.raises(UserError) as error:
        parse(tmp_path, text)
    message = str(error.value)
    assert '"2024-05-15 T 21:07 | Sam: are you home?"' in message
    assert "line 1" in message and "\n" not in message
    assert '"31/12/2023, 23:59"' in message  # a layout it does know, to compare with
    assert "instagram, messenger, telegram, x, discord, sms or email" in message


def test_a_telegram_file_given_as_whatsapp_is_told_to_use_telegram(tmp_path):
    path = tmp_path / "result.json"
    path.write_text(
        '{"name": "Sam", "type": "personal_chat", "id": 1, "messages": [{"id": 1, '
        '"type": "message", "date_unixtime": "1559595719", "from_id": "user1"}]}\n'
    )
    with pytest.raises(UserError, match=r'looks like "telegram": harassment-pack import telegram'):
        list(WhatsAppImporter().parse(path, ParseOptions()))


def test_a_new_layout_is_one_data_line(tmp_path, monkeypatch):
    """The layout above, unknown so far, is read once one line is added to the data file."""
    text = "2024-05-15 T 21:07 | Sam: are you home?\n2024-05-15 T 21:08 | Sam: answer\n"
    data = whatsapp._STRINGS_FILE.read_text(encoding="utf-8")
    added = "  - {name: test layout, example: 'x', pattern: '(?P<stamp>{date} T {time}) \\| '}\n"
    patched = tmp_path / "whatsapp_strings.yaml"
    patched.write_text(data.replace("layouts:\n", "layouts:\n" + added, 1), encoding="utf-8")
    monkeypatch.setattr(whatsapp, "_STRINGS_FILE", patched)
    monkeypatch.setattr(whatsapp, "_TABLES", None)
    messages, unreadable = parse(tmp_path, text.replace("-", "/"))
    assert unreadable == []
    assert [(m.timestamp, m.text) for m in messages] == [
        (utc(2024, 5, 15, 20, 7), "are you home?"),
        (utc(2024, 5, 15, 20, 8), "answer"),
    ]
    monkeypatch.setattr(whatsapp, "_TABLES", None)


# --------------------------------------------------------------------------- what the app wrote


def test_ios_notices_in_other_languages_are_not_the_contacts_words(tmp_path):
    lines = [
        f"[27/03/2022, 21:40:00] Sam: {LRM}Les messages et les appels sont chiffrés de bout en "
        "bout. Aucun tiers, pas même WhatsApp, ne peut les lire ou les écouter.",
        f"[27/03/2022, 21:40:01] Sam: {LRM}Сообщения и звонки защищены сквозным шифрованием. "
        "Третьи лица, включая WhatsApp, не могут прочитать ваши сообщения или прослушать звонки.",
        f"[27/03/2022, 21:40:02] Sam: {LRM}Pesan dan panggilan terenkripsi secara end-to-end. "
        "Tidak seorang pun di luar chat ini, termasuk WhatsApp, yang dapat membaca atau "
        "mendengarkannya.",
        f"[27/03/2022, 21:40:03] Sam: {LRM}Votre code de sécurité avec Ana a changé. Appuyez "
        "pour en savoir plus.",
        f"[27/03/2022, 21:40:04] Groupe: {LRM}Sam a ajouté Ana",
        f"[27/03/2022, 21:40:05] Groep: {LRM}Sam heeft Ana toegevoegd",
        "[27/03/2022, 21:41:00] Sam: Tu es là ?",
        "[27/03/2022, 21:42:00] Sam: You left",  # a person's words: no mark, so not a notice
        f"[27/03/2022, 21:43:00] Sam: {LRM}Ana left the party early",  # not "%@ left"
    ]
    messages, unreadable = parse(tmp_path, "\n".join(lines) + "\n")
    assert unreadable == []
    assert [(m.sender, m.text) for m in messages] == [
        ("Sam", "Tu es là ?"),
        ("Sam", "You left"),
        ("Sam", "Ana left the party early"),
    ]


def test_an_android_encryption_notice_with_a_colon_in_it_is_not_a_message(tmp_path):
    text = (
        "27/03/2022, 21:40 - Messages and calls are end-to-end encrypted. Only people in this "
        "chat can read, listen to, or share them. Learn more: tap here\n"
        "27/03/2022, 21:41 - Sam: hi\n"
    )
    messages, _ = parse(tmp_path, text)
    assert [m.text for m in messages] == ["hi"]


@pytest.mark.parametrize(
    ("body", "kind"),
    [
        ("<Fichier omis>", "media_omitted"),
        ("<Médias omis>", "media_omitted"),
        ("Ce message a été supprimé", "deleted"),
        ("<Без медиафайлов>", "media_omitted"),
        ("Данное сообщение удалено", "deleted"),
        ("<Media weggelaten>", "media_omitted"),
        ("Dit bericht is verwijderd", "deleted"),
        ("<Media tidak disertakan>", "media_omitted"),
        ("Pesan ini telah dihapus", "deleted"),
        ("<media omitted>", "media_omitted"),
        ("Missed voice call", "missed_call"),
        ("Voice call", "call"),
        (f"{LRM}Missed video call", "missed_call"),
        ("Appel vocal manqué", "missed_call"),
        (f"{LRM}imagen omitida", "media_omitted"),
        ("تم حذف هذه الرسالة", "deleted"),
        ("このメッセージは削除されました", "deleted"),
    ],
)
def test_placeholders_deletions_and_calls_are_never_words(tmp_path, body, kind):
    messages, _ = parse(tmp_path, f"27/03/2022, 21:41 - Sam: {body}\n")
    assert [m.kind for m in messages] == [kind]


def test_attachments_in_indonesian_and_french_exports(tmp_path):
    text = (
        "13/04/2022 20.01 - Budi: IMG-20220413-WA0001.jpg (file terlampir)\n"
        f"[13/04/2022 20:02:00] Budi: {LRM}< pièce jointe : 00000012-PHOTO-2022-04-13.jpg >\n"
    )
    messages, _ = parse(tmp_path, text)
    assert [m.attachments for m in messages] == [
        ("IMG-20220413-WA0001.jpg",),
        ("00000012-PHOTO-2022-04-13.jpg",),
    ]


def test_edits_keep_the_words_without_the_apps_marker(tmp_path):
    messages, _ = parse(
        tmp_path, "13/06/2023, 06:12 - Sam: I know where you are <This message was edited>\n"
    )
    assert [(m.kind, m.text) for m in messages] == [("edited", "I know where you are")]


EDIT_MARKERS = [
    (code, marker, source)
    for code, table in TABLE["languages"].items()
    for marker, source in table.get("edited", {}).items()
]


def test_edit_markers_are_known_in_the_languages_they_were_found_in():
    # Each was seen in other parsers' code or tests (whatsapp_strings.yaml says where).
    assert {code for code, _, _ in EDIT_MARKERS} >= {
        "en", "es", "pt-BR", "id", "ar", "ru", "de", "fr", "it", "tr", "nl", "pl", "he"
    }  # fmt: skip
    for code, marker, source in EDIT_MARKERS:
        assert marker.startswith("<") and marker.endswith(">"), (code, marker)
        assert re.fullmatch(r"(report|parsers \d+\+?)( .+)?", source), (code, marker, source)


@pytest.mark.parametrize(("code", "marker"), [(c, m) for c, m, _ in EDIT_MARKERS])
def test_edits_in_every_language_keep_the_words_without_the_apps_marker(tmp_path, code, marker):
    # As Android writes it, and as an iPhone does: a direction mark before the marker, a
    # second line.
    text = (
        f"13/06/2023, 06:12 - Sam: I know where you are {marker}\n"
        f"[13/06/2023, 06:13:05] Sam: I am outside\nopen the door {LRM}{marker}\n"
    )
    messages, unreadable = parse(tmp_path, text)
    assert unreadable == []
    assert [(m.kind, m.text) for m in messages] == [
        ("edited", "I know where you are"),
        ("edited", "I am outside\nopen the door"),
    ]
    assert [m.sender for m in messages] == ["Sam", "Sam"]


def test_blank_lines_at_the_end_are_not_part_of_the_last_message(tmp_path):
    text = "27/03/2022, 21:41 - Sam: first\nsecond line\n\n27/03/2022, 21:42 - Sam: last\n\n\n"
    messages, _ = parse(tmp_path, text)
    assert [m.text for m in messages] == ["first\nsecond line", "last"]
