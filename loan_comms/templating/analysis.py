"""Static checks on a parsed template: only documented variables and filters, no internals, no calls.

These run on the source, so a template that would fail (or try something unsafe) for one borrower
in a live run is refused before any run starts, with the file and line.
"""

from __future__ import annotations

from jinja2 import Environment, nodes
from jinja2.exceptions import TemplateAssertionError

from loan_comms.templating.env import ALLOWED_VARIABLES
from loan_comms.templating.problems import Problem


def _names_by_line(ast: nodes.Template) -> dict[str, int]:
    first: dict[str, int] = {}
    for n in ast.find_all(nodes.Name):
        if n.ctx == "load":
            first.setdefault(n.name, n.lineno)
    return first


def static_problems(ast: nodes.Template, env: Environment, path: str, tid: str) -> list[Problem]:
    """Unknown variables, filters and tests; internal attributes; calls; include/import/extends."""
    from jinja2 import meta

    out: list[Problem] = []
    allowed = ", ".join(ALLOWED_VARIABLES)
    lines = _names_by_line(ast)
    try:
        undeclared = meta.find_undeclared_variables(ast)
    except TemplateAssertionError:  # e.g. an unknown filter, reported below; approximate the names
        stored = {n.name for n in ast.find_all(nodes.Name) if n.ctx in ("store", "param")}
        undeclared = set(lines) - stored
    for name in sorted(undeclared - set(ALLOWED_VARIABLES)):
        out.append(Problem("error", path, lines.get(name), f"unknown variable '{name}'",
                           f"use only: {allowed}", tid))
    for f in ast.find_all(nodes.Filter):
        if f.name not in env.filters:
            out.append(Problem("error", path, f.lineno, f"unknown filter '{f.name}'",
                               f"use one of: {', '.join(sorted(env.filters))}", tid))
    for t in ast.find_all(nodes.Test):
        if t.name not in env.tests:
            out.append(Problem("error", path, t.lineno, f"unknown test '{t.name}'",
                               "use 'is defined', 'is none' or a plain {% if %}", tid))
    for g in ast.find_all(nodes.Getattr):
        if g.attr.startswith("_"):
            out.append(Problem("error", path, g.lineno, f"access to internal attribute '{g.attr}' is not allowed",
                               "print the variable itself, or use a filter", tid))
    for gi in ast.find_all(nodes.Getitem):
        if isinstance(gi.arg, nodes.Const) and isinstance(gi.arg.value, str) and gi.arg.value.startswith("_"):
            out.append(Problem("error", path, gi.lineno, f"access to internal item '{gi.arg.value}' is not allowed",
                               "print the variable itself, or use a filter", tid))
    for c in ast.find_all(nodes.Call):
        out.append(Problem("error", path, c.lineno, "templates may not call functions or methods",
                           "use a filter instead, e.g. {{ first_name|upper }}", tid))
    for kind, label in ((nodes.Include, "include"), (nodes.Import, "import"), (nodes.FromImport, "import"),
                        (nodes.Extends, "extends")):
        for n in ast.find_all(kind):
            out.append(Problem("error", path, n.lineno, f"'{label}' is not supported: each file stands alone",
                               "write the wording in this file", tid))
    return out
