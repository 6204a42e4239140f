"""Links as people copy them from apps: platform, lasting content id, and the time in the id.

The decoded times are the worked examples of import-formats.md §8.1, each checked there against
an independent timestamp (an archive's created_at, a Discord package's Timestamp, unfurl's tests).
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from harassment_pack.platform_urls import instagram_media_id, parse_url, time_differs

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)


def _utc(*parts: int) -> datetime:
    *whole, micro = parts if len(parts) == 7 else (*parts, 0)
    return datetime(*whole, micro, tzinfo=UTC)


@pytest.mark.parametrize(
    ("url", "platform", "kind", "content_id", "created"),
    [
        # X / Twitter snowflakes.
        ("https://twitter.com/mrled/status/1276916896974110721?s=20&t=Ab12", "X", "post",
         "x:status:1276916896974110721", _utc(2020, 6, 27, 16, 34, 46, 864000)),
        ("https://mobile.twitter.com/i/web/status/1098230906194546688", "X", "post",
         "x:status:1098230906194546688", _utc(2019, 2, 20, 14, 40, 26, 837000)),
        ("https://x.com/markdavies_rdg/status/2091281042394354167/photo/1", "X", "post",
         "x:status:2091281042394354167", _utc(2026, 8, 22, 21, 47, 9, 286000)),
        ("x.com/i/status/1276916896974110721", "X", "post", "x:status:1276916896974110721",
         _utc(2020, 6, 27, 16, 34, 46, 864000)),
        ("https://twitter.com/jack/status/20", "X", "post", "x:status:20", None),  # pre-2010
        ("https://x.com/markdavies_rdg", "X", "profile", "x:user:markdavies_rdg", None),
        ("https://x.com/i/spaces/1OdKrzoXPPDKX", "X", "space", "x:space:1OdKrzoXPPDKX", None),
        # Discord snowflakes.
        ("https://discord.com/channels/@me/897870000000000000/897870239797215243", "Discord",
         "message", "discord:message:897870239797215243", _utc(2021, 10, 13, 15, 35, 46, 790000)),
        ("https://canary.discord.com/channels/81384788765712384/381887113391505410/"
         "1419422247004934226", "Discord", "message", "discord:message:1419422247004934226",
         _utc(2025, 9, 21, 20, 37, 15)),
        ("https://cdn.discordapp.com/attachments/381887113391505410/897870239797215243/a.png",
         "Discord", "attachment", "discord:attachment:897870239797215243",
         _utc(2021, 10, 13, 15, 35, 46, 790000)),
        ("https://discord.gg/abcDEF", "Discord", "invite", "discord:invite:abcDEF", None),
        # LinkedIn.
        ("https://www.linkedin.com/posts/jane-doe_hiring-activity-6685980502161199104-Xy9Z/",
         "LinkedIn", "post", "linkedin:activity:6685980502161199104",
         _utc(2020, 7, 6, 18, 59, 31, 226000)),
        ("https://www.linkedin.com/feed/update/urn:li:ugcPost:6685980502161199104/", "LinkedIn",
         "post", "linkedin:ugcPost:6685980502161199104", _utc(2020, 7, 6, 18, 59, 31, 226000)),
        ("https://www.linkedin.com/in/jane-doe-123/", "LinkedIn", "profile",
         "linkedin:user:jane-doe-123", None),
        # TikTok.
        ("https://www.tiktok.com/@someone/video/7210809319192726273?is_from_webapp=1", "TikTok",
         "video", "tiktok:video:7210809319192726273", _utc(2023, 3, 15, 16, 22, 55)),
        ("https://m.tiktok.com/v/6854717870488702213.html", "TikTok", "video",
         "tiktok:video:6854717870488702213", _utc(2020, 7, 29, 2, 6, 13)),
        ("https://www.tiktok.com/@someone/photo/7210809319192726273", "TikTok", "photo",
         "tiktok:photo:7210809319192726273", _utc(2023, 3, 15, 16, 22, 55)),
        # Instagram shortcodes.
        ("https://www.instagram.com/p/DW1nTDiDvnF/?igsh=MWQ1ZGUxMzBkMA==", "Instagram", "post",
         "ig:media:DW1nTDiDvnF", _utc(2026, 4, 7, 16, 48, 30, 621000)),
        ("https://www.instagram.com/markd_86/reel/DW1nTDiDvnF/", "Instagram", "post",
         "ig:media:DW1nTDiDvnF", _utc(2026, 4, 7, 16, 48, 30, 621000)),
        ("https://www.instagram.com/stories/markd_86/3870172288071432645/", "Instagram", "story",
         "ig:story:3870172288071432645", _utc(2026, 4, 7, 16, 48, 30, 621000)),
        ("https://www.instagram.com/jane.smith.rdg/", "Instagram", "profile",
         "ig:user:jane.smith.rdg", None),
        # Facebook (ids carry no time).
        ("https://www.facebook.com/mark.davies.9071/posts/pfbid02abcXYZ", "Facebook", "post",
         "fb:post:pfbid02abcXYZ", None),
        ("https://m.facebook.com/permalink.php?story_fbid=10158000000000001&id=4", "Facebook",
         "post", "fb:post:10158000000000001", None),
        ("https://en-gb.facebook.com/groups/123456/posts/789012/?comment_id=555", "Facebook",
         "comment", "fb:group:123456:post:789012:comment:555", None),
        ("https://www.facebook.com/photo/?fbid=10150000000000002", "Facebook", "photo",
         "fb:photo:10150000000000002", None),
        ("https://www.facebook.com/watch/?v=1234567890", "Facebook", "video",
         "fb:video:1234567890", None),
        ("https://www.facebook.com/profile.php?id=100000000000001", "Facebook", "profile",
         "fb:user:100000000000001", None),
        # YouTube.
        ("https://www.youtube.com/watch?v=dQw4w9WgXcQ&si=abc", "YouTube", "video",
         "yt:video:dQw4w9WgXcQ", None),
        ("https://youtu.be/dQw4w9WgXcQ?t=42", "YouTube", "video", "yt:video:dQw4w9WgXcQ", None),
        ("https://www.youtube.com/shorts/dQw4w9WgXcQ", "YouTube", "video",
         "yt:video:dQw4w9WgXcQ", None),
        ("https://www.youtube.com/watch?v=dQw4w9WgXcQ&lc=UgzABCdef", "YouTube", "comment",
         "yt:video:dQw4w9WgXcQ:comment:UgzABCdef", None),
        ("https://www.youtube.com/channel/UCuAXFkgsw1L7xaCfnd5JJOw", "YouTube", "channel",
         "yt:channel:UCuAXFkgsw1L7xaCfnd5JJOw", None),
        # Reddit.
        ("https://old.reddit.com/r/unitedkingdom/comments/1abc2d/some_title/", "Reddit", "post",
         "reddit:post:1abc2d", None),
        ("https://www.reddit.com/r/unitedkingdom/comments/1abc2d/some_title/kx9y8z7/", "Reddit",
         "comment", "reddit:comment:kx9y8z7", None),
        ("https://redd.it/1abc2d", "Reddit", "post", "reddit:post:1abc2d", None),
        # Telegram (per-chat counters, no time).
        ("https://t.me/some_channel/1234", "Telegram", "message",
         "telegram:message:some_channel/1234", None),
        ("https://t.me/c/1234567890/55", "Telegram", "message",
         "telegram:message:-1001234567890/55", None),
        ("https://t.me/+AbCdEfGh123", "Telegram", "invite", "telegram:invite:AbCdEfGh123", None),
        # Snapchat.
        ("https://www.snapchat.com/add/someone123", "Snapchat", "profile",
         "snap:user:someone123", None),
        ("https://www.snapchat.com/spotlight/W7_EDlXWTBiXAEEniNoMPwAAYaWZ1", "Snapchat",
         "spotlight", "snap:spotlight:W7_EDlXWTBiXAEEniNoMPwAAYaWZ1", None),
    ],
)  # fmt: skip
def test_real_url_shapes(url, platform, kind, content_id, created):
    link = parse_url(url, NOW)
    assert link is not None, url
    assert (link.platform, link.kind, link.content_id) == (platform, kind, content_id)
    if created is None:
        assert link.created is None
    else:
        # unfurl's worked examples are given to the millisecond (TikTok to the second).
        assert abs((link.created - created).total_seconds()) < 1, link.created
    assert link.url == url and not link.needs_network


@pytest.mark.parametrize(
    "url",
    [
        "https://t.co/AbC123xyz",
        "https://vm.tiktok.com/ZMabc123/",
        "https://vt.tiktok.com/ZSabc123/",
        "https://www.tiktok.com/t/ZTabc123/",
        "https://fb.watch/abcDEF12/",
        "https://www.facebook.com/share/p/1AbCdEf/",
        "https://www.reddit.com/r/unitedkingdom/s/AbCdEf123",
        "https://t.snapchat.com/AbCd1234",
        "https://lnkd.in/eAbCd12",
        "https://bit.ly/3xyzABC",
    ],
)
def test_short_links_are_kept_as_they_are(url):
    link = parse_url(url, NOW)
    assert link is not None and link.needs_network
    assert link.url == url and link.content_id is None and link.created is None


def test_outgoing_facebook_wrapper_is_unwrapped_offline():
    wrapped = (
        "https://l.facebook.com/l.php?u=https%3A%2F%2Fx.com%2Fa%2Fstatus%2F1276916896974110721"
    )
    link = parse_url(wrapped, NOW)
    assert link is not None and link.content_id == "x:status:1276916896974110721"


@pytest.mark.parametrize(
    "url", ["", "not a link", "https://example.com/post/1", "https://x.com/home", "mailto:a@b.c"]
)
def test_unknown_links_are_not_guessed(url):
    assert parse_url(url, NOW) is None


def test_a_time_in_the_future_is_not_believed():
    # An id that would decode to after "now" is not a real snowflake time.
    future = (int((datetime(2027, 6, 1, tzinfo=UTC).timestamp() * 1000) - 1288834974657)) << 22
    assert parse_url(f"https://x.com/a/status/{future}", NOW).created is None
    later = datetime(2027, 7, 1, tzinfo=UTC)
    assert parse_url(f"https://x.com/a/status/{future}", later).created is not None


def test_instagram_shortcode_decodes_to_the_media_id():
    assert instagram_media_id("DW1nTDiDvnF") == 3870172288071432645
    assert instagram_media_id("B" * 12) is None  # longer than 64 bits: not a media id


def test_a_day_of_difference_is_flagged_only_beyond_a_day():
    created = _utc(2026, 8, 8, 19, 47, 31)
    assert not time_differs(created, datetime(2026, 8, 8, 20, 47, tzinfo=UTC))
    assert not time_differs(created, datetime(2026, 8, 9, 19, 0, tzinfo=UTC))
    assert time_differs(created, datetime(2026, 8, 10, 19, 48, tzinfo=UTC))
    # A date alone covers its whole day, plus a day either side.
    assert not time_differs(created, date(2026, 8, 9))
    assert not time_differs(created, date(2026, 8, 7))
    assert time_differs(created, date(2026, 8, 5))
    assert time_differs(created, date(2026, 8, 11))
