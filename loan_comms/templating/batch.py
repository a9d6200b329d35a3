"""Rendering many contacts of one template at once, with exactly the wording of one-at-a-time.

Why: a render per message pays for a Context, a generator and a join every time (about 8 µs for a
three-part email), and building each contact's dict of variables costs as much again. A day at
lender scale renders hundreds of thousands of messages, so here

- the contexts of a group of contacts come by column (`ContextBatch`): a template variable is a
  column of values (from Arrow, converted only when a template reads it) or one constant;
- each template part is also compiled as a loop (`LoopTemplate`): its own parsed body, unchanged,
  inside `{% for <its variables> in _rows %}...{% endfor %}` with a separator after each row, in the
  same sandboxed environment (the sandbox, autoescape, finalize and filters are the row template's);
  up to CHUNK rows render in one call and the output is split on the separator.

The body is wrapped as nodes, not as text, so nothing in a template's source can change how the
wrapper parses, and each row's output is what the row template prints for that row. A template whose
body could mean something else inside a loop (blocks, macros, `loop` or any name that is not a
documented variable) is never looped: it renders row by row. The caller (CompiledTemplate.render_batch)
falls back to row-by-row rendering for any chunk that raises or whose output does not split into one
piece per row (a row printing the separator itself), so a bad row still fails alone, with its own error.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from itertools import repeat
from typing import Any, Iterable, Mapping, Sequence

import pyarrow as pa
import pyarrow.compute as pc
from jinja2 import Environment, Template, meta, nodes
from jinja2.runtime import new_context

from loan_comms.templating.env import ALLOWED_VARIABLES

# Printed after each row's output; one character, so an occurrence inside a row's output is counted,
# never mistaken for a boundary. NUL never occurs in wording; if it ever does, that chunk goes row by row.
SEPARATOR = "\x00"
# Rows per render call: large enough that the per-call cost vanishes, small enough that one row
# falling back costs only its chunk a second (row-by-row) pass.
CHUNK = 1000

# Nodes whose meaning differs inside a loop (blocks and macros see the template context, not the
# row) or that reach past the body (loop controls): a template holding one renders row by row.
_NOT_IN_A_LOOP = (nodes.Block, nodes.Macro, nodes.CallBlock, nodes.Extends, nodes.Include, nodes.Import,
                  nodes.FromImport, nodes.Break, nodes.Continue, nodes.ExprStmt, nodes.Scope)
_ROWS = "_rows"   # the loop's own variable; a template cannot name it (only documented variables pass lint)


def python_values(array: pa.Array) -> list[Any]:
    """`array.to_pylist()`, with each distinct date or decimal converted once.

    pyarrow builds a date or Decimal object at about 1-2 µs each, more than rendering the message;
    a day's due dates are a handful of values, and a decimal goes through its exact text
    ("390.10" -> Decimal('390.10'), the same value and exponent to_pylist gives)."""
    if not (pa.types.is_date32(array.type) or pa.types.is_decimal(array.type)):
        plain: list[Any] = array.to_pylist()
        return plain
    encoded = pc.dictionary_encode(array, null_encoding="encode")
    distinct = encoded.dictionary
    if pa.types.is_decimal(distinct.type):
        values = [None if s is None else Decimal(s) for s in pc.cast(distinct, pa.string()).to_pylist()]
    else:
        values = distinct.to_pylist()
    return [values[i] for i in encoded.indices.to_pylist()]


class ContextBatch:
    """The template contexts of n contacts of one group, by variable: a column or a constant.

    `names` is the order of a contact's context (lifecycle/rendering.py template_context's). A column is a list of
    n values, or an Arrow array converted on first use (python_values), so a variable the template
    never reads is never converted. `row(i)` is contact i's context as one dict (the row-by-row path,
    and renderers that only take dicts)."""

    def __init__(self, n: int, names: Sequence[str], columns: Mapping[str, list[Any] | pa.Array],
                 constants: Mapping[str, Any]) -> None:
        self.n = n
        self.names = tuple(names)
        self._columns = dict(columns)
        self.constants = dict(constants)

    def __len__(self) -> int:
        return self.n

    def __contains__(self, name: str) -> bool:
        return name in self._columns or name in self.constants

    def column(self, name: str) -> list[Any] | None:
        """The n values of a column variable (None for a constant); KeyError for an unknown name."""
        values = self._columns.get(name)
        if values is None:
            if name in self.constants:
                return None
            raise KeyError(name)
        if not isinstance(values, list):
            values = self._columns[name] = python_values(values)
        return values

    def rows(self, names: Sequence[str], start: int, stop: int, extra: Mapping[str, Any]) -> list[tuple[Any, ...]]:
        """Rows start..stop as tuples of `names` (a loop's targets); `extra` supplies constants the
        batch does not carry (the template's opt_out_text)."""
        sources: list[Iterable[Any]] = []
        for name in names:
            if name not in self and name in extra:
                sources.append(repeat(extra[name], stop - start))
                continue
            values = self.column(name)
            sources.append(repeat(self.constants[name], stop - start) if values is None else values[start:stop])
        return list(zip(*sources)) if sources else [()] * (stop - start)

    def row(self, i: int) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name in self.names:
            values = self.column(name)
            out[name] = self.constants[name] if values is None else values[i]
        return out

    def dicts(self) -> list[dict[str, Any]]:
        return [self.row(i) for i in range(self.n)]


@dataclass(slots=True)
class RenderedBatch:
    """What render_batch made of n contexts, by column. `error` is None when every row rendered;
    otherwise a row with an error (its RenderError's reason) has None in subject, text and html.
    template_id/version/language: the template used (None when there is none at all)."""

    template_id: str | None
    template_version: str | None
    language: str | None
    subject: list[str | None]
    text: list[str | None]
    html: list[str | None]
    error: list[str | None] | None = None


@dataclass(frozen=True, slots=True)
class LoopTemplate:
    """One template part compiled as a loop over rows of its variables (`names`, in this order)."""

    names: tuple[str, ...]
    template: Template

    def render(self, rows: list[tuple[Any, ...]]) -> list[str] | None:
        """Each row's raw output (what the row template's render returns), or None when the chunk
        cannot be split into exactly one piece per row. Exceptions propagate (the caller falls back)."""
        t = self.template
        out = "".join(t.root_render_func(new_context(t.environment, t.name, t.blocks, {_ROWS: rows}, True)))
        pieces = out.split(SEPARATOR)
        if len(pieces) != len(rows) + 1 or pieces[-1]:
            return None
        pieces.pop()
        return pieces


def loop_template(env: Environment, source: str, name: str, filename: str) -> LoopTemplate | None:
    """The part's body inside a loop over its variables, compiled in `env`; None when the body
    cannot be looped unchanged (see _NOT_IN_A_LOOP): it then renders row by row."""
    ast = env.parse(source, name=name, filename=filename)
    if any(True for _ in ast.find_all(_NOT_IN_A_LOOP)):
        return None
    used = meta.find_undeclared_variables(ast)
    if not used <= set(ALLOWED_VARIABLES):
        return None
    names = tuple(sorted(used))
    target = nodes.Tuple([nodes.Name(n, "store") for n in names], "store")
    body = [*ast.body, nodes.Output([nodes.TemplateData(SEPARATOR)])]
    loop = nodes.Template([nodes.For(target, nodes.Name(_ROWS, "load"), body, [], None, False)])
    loop.set_lineno(1)
    loop.set_environment(env)
    code = env.compile(loop, name=name, filename=filename)
    return LoopTemplate(names, env.template_class.from_code(env, code, env.make_globals(None), None))
