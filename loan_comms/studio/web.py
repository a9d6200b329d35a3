"""The studio in the browser (`loan-comms studio serve`): a Starlette app over `Studio` (service.py).

    GET  /login, POST /login, POST /logout          sign in (argon2 hashes from the users file)
    GET  /                                          every template by step, channel and language
    GET  /t/<channel>/<language>/<kind>             the published wording, its history, its drafts
    GET  /t/<channel>/<language>/<kind>/edit        the editor, with a live preview (?draft=N to go on with one)
    POST /t/<channel>/<language>/<kind>/drafts      save a draft (new, or the next text of one's own)
    POST /t/<channel>/<language>/<kind>/rollback    a draft restoring an older release's wording
    GET  /drafts/<n>                                a draft: diff, preview, lint, review
    POST /drafts/<n>/{submit,withdraw,approve,reject}
    GET  /review, GET /audit                        the review queue; the audit of every action
    POST /api/check                                 JSON: lint + sample renders of the text being typed

Only a signed-in user sees anything but the sign-in page: templates and samples included. The
session cookie is HttpOnly and SameSite=Strict and holds a random token (only its hash is stored);
every POST carries the session's CSRF token (a form field, or the X-CSRF-Token header for the
preview) and a cross-origin Origin is refused. Pages load nothing from elsewhere: a strict
Content-Security-Policy (scripts from /static only), no framing. Template text and previews are
escaped by the page templates (autoescape); an email's HTML preview sits in a sandboxed iframe, so a
draft can never run anything in a reviewer's browser. Logs carry paths and statuses only.
"""

from __future__ import annotations

import hmac
import json
import logging
import secrets
from pathlib import Path
from typing import Any, Awaitable, Callable, TypeVar
from urllib.parse import parse_qs, urlencode, urlsplit

from jinja2 import FileSystemLoader, StrictUndefined
from jinja2.sandbox import SandboxedEnvironment
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from loan_comms.studio.checking import Check, DraftRefused, TemplateKey, diff, part_of, render_samples
from loan_comms.studio.service import Forbidden, Studio, StudioError
from loan_comms.studio.users import User, UsersFileError
from loan_comms.templating.catalog import PARTS

log = logging.getLogger(__name__)
HERE = Path(__file__).parent
COOKIE = "studio_session"
LOGIN_COOKIE = "studio_login"
MAX_BODY = 256 * 1024
CSP = ("default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
       "connect-src 'self'; form-action 'self'; frame-src 'self'; frame-ancestors 'none'; base-uri 'none'")
Usage = Callable[[], dict[str, Any]]
R = TypeVar("R", bound=Response)


def _pages() -> SandboxedEnvironment:
    env = SandboxedEnvironment(loader=FileSystemLoader(HERE / "pages"), autoescape=True, undefined=StrictUndefined,
                               trim_blocks=True, lstrip_blocks=True)
    env.filters["when"] = lambda v: v.strftime("%Y-%m-%d %H:%M UTC") if hasattr(v, "strftime") else (v or "")
    return env


async def _body(request: Request, cap: int) -> bytes | None:
    """The request body, or None past `cap` bytes (read in chunks: a huge body is never held whole)."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > cap:
        return None
    out = bytearray()
    async for chunk in request.stream():
        out += chunk
        if len(out) > cap:
            return None
    return bytes(out)


class _Ctx:
    """The signed-in request: who, their session's CSRF token, and the form or JSON they sent."""

    def __init__(self, request: Request, user: User, csrf: str, token: str) -> None:
        self.request, self.user, self.csrf, self.token = request, user, csrf, token
        self.form: dict[str, str] = {}


