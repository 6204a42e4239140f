"""Measure harassment-pack against bare LibreOffice: one entry point for every size in issue 15.

Why ratios: the development machine is small and shared, so seconds move from run to run; a
ratio of a build to a bare ``soffice --convert-to pdf`` of the same DOCX files, measured in
turn (tool, baseline, tool, baseline …), holds on other machines. Peak memory is the largest
sum of resident memory over the whole process tree (the tool, soffice, tesseract), sampled
from /proc every 50 ms, so LibreOffice's share is counted too.

It is a benchmark, not a test: run it by hand and paste its table into benchmarks/README.md.

    .venv/bin/python benchmarks/bench.py                       # every case at the issue's sizes
    .venv/bin/python benchmarks/bench.py --only sample rebuild --repeat 5
    .venv/bin/python benchmarks/bench.py --screenshots 20 --incidents 1000 --lines 100000
    .venv/bin/python benchmarks/bench.py --first-screenshots 500   # also the 500-image first build

chat-miner (MIT) is compared on the same WhatsApp file when ``--chatminer-python`` names a Python
that can import it (a throwaway venv outside the repository, with ``--chatminer-src`` pointing to
a checkout of its source when it is not installed there); it is never a dependency.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import yaml

from harassment_pack.convert import PROFILES_DIRNAME
from harassment_pack.warm import DEFAULT_KEEP, KEEP_ENV, read_record, stop_kept

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
PAGE = os.sysconf("SC_PAGE_SIZE")
CASES = [
    "startup",
    "sample",
    "minimal",
    "rebuild",
    "screenshots",
    "first-screenshots",
    "incidents",
    "load",
    "import",
    "check",
]
HARASSER = "Sam Doe"
WORDS = [
    "answer",
    "me",
    "now",
    "why",
    "are",
    "you",
    "ignoring",
    "I",
    "know",
    "where",
    "live",
    "see",
    "soon",
    "will",
    "regret",
    "this",
    "everyone",
    "what",
    "did",
    "ok",
    "fine",
    "whatever",
    "call",
    "back",
    "tonight",
]


# --------------------------------------------------------------------------- measuring


@dataclass
class Run:
    seconds: float
    peak_mb: float
    """The whole process tree."""
    python_mb: float
    """The command's own process (for the tool, the Python running harassment-pack)."""
    cpu_s: float
    """CPU seconds of the whole tree (user and system): what other work on the machine
    cannot stretch."""
    output: str = ""
    pss_mb: float = 0.0
    """The whole tree's proportional set size: pages shared between its processes (a fork
    child's copy-on-write pages, the libraries two soffice processes map) counted once."""


def _tree_rss(root: int) -> tuple[int, int, int]:
    """Resident bytes of ``root`` and all its descendants (soffice runs in a session of its own,
    so the tree is followed by parent ids, not by session), of ``root`` alone, and the tree's
    proportional set size (PSS)."""
    parents: dict[int, int] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as handle:
                stat = handle.read()
        except OSError:
            continue
        # Fields after the command name (which may hold spaces) start after the last ')'.
        parents[int(entry.name)] = int(stat[stat.rindex(b")") + 2 :].split()[1])
    tree, frontier = {root}, [root]
    while frontier:
        parent = frontier.pop()
        for pid, ppid in parents.items():
            if ppid == parent and pid not in tree:
                tree.add(pid)
                frontier.append(pid)
    total = alone = proportional = 0
    for pid in tree:
        try:
            with open(f"/proc/{pid}/statm", "rb") as handle:
                resident = int(handle.read().split()[1]) * PAGE
            with open(f"/proc/{pid}/smaps_rollup", "rb") as handle:
                found = re.search(rb"^Pss:\s+(\d+) kB", handle.read(), re.MULTILINE)
        except (OSError, ValueError, IndexError):
            continue
        total += resident
        proportional += int(found[1]) * 1024 if found else resident
        alone = resident if pid == root else alone
    return total, alone, proportional


