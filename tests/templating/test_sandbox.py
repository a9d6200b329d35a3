"""A template can never reach Python internals: lint refuses it, and rendering it never runs it."""

from __future__ import annotations

import pytest

from loan_comms.templating import RenderError, TemplateStore
from loan_comms.templating.env import build_environment
from loan_comms.templating.lint import lint

from .conftest import write

ESCAPES = [
    "{{ ''.__class__.__mro__ }}",
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ cycler.__init__.__globals__ }}",
    "{{ joiner.__init__.__globals__.os }}",
    "{{ first_name.__class__ }}",
    "{{ first_name['__class__'] }}",
    "{{ range.__self__ }}",
    "{{ lipsum.__globals__['os'].popen('id').read() }}",
    "{{ first_name.format.__globals__ }}",
    "{% set x = namespace() %}{{ x }}",
    "{{ self.__init__.__globals__ }}",
    "{{ config }}",
    "{{ request }}",
]


@pytest.mark.parametrize("source", ESCAPES)
def test_escape_attempts_fail_lint_and_never_render(lib, cfg, ctx, source):
    write(lib, "sms/en/dpd_1.txt.j2", f"Hi {{{{ first_name }}}} {source} {{{{ opt_out_text }}}}")
    store = TemplateStore.load(lib, cfg)
    errors = [p for p in lint(store, cfg) if p.is_error and p.path.endswith("sms/en/dpd_1.txt.j2")]
    assert errors, source
    assert store.problems_at_start(), "the flow must refuse to start"
    with pytest.raises(RenderError):
        store.render("dpd_1", "sms", "en", ctx)


@pytest.mark.parametrize("source", ESCAPES + [
    "{{ first_name.upper.__self__.__class__ }}",
    "{{ (first_name|attr('__class__')) }}",
])
def test_raw_environment_refuses_escapes_at_render_time(source, ctx):
    """Even without the static checks, the sandbox itself refuses (defence in depth)."""
    env = build_environment("en", html=False)
    try:
        tmpl = env.from_string(source)
    except Exception:
        return  # refused at compile time (unknown filter/undefined name): never executed
    with pytest.raises(Exception):
        tmpl.render(ctx)


def test_unsafe_call_is_refused_by_the_sandbox(ctx):
    env = build_environment("en", html=False)
    tmpl = env.from_string("{{ first_name.format.__func__ }}{{ ''.join.__self__.__class__.__base__.__subclasses__() }}")
    with pytest.raises(Exception):
        tmpl.render(ctx)


def test_no_globals_reachable():
    env = build_environment("zh-CN", html=True)
    assert env.globals == {}
    assert env.from_string("{{ 1 + 2 }}").render() == "3"


def test_immutable_sandbox_refuses_mutating_context_values(lib, cfg, ctx):
    env = build_environment("en", html=False)
    tmpl = env.from_string("{{ items.append(1) }}")
    with pytest.raises(Exception):
        tmpl.render(items=[])


def test_format_string_attack_is_refused(ctx):
    env = build_environment("en", html=False)
    tmpl = env.from_string("{{ '{0.__class__}'.format(first_name) }}")
    with pytest.raises(Exception):
        tmpl.render(ctx)


def test_set_in_a_template_never_changes_the_callers_context(lib, cfg, ctx):
    write(lib, "sms/en/dpd_1.txt.j2", "{% set first_name = 'X' %}Hi {{ first_name }} {{ opt_out_text }}")
    store = TemplateStore.load(lib, cfg)
    before = dict(ctx)
    out = store.render_many("dpd_1", "sms", "en", [ctx, ctx])
    assert [r.text for r in out] == ["Hi X Reply STOP to opt out"] * 2
    assert ctx == before
