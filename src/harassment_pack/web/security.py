"""Who may talk to the local web app: only the browser that opened its secret address.

Why: the app serves someone's account of being harassed from their own computer. Binding to
127.0.0.1 keeps other machines out, but not other programs or users on the same machine, nor a
web page in the same browser that guesses the port. So:

- the server knows one random secret; the address printed and opened carries it once
  (``/start/SECRET``), which swaps it for a per-browser session cookie (HttpOnly, SameSite=Strict);
- every other request needs that cookie, and a Host header naming this server (DNS rebinding);
- every form carries a CSRF token tied to the session, and every POST must come from this
  server's own origin;
- every answer says: no caching, no referrer outside this server (a browser sends "Origin: null"
  under no-referrer, which would hide a forged form), no framing, and load nothing from elsewhere.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field

from flask import Flask, Request, Response, abort, redirect, render_template, request

COOKIE = "hp_session"
PUBLIC_PATHS = ("/away", "/leave", "/static/away.css", "/static/away.js")
"""Open to anyone: the neutral page (and its two files) holds nothing private, and leaving only
ends a session."""

HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; connect-src 'self'"
    ),
    "Cache-Control": "no-store",
    "Referrer-Policy": "same-origin",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
}


@dataclass
class Gate:
    """The secret, the sessions it opened, and the port the server listens on."""

    secret: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    sessions: dict[str, str] = field(default_factory=dict)
    """Session id -> its CSRF token."""
    port: int = 0
    on_new_address: Callable[[str], None] | None = None
    """Told the new start address after someone leaves quickly (the server prints it)."""

    @property
    def start_path(self) -> str:
        return f"/start/{self.secret}"

    def origins(self) -> set[str]:
        return {f"http://127.0.0.1:{self.port}", f"http://localhost:{self.port}"}

    def hosts(self) -> set[str]:
        return {f"127.0.0.1:{self.port}", f"localhost:{self.port}"}

    def csrf_token(self, req: Request) -> str:
        return self.sessions.get(req.cookies.get(COOKIE, ""), "")

    def install(self, app: Flask) -> None:
        """Check every request before it reaches a page, and harden every answer."""

        @app.before_request
        def _guard() -> Response | None:
            if request.host not in self.hosts():
                abort(400, "This address is not the one harassment-pack gave you.")
            if request.path == self.start_path:
                return self._open_session()
            if request.path in PUBLIC_PATHS:
                return None
            session_id = request.cookies.get(COOKIE, "")
            if session_id not in self.sessions:
                # Someone pressing Back after leaving quickly, or anyone else: the neutral page,
                # never a page that says what this is.
                return Response(render_template("away.html"), status=403)
            if request.method not in ("GET", "HEAD"):
                origin = request.headers.get("Origin") or _origin_of(request.referrer)
                if origin not in self.origins():
                    abort(403, "This form was not sent from harassment-pack's own page.")
                sent = request.form.get("csrf", "")
                if not hmac.compare_digest(sent, self.sessions[session_id]):
                    abort(403, "This form is out of date: go back, reload the page and try again.")
            return None

        @app.after_request
        def _harden(response: Response) -> Response:
            for name, value in HEADERS.items():
                response.headers.setdefault(name, value)
            return response

    def leave(self, req: Request) -> None:
        """End this browser's session and retire the start address it may have in its history.

        Whoever opens that old address later (from the history, after she has left quickly)
        gets the neutral page; the server prints a new address for her to come back with.
        """
        self.sessions.pop(req.cookies.get(COOKIE, ""), None)
        self.secret = secrets.token_urlsafe(32)
        if self.on_new_address is not None:
            self.on_new_address(f"http://127.0.0.1:{self.port}{self.start_path}")

    def _open_session(self) -> Response:
        session_id = secrets.token_urlsafe(32)
        self.sessions[session_id] = secrets.token_urlsafe(32)
        response = redirect("/", code=303)
        response.set_cookie(COOKIE, session_id, httponly=True, samesite="Strict", path="/")
        return response


def _origin_of(url: str | None) -> str | None:
    if not url:
        return None
    scheme, _, rest = url.partition("://")
    return f"{scheme}://{rest.split('/', 1)[0]}" if rest else None
