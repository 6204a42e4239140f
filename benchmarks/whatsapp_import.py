"""Time the WhatsApp import on a generated 1,000,000-line export, beside chat-miner's parser.

Real chats reach hundreds of thousands of lines, and a frightened person should not wait
minutes, so the targets are at least 300,000 lines a second and under 200 MB of memory for the
parse-and-filter step (reading every line, counting each sender's messages, keeping the named
sender's 1% with their context). Each measurement runs in its own child process, so its peak
memory (ru_maxrss) is its own. It is a benchmark, not a test: run it by hand.

    .venv/bin/python benchmarks/whatsapp_import.py
    .venv/bin/python benchmarks/whatsapp_import.py --lines 200000 --full-import

chat-miner (MIT) is measured on the same file when it can be imported, either here or by the
Python given with --chatminer-python (install it into a throwaway venv, never into the
project: ``python3 -m venv /tmp/cm && /tmp/cm/bin/pip install chat-miner``).
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

HARASSER = "Sam Doe"
OTHERS = ["Alex Example", "Alex Example", "Jo Bloggs"]
WORDS = [
    "answer", "me", "now", "why", "are", "you", "ignoring", "I", "know", "where", "live", "see",
    "soon", "will", "regret", "this", "everyone", "what", "did", "ok", "fine", "whatever", "call",
    "back", "tonight",
]  # fmt: skip
ROOT = Path(__file__).resolve().parent.parent


def generate(path: Path, lines: int, seed: int = 7) -> int:
    """An Android-style export (dd/mm/yyyy, 24h) with multi-line messages and system lines."""
    rng = random.Random(seed)
    moment = datetime(2023, 1, 2, 8, 0)
    written = 0
    with path.open("w", encoding="utf-8") as out:
        out.write(f"{moment:%d/%m/%Y, %H:%M} - Messages and calls are end-to-end encrypted.\n")
        written += 1
        while written < lines:
            moment += timedelta(seconds=rng.randint(5, 240))
            sender = HARASSER if rng.random() < 0.01 else rng.choice(OTHERS)
            text = " ".join(rng.choices(WORDS, k=rng.randint(2, 14)))
            out.write(f"{moment:%d/%m/%Y, %H:%M} - {sender}: {text}\n")
            written += 1
            if rng.random() < 0.04 and written < lines:
                out.write(" ".join(rng.choices(WORDS, k=rng.randint(1, 8))) + "\n")
                written += 1
    return written


def measure_ours(path: str) -> dict[str, float]:
    """Parse and filter exactly as ``import_export`` does (its own reading function)."""
    from harassment_pack.importers import IMPORTERS, _read, _sender_key
    from harassment_pack.importers.base import ParseOptions

    start = time.perf_counter()
    reading = _read(
        IMPORTERS["whatsapp"],
        "whatsapp",
        Path(path),
        ParseOptions(dayfirst=True),
        frozenset({_sender_key(HARASSER)}),
        None,
        None,
    )
    seconds = time.perf_counter() - start
    return {
        "seconds": seconds,
        "messages": sum(reading.preview.senders.values()),
        "chosen": len(reading.chosen),
        "context": len(reading.context),
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def measure_full(path: str) -> dict[str, float]:
    """The whole import into a copy of samples/minimal: read, register the export, save."""
    from harassment_pack.importers import import_export

    with tempfile.TemporaryDirectory() as folder:
        case = Path(folder) / "case"
        shutil.copytree(ROOT / "samples" / "minimal", case)
        start = time.perf_counter()
        summary = import_export(
            case, "whatsapp", Path(path), senders=[HARASSER], dayfirst=True, assume_yes=True
        )
        seconds = time.perf_counter() - start
    return {
        "seconds": seconds,
        "added": summary.added,
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def measure_chatminer(path: str) -> dict[str, float]:
    import logging

    from chatminer.chatparsers import WhatsAppParser  # type: ignore[import-not-found]

    logging.disable(logging.CRITICAL)
    start = time.perf_counter()
    parser = WhatsAppParser(path)
    parser.parse_file()
    frame = parser.parsed_messages.get_df()
    chosen = int((frame["author"] == HARASSER).sum())
    seconds = time.perf_counter() - start
    return {
        "seconds": seconds,
        "messages": len(frame),
        "chosen": chosen,
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def child(python: str, what: str, path: Path) -> dict[str, float] | str:
    """Run one measurement in a fresh process; its result, or why it could not run."""
    env_path = str(ROOT / "src")
    result = subprocess.run(
        [python, __file__, "--measure", what, str(path)],
        capture_output=True,
        text=True,
        check=False,
        env={"PYTHONPATH": env_path, "PATH": "/usr/bin:/bin"},
    )
    if result.returncode != 0:
        last = (result.stderr.strip().splitlines() or ["no output"])[-1]
        return f"could not run ({last})"
    return json.loads(result.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--chatminer-python", default=sys.executable)
    parser.add_argument("--full-import", action="store_true", help="also time the whole import")
    parser.add_argument("--measure", nargs=2, metavar=("WHAT", "FILE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        what, path = args.measure
        measure = {"ours": measure_ours, "full": measure_full, "chatminer": measure_chatminer}
        print(json.dumps(measure[what](path)))
        return 0

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "WhatsApp Chat with Sam Doe.txt"
        lines = generate(path, args.lines)
        size = path.stat().st_size / 1024 / 1024
        print(f"Generated {lines:,} lines ({size:.0f} MB), 1% of messages from {HARASSER}.")
        runs = [("harassment-pack parse+filter", sys.executable, "ours")]
        if args.full_import:
            runs.append(("harassment-pack whole import", sys.executable, "full"))
        runs.append(("chat-miner WhatsAppParser", args.chatminer_python, "chatminer"))
        for label, python, what in runs:
            result = child(python, what, path)
            if isinstance(result, str):
                print(f"{label}: {result}")
                if what == "chatminer":
                    print(
                        "  chat-miner is not installed for that Python: install it in a "
                        "throwaway venv and pass --chatminer-python (see this file's header)."
                    )
                continue
            rate = lines / result["seconds"]
            details = ", ".join(f"{k} {v:,.0f}" for k, v in result.items()
                                if k not in ("seconds", "peak_mb"))  # fmt: skip
            print(f"{label}: {result['seconds']:.2f} s, {rate:,.0f} lines/s, peak memory "
                  f"{result['peak_mb']:.0f} MB ({details})")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
