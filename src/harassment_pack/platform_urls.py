"""What a link says without opening it: the platform, the content's lasting id, and its time.

Why: a court and the police need to find the exact post or message again, even after a user
changes their name, and a link is the only pointer most victims keep. Several platforms build
their ids from the moment the content was created (X/Twitter, Discord and LinkedIn "snowflakes",
TikTok, Instagram), so the id alone proves roughly when something was posted: that lets the
chronology show the platform's own time beside the time the person remembers.

Everything here is offline string work. Short links (t.co, vm.tiktok.com, fb.watch …) would need
the network to be resolved, so they are kept exactly as given and flagged as such; the tool
never goes online. Patterns follow ``import-formats.md`` §8 (adapted from yt-dlp and unfurl).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from urllib.parse import parse_qs, unquote, urlsplit

from .dates import sort_key

TWITTER_EPOCH_MS = 1288834974657  # 2010-11-04, when X/Twitter ids became snowflakes
DISCORD_EPOCH_MS = 1420070400000  # 2015-01-01
INSTAGRAM_EPOCH_MS = 1314220021721  # 2011-08-24
INSTAGRAM_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"

# Earliest plausible creation time per decoder: an id that decodes to before this is not a
# time-bearing id (for example a pre-2010 tweet, which had a small sequential number).
_EARLIEST = {
    "x": datetime(2010, 11, 5, tzinfo=UTC),
    "discord": datetime(2015, 1, 2, tzinfo=UTC),
    "linkedin": datetime(2008, 1, 1, tzinfo=UTC),
    "tiktok": datetime(2016, 1, 1, tzinfo=UTC),
    "instagram": datetime(2011, 8, 25, tzinfo=UTC),
}

SHORTENERS = {
    "t.co": "X",
    "fb.watch": "Facebook",
    "vm.tiktok.com": "TikTok",
    "vt.tiktok.com": "TikTok",
    "t.snapchat.com": "Snapchat",
    "lnkd.in": "LinkedIn",
    "bit.ly": None,
    "tinyurl.com": None,
    "goo.gl": None,
    "ow.ly": None,
    "buff.ly": None,
    "is.gd": None,
    "shorturl.at": None,
}


@dataclass(frozen=True)
class PlatformLink:
    """A link understood: platform, what it points at, its lasting id and any time in the id."""

    url: str
    platform: str
    kind: str
    """"post", "comment", "message", "profile", "video", "invite", "short link" …"""
    content_id: str | None = None
    """Lasting id such as ``x:status:2091281042394354167``; None when the link has none."""
    created: datetime | None = None
    """When the platform created the content, decoded from its id (UTC); None if not encoded."""

    @property
    def needs_network(self) -> bool:
        """A short link: only the platform knows where it leads, so it is kept as given."""
        return self.kind == "short link"


MISMATCH = timedelta(days=1)
"""A platform time further than this from the time the person gave is flagged."""


def time_differs(created: datetime, when: datetime | date) -> bool:
    """True when the platform's time is more than a day from the time given.

    A date without a time covers its whole UK day, so only times more than a day outside
    that day count.
    """
    start = sort_key(when)
    end = start if isinstance(when, datetime) else start + timedelta(days=1)
    return created < start - MISMATCH or created > end + MISMATCH


# --------------------------------------------------------------------------- id decoders


def _from_ms(ms: int, platform: str, now: datetime | None) -> datetime | None:
    """The time, if it is plausible: after the id scheme began and not in the future."""
    try:
        moment = datetime.fromtimestamp(ms / 1000, tz=UTC)
    except (OverflowError, OSError, ValueError):
        return None
    latest = (now or datetime.now(UTC)) + timedelta(days=1)
    return moment if _EARLIEST[platform] <= moment <= latest else None


def x_time(status_id: int, now: datetime | None = None) -> datetime | None:
    """X/Twitter snowflake (statuses and DMs): ms = (id >> 22) + 2010-11-04 epoch."""
    return _from_ms((status_id >> 22) + TWITTER_EPOCH_MS, "x", now)


def discord_time(snowflake: int, now: datetime | None = None) -> datetime | None:
    """Discord snowflake (messages, channels, guilds, attachments): epoch 2015-01-01."""
    return _from_ms((snowflake >> 22) + DISCORD_EPOCH_MS, "discord", now)


def linkedin_time(activity_id: int, now: datetime | None = None) -> datetime | None:
    """LinkedIn activity/ugcPost/share/comment ids (19 digits): ms = id >> 22, Unix epoch."""
    return _from_ms(activity_id >> 22, "linkedin", now)


def tiktok_time(video_id: int, now: datetime | None = None) -> datetime | None:
    """TikTok video/photo ids: the top 32 bits are Unix seconds."""
    return _from_ms((video_id >> 32) * 1000, "tiktok", now)


def instagram_media_id(shortcode: str) -> int | None:
    """Instagram shortcode → numeric media id (base 64 over the letters, digits, "-" and "_").

    Only ids that fit in 64 bits are media ids; longer shortcodes (reportedly private-post
    links) are not decoded.
    """
    value = 0
    for char in shortcode:
        index = INSTAGRAM_ALPHABET.find(char)
        if index < 0:
            return None
        value = value * 64 + index
    return value if value < 2**64 else None


def instagram_time(media_id: int, now: datetime | None = None) -> datetime | None:
    """Instagram media id: ms = (id >> 23) + 2011-08-24 epoch."""
    return _from_ms((media_id >> 23) + INSTAGRAM_EPOCH_MS, "instagram", now)


# --------------------------------------------------------------------------- URL parsing

_X_RESERVED = {
    "home", "explore", "search", "notifications", "messages", "settings", "i", "hashtag",
    "login", "signup", "tos", "privacy", "intent", "share", "compose",
}  # fmt: skip
_IG_RESERVED = {"explore", "accounts", "direct", "about", "developer", "legal", "reels", "p"}
_FB_RESERVED = {
    "groups", "watch", "reel", "photo", "photo.php", "share", "events", "pages",
    "permalink.php", "story.php", "profile.php", "video.php", "login", "help",
}  # fmt: skip
_HANDLE = r"[A-Za-z0-9_.]+"


def _host(netloc: str) -> str:
    """Lower-case host without port and the prefixes that do not change the content."""
    host = netloc.lower().rsplit("@", 1)[-1].split(":", 1)[0].rstrip(".")
    for prefix in ("www.", "mobile.", "m.", "mbasic.", "web.", "old.", "new.", "np.",
                   "ptb.", "canary.", "music."):  # fmt: skip
        if host.startswith(prefix) and host.count(".") >= 2:
            host = host[len(prefix) :]
    if re.fullmatch(r"[a-z]{2}-[a-z]{2}\.facebook\.com", host):
        host = "facebook.com"
    return host


def parse_url(url: str, now: datetime | None = None) -> PlatformLink | None:
    """Understand a link to one of the platforms; None when it is not one we know.

    ``now`` bounds the plausible decoded times (default: the computer's clock).
    """
    text = url.strip()
    if not text:
        return None
    if "://" not in text:
        text = "https://" + text
    try:
        parts = urlsplit(text)
    except ValueError:
        return None
    host = _host(parts.netloc)
    path = unquote(parts.path)
    query = parse_qs(parts.query)
    segments = [s for s in path.split("/") if s]
    original = url.strip()

    if host == "redd.it" and segments:
        return PlatformLink(original, "Reddit", "post", f"reddit:post:{segments[0].lower()}")
    if host in SHORTENERS:
        return PlatformLink(original, SHORTENERS[host] or "Link shortener", "short link")
    for parser in (_x, _instagram, _facebook, _tiktok, _youtube, _reddit, _telegram, _discord,
                   _snapchat, _linkedin):  # fmt: skip
        link = parser(original, host, segments, query, now)
        if link is not None:
            return link
    return None


def _x(url: str, host: str, seg: list[str], query: dict, now) -> PlatformLink | None:
    if host not in {"x.com", "twitter.com"}:
        return None
    status = None
    if len(seg) >= 3 and seg[1] in {"status", "statuses"}:
        status = seg[2]
    elif len(seg) >= 4 and seg[:3] == ["i", "web", "status"]:
        status = seg[3]
    elif len(seg) >= 3 and seg[:2] == ["i", "status"]:
        status = seg[2]
    elif len(seg) >= 2 and seg[0] == "statuses":
        status = seg[1]
    if status and status.isdigit():
        return PlatformLink(url, "X", "post", f"x:status:{status}", x_time(int(status), now))
    if len(seg) >= 3 and seg[:2] == ["i", "spaces"]:
        return PlatformLink(url, "X", "space", f"x:space:{seg[2]}")
    if (
        len(seg) == 1
        and re.fullmatch(r"[A-Za-z0-9_]{1,15}", seg[0])
        and (seg[0].lower() not in _X_RESERVED)
    ):
        return PlatformLink(url, "X", "profile", f"x:user:{seg[0].lower()}")
    return None


def _instagram(url: str, host: str, seg: list[str], query: dict, now) -> PlatformLink | None:
    if host not in {"instagram.com", "instagr.am"}:
        return None
    for position, part in enumerate(seg[:2]):
        if part in {"p", "reel", "reels", "tv"} and len(seg) > position + 1:
            code = seg[position + 1]
            if not re.fullmatch(r"[A-Za-z0-9_-]+", code):
                return None
            media_id = instagram_media_id(code)
            created = instagram_time(media_id, now) if media_id is not None else None
            return PlatformLink(url, "Instagram", "post", f"ig:media:{code}", created)
    if len(seg) >= 3 and seg[0] == "stories" and seg[2].isdigit():
        media_id = int(seg[2])
        created = instagram_time(media_id, now) if media_id < 2**64 else None
        return PlatformLink(url, "Instagram", "story", f"ig:story:{seg[2]}", created)
    if len(seg) == 1 and re.fullmatch(_HANDLE, seg[0]) and seg[0] not in _IG_RESERVED:
        return PlatformLink(url, "Instagram", "profile", f"ig:user:{seg[0].lower()}")
    return None


def _facebook(url: str, host: str, seg: list[str], query: dict, now) -> PlatformLink | None:
    if host == "l.facebook.com" and query.get("u"):
        return parse_url(query["u"][0], now)  # an outgoing-link wrapper: the target is inside
    if host not in {"facebook.com", "fb.com"}:
        return None
    first = query.get

    def found(kind: str, content_id: str) -> PlatformLink:
        comment = first("comment_id")
        if comment:
            return PlatformLink(url, "Facebook", "comment", f"{content_id}:comment:{comment[0]}")
        return PlatformLink(url, "Facebook", kind, content_id)

    if len(seg) >= 2 and seg[0] == "share":
        return PlatformLink(url, "Facebook", "short link")
    if seg[:1] in (["permalink.php"], ["story.php"]) and first("story_fbid"):
        return found("post", f"fb:post:{first('story_fbid')[0]}")
    if len(seg) >= 4 and seg[0] == "groups" and seg[2] in {"posts", "permalink"}:
        return found("post", f"fb:group:{seg[1]}:post:{seg[3]}")
    if seg[:1] in (["photo"], ["photo.php"]) and first("fbid"):
        return found("photo", f"fb:photo:{first('fbid')[0]}")
    if seg[:1] in (["watch"], ["video.php"]) and first("v"):
        return found("video", f"fb:video:{first('v')[0]}")
    if len(seg) >= 2 and seg[0] == "reel":
        return found("video", f"fb:video:{seg[1]}")
    if len(seg) >= 3 and seg[1] == "videos":
        return found("video", f"fb:video:{seg[-1]}")
    if len(seg) >= 3 and seg[1] == "posts":
        return found("post", f"fb:post:{seg[2]}")
    if seg == ["profile.php"] and first("id"):
        return PlatformLink(url, "Facebook", "profile", f"fb:user:{first('id')[0]}")
    if len(seg) == 1 and re.fullmatch(_HANDLE, seg[0]) and seg[0] not in _FB_RESERVED:
        return PlatformLink(url, "Facebook", "profile", f"fb:user:{seg[0].lower()}")
    return None


def _tiktok(url: str, host: str, seg: list[str], query: dict, now) -> PlatformLink | None:
    if not host.endswith("tiktok.com"):
        return None
    if seg[:1] == ["t"]:
        return PlatformLink(url, "TikTok", "short link")
    video = None
    kind = "video"
    if len(seg) >= 3 and seg[0].startswith("@") and seg[1] in {"video", "photo"}:
        video, kind = seg[2], seg[1]
    elif len(seg) >= 3 and seg[:2] == ["embed", "v2"]:
        video = seg[2]
    elif len(seg) >= 2 and seg[0] == "v":
        video = seg[1].removesuffix(".html")
    if video and video.isdigit():
        return PlatformLink(
            url, "TikTok", kind, f"tiktok:{kind}:{video}", tiktok_time(int(video), now)
        )
    if len(seg) == 1 and seg[0].startswith("@"):
        return PlatformLink(url, "TikTok", "profile", f"tiktok:user:{seg[0][1:].lower()}")
    return None


_YT_ID = re.compile(r"[0-9A-Za-z_-]{11}")


def _youtube(url: str, host: str, seg: list[str], query: dict, now) -> PlatformLink | None:
    if host not in {"youtube.com", "youtu.be", "youtube-nocookie.com"}:
        return None
    video = None
    if host == "youtu.be" and seg:
        video = seg[0]
    elif seg == ["watch"] and query.get("v"):
        video = query["v"][0]
    elif len(seg) >= 2 and seg[0] in {"shorts", "live", "embed", "v"}:
        video = seg[1]
    if video and _YT_ID.fullmatch(video):
        if query.get("lc"):
            return PlatformLink(
                url, "YouTube", "comment", f"yt:video:{video}:comment:{query['lc'][0]}"
            )
        return PlatformLink(url, "YouTube", "video", f"yt:video:{video}")
    if len(seg) >= 2 and seg[0] == "channel" and re.fullmatch(r"UC[0-9A-Za-z_-]{22}", seg[1]):
        return PlatformLink(url, "YouTube", "channel", f"yt:channel:{seg[1]}")
    if seg and seg[0].startswith("@"):
        return PlatformLink(url, "YouTube", "channel", f"yt:user:{seg[0].lower()}")
    return None


def _reddit(url: str, host: str, seg: list[str], query: dict, now) -> PlatformLink | None:
    if host != "reddit.com":
        return None
    if len(seg) >= 4 and seg[0] == "r" and seg[2] == "s":
        return PlatformLink(url, "Reddit", "short link")
    if "comments" in seg:
        at = seg.index("comments")
        rest = seg[at + 1 :]
        if rest and re.fullmatch(r"[a-z0-9]+", rest[0].lower()):
            post = rest[0].lower()
            if len(rest) >= 3 and re.fullmatch(r"[a-z0-9]+", rest[2].lower()):
                return PlatformLink(url, "Reddit", "comment", f"reddit:comment:{rest[2].lower()}")
            return PlatformLink(url, "Reddit", "post", f"reddit:post:{post}")
    if len(seg) >= 2 and seg[0] in {"user", "u"}:
        return PlatformLink(url, "Reddit", "profile", f"reddit:user:{seg[1].lower()}")
    return None


def _telegram(url: str, host: str, seg: list[str], query: dict, now) -> PlatformLink | None:
    if host not in {"t.me", "telegram.me"} or not seg:
        return None
    if seg[0].startswith("+") or seg[0] == "joinchat":
        code = seg[0][1:] if seg[0].startswith("+") else (seg[1] if len(seg) > 1 else "")
        return PlatformLink(url, "Telegram", "invite", f"telegram:invite:{code}")
    if seg[0] == "c" and len(seg) >= 3 and all(s.isdigit() for s in seg[1:]):
        chat = f"-100{seg[1]}"
        return PlatformLink(url, "Telegram", "message", f"telegram:message:{chat}/{seg[-1]}")
    if seg[0] == "s":
        seg = seg[1:]
    if len(seg) >= 2 and seg[-1].isdigit():
        return PlatformLink(
            url, "Telegram", "message", f"telegram:message:{seg[0].lower()}/{seg[-1]}"
        )
    if len(seg) == 1:
        return PlatformLink(url, "Telegram", "profile", f"telegram:user:{seg[0].lower()}")
    return None


def _discord(url: str, host: str, seg: list[str], query: dict, now) -> PlatformLink | None:
    if host in {"discord.gg"} and seg:
        return PlatformLink(url, "Discord", "invite", f"discord:invite:{seg[0]}")
    if host in {"discord.com", "discordapp.com"}:
        if len(seg) >= 2 and seg[0] == "invite":
            return PlatformLink(url, "Discord", "invite", f"discord:invite:{seg[1]}")
        if seg[:1] == ["channels"] and len(seg) >= 3:
            ids = [s for s in seg[2:4] if s.isdigit()]
            if len(ids) == 2:
                return PlatformLink(
                    url,
                    "Discord",
                    "message",
                    f"discord:message:{ids[1]}",
                    discord_time(int(ids[1]), now),
                )
            if len(ids) == 1:
                return PlatformLink(
                    url,
                    "Discord",
                    "channel",
                    f"discord:channel:{ids[0]}",
                    discord_time(int(ids[0]), now),
                )
    attachment_host = host in {"cdn.discordapp.com", "media.discordapp.net"}
    if attachment_host and len(seg) >= 3 and seg[0] == "attachments" and seg[2].isdigit():
        return PlatformLink(
            url,
            "Discord",
            "attachment",
            f"discord:attachment:{seg[2]}",
            discord_time(int(seg[2]), now),
        )
    return None


def _snapchat(url: str, host: str, seg: list[str], query: dict, now) -> PlatformLink | None:
    if host not in {"snapchat.com", "story.snapchat.com"} or not seg:
        return None
    if seg[0] == "t":
        return PlatformLink(url, "Snapchat", "short link")
    if seg[0] == "add" and len(seg) >= 2:
        return PlatformLink(url, "Snapchat", "profile", f"snap:user:{seg[1].lower()}")
    if seg[0] == "spotlight" and len(seg) >= 2:
        return PlatformLink(url, "Snapchat", "spotlight", f"snap:spotlight:{seg[1]}")
    if seg[0].startswith("@"):
        return PlatformLink(url, "Snapchat", "profile", f"snap:user:{seg[0][1:].lower()}")
    if host == "story.snapchat.com" and len(seg) >= 2 and seg[0] in {"s", "u"}:
        return PlatformLink(url, "Snapchat", "profile", f"snap:user:{seg[1].lower()}")
    return None


_LI_POST = re.compile(r"-(activity|ugcPost|share)-(\d{19})-")
_LI_URN = re.compile(r"urn:li:(activity|ugcPost|share):(\d{19})")
_LI_COMMENT = re.compile(r"urn:li:comment:\((?:activity|ugcPost):\d{19},(\d{19})\)")


def _linkedin(url: str, host: str, seg: list[str], query: dict, now) -> PlatformLink | None:
    if not host.endswith("linkedin.com"):
        return None
    joined = "/".join(seg) + "?" + unquote(str(query.get("commentUrn", [""])[0]))
    if match := _LI_COMMENT.search(joined):
        comment = match[1]
        return PlatformLink(
            url,
            "LinkedIn",
            "comment",
            f"linkedin:comment:{comment}",
            linkedin_time(int(comment), now),
        )
    match = _LI_POST.search("/".join(seg) + "-") or _LI_URN.search(joined)
    if match:
        return PlatformLink(
            url,
            "LinkedIn",
            "post",
            f"linkedin:{match[1]}:{match[2]}",
            linkedin_time(int(match[2]), now),
        )
    if len(seg) >= 3 and seg[:2] == ["messaging", "thread"]:
        thread = seg[2]
        created = linkedin_time(int(thread), now) if re.fullmatch(r"\d{19}", thread) else None
        return PlatformLink(url, "LinkedIn", "message", f"linkedin:thread:{thread}", created)
    if len(seg) >= 2 and seg[0] == "in":
        return PlatformLink(url, "LinkedIn", "profile", f"linkedin:user:{seg[1].lower()}")
    return None