def create_app(studio: Studio, *, usage: Usage | None = None, secure_cookies: bool = False,
               public_origin: str | None = None) -> Starlette:
    """`public_origin` (e.g. https://studio.lender.example): the address browsers use when the studio is
    behind a TLS proxy, which a POST's Origin must match (else it must match the Host header)."""
    pages = _pages()
    usage = usage or (lambda: {})

    def page(name: str, ctx: _Ctx | None, status: int = 200, **values: Any) -> HTMLResponse:
        body = pages.get_template(name).render(user=ctx.user if ctx else None, csrf=ctx.csrf if ctx else "",
                                               release=studio.release_name(), **values)
        return _secure(HTMLResponse(body, status_code=status))

    def refused(ctx: _Ctx | None, exc: StudioError, back: str = "/") -> HTMLResponse:
        return page("message.html", ctx, exc.status, title="Not done", message=str(exc), back=back)

    async def signed_in(request: Request) -> _Ctx | Response:
        token = request.cookies.get(COOKIE, "")
        try:
            found = await run_in_threadpool(studio.session, token)
        except UsersFileError as exc:   # refused whole (users.py): nobody is signed in until it is fixed
            log.error("studio users file: %s", exc)    # the details for the administrator, not for visitors
            return page("message.html", None, 503, title="Nobody can sign in",
                        message="The studio's users file cannot be read; an administrator must fix it (see the server's log).",
                        back="/login")
        if found is None:
            if request.url.path.startswith("/api/"):   # the editor says so and keeps the text on the page
                return _secure(JSONResponse({"error": "You were signed out. Sign in again in another tab, then keep "
                                                      "typing: your text is still here.", "signed_out": True},
                                            status_code=401))
            nxt = request.url.path + (f"?{request.url.query}" if request.url.query else "") if request.method == "GET" else "/"
            return _secure(RedirectResponse(f"/login?{urlencode({'next': nxt})}", status_code=303))
        ctx = _Ctx(request, found[0], found[1], token)
        if request.method == "POST":
            if not _same_origin(request, public_origin):
                return _secure(Response("cross-origin request refused", status_code=403))
            body = await _body(request, MAX_BODY)
            if body is None:
                return _secure(Response("request too large", status_code=413))
            if request.headers.get("content-type", "").startswith("application/json"):
                sent = request.headers.get("x-csrf-token", "")
            else:
                ctx.form = {k: v[0] for k, v in parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True).items()}
                sent = ctx.form.get("csrf_token", "")
            if not hmac.compare_digest(sent.encode(), ctx.csrf.encode()):
                return _secure(Response("the form expired or did not come from the studio; reload the page and try again",
                                        status_code=403))
            ctx.form["__json__"] = body.decode("utf-8", "replace") if not ctx.form else ""
        return ctx

    def guarded(handler: Callable[[_Ctx], Response]) -> Callable[[Request], Awaitable[Response]]:
        """Signed in (and, for a POST, the CSRF token checked) on the event loop; the handler, which reads the
        studio's database and compiles templates, on a worker thread: an approval never stalls the loop."""
        def run(ctx: _Ctx) -> Response:
            try:
                return handler(ctx)
            except StudioError as exc:
                return refused(ctx, exc, _safe_next(urlsplit(ctx.request.headers.get("referer", "")).path or "/"))

        async def endpoint(request: Request) -> Response:
            ctx = await signed_in(request)
            if isinstance(ctx, Response):
                return ctx
            return await run_in_threadpool(run, ctx)
        return endpoint

    # -- sign in / out -------------------------------------------------------------------
    async def login_page(request: Request) -> Response:
        nonce = secrets.token_urlsafe(24)
        resp = page("login.html", None, next=_safe_next(request.query_params.get("next", "/")), nonce=nonce, error=None)
        resp.set_cookie(LOGIN_COOKIE, nonce, httponly=True, samesite="strict", secure=secure_cookies, max_age=1800)
        return resp

    async def login(request: Request) -> Response:
        body = await _body(request, 8192)
        if body is None:
            return _secure(Response("request too large", status_code=413))
        form = {k: v[0] for k, v in parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True).items()}
        nonce = request.cookies.get(LOGIN_COOKIE, "")
        nxt = _safe_next(form.get("next", "/"))
        if not _same_origin(request, public_origin) or not nonce or not hmac.compare_digest(nonce.encode(), form.get("nonce", "").encode()):
            return page("login.html", None, 403, next=nxt, nonce=nonce, error="The sign-in form expired; please try again.")
        try:
            token, _csrf, _user = await run_in_threadpool(studio.login, form.get("name", "").strip().lower(),
                                                          form.get("password", ""))
        except StudioError as exc:
            return page("login.html", None, exc.status, next=nxt, nonce=nonce, error=str(exc))
        except UsersFileError as exc:
            log.error("studio users file: %s", exc)
            return page("login.html", None, 503, next=nxt, nonce=nonce,
                        error="Nobody can sign in until an administrator fixes the studio's users file.")
        resp = _secure(RedirectResponse(nxt, status_code=303))
        resp.set_cookie(COOKIE, token, httponly=True, samesite="strict", secure=secure_cookies, path="/",
                        max_age=studio.cfg.studio.session_minutes * 60)
        resp.delete_cookie(LOGIN_COOKIE)
        return resp

    def logout(ctx: _Ctx) -> Response:
        studio.logout(ctx.token, ctx.user)
        resp = _secure(RedirectResponse("/login", status_code=303))
        resp.delete_cookie(COOKIE, path="/")
        return resp

    # -- browsing ------------------------------------------------------------------------
    def index(ctx: _Ctx) -> Response:
        q = ctx.request.query_params
        rows = studio.catalog()
        counts = usage()                 # read once per page: the plan's export, re-read only when it changes
        used = counts.get("templates", {})
        for r in rows:
            r["contacts"] = used.get(r["template_id"], {}).get("contacts", 0)
        steps = sorted({r["kind"] for r in rows})
        shown = [r for r in rows if (not q.get("step") or r["kind"] == q["step"])
                 and (not q.get("channel") or r["channel"] == q["channel"])
                 and (not q.get("language") or r["language"] == q["language"])]
        drift = studio.repository_drift()
        return page("index.html", ctx, rows=shown, drift=drift, steps=steps, channels=list(PARTS), languages=["en", "zh-CN"],
                    q=dict(q), days=counts.get("days", studio.cfg.studio.usage_days),
                    usage_at=counts.get("generated_at"), in_review=len(studio.drafts(statuses=("in_review",))))

    def _key(ctx: _Ctx) -> TemplateKey:
        p = ctx.request.path_params
        try:
            return TemplateKey.parse(f"{p['channel']}/{p['language']}/{p['kind']}")
        except DraftRefused as exc:
            raise _NotFound(str(exc)) from exc

    def template(ctx: _Ctx) -> Response:
        key = _key(ctx)
        rows = {r["template_id"]: r for r in studio.catalog()}
        row = rows.get(key.template_id)
        if row is None:
            raise _NotFound(f"{key.template_id} is neither published nor required by the config")
        store = studio.published()
        t = store.by_id.get(key.template_id)
        samples = render_samples(t, studio.cfg) if t is not None and not t.broken else []
        counts = usage()
        used = counts.get("templates", {}).get(key.template_id, {})
        return page("template.html", ctx, key=key, row=row, sources=t.sources if t else {}, samples=samples,
                    history=studio.history(key.template_id), drafts=studio.drafts(template=key.template_id),
                    steps=[f"{row['kind']} ({row['purpose']})"] if row["purpose"] else [], used=used,
                    days=counts.get("days", studio.cfg.studio.usage_days),
                    siblings=_siblings(key))

    def editor(ctx: _Ctx) -> Response:
        key = _key(ctx)
        if not ctx.user.can("editor"):
            raise Forbidden("only a user with the editor role writes drafts; ask an administrator for the role")
        draft_id = ctx.request.query_params.get("draft")
        draft = studio.draft(int(draft_id)) if draft_id and draft_id.isdigit() else None
        if draft is not None and (draft.template_id != key.template_id or draft.author != ctx.user.name):
            raise Forbidden(f"draft {draft.draft_id} is {draft.author}'s draft of {draft.template_id}; "
                            "start your own from the published wording")
        published = studio.published_sources(key.template_id) or {}
        current = studio.published()
        now_version = current.by_id[key.template_id].version if key.template_id in current.by_id else None
        sources = draft.sources if draft else (published or {p: "" for p in key.parts})
        other = _other_language(studio, key)
        return page("edit.html", ctx, key=key, draft=draft, sources=sources, published=published, other=other,
                    stale=draft is not None and draft.base_version != now_version)

    def save(ctx: _Ctx) -> Response:
        key = _key(ctx)
        parts = {p: ctx.form.get(f"part_{p}", "") for p in key.parts}
        draft_id = ctx.form.get("draft_id", "")
        d = studio.save_draft(ctx.user, key.template_id, parts, draft_id=int(draft_id) if draft_id.isdigit() else None)
        if ctx.form.get("then") == "submit":
            d = studio.submit(ctx.user, d.draft_id)
        return _secure(RedirectResponse(f"/drafts/{d.draft_id}", status_code=303))

    def rollback(ctx: _Ctx) -> Response:
        key = _key(ctx)
        d = studio.rollback(ctx.user, key.template_id, ctx.form.get("release", ""))
        return _secure(RedirectResponse(f"/drafts/{d.draft_id}", status_code=303))

    def draft_page(ctx: _Ctx) -> Response:
        d = studio.draft(int(ctx.request.path_params["n"]))
        check = studio.check(d.template_id, d.sources)
        published = studio.published_sources(d.template_id) or {}
        return page("draft.html", ctx, d=d, key=d.key, check=check, changes=diff(published, d.sources, d.key.parts),
                    problems_by_part=_by_part(check, d.key),
                    current_version=(studio.published().by_id[d.template_id].version
                                     if d.template_id in studio.published().by_id else None))

    def draft_action(verb: str) -> Callable[[_Ctx], Response]:
        def act(ctx: _Ctx) -> Response:
            n = int(ctx.request.path_params["n"])
            comment = ctx.form.get("comment", "")
            if verb == "submit":
                studio.submit(ctx.user, n)
            elif verb == "withdraw":
                studio.withdraw(ctx.user, n)
            elif verb == "reject":
                studio.reject(ctx.user, n, comment)
            else:
                studio.approve(ctx.user, n, comment)
            return _secure(RedirectResponse(f"/drafts/{n}", status_code=303))
        return act

    def import_repository(ctx: _Ctx) -> Response:
        release, taken, kept = studio.publish_repository(ctx.user)
        text = (f"Release {release} publishes {len(taken)} template(s) from the repository: {', '.join(taken)}."
                if release else "The published release already has the repository's wording.")
        if kept:
            text += (f" Kept the studio's wording of {', '.join(kept)} (an engineer exports it to git with "
                     "`loan-comms studio export`).")
        return page("message.html", ctx, title="Imported", message=text, back="/", kind="ok")

    def review(ctx: _Ctx) -> Response:
        return page("review.html", ctx, waiting=studio.drafts(statuses=("in_review",)),
                    recent=studio.drafts(statuses=("approved", "rejected"))[:30])

    def audit(ctx: _Ctx) -> Response:
        return page("audit.html", ctx, entries=studio.audit_entries())

    def api_check(ctx: _Ctx) -> Response:
        try:
            data = json.loads(ctx.form.get("__json__") or "{}")
            tid, parts = str(data.get("template_id", "")), data.get("parts", {})
            if not isinstance(parts, dict):
                raise DraftRefused("parts must be an object of part -> text")
            check = studio.check(tid, {str(k): v for k, v in parts.items()})
        except (ValueError, DraftRefused) as exc:
            return _secure(JSONResponse({"error": str(exc)}, status_code=400))
        key = TemplateKey.parse(tid)
        published = studio.published_sources(tid) or {}
        return _secure(JSONResponse(_check_json(check, key, diff(published, {p: str(parts.get(p, "")).replace("\r\n", "\n")
                                                                             for p in key.parts}, key.parts))))

    async def not_found(request: Request, exc: Exception) -> Response:
        return _secure(HTMLResponse("<!DOCTYPE html><title>Not found</title><p>Not found. <a href='/'>Templates</a>",
                                    status_code=404))

    def g(handler: Callable[[_Ctx], Response]) -> Callable[[Request], Awaitable[Response]]:
        return guarded(handler)

    routes = [
        Route("/login", login_page, methods=["GET"]),
        Route("/login", login, methods=["POST"]),
        Route("/logout", g(logout), methods=["POST"]),
        Route("/", g(index), methods=["GET"]),
        Route("/review", g(review), methods=["GET"]),
        Route("/audit", g(audit), methods=["GET"]),
        Route("/api/check", g(api_check), methods=["POST"]),
        Route("/import", g(import_repository), methods=["POST"]),
        Route("/t/{channel}/{language}/{kind}", g(template), methods=["GET"]),
        Route("/t/{channel}/{language}/{kind}/edit", g(editor), methods=["GET"]),
        Route("/t/{channel}/{language}/{kind}/drafts", g(save), methods=["POST"]),
        Route("/t/{channel}/{language}/{kind}/rollback", g(rollback), methods=["POST"]),
        Route("/drafts/{n:int}", g(draft_page), methods=["GET"]),
        *[Route(f"/drafts/{{n:int}}/{verb}", g(draft_action(verb)), methods=["POST"])
          for verb in ("submit", "withdraw", "approve", "reject")],
        Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
    ]
    return Starlette(routes=routes, exception_handlers={404: not_found, _NotFound: not_found})


