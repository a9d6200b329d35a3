"""Lint the template library: everything a product manager can get wrong, with file, line and fix.

Runs the start-up checks (files, syntax, variables, filters, coverage) and then renders every
template with every sample borrower to check what the borrower would actually receive: SMS length
and segments, opt-out text, banned phrases, empty parts.
"""

from __future__ import annotations

from pathlib import Path

from loan_comms.config import LifecycleConfig
from loan_comms.templating.catalog import required_templates
from loan_comms.templating.problems import Problem
from loan_comms.templating.samples import sample_contexts
from loan_comms.templating.sms import GSM7_BASIC, GSM7_EXTENDED, sms_length
from loan_comms.templating.store import CompiledTemplate, RenderError, TemplateStore

_SEVERITY_ORDER = {"error": 0, "warning": 1}


def lint(store_or_dir: TemplateStore | Path | str, cfg: LifecycleConfig) -> list[Problem]:
    """Every problem in the library, errors first; an empty list means ready to ship."""
    store = store_or_dir if isinstance(store_or_dir, TemplateStore) else TemplateStore.load(Path(store_or_dir), cfg)
    problems = list(store.problems_at_start())
    required = {(r.kind, r.channel) for r in required_templates(cfg)}
    for key in sorted(store.templates):
        t = store.templates[key]
        if (t.kind, t.channel) not in required:
            first = next(iter(t.paths.values()))
            problems.append(Problem("warning", first, None,
                                    f"{t.template_id} is not used: config/lifecycle.toml sends no '{t.kind}' by {t.channel}",
                                    "delete it, or add the step/channel to config/lifecycle.toml", t.template_id))
        problems.extend(_banned_in_source(t, cfg))
        if not t.broken:
            problems.extend(_sample_checks(t, cfg))
    unique = list(dict.fromkeys(problems))
    unique.sort(key=lambda p: (_SEVERITY_ORDER.get(p.severity, 2), p.path, p.line or 0))
    return unique


def template_problems(problems: list[Problem], t: CompiledTemplate) -> list[Problem]:
    """The problems that concern one template (for the gallery)."""
    paths = set(t.paths.values())
    return [p for p in problems if p.template_id == t.template_id or p.path in paths]


def _banned_in_source(t: CompiledTemplate, cfg: LifecycleConfig) -> list[Problem]:
    out = []
    phrases = [p for p in cfg.templates.banned_phrases if p.strip()]
    for part, source in t.sources.items():
        for lineno, line in enumerate(source.splitlines(), 1):
            low = line.casefold()
            for phrase in phrases:
                if phrase.casefold() in low:
                    out.append(Problem("error", t.paths[part], lineno, f"banned phrase '{phrase}'",
                                       "reword without threats or third parties (see [templates].banned_phrases)",
                                       t.template_id))
    return out


def _sample_checks(t: CompiledTemplate, cfg: LifecycleConfig) -> list[Problem]:
    out: list[Problem] = []
    main = t.paths.get("txt") or next(iter(t.paths.values()))
    max_segments = cfg.templates.sms_max_segments
    phrases = [p for p in cfg.templates.banned_phrases if p.strip()]
    source_text = "\n".join(t.sources.values()).casefold()
    worst = None
    for sample in sample_contexts(t.kind, t.language, cfg):
        try:
            r = t.render(sample.ctx)
        except RenderError as exc:
            out.append(Problem("error", main, None, f"does not render for sample '{sample.label}': {exc.reason}",
                               "guard optional values with {% if ... %} and use only the documented variables",
                               t.template_id))
            continue
        rendered = "\n".join(x for x in (r.subject, r.text, r.html) if x).casefold()
        for phrase in phrases:
            if phrase.casefold() in rendered and phrase.casefold() not in source_text:
                out.append(Problem("error", main, None,
                                   f"banned phrase '{phrase}' appears in the message for sample '{sample.label}'",
                                   "reword the text around the variables", t.template_id))
        opt_out = sample.ctx.get("opt_out_text") or t.opt_out_text
        if t.channel != "sms" and not all(opt_out in x for x in (r.text, r.html) if x is not None):
            out.append(Problem("warning", main, None, f"{t.channel} does not say how to opt out",
                               "add {{ opt_out_text }} (in both the txt and html parts of an email)",
                               t.template_id))
        if t.channel == "sms":
            if opt_out not in r.text:
                out.append(Problem("error", main, None, "SMS does not show the opt-out text",
                                   "end the message with {{ opt_out_text }}", t.template_id))
            length = sms_length(r.text)
            if worst is None or length.segments > worst[0].segments:
                worst = (length, sample.label)
    if worst and worst[0].segments > max_segments:
        length, label = worst
        out.append(Problem("error", main, None,
                           f"SMS is {length.segments} segments ({length}) for sample '{label}'; "
                           f"the maximum is {max_segments}",
                           "shorten the wording (Chinese and any non-GSM character cost 67 chars per segment)",
                           t.template_id))
    if t.channel == "sms" and t.language == "en":
        odd = sorted({c for c in _literal_text(t) if c not in GSM7_BASIC and c not in GSM7_EXTENDED})
        if odd:
            out.append(Problem("warning", main, None,
                               f"English SMS wording uses non-GSM characters {''.join(odd)!r}: every message "
                               "becomes UCS-2 (70 chars per segment instead of 160)",
                               "use plain quotes, hyphens and letters", t.template_id))
    return list(dict.fromkeys(out))


def _literal_text(t: CompiledTemplate) -> str:
    """The template's own wording (outside {{ }} and {% %}), to blame characters on it, not on names."""
    import re

    return re.sub(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", "", t.sources.get("txt", ""), flags=re.S)


def summary(store: TemplateStore, problems: list[Problem]) -> str:
    """The one-line verdict both `templates lint` and the start of every run print."""
    n_err = sum(p.is_error for p in problems)
    return f"{len(store.templates)} templates checked: {n_err} error(s), {len(problems) - n_err} warning(s)"
