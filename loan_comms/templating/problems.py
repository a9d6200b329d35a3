"""One problem found in the template library: what, where, and how to fix it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Problem:
    """A lint finding; errors stop a run, warnings are shown to the product manager."""

    severity: str  # "error" | "warning"
    path: str  # e.g. "templates/sms/en/dpd_1.txt.j2" (or a template id when no file exists)
    line: int | None
    message: str
    fix: str
    template_id: str | None = None

    @property
    def is_error(self) -> bool:
        return self.severity == "error"

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{self.severity.upper()} {where}: {self.message} — fix: {self.fix}"


def errors(problems: list[Problem]) -> list[Problem]:
    return [p for p in problems if p.is_error]
