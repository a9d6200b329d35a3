"""The compiled template library: load once, render many, never let one bad row stop a batch.

Files live at templates/<channel>/<language>/<kind>.<part>.j2 (part: txt for sms and letter;
subject, txt and html for email). template_id is <channel>/<language>/<kind>; template_version is
the first 12 hex chars of sha256 over the parts' bytes (subject, txt, html order), so a complaint
can be traced to the exact wording that was sent.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

from jinja2 import Template, TemplateSyntaxError
from jinja2.exceptions import SecurityError, TemplateError, UndefinedError
from jinja2.runtime import new_context
from jinja2.sandbox import ImmutableSandboxedEnvironment

from loan_comms.config import LANGUAGES, LifecycleConfig
from loan_comms.templating.analysis import static_problems
from loan_comms.templating.batch import CHUNK, ContextBatch, LoopTemplate, RenderedBatch, loop_template
from loan_comms.templating.catalog import PARTS, required_templates, template_id
from loan_comms.templating.env import FilterError, build_environment
from loan_comms.templating.problems import Problem

if TYPE_CHECKING:
    from loan_comms.templating.releases import Provenance

# How to stop each channel, in each language; SMS wording uses the config's opt-out keywords.
OPT_OUT_TEXT: dict[tuple[str, str], str] = {
    ("en", "sms"): "Reply STOP to opt out",
    ("zh-CN", "sms"): "回复TD退订",
    ("en", "email"): "To stop these emails, reply UNSUBSCRIBE to this message.",
    ("zh-CN", "email"): "如不想再收到此类邮件，请直接回复“退订”。",
    ("en", "letter"): "If you would rather not receive letters, call our help line and we will stop them.",
    ("zh-CN", "letter"): "如不希望再收到信函，请致电客服热线，我们将停止寄送。",
}

# The confirmation of an opt-out (issue 12) cannot offer to stop what just stopped: its
# `opt_out_text` says how to come back instead (START / 订阅 re-subscribes: an opt_in reply).
RESUBSCRIBE_TEXT: dict[tuple[str, str], str] = {
    ("en", "sms"): "Reply START to resubscribe",
    ("zh-CN", "sms"): "回复START可重新订阅",
    ("en", "email"): "To receive these emails again, reply START to this message.",
    ("zh-CN", "email"): "如需重新接收此类邮件，请直接回复“START”。",
}
CONFIRMATION_KINDS: frozenset[str] = frozenset({"opt_out_confirmation"})


def opt_out_text(language: str, channel: str, kind: str) -> str:
    """The `opt_out_text` a template of `kind` shows: how to stop the channel, or for the
    confirmation of an opt-out, how to resubscribe."""
    if kind in CONFIRMATION_KINDS and (language, channel) in RESUBSCRIBE_TEXT:
        return RESUBSCRIBE_TEXT[(language, channel)]
    return OPT_OUT_TEXT[(language, channel)]


_FILE = re.compile(r"^(?P<channel>[^/]+)/(?P<language>[^/]+)/(?P<kind>[a-z][a-z0-9_]*)\.(?P<part>[a-z]+)\.j2$")


class RenderError(Exception):
    """A message that cannot be rendered; the reason names the template and line, never borrower data."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class Rendered:
    template_id: str
    template_version: str
    language: str  # the language actually used (after fallback)
    subject: str | None
    text: str
    html: str | None


