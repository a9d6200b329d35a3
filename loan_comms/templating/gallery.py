"""The preview gallery: one static HTML page showing every template as borrowers would see it.

Product managers open it straight from disk (no server, no external resources, no scripts). Every
piece of template output is escaped; email HTML is shown inside a sandboxed iframe (srcdoc), so a
template can never run anything in the viewer's browser.
"""

from __future__ import annotations

import html
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from loan_comms.config import LANGUAGES, LifecycleConfig
from loan_comms.templating.catalog import required_templates
from loan_comms.templating.lint import lint, template_problems
from loan_comms.templating.problems import Problem
from loan_comms.templating.samples import sample_contexts
from loan_comms.templating.sms import sms_length
from loan_comms.templating.store import CompiledTemplate, RenderError, TemplateStore

_CSS = """
body{font-family:Arial,Helvetica,sans-serif;margin:0;background:#f3f4f6;color:#111827}
header{background:#1f2937;color:#fff;padding:16px 24px}
header h1{margin:0 0 4px;font-size:20px}
main{padding:16px 24px}
nav ul{columns:3;list-style:none;padding:0}
nav a{color:#1f5fa8}
.card{background:#fff;border-radius:8px;padding:16px;margin:16px 0;box-shadow:0 1px 2px rgba(0,0,0,.1)}
.card h2{font-size:17px;margin:0 0 4px}
.meta{color:#4b5563;font-size:13px;margin-bottom:8px}
.badge{display:inline-block;border-radius:4px;padding:1px 6px;font-size:12px;background:#e5e7eb;margin-right:4px}
.error{color:#991b1b;background:#fee2e2}
.warning{color:#92400e;background:#fef3c7}
.problems{list-style:none;padding:0;margin:8px 0}
.problems li{padding:4px 8px;border-radius:4px;margin:2px 0;font-size:13px}
.samples{display:grid;grid-template-columns:repeat(auto-fill,minmax(340px,1fr));gap:12px}
.sample{border:1px solid #e5e7eb;border-radius:6px;padding:8px}
.sample h3{font-size:13px;margin:0 0 6px;color:#374151}
pre{white-space:pre-wrap;word-break:break-word;font-family:inherit;font-size:14px;margin:0;background:#f9fafb;padding:8px;border-radius:4px}
iframe{width:100%;height:380px;border:1px solid #e5e7eb;border-radius:4px;background:#fff}
.subject{font-weight:bold;margin:4px 0}
.fail{color:#991b1b}
"""


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


def _problem_list(problems: list[Problem]) -> str:
    if not problems:
        return '<p class="meta">Lint: no problems.</p>'
    items = "".join(f'<li class="{_e(p.severity)}">{_e(str(p))}</li>' for p in problems)
    return f'<ul class="problems">{items}</ul>'


def _sample_block(t: CompiledTemplate, label: str, ctx: dict[str, Any]) -> str:
    try:
        r = t.render(ctx)
    except RenderError as exc:
        return (f'<div class="sample"><h3>{_e(label)}</h3>'
                f'<p class="fail">Does not render: {_e(exc.reason)}</p></div>')
    parts = [f'<div class="sample" data-sample="{_e(label)}"><h3>{_e(label)}</h3>']
    if t.channel == "sms":
        n = sms_length(r.text)
        parts.append(f'<p class="meta sms-length">{n.chars} chars · {n.segments} segment(s) · {_e(n.encoding)}</p>')
        parts.append(f"<pre>{_e(r.text)}</pre>")
    elif t.channel == "email":
        parts.append(f'<p class="subject">Subject: {_e(r.subject)}</p>')
        parts.append(f"<details><summary>Plain text part</summary><pre>{_e(r.text)}</pre></details>")
        parts.append(f'<iframe sandbox="" title="HTML part" srcdoc="{_e(r.html or "")}"></iframe>')
    else:
        parts.append(f"<pre>{_e(r.text)}</pre>")
    parts.append("</div>")
    return "".join(parts)


def _card(t: CompiledTemplate, problems: list[Problem], cfg: LifecycleConfig) -> str:
    anchor = t.template_id.replace("/", "-")
    n_err = sum(p.is_error for p in problems)
    n_warn = len(problems) - n_err
    files = ", ".join(sorted(t.paths.values()))
    head = (f'<section class="card" id="{_e(anchor)}" data-template-id="{_e(t.template_id)}" '
            f'data-language="{_e(t.language)}" data-channel="{_e(t.channel)}">'
            f"<h2>{_e(t.template_id)}</h2>"
            f'<p class="meta"><span class="badge">{_e(t.channel)}</span><span class="badge">{_e(t.language)}</span>'
            f'version <code>{_e(t.version)}</code> · {_e(files)}'
            f'{f" · <span class=badge error>{n_err} error(s)</span>" if n_err else ""}'
            f'{f" · <span class=badge warning>{n_warn} warning(s)</span>" if n_warn else ""}</p>')
    body = "".join(_sample_block(t, s.label, s.ctx) for s in sample_contexts(t.kind, t.language, cfg))
    return f'{head}{_problem_list(problems)}<div class="samples">{body}</div></section>'


def _order(store: TemplateStore, cfg: LifecycleConfig) -> list[CompiledTemplate]:
    rank = {(r.kind, r.channel): i for i, r in enumerate(required_templates(cfg))}
    lang_rank = {lang: i for i, lang in enumerate(LANGUAGES)}
    return sorted(store.templates.values(),
                  key=lambda t: (rank.get((t.kind, t.channel), len(rank)), t.kind, t.channel,
                                 lang_rank.get(t.language, 9)))


def render_gallery(store: TemplateStore, cfg: LifecycleConfig, problems: list[Problem] | None = None) -> str:
    """The whole gallery page as one HTML string."""
    problems = lint(store, cfg) if problems is None else problems
    templates = _order(store, cfg)
    n_err = sum(p.is_error for p in problems)
    n_warn = len(problems) - n_err
    claimed = {id(p) for t in templates for p in template_problems(problems, t)}
    general = [p for p in problems if id(p) not in claimed]
    toc = "".join(f'<li><a href="#{_e(t.template_id.replace("/", "-"))}">{_e(t.template_id)}</a></li>'
                  for t in templates)
    cards = "".join(_card(t, template_problems(problems, t), cfg) for t in templates)
    stamp = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        "<title>Template gallery</title>"
        f"<style>{_CSS}</style></head><body>"
        f"<header><h1>Borrower message templates</h1>"
        f"<div>{len(templates)} templates · {n_err} lint error(s) · {n_warn} warning(s) · "
        f"samples are invented borrowers · generated {_e(stamp)} from {_e(store.dir.name)}/</div></header>"
        f'<main><section class="card" id="overview"><h2>Library-wide lint</h2>{_problem_list(general)}'
        f"<nav><ul>{toc}</ul></nav></section>{cards}</main></body></html>\n"
    )


def preview(out_dir: Path | str, store: TemplateStore, cfg: LifecycleConfig) -> Path:
    """Write the gallery to out_dir/index.html and return its path."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    path = out / "index.html"
    path.write_text(render_gallery(store, cfg), encoding="utf-8")
    return path
