"""Draw the fictional screenshots exhibited in samples/jane-smith/evidence/.

Why this exists: the sample case needs image exhibits that look like what a person would really
capture on a phone or laptop (so the evidence schedule, hashes and OCR tests have something real
to work on), but no real person's messages may ever be committed. Every image is drawn here from
text that matches the incidents in samples/jane-smith/case.yaml, so the pictures can be checked,
changed and regenerated instead of being opaque binaries.

The output is deterministic (no timestamps or other metadata in the PNGs), so the committed
images can be proved to come from this script:

    python scripts/make_sample_screenshots.py           # rewrite the PNGs, print sha256 and size
    python scripts/make_sample_screenshots.py --check   # exit 1 if the committed PNGs differ

After a change, copy the printed sha256 and size values into samples/jane-smith/case.yaml.
Byte-identical output needs the same font files (DejaVu Sans) and Pillow/FreeType/zlib builds;
on a machine without DejaVu Sans, Pillow's built-in font is used and --check will report the
difference rather than silently pass.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

ROOT = Path(__file__).resolve().parents[1]
EVIDENCE_DIR = ROOT / "samples" / "jane-smith" / "evidence"
FONT_DIRS = [Path("/usr/share/fonts/truetype/dejavu"), Path("/usr/share/fonts/dejavu")]

PHONE = (540, 960)
DESKTOP = (1200, 700)
INK = (17, 27, 33)
GREY = (102, 119, 129)
WHITE = (255, 255, 255)

Font = ImageFont.FreeTypeFont | ImageFont.ImageFont
_fonts: dict[tuple[bool, int], Font] = {}


def font(size: int, bold: bool = False) -> Font:
    """DejaVu Sans at ``size`` pixels, or Pillow's built-in font if DejaVu is not installed."""
    key = (bold, size)
    if key not in _fonts:
        name = "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
        for folder in FONT_DIRS:
            if (folder / name).is_file():
                _fonts[key] = ImageFont.truetype(str(folder / name), size)
                break
        else:
            _fonts[key] = ImageFont.load_default(size=size)
    return _fonts[key]