def run(command: Sequence[str], *, env: dict[str, str] | None = None, check: bool = True) -> Run:
    """Run ``command`` in its own session; wall time and the peak memory of its process tree."""
    process = subprocess.Popen(
        [str(part) for part in command],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        env={**os.environ, **(env or {})},
        start_new_session=True,
    )
    began = time.perf_counter()
    cpu_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    peak = own = pss = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak, own, pss
        while not done.wait(0.05):
            total, alone, proportional = _tree_rss(process.pid)
            peak, own, pss = max(peak, total), max(own, alone), max(pss, proportional)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    output = process.communicate()[0].decode("utf-8", "replace")
    seconds = time.perf_counter() - began
    cpu_after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (cpu_after.ru_utime - cpu_before.ru_utime) + (cpu_after.ru_stime - cpu_before.ru_stime)
    done.set()
    sampler.join()
    if check and process.returncode != 0:
        raise SystemExit(f"failed ({process.returncode}): {' '.join(map(str, command))}\n{output}")
    return Run(seconds, peak / 1024 / 1024, own / 1024 / 1024, cpu, output, pss / 1024 / 1024)


class Baseline:
    """Bare LibreOffice: one ``soffice --convert-to pdf`` process over the same DOCX files.

    It gets a warm profile of its own (made once), the most favourable case for LibreOffice.
    """

    def __init__(self, work: Path) -> None:
        self.profile = work / "baseline-profile"
        self.soffice = shutil.which("soffice") or "soffice"
        if not self.profile.exists():
            scratch = work / "warm"
            scratch.mkdir(parents=True, exist_ok=True)
            (scratch / "warm.txt").write_text("warm up\n")
            self.convert([scratch / "warm.txt"], scratch)

    def convert(self, files: Sequence[Path], out: Path) -> Run:
        out.mkdir(parents=True, exist_ok=True)
        return run(
            [
                self.soffice,
                f"-env:UserInstallation={self.profile.as_uri()}",
                "--headless",
                "--invisible",
                "--nologo",
                "--nodefault",
                "--nolockcheck",
                "--norestore",
                "--convert-to",
                "pdf:writer_pdf_Export",
                "--outdir",
                out,
                *files,
            ],
            env={"SAL_USE_VCLPLUGIN": "svp"},
        )


def tool(*args: object) -> list[str]:
    """The ``harassment-pack`` command, run by the Python running this benchmark."""
    return [sys.executable, "-m", "harassment_pack", *map(str, args)]


@dataclass
class Result:
    case: str
    what: str
    figure: float
    unit: str
    target: str
    holds: bool
    detail: dict = field(default_factory=dict)


def median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else float("nan")


def build_against_baseline(
    case: Path, work: Path, baseline: Baseline, repeat: int, *, warm: bool = True
) -> dict:
    """Build ``case`` and convert its DOCX files with bare soffice, in turn, ``repeat`` times.

    Every measured build writes into a new output folder, so every document is converted (an
    unchanged document's PDF is reused only within one output folder). ``warm`` builds once
    first, unmeasured, so that the case's OCR cache is filled.
    """
    if warm:
        run(tool("build", case, "-o", work / "warm-out"))
    builds, bares = [], []
    docx: list[Path] = []
    for attempt in range(repeat):
        out = work / f"out-{attempt}"
        shutil.rmtree(out, ignore_errors=True)
        builds.append(run(tool("build", case, "-o", out)))
        docx = sorted(out.glob("*.docx"))
        bares.append(baseline.convert(docx, work / "bare"))
    ratios = [b.seconds / s.seconds for b, s in zip(builds, bares, strict=True)]
    cpu_ratios = [b.cpu_s / s.cpu_s for b, s in zip(builds, bares, strict=True)]
    return {
        "ratio": median(ratios),
        "ratios": [round(r, 2) for r in ratios],
        "cpu_ratio": round(median(cpu_ratios), 2),
        "build_cpu_s": round(median([b.cpu_s for b in builds]), 2),
        "soffice_cpu_s": round(median([s.cpu_s for s in bares]), 2),
        "build_s": round(median([b.seconds for b in builds]), 2),
        "soffice_s": round(median([s.seconds for s in bares]), 2),
        "tree_peak_mb": round(max(b.peak_mb for b in builds), 1),
        "tree_pss_peak_mb": round(max(b.pss_mb for b in builds), 1),
        "python_peak_mb": round(max(b.python_mb for b in builds), 1),
        "soffice_peak_mb": round(max(s.peak_mb for s in bares), 1),
        "documents": len(docx),
    }


