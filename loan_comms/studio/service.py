"""The studio's rules, in one place: who may do what to a draft, and how approval publishes.

    draft ──submit──▶ in_review ──approve (a reviewer who is not the author)──▶ approved: a new release
      ▲                   │  └──reject (with a comment)──▶ rejected ──edit──▶ draft
      └──edit─────────────┘ withdraw ──▶ withdrawn

- Roles come from the users file (users.py): an **editor** writes drafts and submits them, a
  **reviewer** (the compliance role) approves or rejects them, a **viewer** reads. Every method takes
  the acting User and checks the role itself, so no page can forget to.
- **No self-approval**: the author of a draft cannot approve it, whatever roles they have.
- **Only linted wording is published**: a draft with a lint error cannot be submitted, and approval
  lints the whole library with the draft in it before writing the release.
- **Approval publishes**: a new release folder (templating/releases.py) with the draft's parts and a
  manifest naming every template's author and reviewer; then CURRENT moves to it. The next daily
  plan reads it; a plan already running keeps the release it started with.
- **Roll back** is a draft holding an older release's wording: it is reviewed like any other.
- A draft started from a wording that has since been replaced cannot be approved (the reviewer would
  approve a change against text that is no longer published): its author starts again from the new one.
- Every action, and every sign-in (refused ones too), is a row of `studio_audit`.

Replay-safe: approving a draft that a crash left published but not recorded finishes the record
instead of publishing twice.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Callable

import duckdb

from loan_comms import db
from loan_comms.clock import utc_now
from loan_comms.config import LANGUAGES, LifecycleConfig
from loan_comms.errors import LoanCommsError
from loan_comms.studio.checking import Check, DraftRefused, TemplateKey, check_draft, clean_sources
from loan_comms.studio.users import User, load_users, users_file, verify
from loan_comms.templating.catalog import required_templates, template_id
from loan_comms.templating.lint import lint
from loan_comms.templating.releases import (SOURCE_REPOSITORY, SOURCE_STUDIO, Provenance, current_release, library_hash,
                                            point_current, read_library, write_release)
from loan_comms.templating.store import TemplateStore, content_version, repository_templates_dir, studio_dir

DB_NAME = "studio.duckdb"
MAX_FAILED_LOGINS = 5
_VERIFYING = threading.BoundedSemaphore(4)
FAILED_LOGIN_WINDOW = timedelta(minutes=15)


class StudioError(LoanCommsError, ValueError):
    """An action the studio refuses; the message says why and what to do."""

    exit_code = 2
    status = 400


class Forbidden(StudioError):
    status = 403


class NotFound(StudioError):
    status = 404


class Conflict(StudioError):
    status = 409


@dataclass(frozen=True, slots=True)
class Draft:
    draft_id: int
    template_id: str
    base_version: str | None
    sources: dict[str, str]
    version: str
    author: str
    status: str
    rollback_of: str | None
    created_at: datetime
    updated_at: datetime
    submitted_at: datetime | None
    reviewer: str | None
    reviewed_at: datetime | None
    review_comment: str | None
    release: str | None

    @property
    def key(self) -> TemplateKey:
        return TemplateKey.parse(self.template_id)


_DRAFT_COLS = ("draft_id, template_id, base_version, sources, version, author, status, rollback_of, created_at, "
               "updated_at, submitted_at, reviewer, reviewed_at, review_comment, release")


def _draft(row: tuple[Any, ...]) -> Draft:
    vals = list(row)
    vals[3] = json.loads(vals[3])
    return Draft(*vals)


class Studio:
    """The studio's database and published releases, for one config. Thread-safe (one lock): the web
    app calls it from its worker threads."""

    def __init__(self, cfg: LifecycleConfig, directory: Path | None = None, *,
                 clock: Callable[[], datetime] = utc_now) -> None:
        self.cfg = cfg
        self.dir = Path(directory) if directory is not None else studio_dir(cfg)
        self.dir.mkdir(parents=True, exist_ok=True)
        self.clock = clock
        self._lock = threading.RLock()
        try:
            self.con = duckdb.connect(str(self.dir / DB_NAME))
        except duckdb.IOException as exc:
            raise StudioError(f"the studio's database {self.dir / DB_NAME} is in use by another process (a running "
                              "`loan-comms studio serve`): stop it first, or do this from the studio's pages") from exc
        self.con.execute(db.sql("studio/schema"))
        self._published: tuple[str, TemplateStore] | None = None
        self._drift: tuple[tuple[str, str], dict[str, list[str]]] | None = None
        self._checking: dict[str, int] = {}     # name -> sign-ins of that name whose password is being verified

    @classmethod
    def open(cls, cfg: LifecycleConfig, directory: Path | None = None, *,
             clock: Callable[[], datetime] = utc_now) -> "Studio":
        """The studio, with the repository's library imported as the first release when nothing is published yet."""
        studio = cls(cfg, directory, clock=clock)
        try:
            studio.ensure_published()
        except BaseException:
            studio.close()
            raise
        return studio

    def close(self) -> None:
        self.con.close()

    def __enter__(self) -> "Studio":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- the published library -----------------------------------------------------------
    def ensure_published(self) -> None:
        """Import the repository's templates as release 1 (source: repository) when nothing is published."""
        with self._lock:
            if current_release(self.dir) is not None:
                return
            src = repository_templates_dir(self.cfg)
            files = read_library(src)
            store = TemplateStore.from_files(files, self.cfg, name=src.name)
            errors = [p for p in lint(store, self.cfg) if p.is_error]
            if errors:
                raise StudioError(f"the repository's templates ({src}) have {len(errors)} lint error(s), the first: "
                                  f"{errors[0]}; fix them (`loan-comms templates lint`) before starting the studio")
            provenance = {tid: Provenance(tid, t.version, SOURCE_REPOSITORY) for tid, t in store.by_id.items()}
            now = self.clock()
            release = write_release(self.dir, files, provenance, published_at=now, published_by=SOURCE_REPOSITORY)
            point_current(self.dir, release)
            self._record_publications(release.name, store, {tid: ("import", None) for tid in provenance}, now)
            self.log(None, "import", release=release.name, detail=f"{len(provenance)} templates from {src.name}/")

    def repository_drift(self) -> dict[str, list[str]]:
        """How the repository's templates differ from the published release: template ids `changed` in
        the repository (over a repository wording), `new` in it, and `studio` (the published wording came
        from the studio and the repository has another: export it to git, or import over it)."""
        store = self.published()
        files = read_library(repository_templates_dir(self.cfg))
        seen = (library_hash(files), store.dir.name)
        if self._drift is not None and self._drift[0] == seen:
            return self._drift[1]
        repo = TemplateStore.from_files(files, self.cfg, name="repository")
        out: dict[str, list[str]] = {"changed": [], "new": [], "studio": []}
        for tid, t in sorted(repo.by_id.items()):
            pub = store.by_id.get(tid)
            if pub is None:
                out["new"].append(tid)
            elif pub.version != t.version:
                out["studio" if store.provenance_of(tid).source == SOURCE_STUDIO else "changed"].append(tid)
        self._drift = (seen, out)
        return out

    def publish_repository(self, user: User) -> tuple[str | None, list[str], list[str]]:
        """The studio page's way to import (a reviewer: the wording was reviewed in git, and a reviewer
        decides it goes out now); the command line's is `loan-comms studio import` with the server stopped."""
        _need(user, "reviewer", "publish the repository's templates")
        return self.import_repository(user.name)

    def import_repository(self, actor: str, *, over_studio: bool = False) -> tuple[str | None, list[str], list[str]]:
        """Publish the repository's changed and new templates (reviewed in git: source repository) as a new
        release: (release or None when nothing changed, imported ids, ids kept with the studio's wording).
        A studio wording is replaced only with `over_studio`. Refused when the result does not lint."""
        with self._lock:
            drift = self.repository_drift()
            take = drift["changed"] + drift["new"] + (drift["studio"] if over_studio else [])
            kept = [] if over_studio else drift["studio"]
            if not take:
                return None, [], kept
            repo_files = read_library(repository_templates_dir(self.cfg))
            changes: dict[str, str] = {}
            for tid in take:
                key = TemplateKey.parse(tid)
                changes.update({key.path(p): repo_files[key.path(p)] for p in key.parts if key.path(p) in repo_files})
            now = self.clock()
            release, candidate = self._publish(changes, {tid: (SOURCE_REPOSITORY, None, None, None) for tid in take},
                                               now, actor, "the repository's changes", "fix the repository's templates first")
            self._record_publications(release.name, candidate, {tid: ("import", None) for tid in take}, now)
            self.log(actor, "import", release=release.name,
                     detail=f"{len(take)} template(s) from the repository: {', '.join(take[:20])}")
            return release.name, take, kept

    def published(self) -> TemplateStore:
        """The published library, compiled (kept until CURRENT moves)."""
        with self._lock:
            folder = current_release(self.dir)
            if folder is None:
                raise StudioError("nothing is published yet; start the studio once to import the repository's templates")
            if self._published is None or self._published[0] != folder.name:
                self._published = (folder.name, TemplateStore.load(folder, self.cfg))
            return self._published[1]

    def release_name(self) -> str:
        return self.published().dir.name

    def catalog(self) -> list[dict[str, Any]]:
        """Every template a PM can edit: each published one, and each required one not written yet,
        with the config steps that send it."""
        store = self.published()
        purposes: dict[tuple[str, str], str] = {}
        for r in required_templates(self.cfg):
            purposes.setdefault((r.kind, r.channel), r.purpose)
        keys = {(t.kind, t.channel, t.language) for t in store.templates.values()}
        keys |= {(k, ch, lang) for (k, ch) in purposes for lang in LANGUAGES}
        with self._lock:   # one connection for every thread: each use of it holds the lock
            open_drafts: dict[str, int] = dict(self.con.execute(
                "SELECT template_id, count(*) FROM studio_drafts "
                "WHERE status IN ('draft', 'in_review', 'rejected') GROUP BY ALL").fetchall())
        rows: list[dict[str, Any]] = []
        for kind, channel, language in keys:
            t = store.templates.get((kind, channel, language))
            tid = template_id(channel, language, kind)
            prov = store.provenance_of(tid) if t is not None else None
            rows.append({"template_id": tid, "kind": kind, "channel": channel, "language": language,
                         "purpose": purposes.get((kind, channel)), "published": t is not None,
                         "version": t.version if t is not None else None,
                         "author": prov.author if prov else None, "reviewer": prov.reviewer if prov else None,
                         "source": prov.source if prov else None, "approved_at": prov.approved_at if prov else None,
                         "open_drafts": open_drafts.get(tid, 0)})
        order = {(r.kind, r.channel): i for i, r in enumerate(required_templates(self.cfg))}
        lang_rank = {lang: i for i, lang in enumerate(LANGUAGES)}
        rows.sort(key=lambda r: (order.get((r["kind"], r["channel"]), len(order)), r["kind"], r["channel"],
                                 lang_rank.get(r["language"], 9)))
        return rows

    def published_sources(self, tid: str) -> dict[str, str] | None:
        t = self.published().by_id.get(tid)
        return dict(t.sources) if t is not None else None

    # -- sessions and sign-in ------------------------------------------------------------
    def users(self) -> dict[str, User]:
        return load_users(users_file(self.cfg))

    def login(self, name: str, password: str) -> tuple[str, str, User]:
        """(session token, CSRF token, user); refused after MAX_FAILED_LOGINS failures in 15 minutes."""
        now = self.clock()
        with self._lock:
            failed = self.con.execute(
                "SELECT count(*) FROM studio_audit WHERE action = 'login_refused' AND user_name = $n AND happened_at > $since",
                {"n": name[:64], "since": now - FAILED_LOGIN_WINDOW}).fetchone()
            # attempts still being verified count too: sent at once, they would all pass the count above
            checking = self._checking.get(name[:64], 0)
            if failed is not None and failed[0] + checking >= MAX_FAILED_LOGINS:
                self.log(name[:64], "login_blocked", detail="too many attempts")   # not counted: the window is not extended
                raise Forbidden("too many failed sign-ins for this name; wait 15 minutes or ask an administrator")
            self._checking[name[:64]] = checking + 1
        try:
            with _VERIFYING:            # argon2 takes 64 MiB a check: a flood of sign-ins queues, memory stays bounded
                user = verify(self.users(), name, password)
        finally:
            with self._lock:
                self._checking[name[:64]] -= 1
                if not self._checking[name[:64]]:
                    del self._checking[name[:64]]
        with self._lock:
            if user is None:
                self.log(name[:64], "login_refused", detail="wrong name or password")
                raise Forbidden("wrong name or password")
            token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
            self.con.execute("DELETE FROM studio_sessions WHERE expires_at < $now", {"now": now})
            self.con.execute("INSERT INTO studio_sessions VALUES ($h, $u, $c, $now, $exp, $pw)",
                             {"h": _hash(token), "u": user.name, "c": csrf, "now": now,
                              "exp": now + timedelta(minutes=self.cfg.studio.session_minutes),
                              "pw": _hash(user.password_hash)[:16]})
            self.log(user.name, "login")
        return token, csrf, user

    def session(self, token: str) -> tuple[User, str] | None:
        """(user, CSRF token) for a live session of a user still in the users file with the password they
        signed in with (a new password ends every session); None otherwise. A session in use is extended:
        it ends `[studio].session_minutes` after its last use, so a PM typing is not signed out."""
        if not token:
            return None
        now = self.clock()
        with self._lock:
            row = self.con.execute("SELECT user_name, csrf, expires_at, pw_fingerprint FROM studio_sessions "
                                   "WHERE token_hash = $h AND expires_at > $now", {"h": _hash(token), "now": now}).fetchone()
        if row is None:
            return None
        user = self.users().get(row[0])
        if user is None or not hmac.compare_digest(row[3], _hash(user.password_hash)[:16]):
            return None
        until = now + timedelta(minutes=self.cfg.studio.session_minutes)
        if until - row[2] > timedelta(minutes=1):
            with self._lock:
                self.con.execute("UPDATE studio_sessions SET expires_at = $e WHERE token_hash = $h",
                                 {"e": until, "h": _hash(token)})
        return user, row[1]

    def logout(self, token: str, user: User) -> None:
        with self._lock:
            self.con.execute("DELETE FROM studio_sessions WHERE token_hash = $h", {"h": _hash(token)})
            self.log(user.name, "logout")

    # -- drafts --------------------------------------------------------------------------
    def check(self, tid: str, sources: dict[str, str]) -> Check:
        return check_draft(self.cfg, TemplateKey.parse(tid), sources)

    def draft(self, draft_id: int) -> Draft:
        with self._lock:
            row = self.con.execute(f"SELECT {_DRAFT_COLS} FROM studio_drafts WHERE draft_id = $d", {"d": draft_id}).fetchone()
        if row is None:
            raise NotFound(f"there is no draft {draft_id}")
        return _draft(row)

    def drafts(self, *, template: str | None = None, statuses: tuple[str, ...] = ()) -> list[Draft]:
        where, params = [], {}
        if template:
            where.append("template_id = $t")
            params["t"] = template
        if statuses:
            where.append("list_contains($s, status)")
            params["s"] = list(statuses)   # type: ignore[assignment]
        sql = f"SELECT {_DRAFT_COLS} FROM studio_drafts {'WHERE ' + ' AND '.join(where) if where else ''} ORDER BY draft_id DESC"
        with self._lock:
            return [_draft(r) for r in self.con.execute(sql, params).fetchall()]

    def save_draft(self, user: User, tid: str, sources: dict[str, str], *, draft_id: int | None = None,
                   rollback_of: str | None = None) -> Draft:
        """A new draft of `tid` (started from the published wording), or new text for one of the user's own
        drafts that is not in review (a rejected one goes back to draft)."""
        _need(user, "editor", "write drafts")
        try:
            key = TemplateKey.parse(tid)
            text = clean_sources(key, sources)
        except DraftRefused as exc:
            raise StudioError(str(exc)) from exc
        if key.template_id not in {r["template_id"] for r in self.catalog()}:
            raise NotFound(f"{tid} is neither published nor required by config/lifecycle.toml")
        version = content_version(text, key.channel)        # the hash the run would record; no render needed
        now = self.clock()
        with self._lock:
            if draft_id is None:
                published = self.published().by_id.get(key.template_id)
                new_id = self.con.execute("SELECT nextval('studio_draft_ids')").fetchone()[0]  # type: ignore[index]
                self.con.execute(
                    "INSERT INTO studio_drafts (draft_id, template_id, base_version, sources, version, author, status, "
                    "rollback_of, created_at, updated_at) VALUES ($d, $t, $b, $s, $v, $a, 'draft', $r, $now, $now)",
                    {"d": new_id, "t": key.template_id, "b": published.version if published else None,
                     "s": json.dumps(text, ensure_ascii=False), "v": version, "a": user.name, "r": rollback_of, "now": now})
                self.log(user.name, "rollback_draft" if rollback_of else "draft_created", key.template_id, new_id,
                         release=rollback_of, detail=f"version {version}")
                return self.draft(new_id)
            d = self.draft(draft_id)
            if d.template_id != key.template_id:
                raise StudioError(f"draft {draft_id} is a draft of {d.template_id}, not {key.template_id}")
            if d.author != user.name:
                raise Forbidden(f"draft {draft_id} is {d.author}'s; start your own draft from the published wording")
            if d.status not in ("draft", "rejected"):
                raise Conflict(f"draft {draft_id} is {d.status.replace('_', ' ')}; it can no longer be edited")
            # Saved text is written against what is published now (the editor diffs against it): a draft
            # rejected because the wording was published again is redone on the new one and can be approved.
            published = self.published().by_id.get(key.template_id)
            self.con.execute("UPDATE studio_drafts SET sources = $s, version = $v, status = 'draft', updated_at = $now, "
                             "base_version = $b WHERE draft_id = $d",
                             {"s": json.dumps(text, ensure_ascii=False), "v": version, "now": now, "d": draft_id,
                              "b": published.version if published else None})
            self.log(user.name, "draft_saved", d.template_id, draft_id, detail=f"version {version}")
            return self.draft(draft_id)

    def submit(self, user: User, draft_id: int) -> Draft:
        """Send a draft to review; refused while lint finds an error or when it changes nothing."""
        _need(user, "editor", "submit drafts")
        with self._lock:   # checked and changed under one lock: no other action can come in between
            d = self.draft(draft_id)
            if d.author != user.name:
                raise Forbidden(f"draft {draft_id} is {d.author}'s; only its author submits it")
            if d.status != "draft":
                raise Conflict(f"draft {draft_id} is {d.status.replace('_', ' ')}, not a draft")
            check = check_draft(self.cfg, d.key, d.sources)
            if check.errors:
                raise StudioError(f"draft {draft_id} has {len(check.errors)} lint error(s), the first: "
                                  f"{check.errors[0].message}; fix them before submitting")
            if d.sources == self.published_sources(d.template_id):
                raise StudioError(f"draft {draft_id} is the published wording already; change something first")
            self.con.execute("UPDATE studio_drafts SET status = 'in_review', submitted_at = $now, updated_at = $now "
                             "WHERE draft_id = $d", {"now": self.clock(), "d": draft_id})
            self.log(user.name, "submitted", d.template_id, draft_id, detail=f"version {d.version}")
            return self.draft(draft_id)

    def withdraw(self, user: User, draft_id: int) -> Draft:
        with self._lock:   # not between an approval's check and its record (a published draft stays approved)
            d = self.draft(draft_id)
            if d.author != user.name:
                raise Forbidden(f"draft {draft_id} is {d.author}'s; only its author withdraws it")
            self._refuse_if_published(d, "withdrawn")
            if d.status not in ("draft", "in_review", "rejected"):
                raise Conflict(f"draft {draft_id} is {d.status}; there is nothing to withdraw")
            self.con.execute("UPDATE studio_drafts SET status = 'withdrawn', updated_at = $now WHERE draft_id = $d",
                             {"now": self.clock(), "d": draft_id})
            self.log(user.name, "withdrawn", d.template_id, draft_id)
            return self.draft(draft_id)

    def reject(self, user: User, draft_id: int, comment: str) -> Draft:
        with self._lock:   # likewise: a draft another reviewer is approving is not also rejected
            d = self._reviewable(user, draft_id, "reject")
            self._refuse_if_published(d, "rejected")
            if not comment.strip():
                raise StudioError("say why in the comment: the author reads it to fix the draft")
            self.con.execute("UPDATE studio_drafts SET status = 'rejected', reviewer = $u, reviewed_at = $now, "
                             "review_comment = $c, updated_at = $now WHERE draft_id = $d",
                             {"u": user.name, "now": self.clock(), "c": comment.strip()[:2000], "d": draft_id})
            self.log(user.name, "rejected", d.template_id, draft_id, detail=comment.strip()[:200])
            return self.draft(draft_id)

    def approve(self, user: User, draft_id: int, comment: str = "") -> str:
        """Approve and publish: returns the new release's name. The whole library with this draft in it
        must lint clean; the release is written, then CURRENT moves to it."""
        with self._lock:
            d = self.draft(draft_id)
            finished = self._finish_if_published(d, comment)
            if finished:
                return finished
            d = self._reviewable(user, draft_id, "approve")
            store = self.published()
            current = store.by_id.get(d.template_id)
            if (current.version if current else None) != d.base_version:
                raise Conflict(f"{d.template_id} was published again (version {current.version if current else '-'}) "
                               f"after draft {draft_id} was started from {d.base_version}; reject it so its author "
                               "redoes the change on the new wording")
            now = self.clock()
            release, _candidate = self._publish(
                {d.key.path(part): text for part, text in d.sources.items()},
                {d.template_id: (SOURCE_STUDIO, d.author, user.name, d.draft_id)}, now, user.name,
                f"draft {draft_id} in it", "reject the draft with that reason")
            self._approved(user.name, d, release.name, comment, now)
            return release.name

    def rollback(self, user: User, tid: str, release: str) -> Draft:
        """A draft holding the wording `tid` had in `release`, to be reviewed like any change."""
        with self._lock:
            row = self.con.execute("SELECT sources FROM studio_publications WHERE release = $r AND template_id = $t",
                                   {"r": release, "t": tid}).fetchone()
        if row is None:
            raise NotFound(f"release {release} did not publish {tid}")
        return self.save_draft(user, tid, json.loads(row[0]), rollback_of=release)

    def history(self, tid: str) -> list[dict[str, Any]]:
        """Every publication of `tid`, newest first: release, version, kind, author, reviewer, time."""
        with self._lock:
            cur = self.con.execute("SELECT release, version, kind, author, reviewer, approved_at, draft_id "
                                   "FROM studio_publications WHERE template_id = $t ORDER BY release DESC", {"t": tid})
            cols = [c[0] for c in cur.description]
            return [dict(zip(cols, r)) for r in cur.fetchall()]

    def audit_entries(self, limit: int = 300) -> list[dict[str, Any]]:
        with self._lock:
            cur = self.con.execute("SELECT happened_at AS at, user_name, action, template_id, draft_id, release, detail "
                                   "FROM studio_audit ORDER BY audit_id DESC LIMIT $n", {"n": limit})
            cols = [c[0] for c in cur.description]
            return [dict(zip(cols, r)) for r in cur.fetchall()]

    def log(self, user: str | None, action: str, template: str | None = None, draft_id: int | None = None, *,
            release: str | None = None, detail: str | None = None) -> None:
        with self._lock:
            self.con.execute("INSERT INTO studio_audit VALUES (nextval('studio_audit_ids'), $at, $u, $a, $t, $d, $r, $x)",
                             {"at": self.clock(), "u": user, "a": action, "t": template, "d": draft_id,
                              "r": release, "x": detail})

    # -- internals -----------------------------------------------------------------------
    def _reviewable(self, user: User, draft_id: int, verb: str) -> Draft:
        _need(user, "reviewer", f"{verb} drafts")
        d = self.draft(draft_id)
        if d.author == user.name:
            raise Forbidden(f"you wrote draft {draft_id}; another reviewer must {verb} it (no self-approval)")
        if d.status != "in_review":
            raise Conflict(f"draft {draft_id} is {d.status.replace('_', ' ')}, not in review")
        return d

    def _publish(self, changes: dict[str, str], who: dict[str, tuple[str, str | None, str | None, int | None]],
                 now: datetime, by: str, what: str, fix: str) -> tuple[Path, TemplateStore]:
        """The published library with `changes` (relative path -> text) in it, linted whole, written as a new
        release and made current. `who`: template id -> (source, author, reviewer, draft) of the changed ones."""
        store = self.published()
        files = store.files()
        files.update(changes)
        candidate = TemplateStore.from_files(files, self.cfg, name="candidate")
        errors = [p for p in lint(candidate, self.cfg) if p.is_error]
        if errors:
            raise StudioError(f"the library with {what} has {len(errors)} lint error(s), the first: {errors[0]}; {fix}")
        provenance = {tid: store.provenance_of(tid) for tid in store.by_id}
        for tid, (source, author, reviewer, draft) in who.items():
            provenance[tid] = Provenance(tid, candidate.by_id[tid].version, source, author, reviewer,
                                         now.isoformat() if reviewer else None, draft)
        release = write_release(self.dir, files, provenance, published_at=now, published_by=by)
        point_current(self.dir, release)
        return release, candidate

    def _finish_if_published(self, d: Draft, comment: str = "") -> str | None:
        """A draft whose release went out before a crash kept it from being recorded: record it now, with the
        reviewer the release names (whoever acts on the draft next), and return the release."""
        if d.status != "in_review":
            return None
        current = self.published()
        p = current.provenance.get(d.template_id)
        if (p is None or p.draft_id != d.draft_id or p.source != SOURCE_STUDIO or not p.reviewer
                or p.version != d.version):   # draft numbers start again in a new database: the wording must match
            return None
        self._approved(p.reviewer, d, current.dir.name, comment,
                       datetime.fromisoformat(p.approved_at or self.clock().isoformat()))
        return current.dir.name

    def _refuse_if_published(self, d: Draft, verb: str) -> None:
        release = self._finish_if_published(d)
        if release is not None:
            raise Conflict(f"draft {d.draft_id} was already approved and published in release {release} (its record "
                           f"was finished now); it cannot be {verb}")

    def _approved(self, reviewer: str, d: Draft, release: str, comment: str, now: datetime) -> None:
        self.con.execute("BEGIN")
        try:
            self.con.execute("UPDATE studio_drafts SET status = 'approved', reviewer = $u, reviewed_at = $now, "
                             "review_comment = $c, release = $r, updated_at = $now WHERE draft_id = $d",
                             {"u": reviewer, "now": now, "c": comment.strip()[:2000] or None, "r": release,
                              "d": d.draft_id})
            self.con.execute("INSERT INTO studio_publications VALUES ($r, $t, $v, $s, $k, $a, $u, $now, $d)",
                             {"r": release, "t": d.template_id, "v": d.version,
                              "s": json.dumps(d.sources, ensure_ascii=False),
                              "k": "rollback" if d.rollback_of else "edit", "a": d.author, "u": reviewer,
                              "now": now, "d": d.draft_id})
            self.log(reviewer, "approved", d.template_id, d.draft_id, release=release,
                     detail=f"version {d.version}" + (f"; {comment.strip()[:200]}" if comment.strip() else ""))
            self.con.execute("COMMIT")
        except BaseException:
            self.con.execute("ROLLBACK")
            raise

    def _record_publications(self, release: str, store: TemplateStore, what: dict[str, tuple[str, int | None]],
                             now: datetime) -> None:
        for tid, (kind, draft) in what.items():
            t = store.by_id[tid]
            self.con.execute("INSERT INTO studio_publications VALUES ($r, $t, $v, $s, $k, NULL, NULL, $now, $d)",
                             {"r": release, "t": tid, "v": t.version, "s": json.dumps(t.sources, ensure_ascii=False),
                              "k": kind, "now": now, "d": draft})


def _need(user: User, role: str, what: str) -> None:
    if not user.can(role):
        raise Forbidden(f"only a user with the {role} role may {what}; ask an administrator for the role")


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()
