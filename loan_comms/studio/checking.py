"""What a product manager sees while typing: the draft rendered for every sample borrower, the SMS
length and encoding, and every lint problem, from the same lint as `loan-comms templates lint`.

The draft is compiled alone (TemplateStore.from_files with just its parts: about 10 ms, so the
preview can follow the keyboard) and linted with the library's lint; problems about other templates
(the library's coverage) are left out, since the draft cannot fix them. The release check before
publishing (service.approve) lints the whole library with the draft in it.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field

from loan_comms.config import LANGUAGES, LifecycleConfig
from loan_comms.templating.catalog import PARTS, template_path
from loan_comms.templating.lint import lint, template_problems
from loan_comms.templating.problems import Problem
from loan_comms.templating.samples import sample_contexts
from loan_comms.templating.sms import SmsLength, sms_length
from loan_comms.templating.store import CompiledTemplate, RenderError, TemplateStore

MAX_PART_CHARS = 20_000
KIND = re.compile(r"[a-z][a-z0-9_]*")   # as a template file's name has it (store._FILE): dpd_1, pre_due_3


class DraftRefused(ValueError):
    """A draft that cannot even be checked (unknown template, wrong parts, too long): one line for the user."""


@dataclass(frozen=True, slots=True)
class TemplateKey:
    channel: str
    language: str
    kind: str

    @property
    def template_id(self) -> str:
        return f"{self.channel}/{self.language}/{self.kind}"

    @property
    def parts(self) -> tuple[str, ...]:
        return PARTS[self.channel]

    def path(self, part: str) -> str:
        return template_path(self.channel, self.language, self.kind, part)

    @classmethod
    def parse(cls, tid: str) -> "TemplateKey":
        bits = tid.split("/")
        if len(bits) != 3 or bits[0] not in PARTS or bits[1] not in LANGUAGES or not KIND.fullmatch(bits[2]):
            raise DraftRefused(f"'{tid[:80]}' is not a template id (<channel>/<language>/<kind>, e.g. sms/en/dpd_1)")
        return cls(bits[0], bits[1], bits[2])


@dataclass(frozen=True, slots=True)
class SampleView:
    label: str
    subject: str | None = None
    text: str | None = None
    html: str | None = None
    sms: SmsLength | None = None
    error: str | None = None


@dataclass(slots=True)
class Check:
    template_id: str
    version: str
    problems: list[Problem] = field(default_factory=list)
    samples: list[SampleView] = field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.is_error]

    @property
    def max_segments(self) -> int:
        return max((s.sms.segments for s in self.samples if s.sms), default=0)


def clean_sources(key: TemplateKey, sources: dict[str, str]) -> dict[str, str]:
    """The parts of `key`'s channel, with line ends made \\n (a browser sends \\r\\n): refused when a
    part is missing, unknown or too long."""
    unknown = sorted(set(sources) - set(key.parts))
    if unknown:
        raise DraftRefused(f"{key.channel} templates have parts {', '.join(key.parts)}; not {', '.join(unknown)}")
    out = {}
    for part in key.parts:
        text = sources.get(part)
        if not isinstance(text, str):
            raise DraftRefused(f"the {part} part of {key.template_id} is missing")
        if len(text) > MAX_PART_CHARS:
            raise DraftRefused(f"the {part} part is {len(text)} characters; the most a part may have is {MAX_PART_CHARS}")
        out[part] = text.replace("\r\n", "\n").replace("\r", "\n")
    return out


def compile_draft(cfg: LifecycleConfig, key: TemplateKey, sources: dict[str, str]) -> tuple[TemplateStore, CompiledTemplate]:
    store = TemplateStore.from_files({key.path(p): t for p, t in sources.items()}, cfg, name="draft")
    return store, store.by_id[key.template_id]


def check_draft(cfg: LifecycleConfig, key: TemplateKey, sources: dict[str, str]) -> Check:
    """Lint and render one draft for every sample borrower of its language."""
    store, t = compile_draft(cfg, key, clean_sources(key, sources))
    problems = template_problems(lint(store, cfg), t)
    return Check(key.template_id, t.version, problems, render_samples(t, cfg) if not t.broken else [])


def render_samples(t: CompiledTemplate, cfg: LifecycleConfig) -> list[SampleView]:
    out = []
    for s in sample_contexts(t.kind, t.language, cfg):
        try:
            r = t.render(s.ctx)
        except RenderError as exc:
            out.append(SampleView(s.label, error=exc.reason))
            continue
        out.append(SampleView(s.label, subject=r.subject, text=r.text, html=r.html,
                              sms=sms_length(r.text) if t.channel == "sms" else None))
    return out


def part_of(problem: Problem, key: TemplateKey) -> str | None:
    """Which part's text a problem points into (its file), for showing it beside that box."""
    for part in key.parts:
        if problem.path.endswith("/" + key.path(part)) or problem.path == key.path(part):
            return part
    return None


def diff(old: dict[str, str], new: dict[str, str], parts: tuple[str, ...]) -> list[tuple[str, list[str]]]:
    """(part, unified diff lines) for every part that changed; [] when nothing did."""
    out = []
    for part in parts:
        a, b = old.get(part, ""), new.get(part, "")
        if a != b:
            lines = list(difflib.unified_diff(a.splitlines(), b.splitlines(), "published", "draft", lineterm="", n=2))
            out.append((part, lines[2:]))
    return out
