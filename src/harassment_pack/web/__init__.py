"""A private web interview on this computer: ``harassment-pack serve``.

Why: most people this tool is for will never open a terminal. The same questionnaires, checks,
evidence and build calls are offered as web pages, served only to this computer (127.0.0.1) and
only to the browser that opened the secret address the server printed (see ``security``).
"""

from __future__ import annotations

import sys
import webbrowser
from collections.abc import Callable
from pathlib import Path

from ..files import make_private_dir

__all__ = ["serve"]


def serve(
    cases_dir: Path,
    *,
    port: int = 0,
    open_browser: bool = True,
    questionnaires: Path | None = None,
    say: Callable[[str], None] = print,
) -> None:
    """Serve the cases in ``cases_dir`` until Ctrl-C; ``port`` 0 picks a free one."""
    from werkzeug.serving import make_server

    from .app import create_app
    from .security import Gate

    make_private_dir(Path(cases_dir))

    def announce(address: str) -> None:
        say(
            "Someone left quickly, so the old address no longer opens your cases. To come "
            f"back, use this new one: {address}"
        )
        sys.stdout.flush()

    gate = Gate(on_new_address=announce)
    app = create_app(cases_dir, gate, questionnaires=questionnaires)
    server = make_server("127.0.0.1", port, app, threaded=True)
    gate.port = server.server_port
    address = f"http://127.0.0.1:{gate.port}{gate.start_path}"
    say("harassment-pack is open in your web browser, on this computer only.")
    say(f"If the browser did not open, copy this address into it: {address}")
    say(f"Your cases are kept in {Path(cases_dir).resolve()}")
    say("Keep this window open while you use it. To stop, press Ctrl-C here or close the window.")
    sys.stdout.flush()
    if open_browser:
        webbrowser.open(address)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        say("Stopped. Everything you answered is saved.")
    finally:
        server.server_close()