class _NotFound(Exception):
    pass


def _secure(resp: R) -> R:
    resp.headers["Content-Security-Policy"] = CSP
    resp.headers["X-Frame-Options"] = "DENY"
    resp.headers["X-Content-Type-Options"] = "nosniff"
    resp.headers["Referrer-Policy"] = "same-origin"    # "no-referrer" would make a form's Origin "null"
    resp.headers["Cache-Control"] = "no-store"
    return resp


def _same_origin(request: Request, public_origin: str | None = None) -> bool:
    origin = request.headers.get("origin")
    if not origin or origin == "null":
        return origin is None
    if public_origin:
        return origin.rstrip("/") == public_origin.rstrip("/")
    return urlsplit(origin).netloc == request.headers.get("host", "")


def _safe_next(nxt: str) -> str:
    """Only a path of this site (never //host or a scheme, nor a tab or line end, which a browser drops
    from a URL: "/\\t/host" is "//host" to it): no open redirect after sign-in."""
    return nxt if (nxt.startswith("/") and not nxt.startswith("//") and "\\" not in nxt
                   and not any(ord(c) < 32 or ord(c) == 127 for c in nxt)) else "/"


def _siblings(key: TemplateKey) -> list[TemplateKey]:
    return [TemplateKey(key.channel, lang, key.kind) for lang in ("en", "zh-CN") if lang != key.language]