@dataclass(slots=True)
class CompiledTemplate:
    """All parts of one (channel, language, kind), compiled; `broken` says why it cannot render."""

    channel: str
    language: str
    kind: str
    paths: dict[str, str] = field(default_factory=dict)  # part -> display path
    sources: dict[str, str] = field(default_factory=dict)
    compiled: dict[str, Template] = field(default_factory=dict)
    loops: dict[str, LoopTemplate | None] = field(default_factory=dict)  # part -> its batch form (batch.py)
    version: str = ""
    broken: str | None = None

    @property
    def template_id(self) -> str:
        return template_id(self.channel, self.language, self.kind)

    @property
    def opt_out_text(self) -> str:
        return opt_out_text(self.language, self.channel, self.kind)

    def render(self, ctx: dict[str, Any]) -> Rendered:
        if self.broken:
            raise RenderError(f"{self.template_id}: {self.broken}")
        if "opt_out_text" not in ctx:
            ctx = {**ctx, "opt_out_text": self.opt_out_text}
        part = "txt"
        try:
            c = self.compiled
            text = _render(c["txt"], ctx).strip()
            subject = html = None
            if self.channel == "email":
                part = "subject"
                subject = " ".join(_render(c["subject"], ctx).split())
                part = "html"
                html = _render(c["html"], ctx).strip()
        except Exception as exc:  # noqa: BLE001 - every failure becomes a RenderError for this row
            raise RenderError(self._reason(exc, part)) from None
        if not text or (self.channel == "email" and not subject):
            raise RenderError(f"{self.template_id}: rendered {'subject' if text else 'text'} is empty")
        return Rendered(self.template_id, self.version, self.language, subject, text, html)

    def render_batch(self, batch: ContextBatch) -> RenderedBatch:
        """Every context of `batch`, as `render` would render each: chunks of up to CHUNK rows in one
        pass of the loop form of each part (batch.py); a chunk that raises, prints the separator or
        renders an empty text or subject goes row by row through `render`, so each bad row gets its
        own RenderError, exactly as render_many gives it."""
        n = len(batch)
        if self.broken:
            return RenderedBatch(self.template_id, self.version, self.language, [None] * n, [None] * n, [None] * n,
                                 [f"{self.template_id}: {self.broken}"] * n)
        text: list[str | None] = []
        subject: list[str | None] = []
        html: list[str | None] = []
        error: list[str | None] = []
        for start in range(0, n, CHUNK):
            stop = min(start + CHUNK, n)
            looped = self._render_looped(batch, start, stop)
            if looped is not None:
                text += looped[0]
                subject += looped[1]
                html += looped[2]
                error += [None] * (stop - start)
                continue
            for i in range(start, stop):
                try:
                    r = self.render(batch.row(i))
                    row: tuple[str | None, ...] = (r.text, r.subject, r.html, None)
                except RenderError as exc:
                    row = (None, None, None, exc.reason)
                for column, value in zip((text, subject, html, error), row):
                    column.append(value)
        return RenderedBatch(self.template_id, self.version, self.language, subject, text, html,
                             error if any(e is not None for e in error) else None)

    def _render_looped(self, batch: ContextBatch, start: int,
                       stop: int) -> tuple[list[str], list[str | None], list[str | None]] | None:
        """Rows start..stop through the loop form of each part, finished as `render` finishes a row
        (stripped, the subject on one line); None when the chunk must go row by row."""
        email = self.channel == "email"
        parts = ("txt", "subject", "html") if email else ("txt",)
        extra = {"opt_out_text": self.opt_out_text}
        raw: dict[str, list[str]] = {}
        try:
            for part in parts:
                loop = self.loops.get(part)
                if loop is None:
                    return None
                got = loop.render(batch.rows(loop.names, start, stop, extra))
                if got is None:
                    return None
                raw[part] = got
        except Exception:  # noqa: BLE001 - the row-by-row pass names the row and the reason
            return None
        text = [s.strip() for s in raw["txt"]]
        if not all(text):
            return None
        if not email:
            return text, [None] * len(text), [None] * len(text)
        subject: list[str | None] = [" ".join(s.split()) for s in raw["subject"]]
        if not all(subject):
            return None
        html: list[str | None] = [s.strip() for s in raw["html"]]
        return text, subject, html

    def _reason(self, exc: BaseException, part: str) -> str:
        path = self.paths.get(part, part)
        line = _template_line(exc, path)
        where = f"{path}:{line}" if line else path
        if isinstance(exc, SecurityError):
            what = f"refused by the sandbox: {exc}"
        elif isinstance(exc, (UndefinedError, FilterError)):
            what = str(exc)
        elif isinstance(exc, TemplateError):
            what = f"{type(exc).__name__}: {exc}"
        else:  # arbitrary exception text could echo borrower data: name the type only
            what = f"{type(exc).__name__} while rendering"
        return f"{self.template_id} ({where}): {what}"


def _render(tmpl: Template, ctx: dict[str, Any]) -> str:
    """Template.render without its per-call copy of the (empty) globals: the context is used as is.

    Safe because templates cannot write to their context ({% set %} writes to a local scope), and
    errors still get Jinja's traceback rewrite, so they point at the template line.
    """
    try:
        return "".join(tmpl.root_render_func(new_context(tmpl.environment, tmpl.name, tmpl.blocks, ctx, True)))
    except Exception:
        tmpl.environment.handle_exception()
        raise  # handle_exception always raises; keeps type checkers happy