def wrap(draw: ImageDraw.ImageDraw, text: str, face: Font, width: int) -> list[str]:
    """Break ``text`` into lines no wider than ``width`` pixels, at spaces."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line = ""
        for word in paragraph.split(" "):
            trial = f"{line} {word}".strip()
            if line and draw.textlength(trial, font=face) > width:
                lines.append(line)
                line = word
            else:
                line = trial
        lines.append(line)
    return lines


def status_bar(draw: ImageDraw.ImageDraw, clock: str, colour: tuple, ink: tuple) -> None:
    draw.rectangle((0, 0, PHONE[0], 36), fill=colour)
    draw.text((20, 8), clock, font=font(17, bold=True), fill=ink)
    draw.text((PHONE[0] - 20, 8), "4G  71%", font=font(16), fill=ink, anchor="ra")


def chip(draw: ImageDraw.ImageDraw, y: int, text: str, fill: tuple, ink: tuple) -> int:
    face = font(16)
    w = int(draw.textlength(text, font=face)) + 28
    x = (PHONE[0] - w) // 2
    draw.rounded_rectangle((x, y, x + w, y + 32), radius=9, fill=fill)
    draw.text((PHONE[0] // 2, y + 16), text, font=face, fill=ink, anchor="mm")
    return y + 48


def bubble(
    draw: ImageDraw.ImageDraw,
    y: int,
    text: str,
    *,
    outgoing: bool = False,
    time: str | None = None,
    fill: tuple = WHITE,
    size: int = 21,
) -> int:
    """A chat bubble on the left (incoming) or right (outgoing); returns the next free y."""
    face, small = font(size), font(14)
    max_text = 380
    lines = wrap(draw, text, face, max_text)
    line_h = size + 8
    text_w = max(int(draw.textlength(line, font=face)) for line in lines)
    time_w = int(draw.textlength(time, font=small)) if time else 0
    w = max(text_w, time_w) + 28
    h = len(lines) * line_h + (22 if time else 0) + 18
    x = PHONE[0] - 16 - w if outgoing else 16
    draw.rounded_rectangle((x, y, x + w, y + h), radius=14, fill=fill)
    for i, line in enumerate(lines):
        draw.text((x + 14, y + 10 + i * line_h), line, font=face, fill=INK)
    if time:
        draw.text((x + w - 12, y + h - 8), time, font=small, fill=GREY, anchor="rd")
    return y + h + 12


def avatar(draw: ImageDraw.ImageDraw, box: tuple, fill: tuple, initials: str, size: int) -> None:
    draw.ellipse(box, fill=fill)
    cx, cy = (box[0] + box[2]) // 2, (box[1] + box[3]) // 2
    draw.text((cx, cy), initials, font=font(size, bold=True), fill=WHITE, anchor="mm")


# --------------------------------------------------------------------------- WhatsApp

WA_TEAL = (7, 94, 84)
WA_WALL = (236, 229, 221)
WA_SENT = (220, 248, 198)
WA_CHIP = (225, 243, 251)


def whatsapp(clock: str, day: str, messages: list[tuple[str, str]]) -> Image.Image:
    """An Android WhatsApp chat with Mark Davies; ``messages`` are (time, text), all incoming."""
    img = Image.new("RGB", PHONE, WA_WALL)
    draw = ImageDraw.Draw(img)
    status_bar(draw, clock, (5, 75, 67), WHITE)
    draw.rectangle((0, 36, PHONE[0], 112), fill=WA_TEAL)
    draw.text((18, 74), "<", font=font(28, bold=True), fill=WHITE, anchor="lm")
    avatar(draw, (48, 50, 96, 98), (120, 144, 156), "MD", 18)
    draw.text((110, 52), "Mark Davies", font=font(22, bold=True), fill=WHITE)
    draw.text((110, 81), "+44 7700 900123", font=font(15), fill=(210, 235, 230))
    y = chip(draw, 130, day, WA_CHIP, INK)
    for when, text in messages:
        y = bubble(draw, y, text, time=when)
    draw.rectangle((0, 892, PHONE[0], PHONE[1]), fill=WA_WALL)
    draw.rounded_rectangle((12, 900, 460, 948), radius=24, fill=WHITE)
    draw.text((34, 924), "Message", font=font(19), fill=(140, 150, 156), anchor="lm")
    draw.ellipse((472, 900, 520, 948), fill=(0, 168, 132))
    return img


def whatsapp_threat() -> Image.Image:
    return whatsapp(
        "21:20",
        "3 July 2026",
        [
            ("21:11", "Answer me."),
            ("21:12", "I know you've been talking to people about me."),
            ("21:14", "If you go to the police you will regret it. I mean that."),
        ],
    )


def whatsapp_threat_to_kill() -> Image.Image:
    return whatsapp(
        "00:21",
        "23 August 2026",
        [
            ("00:12", "Saw you tonight. Saw who you were with."),
            ("00:15", "If I see you with him I will kill you. Both of you."),
            ("00:16", "Don't think I won't."),
        ],
    )


# --------------------------------------------------------------------------- Instagram

IG_BUBBLE = (239, 239, 239)
IG_LINE = (219, 219, 219)


def instagram_dm() -> Image.Image:
    img = Image.new("RGB", PHONE, WHITE)
    draw = ImageDraw.Draw(img)
    status_bar(draw, "22:09", WHITE, INK)
    draw.text((18, 74), "<", font=font(28, bold=True), fill=INK, anchor="lm")
    avatar(draw, (48, 50, 96, 98), (193, 53, 132), "M", 20)
    draw.text((110, 52), "markd_86", font=font(21, bold=True), fill=INK)
    draw.text((110, 80), "Mark Davies", font=font(15), fill=GREY)
    draw.line((0, 112, PHONE[0], 112), fill=IG_LINE, width=1)
    draw.text((PHONE[0] // 2, 150), "29 Jul 2026, 22:01", font=font(15), fill=GREY, anchor="mm")
    y = bubble(draw, 178, "You can ignore me on WhatsApp but not everywhere.", fill=IG_BUBBLE)
    y = bubble(
        draw,
        y,
        "I still have the photos from Cornwall. Keep ignoring me and everyone at your work "
        "gets to see them.",
        fill=IG_BUBBLE,
    )
    draw.text((PHONE[0] - 20, y), "Seen", font=font(14), fill=GREY, anchor="ra")
    draw.rounded_rectangle((14, 898, 526, 946), radius=24, outline=IG_LINE, width=2)
    draw.text((36, 922), "Message...", font=font(19), fill=(142, 142, 142), anchor="lm")
    return img


def instagram_profile() -> Image.Image:
    img = Image.new("RGB", PHONE, WHITE)
    draw = ImageDraw.Draw(img)
    status_bar(draw, "19:42", WHITE, INK)
    draw.text((18, 72), "<", font=font(28, bold=True), fill=INK, anchor="lm")
    draw.text((52, 72), "jane.smith.rdg", font=font(22, bold=True), fill=INK, anchor="lm")
    avatar(draw, (24, 116, 124, 216), (176, 190, 197), "JS", 30)
    for i, (number, word) in enumerate([("9", "posts"), ("212", "followers"), ("48", "following")]):
        cx = 210 + i * 112
        draw.text((cx, 150), number, font=font(21, bold=True), fill=INK, anchor="mm")
        draw.text((cx, 178), word, font=font(16), fill=INK, anchor="mm")
    draw.text((24, 232), "Jane Smith", font=font(20, bold=True), fill=INK)
    y = 262
    bio = "Reading. Ask me why nobody trusts me. DMs open, I reply to everyone."
    for line in wrap(draw, bio, font(19), 490):
        draw.text((24, y), line, font=font(19), fill=INK)
        y += 28
    y += 14
    draw.rounded_rectangle((24, y, 262, y + 40), radius=8, fill=(0, 149, 246))
    draw.text((143, y + 20), "Follow", font=font(18, bold=True), fill=WHITE, anchor="mm")
    draw.rounded_rectangle((278, y, 516, y + 40), radius=8, fill=IG_BUBBLE)
    draw.text((397, y + 20), "Message", font=font(18, bold=True), fill=INK, anchor="mm")
    y += 64
    draw.line((0, y, PHONE[0], y), fill=IG_LINE, width=1)
    y += 4
    tiles = [
        (205, 183, 158),
        (162, 184, 199),
        (214, 196, 180),
        (181, 199, 170),
        (199, 170, 180),
        (170, 180, 205),
        (214, 205, 160),
        (190, 175, 160),
        (160, 196, 190),
    ]
    side = (PHONE[0] - 4) // 3
    for i, colour in enumerate(tiles):
        x0, y0 = (i % 3) * (side + 2), y + (i // 3) * (side + 2)
        if y0 >= PHONE[1]:
            break
        draw.rectangle((x0, y0, x0 + side, y0 + side), fill=colour)
    return img


# --------------------------------------------------------------------------- X (desktop)

X_STATUS = "https://x.com/markdavies_rdg/status/2091281042394354167"
X_POST = (
    "Jane Smith thinks she can hide from me. She lives at [address redacted]. Blue door, "
    "top bell. Go and tell her what you think of her."
)


def x_post_desktop() -> Image.Image:
    w, h = DESKTOP
    img = Image.new("RGB", DESKTOP, WHITE)
    draw = ImageDraw.Draw(img)
    # Browser chrome: one tab and the address bar, so the exhibit shows the post's URL.
    draw.rectangle((0, 0, w, 86), fill=(222, 225, 230))
    draw.rounded_rectangle((12, 6, 360, 40), radius=8, fill=WHITE)
    draw.text((28, 23), "Mark D on X", font=font(15), fill=INK, anchor="lm")
    draw.rounded_rectangle((96, 46, w - 24, 80), radius=17, fill=WHITE)
    draw.text((18, 63), "<  >  C", font=font(18), fill=GREY, anchor="lm")
    draw.text((116, 63), X_STATUS, font=font(18), fill=INK, anchor="lm")
    # Left navigation.
    draw.text((60, 130), "X", font=font(36, bold=True), fill=INK, anchor="lm")
    for i, item in enumerate(["Home", "Explore", "Notifications", "Messages", "Profile"]):
        draw.text((60, 190 + i * 52), item, font=font(21), fill=INK, anchor="lm")
    draw.line((280, 86, 280, h), fill=(239, 243, 244), width=2)
    draw.line((880, 86, 880, h), fill=(239, 243, 244), width=2)
    # The post.
    left = 304
    draw.text((left, 124), "<   Post", font=font(22, bold=True), fill=INK, anchor="lm")
    avatar(draw, (left, 160, left + 52, 212), (83, 100, 113), "MD", 18)
    draw.text((left + 66, 164), "Mark D", font=font(19, bold=True), fill=INK)
    draw.text((left + 66, 190), "@markdavies_rdg", font=font(17), fill=GREY)
    y = 234
    for line in wrap(draw, X_POST, font(24), 552):
        draw.text((left, y), line, font=font(24), fill=INK)
        y += 36
    y += 12
    draw.text((left, y), "10:47 pm · 22 Aug 2026 · 1,204 Views", font=font(17), fill=GREY)
    y += 40
    draw.line((left, y, 860, y), fill=(239, 243, 244), width=2)
    y += 16
    draw.text((left, y), "14 Reposts   3 Quotes   37 Likes", font=font(17), fill=INK)
    # Right column.
    draw.rounded_rectangle((904, 106, 1176, 146), radius=20, fill=(239, 243, 244))
    draw.text((930, 126), "Search", font=font(17), fill=GREY, anchor="lm")
    draw.rounded_rectangle((904, 166, 1176, 330), radius=14, outline=(239, 243, 244), width=2)
    draw.text((924, 190), "What's happening", font=font(19, bold=True), fill=INK, anchor="lm")
    for i, topic in enumerate(["Reading FC", "M4 roadworks", "Bonfire Night"]):
        draw.text((924, 232 + i * 34), topic, font=font(16), fill=GREY, anchor="lm")
    return img


SCREENSHOTS: dict[str, Callable[[], Image.Image]] = {
    "2026-07-03-whatsapp-threat.png": whatsapp_threat,
    "2026-07-18-instagram-fake-profile.png": instagram_profile,
    "2026-07-29-instagram-dm.png": instagram_dm,
    "2026-08-22-x-post-address.png": x_post_desktop,
    "2026-08-23-whatsapp-threat-to-kill.png": whatsapp_threat_to_kill,
}


def png_bytes(img: Image.Image) -> bytes:
    """Encode as a small palette PNG with no metadata chunks (so output is reproducible)."""
    small = img.quantize(colors=48, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    path = Path(tempfile.mkstemp(suffix=".png")[1])
    try:
        small.save(path, format="PNG", optimize=True)
        return path.read_bytes()
    finally:
        path.unlink()


def render_all(out_dir: Path) -> dict[str, bytes]:
    out_dir.mkdir(parents=True, exist_ok=True)
    written = {}
    for name, draw in SCREENSHOTS.items():
        data = png_bytes(draw())
        (out_dir / name).write_bytes(data)
        written[name] = data
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--check", action="store_true", help="regenerate into a temp folder and compare"
    )
    parser.add_argument("--out", type=Path, default=EVIDENCE_DIR, help="folder to write to")
    args = parser.parse_args(argv)
    if args.check:
        with tempfile.TemporaryDirectory() as tmp:
            fresh = render_all(Path(tmp))
        stale = [
            name
            for name, data in fresh.items()
            if not (args.out / name).is_file() or (args.out / name).read_bytes() != data
        ]
        for name in stale:
            print(f"differs: {args.out / name}", file=sys.stderr)
        if stale:
            print("run scripts/make_sample_screenshots.py and update case.yaml", file=sys.stderr)
            return 1
        print(f"{len(fresh)} screenshots match")
        return 0
    for name, data in render_all(args.out).items():
        print(f"{hashlib.sha256(data).hexdigest()}  {len(data):>6}  evidence/{name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