def _other_language(studio: Studio, key: TemplateKey) -> dict[str, Any] | None:
    """The same step's published wording in the other language, rendered for its samples (shown beside
    the editor so the two languages stay saying the same thing)."""
    for sib in _siblings(key):
        t = studio.published().by_id.get(sib.template_id)
        if t is not None and not t.broken:
            return {"key": sib, "samples": render_samples(t, studio.cfg)}
    return None


def _by_part(check: Check, key: TemplateKey) -> dict[str | None, list[Any]]:
    out: dict[str | None, list[Any]] = {}
    for p in check.problems:
        out.setdefault(part_of(p, key), []).append(p)
    return out


def _check_json(check: Check, key: TemplateKey, changes: list[tuple[str, list[str]]]) -> dict[str, Any]:
    return {
        "template_id": check.template_id, "version": check.version, "errors": len(check.errors),
        "max_segments": check.max_segments,
        "problems": [{"severity": p.severity, "part": part_of(p, key), "line": p.line, "message": p.message,
                      "fix": p.fix} for p in check.problems],
        "samples": [{"label": s.label, "subject": s.subject, "text": s.text, "html": s.html, "error": s.error,
                     "sms": None if s.sms is None else {"chars": s.sms.chars, "segments": s.sms.segments,
                                                        "encoding": s.sms.encoding}} for s in check.samples],
        "diff": [{"part": part, "lines": lines} for part, lines in changes],
    }