def _template_line(exc: BaseException, filename: str) -> int | None:
    """Line in the template where `exc` happened (Jinja rewrites tracebacks to template lines)."""
    line = None
    tb = exc.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == filename:
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


def content_version(sources: dict[str, str], channel: str) -> str:
    """template_version: the first 12 hex chars of sha256 over the parts in order (what a contact records)."""
    h = hashlib.sha256()
    for part in PARTS[channel]:
        if part in sources:
            h.update(sources[part].encode("utf-8"))
    return h.hexdigest()[:12]


def is_template_file(rel: str) -> bool:
    """Whether a relative path is a template file of the library's layout (<channel>/<language>/<kind>.<part>.j2)."""
    m = _FILE.match(rel)
    if m is None:
        return False
    return m.group("channel") in PARTS and m.group("language") in LANGUAGES and m.group("part") in PARTS[m.group("channel")]


def _from_root(path: str) -> Path:
    from loan_comms.paths import REPO_ROOT

    p = Path(path)
    return p if p.is_absolute() else REPO_ROOT / p


def repository_templates_dir(cfg: LifecycleConfig) -> Path:
    """[templates].dir from the config (the library kept in git); relative to the repository root."""
    return _from_root(cfg.templates.dir)


def studio_dir(cfg: LifecycleConfig) -> Path:
    """[studio].dir: the studio's drafts database and published releases; relative to the repository root."""
    return _from_root(cfg.studio.dir)


def templates_dir(cfg: LifecycleConfig) -> Path:
    """The library a run reads: the studio's published release when there is one (releases.py),
    otherwise [templates].dir. Resolve it once per run and keep the path: a release is never changed,
    so a run that started on it keeps its wording when the studio publishes another."""
    from loan_comms.templating.releases import current_release

    published = current_release(studio_dir(cfg))
    return published if published is not None else repository_templates_dir(cfg)