# --------------------------------------------------------------------------- cases


def kept_cpu(case: Path) -> float:
    """CPU seconds used so far by the LibreOffice kept running for ``case`` and its watchdog."""
    record = read_record(case / PROFILES_DIRNAME)
    ticks = 0
    for pid in (record.get("soffice"), record.get("watchdog")):
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        ticks += int(fields[11]) + int(fields[12])  # utime, stime
    return ticks / os.sysconf("SC_CLK_TCK")


def copy_sample(name: str, work: Path) -> Path:
    target = work / name
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(SAMPLES / name, target)
    return target


def write_case(folder: Path, data: dict) -> None:
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    text = yaml.dump(data, Dumper=dumper, sort_keys=False, allow_unicode=True, width=100)
    (folder / "case.yaml").write_text(text, encoding="utf-8")


def incidents_case(folder: Path, count: int) -> Path:
    """The minimal sample with ``count`` generated messages over about a year."""
    shutil.rmtree(folder, ignore_errors=True)
    shutil.copytree(SAMPLES / "minimal", folder)
    data = yaml.safe_load((folder / "case.yaml").read_text(encoding="utf-8"))
    start = datetime(2025, 11, 1, 8, 0, tzinfo=UTC)
    step = timedelta(minutes=max(1, 365 * 24 * 60 // max(count, 1)))
    platforms = ["WhatsApp", "Instagram", "X", "Facebook", "Email"]
    data["incidents"] = [
        {
            "id": f"i{n}",
            "when": (start + n * step).isoformat(),
            "platform": platforms[n % len(platforms)],
            "respondent": "r1",
            "kinds": ["abuse"],
            "summary": f"The account sent me message number {n}.",
            "exact_words": f"This is generated message {n}, long enough to wrap onto a second "
            "line in the chronology's table cell.",
        }
        for n in range(1, count + 1)
    ]
    write_case(folder, data)
    return folder


def screenshot(path: Path, number: int) -> None:
    """A 1170 by 2532 phone screenshot of a chat, with words tesseract can read."""
    from PIL import Image, ImageDraw, ImageFont

    rng = random.Random(number)
    image = Image.new("RGB", (1170, 2532), (236, 229, 221))
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", 40)
    draw.rectangle((0, 0, 1170, 190), fill=(7, 94, 84))
    draw.text((60, 90), f"Sam Doe  (chat {number})", font=font, fill="white")
    y = 260
    while y < 2300:
        mine = rng.random() < 0.4
        words = " ".join(rng.choices(WORDS, k=rng.randint(3, 9)))
        left = 560 if mine else 40
        draw.rounded_rectangle(
            (left, y, left + 570, y + 130), 24, fill=(220, 248, 198) if mine else "white"
        )
        draw.text((left + 30, y + 20), words[:22], font=font, fill="black")
        draw.text((left + 30, y + 70), f"{words[22:40]} {number}:{y}", font=font, fill="black")
        y += 170
    image.save(path, optimize=False)


def screenshots_case(folder: Path, images: Path, count: int) -> Path:
    """The minimal sample with ``count`` screenshots added through ``evidence add`` (kept from
    an earlier run in the same ``--work`` folder, with its OCR cache, when it has as many)."""
    if len(list((folder / "evidence").glob("screenshot-*.png"))) == count:
        return folder
    images.mkdir(parents=True, exist_ok=True)
    files = []
    for number in range(1, count + 1):
        path = images / f"screenshot-{number:04d}.png"
        if not path.exists():
            screenshot(path, number)
        files.append(path)
    shutil.rmtree(folder, ignore_errors=True)
    shutil.copytree(SAMPLES / "minimal", folder)
    run(
        tool(
            "evidence",
            "add",
            folder,
            *files,
            "--incident",
            "C1",
            "--description",
            "Screenshot of the chat",
        )
    )
    return folder


def whatsapp_export(path: Path, lines: int, seed: int = 7) -> int:
    """An Android-style export (dd/mm/yyyy, 24h): 1% from the harasser, some multi-line."""
    rng = random.Random(seed)
    others = ["Alex Example", "Alex Example", "Jo Bloggs"]
    moment = datetime(2023, 1, 2, 8, 0)
    written = 0
    with path.open("w", encoding="utf-8") as out:
        out.write(f"{moment:%d/%m/%Y, %H:%M} - Messages and calls are end-to-end encrypted.\n")
        written += 1
        while written < lines:
            moment += timedelta(seconds=rng.randint(5, 240))
            sender = HARASSER if rng.random() < 0.01 else rng.choice(others)
            text = " ".join(rng.choices(WORDS, k=rng.randint(2, 14)))
            out.write(f"{moment:%d/%m/%Y, %H:%M} - {sender}: {text}\n")
            written += 1
            if rng.random() < 0.04 and written < lines:
                out.write(" ".join(rng.choices(WORDS, k=rng.randint(1, 8))) + "\n")
                written += 1
    return written


CHATMINER = """
import logging, sys, time
from chatminer.chatparsers import WhatsAppParser
logging.disable(logging.CRITICAL)
parser = WhatsAppParser(sys.argv[1])
parser.parse_file()
frame = parser.parsed_messages.get_df()  # polars or pandas, by version
print(len(frame), int((frame["author"] == sys.argv[2]).sum()))
"""

LOAD = """
import sys, time
from pathlib import Path
from harassment_pack.case import load_case
cpu, wall = time.process_time(), time.perf_counter()
case = load_case(Path(sys.argv[1]))
print(f"{time.process_time() - cpu:.4f} {time.perf_counter() - wall:.4f} {len(case.incidents)}")
"""


IMPORT_CPU = """
import builtins, runpy, sys, time
spent, depth, real = 0.0, 0, builtins.__import__
def timed(*args, **kwargs):
    global spent, depth
    if depth:
        return real(*args, **kwargs)
    depth, began = 1, time.process_time()
    try:
        return real(*args, **kwargs)
    finally:
        spent, depth = spent + time.process_time() - began, 0
builtins.__import__ = timed
sys.argv = ["harassment-pack", *sys.argv[1:]]
try:
    runpy.run_module("harassment_pack", run_name="__main__")
except SystemExit:
    pass
print(f"IMPORT_CPU {spent:.4f}", file=sys.stderr)
"""


def import_seconds(args: Sequence[str]) -> float:
    """CPU seconds the command spends in its import statements (the interpreter's own start-up
    excluded). CPU time, not wall time, so that other work on a shared machine does not count."""
    result = subprocess.run(
        [sys.executable, "-c", IMPORT_CPU, *args], capture_output=True, text=True, check=False
    )
    match = re.search(r"IMPORT_CPU (\S+)", result.stderr)
    if not match:
        raise SystemExit(f"could not time the imports of {args}: {result.stderr[-500:]}")
    return float(match[1])


# --------------------------------------------------------------------------- main


class Bench:
    def __init__(self, args: argparse.Namespace, work: Path) -> None:
        self.args = args
        self.work = work
        self.results: list[Result] = []
        self.failed: list[str] = []
        self._baseline: Baseline | None = None

    @property
    def baseline(self) -> Baseline:
        if self._baseline is None:
            self._baseline = Baseline(self.work)
        return self._baseline

    def add(self, *fields: object, **detail: object) -> None:
        result = Result(*fields, detail=detail)  # type: ignore[arg-type]
        self.results.append(result)
        mark = "HOLDS" if result.holds else "NOT"
        print(
            f"  {result.what}: {result.figure:,.2f} {result.unit} (target {result.target}) "
            f"{mark}  {json.dumps(detail)}",
            flush=True,
        )

    def startup(self) -> None:
        for label, command in (
            ("--help", ["--help"]),
            ("check sample", ["check", str(SAMPLES / "jane-smith")]),
        ):
            seconds = min(import_seconds(command) for _ in range(self.args.repeat))
            self.add("startup", f"importing for {label}", seconds, "s", "< 0.3 s", seconds < 0.3)

    def sample(self) -> None:
        case = copy_sample("jane-smith", self.work / "sample")
        found = build_against_baseline(
            case, self.work / "sample-run", self.baseline, self.args.repeat
        )
        self.add(
            "sample",
            "sample build ÷ bare soffice",
            found["ratio"],
            "x",
            "≤ 1.3x",
            found["ratio"] <= 1.3,
            **found,
        )

    def minimal(self) -> None:
        case = copy_sample("minimal", self.work / "minimal")
        found = build_against_baseline(
            case, self.work / "minimal-run", self.baseline, self.args.repeat
        )
        self.add(
            "minimal",
            "minimal build ÷ bare soffice",
            found["ratio"],
            "x",
            "≤ 1.3x",
            found["ratio"] <= 1.3,
            **found,
        )

    def rebuild(self) -> None:
        """A user's rebuild: a fresh case (no LibreOffice profile yet, nothing kept running
        from an earlier run) built once, one incident changed, built again at once. Measured
        with LibreOffice kept running between builds (the default) and, in turn with it, with
        keeping turned off (``cold``). The kept LibreOffice is no child of the build, so its
        CPU time is read from /proc and added to the build's."""
        found: dict[str, dict[str, list[float]]] = {}
        for attempt in range(self.args.repeat):
            for mode, keep in (("warm", str(DEFAULT_KEEP)), ("cold", "0")):
                case = copy_sample("jane-smith", self.work / "rebuild")
                shutil.rmtree(case / PROFILES_DIRNAME, ignore_errors=True)
                out = self.work / "rebuild-out"
                shutil.rmtree(out, ignore_errors=True)
                env = {KEEP_ENV: keep}
                try:
                    first = run(tool("build", case, "-o", out), env=env)
                    first_cpu = first.cpu_s + kept_cpu(case)
                    text = (case / "case.yaml").read_text(encoding="utf-8")
                    changed = re.sub(
                        r"(summary: >-\n\s+)", rf"\1(changed {attempt}) ", text, count=1
                    )
                    assert changed != text, "no incident summary to change"
                    (case / "case.yaml").write_text(changed, encoding="utf-8")
                    before = kept_cpu(case)
                    second = run(tool("build", case, "-o", out), env=env)
                    second_cpu = second.cpu_s + kept_cpu(case) - before
                finally:
                    stop_kept(case / PROFILES_DIRNAME)
                figures = found.setdefault(mode, {})
                for key, value in (
                    ("ratio", second.seconds / first.seconds),
                    ("cpu_ratio", second_cpu / first_cpu),
                    ("first_s", first.seconds),
                    ("rebuild_s", second.seconds),
                    ("first_cpu_s", first_cpu),
                    ("rebuild_cpu_s", second_cpu),
                ):
                    figures.setdefault(key, []).append(value)
        for mode, what in (
            ("warm", "rebuild after one incident change ÷ first build"),
            ("cold", "the same with LibreOffice not kept running (cold rebuild)"),
        ):
            figures = found[mode]
            ratio = median(figures["ratio"])
            self.add(
                "rebuild" if mode == "warm" else "rebuild-cold",
                what,
                ratio,
                "x",
                "≤ 0.4x",
                ratio <= 0.4,
                ratios=[round(r, 2) for r in figures["ratio"]],
                **{key: round(median(values), 2) for key, values in figures.items()},
            )

    def screenshots(self) -> None:
        count = self.args.screenshots
        case = screenshots_case(self.work / "shots", self.work / "images", count)
        found = build_against_baseline(
            case, self.work / "shots-run", self.baseline, self.args.repeat
        )
        self.add(
            "screenshots",
            f"{count} screenshots, rebuild with OCR done ÷ bare soffice",
            found["ratio"],
            "x",
            "≤ 3x",
            found["ratio"] <= 3,
            **found,
        )
        self.add(
            "screenshots",
            f"{count} screenshots, rebuild: Python's peak (the issue's row)",
            found["python_peak_mb"],
            "MB",
            "≤ 250 MB",
            found["python_peak_mb"] <= 250,
        )
        self.add(
            "screenshots",
            f"{count} screenshots, rebuild: process tree peak, soffice included",
            found["tree_peak_mb"],
            "MB",
            "≤ 250 MB",
            found["tree_peak_mb"] <= 250,
            tree_pss_peak_mb=found["tree_pss_peak_mb"],
        )

    def first_screenshots(self) -> None:
        """A first build of a case with N screenshots (nothing read by OCR yet, no PDF to
        reuse) against its two parts done bare: tesseract reading the same images with one
        process per core (as fast as they can be read), then one soffice over its DOCX files."""
        count = self.args.first_screenshots
        if not count:
            return
        images = self.work / "images"
        case = screenshots_case(self.work / "first", images, count)
        files = sorted(images.glob("screenshot-*.png"))[:count]
        env = {**os.environ, "OMP_THREAD_LIMIT": "1"}

        def read(path: Path) -> None:
            subprocess.run(
                ["tesseract", str(path), "stdout", "-l", "eng", "tsv"],
                capture_output=True,
                env=env,
                check=True,
            )

        began, before = time.perf_counter(), resource.getrusage(resource.RUSAGE_CHILDREN)
        with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
            list(pool.map(read, files))
        tesseract_s = time.perf_counter() - began
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        tesseract_cpu = sum(
            getattr(after, f) - getattr(before, f) for f in ("ru_utime", "ru_stime")
        )
        out = self.work / "first-out"
        shutil.rmtree(out, ignore_errors=True)
        shutil.rmtree(case / ".ocr-cache", ignore_errors=True)  # pack.OCR_CACHE_DIRNAME
        load = os.getloadavg()[0]
        build = run(tool("build", case, "-o", out))
        bare = self.baseline.convert(sorted(out.glob("*.docx")), self.work / "first-bare")
        ratio = build.seconds / (tesseract_s + bare.seconds)
        self.add(
            "first-screenshots",
            f"{count} screenshots, first build ÷ (tesseract on all cores + bare soffice)",
            ratio,
            "x",
            "≤ 1.3x",
            ratio <= 1.3,
            build_s=round(build.seconds, 1),
            tesseract_s=round(tesseract_s, 1),
            soffice_s=round(bare.seconds, 1),
            build_cpu_s=round(build.cpu_s, 1),
            tesseract_cpu_s=round(tesseract_cpu, 1),
            soffice_cpu_s=round(bare.cpu_s, 1),
            cpu_ratio=round(build.cpu_s / (tesseract_cpu + bare.cpu_s), 2),
            load_average_at_build=round(load, 1),
        )
        self.add(
            "first-screenshots",
            f"{count} screenshots, first build: process tree peak, soffice and tesseract included",
            build.peak_mb,
            "MB",
            "≤ 300 MB",
            build.peak_mb <= 300,
            python_peak_mb=round(build.python_mb, 1),
            tree_pss_peak_mb=round(build.pss_mb, 1),
        )

    def incidents(self) -> None:
        count = self.args.incidents
        case = incidents_case(self.work / "many", count)
        found = build_against_baseline(
            case, self.work / "many-run", self.baseline, self.args.repeat, warm=False
        )
        self.add(
            "incidents",
            f"{count:,} incidents build ÷ bare soffice",
            found["ratio"],
            "x",
            "≤ 1.0x",
            found["ratio"] <= 1.0,
            **found,
        )
        self.add(
            "incidents",
            f"{count:,} incidents build: process tree peak",
            found["tree_peak_mb"],
            "MB",
            "≤ 600 MB",
            found["tree_peak_mb"] <= 600,
            tree_pss_peak_mb=found["tree_pss_peak_mb"],
        )

    def load(self) -> None:
        """load_case in a fresh process: once right after case.yaml was written by hand (the
        YAML is read), then as every later command loads it (CPU seconds: the machine is
        shared, so wall seconds are in the detail)."""
        count = self.args.incidents
        case = incidents_case(self.work / "load", count)
        first = run([sys.executable, "-c", LOAD, case]).output.split()
        later = [
            run([sys.executable, "-c", LOAD, case]).output.split() for _ in range(self.args.repeat)
        ]
        cpu = min(float(found[0]) for found in later)
        self.add(
            "load",
            f"load_case at {count:,} incidents (CPU)",
            cpu,
            "s",
            "≤ 1 s",
            cpu <= 1,
            wall=[round(float(f[1]), 2) for f in later],
            after_hand_edit_cpu=round(float(first[0]), 2),
            after_hand_edit_wall=round(float(first[1]), 2),
        )

    def _export(self) -> tuple[Path, int]:
        path = self.work / "WhatsApp Chat with Sam Doe.txt"
        marker = self.work / f"export-{self.args.lines}"
        if not marker.exists():
            lines = whatsapp_export(path, self.args.lines)
            marker.write_text(str(lines))
        return path, int(marker.read_text())

    def import_(self) -> None:
        path, lines = self._export()
        runs = []
        for _ in range(self.args.repeat):
            case = copy_sample("minimal", self.work / "imported")
            runs.append(
                run(
                    tool(
                        "import",
                        "whatsapp",
                        path,
                        "--case",
                        case,
                        "--from",
                        HARASSER,
                        "--dayfirst",
                        "--yes",
                    )
                )
            )
        best = min(runs, key=lambda r: r.seconds)
        rate = lines / best.seconds
        peak = max(r.peak_mb for r in runs)
        detail: dict = {
            "seconds": round(best.seconds, 2),
            "cpu_s": round(best.cpu_s, 2),
            "lines_per_cpu_s": round(lines / best.cpu_s),
            "lines": lines,
        }
        if self.args.chatminer_python:
            miner = run(
                [self.args.chatminer_python, "-c", CHATMINER, path, HARASSER],
                env={"PYTHONPATH": str(self.args.chatminer_src or ""), "TQDM_DISABLE": "1"},
            )
            detail["chatminer_s"] = round(miner.seconds, 2)
            detail["chatminer_peak_mb"] = round(miner.peak_mb, 1)
            detail["times_chatminer"] = round(miner.seconds / best.seconds, 1)
            detail["chatminer_cpu_s"] = round(miner.cpu_s, 2)
            detail["times_chatminer_cpu"] = round(miner.cpu_s / best.cpu_s, 1)
        self.add(
            "import",
            f"WhatsApp import of {lines:,} lines",
            rate,
            "lines/s",
            "≥ 200,000 lines/s",
            rate >= 200_000,
            **detail,
        )
        self.add(
            "import", "WhatsApp import: process tree peak", peak, "MB", "≤ 200 MB", peak <= 200
        )
        if "times_chatminer" in detail:
            self.add(
                "import",
                "WhatsApp import speed ÷ chat-miner's parser",
                detail["times_chatminer"],
                "x",
                "≥ 8x",
                detail["times_chatminer"] >= 8,
            )

    def check(self) -> None:
        case = self.work / "imported" / "minimal"  # where import_ put it
        if not (case / "case.yaml").exists():
            self.import_()
        runs = [run(tool("check", case)) for _ in range(self.args.repeat)]
        seconds = min(r.seconds for r in runs)
        self.add(
            "check",
            "check on the imported case",
            seconds,
            "s",
            "≤ 3 s",
            seconds <= 3,
            peak_mb=round(max(r.peak_mb for r in runs), 1),
        )


def table(results: Sequence[Result]) -> str:
    lines = ["| what | measured | target | holds |", "|---|---|---|---|"]
    for r in results:
        figure = f"{r.figure:,.0f}" if r.unit in ("lines/s", "MB") else f"{r.figure:.2f}"
        lines.append(
            f"| {r.what} | {figure} {r.unit} | {r.target} | {'yes' if r.holds else 'NO'} |"
        )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--only",
        nargs="+",
        choices=CASES,
        default=CASES,
        metavar="CASE",
        help=f"cases to run: {', '.join(CASES)}",
    )
    parser.add_argument("--repeat", type=int, default=3, help="pairs of runs per case")
    parser.add_argument("--screenshots", type=int, default=100)
    parser.add_argument(
        "--first-screenshots",
        type=int,
        default=0,
        help="also time a first build with this many screenshots (slow)",
    )
    parser.add_argument("--incidents", type=int, default=10_000)
    parser.add_argument("--lines", type=int, default=1_000_000, help="WhatsApp export lines")
    parser.add_argument("--chatminer-python", help="a Python with chat-miner's dependencies")
    parser.add_argument(
        "--chatminer-src",
        type=Path,
        help="chat-miner's source folder, if the package is not installed in that Python",
    )
    parser.add_argument("--work", type=Path, help="keep generated cases here (default: temp)")
    parser.add_argument("--json", type=Path, help="also write the results to this file")
    args = parser.parse_args(argv)

    # A 10,000-incident build on a busy machine can take LibreOffice longer than the default.
    os.environ.setdefault("HARASSMENT_PACK_TIMEOUT", "3600")
    # No LibreOffice is kept running between builds (it would escape the measured process
    # tree), except where the rebuild row turns it on.
    os.environ[KEEP_ENV] = "0"
    work = args.work or Path(tempfile.mkdtemp(prefix="hp-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    bench = Bench(args, work)
    steps: dict[str, Callable[[], None]] = {
        "startup": bench.startup,
        "sample": bench.sample,
        "minimal": bench.minimal,
        "rebuild": bench.rebuild,
        "screenshots": bench.screenshots,
        "first-screenshots": bench.first_screenshots,
        "incidents": bench.incidents,
        "load": bench.load,
        "import": bench.import_,
        "check": bench.check,
    }
    load_before = os.getloadavg()
    try:
        for name in CASES:
            if name in args.only:
                print(f"{name} …", flush=True)
                try:
                    steps[name]()
                except SystemExit as failed:  # one case failing (a timeout) does not stop the rest
                    print(f"  {name} could not be measured: {str(failed)[-300:]}", flush=True)
                    bench.failed.append(name)
    finally:
        if not args.work:
            shutil.rmtree(work, ignore_errors=True)
    machine = {
        "cpus": os.cpu_count(),
        "load_average_before": [round(x, 1) for x in load_before],
        "load_average_after": [round(x, 1) for x in os.getloadavg()],
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
    }
    print()
    print(table(bench.results))
    print()
    report = {
        "machine": machine,
        "results": [asdict(r) for r in bench.results],
        "not_measured": bench.failed,
    }
    text = json.dumps(report, indent=2, ensure_ascii=False)
    print(text)
    if args.json:
        args.json.write_text(text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