class TemplateStore:
    """Every template compiled once, with a render path that costs a few microseconds per message."""

    def __init__(self, templates_dir: Path, cfg: LifecycleConfig) -> None:
        self.dir = Path(templates_dir)
        self.cfg = cfg
        self.default_language = cfg.general.default_language
        self.templates: dict[tuple[str, str, str], CompiledTemplate] = {}  # (kind, channel, language)
        self._load_problems: list[Problem] = []
        self.provenance: dict[str, Provenance] = {}     # template_id -> who wrote/approved it (a release's manifest)
        self._envs: dict[tuple[str, bool], ImmutableSandboxedEnvironment] = {
            (lang, html): build_environment(lang, html) for lang in LANGUAGES for html in (False, True)
        }

    # -- loading ---------------------------------------------------------------------------
    @classmethod
    def load(cls, templates_dir: Path, cfg: LifecycleConfig) -> "TemplateStore":
        """Read and compile every template under `templates_dir`; problems are kept, not raised."""
        store = cls(templates_dir, cfg)
        store._scan()
        return store

    def display_path(self, rel: str) -> str:
        return f"{self.dir.name}/{rel}"

    def env(self, language: str, html: bool) -> ImmutableSandboxedEnvironment:
        return self._envs[(language, html)]

    @classmethod
    def from_files(cls, files: dict[str, str], cfg: LifecycleConfig, *, name: Path | str = "templates",
                   provenance: "dict[str, Provenance] | None" = None) -> "TemplateStore":
        """A library held in memory (relative path -> text), checked and compiled exactly as one read from
        disk: the studio previews and lints a draft, and checks a release before publishing it, this way."""
        store = cls(Path(name), cfg)
        store.provenance = dict(provenance or {})
        for rel in sorted(files):
            store._add_file(rel, partial(files.__getitem__, rel))
        store._compile_all()
        return store

    def _scan(self) -> None:
        from loan_comms.templating.releases import read_manifest

        if not self.dir.is_dir():
            self._load_problems.append(Problem("error", str(self.dir), None, "templates directory not found",
                                               "create it or set [templates].dir in config/lifecycle.toml"))
            return
        self.provenance = read_manifest(self.dir)
        for path in sorted(self.dir.rglob("*")):
            if path.is_dir():
                continue
            rel = path.relative_to(self.dir).as_posix()
            if not rel.endswith(".j2"):
                continue  # README.md, manifest.json and friends
            self._add_file(rel, partial(path.read_text, encoding="utf-8"))
        self._compile_all()
        self._check_release()

    def _check_release(self) -> None:
        """A release folder holds exactly the templates its manifest names (and, _compile_all, the versions)."""
        if self.provenance:                         # a release: exactly the templates its manifest names
            for tid, ct in self.by_id.items():
                if tid not in self.provenance:
                    self._problem("error", next(iter(ct.paths.values())), None,
                                  f"{tid} is in the release folder but not in its manifest: it was added by hand, "
                                  "never reviewed", "delete the file; publish new wording through the studio", tid)
                    ct.broken = ct.broken or "not in the release's manifest"
            for tid in sorted(set(self.provenance) - set(self.by_id)):
                self._problem("error", self.display_path(tid), None,
                              f"{tid} was published in this release but its files are missing: removed by hand",
                              "restore the release folder as published (or publish a release without it)", tid)

    def _add_file(self, rel: str, read: Callable[[], str]) -> None:
        shown = self.display_path(rel)
        m = _FILE.match(rel)
        if not m:
            self._problem("error", shown, None, "file name does not follow <channel>/<language>/<kind>.<part>.j2",
                          "rename it, e.g. sms/en/dpd_1.txt.j2 or email/zh-CN/pre_due_3.subject.j2")
            return
        channel, language, kind, part = m.group("channel", "language", "kind", "part")
        if channel not in PARTS:
            self._problem("error", shown, None, f"unknown channel folder '{channel}'",
                          f"use one of: {', '.join(PARTS)} (call and visit carry no text)")
            return
        if language not in LANGUAGES:
            self._problem("error", shown, None, f"unknown language folder '{language}'",
                          f"use one of: {', '.join(LANGUAGES)}")
            return
        if part not in PARTS[channel]:
            self._problem("error", shown, None, f"'{part}' is not a part of a {channel} template",
                          f"{channel} templates have parts: {', '.join(PARTS[channel])}")
            return
        try:
            source = read()
        except UnicodeDecodeError:
            self._problem("error", shown, None, "file is not UTF-8 text", "save it as UTF-8")
            return
        t = self.templates.setdefault((kind, channel, language), CompiledTemplate(channel, language, kind))
        t.paths[part] = shown
        t.sources[part] = source

    def _compile_all(self) -> None:
        for t in self.templates.values():
            self._compile(t)
        for tid, p in self.provenance.items():     # a published file edited by hand is not what was approved
            ct = self.by_id.get(tid)
            if ct is not None and p.version != ct.version:
                first = next(iter(ct.paths.values()))
                self._problem("error", first, None,
                              f"{tid} differs from the version {p.version} approved by {p.reviewer or 'review'}: "
                              "a published release was changed by hand",
                              "publish wording through the studio; restore the release folder as published", tid)
                ct.broken = ct.broken or "changed after approval"

    @property
    def by_id(self) -> dict[str, CompiledTemplate]:
        return {t.template_id: t for t in self.templates.values()}

    def provenance_of(self, tid: str) -> "Provenance":
        """Who wrote and approved the wording `tid` as loaded: the release's manifest, else the repository."""
        from loan_comms.templating.releases import SOURCE_REPOSITORY, Provenance

        t = self.by_id.get(tid)
        version = t.version if t is not None else ""
        p = self.provenance.get(tid)
        return p if p is not None else Provenance(tid, version, SOURCE_REPOSITORY)

    def files(self) -> dict[str, str]:
        """The library as relative path -> text (what a release is written from)."""
        prefix = f"{self.dir.name}/"
        return {t.paths[part][len(prefix):] if t.paths[part].startswith(prefix) else t.paths[part]: src
                for t in self.templates.values() for part, src in t.sources.items()}

    def _problem(self, severity: str, path: str, line: int | None, message: str, fix: str,
                 tid: str | None = None) -> None:
        self._load_problems.append(Problem(severity, path, line, message, fix, tid))

    def _compile(self, t: CompiledTemplate) -> None:
        t.version = content_version(t.sources, t.channel)
        tid = t.template_id
        for part in PARTS[t.channel]:
            if part not in t.sources:
                shown = self.display_path(f"{t.channel}/{t.language}/{t.kind}.{part}.j2")
                self._problem("error", shown, None, f"{t.channel} template {tid} has no {part} part",
                              f"add {shown} (an email needs subject, txt and html)", tid)
                t.broken = t.broken or f"missing part {part}"
        for part, source in t.sources.items():
            env = self.env(t.language, part == "html")
            shown = t.paths[part]
            try:
                ast = env.parse(source, name=tid, filename=shown)
            except TemplateSyntaxError as exc:
                self._problem("error", shown, exc.lineno, f"syntax error: {exc.message}",
                              "check the {{ }} / {% %} pairs on that line", tid)
                t.broken = t.broken or f"syntax error in {shown}:{exc.lineno}"
                continue
            found = static_problems(ast, env, shown, tid)
            self._load_problems.extend(found)
            if any(p.is_error for p in found):
                t.broken = t.broken or f"{found[0].message} ({shown}:{found[0].line})"
                continue
            try:
                code = env.compile(source, name=tid, filename=shown)
                t.compiled[part] = env.template_class.from_code(env, code, env.make_globals(None), None)
            except TemplateSyntaxError as exc:
                self._problem("error", shown, exc.lineno, f"cannot compile: {exc.message}",
                              "fix the expression on that line", tid)
                t.broken = t.broken or f"cannot compile {shown}:{exc.lineno}"
                continue
            try:   # the batch form; without one the part renders row by row (same wording, slower)
                t.loops[part] = loop_template(env, source, tid, shown)
            except TemplateError:
                t.loops[part] = None

    # -- checks ----------------------------------------------------------------------------
    def problems_at_start(self) -> list[Problem]:
        """File, syntax, variable/filter and coverage problems: cheap enough to run before every flow."""
        out = list(self._load_problems)
        default = self.default_language
        for req in required_templates(self.cfg):
            for language in LANGUAGES:
                if (req.kind, req.channel, language) in self.templates:
                    continue
                shown = self.display_path(f"{req.channel}/{language}/{req.kind}.{PARTS[req.channel][0]}.j2")
                tid = template_id(req.channel, language, req.kind)
                if language == default:
                    out.append(Problem("error", shown, None,
                                       f"required {req.purpose} template {tid} is missing in the default language",
                                       f"create {shown} (config step '{req.kind}' sends {req.channel})", tid))
                else:
                    fb = template_id(req.channel, default, req.kind)
                    out.append(Problem("warning", shown, None,
                                       f"translation {tid} is missing; {language} borrowers get {fb}",
                                       f"add {shown}", tid))
        return out

    # -- rendering -------------------------------------------------------------------------
    def resolve(self, kind: str, channel: str, language: str) -> CompiledTemplate:
        """The template a borrower of `language` gets: their own, else the default language's."""
        t = self.templates.get((kind, channel, language)) or \
            self.templates.get((kind, channel, self.default_language))
        if t is None:
            raise RenderError(f"no template for {channel}/{language}/{kind} "
                              f"(nor in the default language {self.default_language})")
        return t

    def render(self, kind: str, channel: str, language: str, ctx: dict[str, Any]) -> Rendered:
        """One message; raises RenderError(reason) on any problem."""
        return self.resolve(kind, channel, language).render(ctx)

    def render_many(self, kind: str, channel: str, language: str,
                    ctxs: list[dict[str, Any]]) -> list[Rendered | RenderError]:
        """A batch of one (kind, channel, language); a bad row yields its RenderError in its place."""
        try:
            t = self.resolve(kind, channel, language)
        except RenderError as exc:
            return [exc] * len(ctxs)
        render = t.render
        out: list[Rendered | RenderError] = []
        append = out.append
        for ctx in ctxs:
            try:
                append(render(ctx))
            except RenderError as exc:
                append(exc)
        return out

    def render_batch(self, kind: str, channel: str, language: str, batch: ContextBatch) -> RenderedBatch:
        """A group of one (kind, channel, language) by column (batch.py): the planner's path. The same
        wording and errors as render_many over batch.row(i), in a fraction of the time."""
        try:
            t = self.resolve(kind, channel, language)
        except RenderError as exc:
            n = len(batch)
            return RenderedBatch(None, None, None, [None] * n, [None] * n, [None] * n, [exc.reason] * n)
        return t.render_batch(batch)

    def ids(self) -> list[str]:
        return sorted(t.template_id for t in self.templates.values())
