"""Which template library a replay renders with when none is given: the one the recorded days used.

Why: with an unchanged config, a replay must render the wording the borrowers got, not whatever the
studio has published since. The book says which library each recorded contact was rendered from
(template_versions.release: a studio release, or NULL for the repository's files), so the replay takes
the library most of the replayed days' contacts used; a window across a publication renders every
day with that one, and says so.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb

from loan_comms import db
from loan_comms.config import LifecycleConfig
from loan_comms.templating.releases import RELEASES
from loan_comms.templating.store import repository_templates_dir, studio_dir, templates_dir


@dataclass(frozen=True)
class Library:
    """The folder to render from and a line saying why it was chosen."""

    folder: Path
    note: str


def recorded_library(book: Path, cfg: LifecycleConfig, start: date, end: date) -> Library:
    """The library the recorded contacts of start..end were rendered from (the book opened read-only)."""
    con = duckdb.connect(str(book), read_only=True)
    try:
        found = db.rows(con, "replay/recorded_releases", {"start": start, "end": end})
    except duckdb.Error:   # a book from before the registry: no record of the library
        found = []
    finally:
        con.close()
    if not found:
        return Library(templates_dir(cfg), "no recorded template versions for these days: rendered with the "
                                           "library runs read now")
    release = found[0]["release"]
    mixed = f" ({len(found)} libraries were used over these days: every day rendered with this one)" \
        if len(found) > 1 else ""
    if release is None:
        return Library(repository_templates_dir(cfg), f"rendered with the repository's templates, as recorded{mixed}")
    folder = studio_dir(cfg) / RELEASES / str(release)
    if not folder.is_dir():
        return Library(templates_dir(cfg), f"the recorded release {release} is not under {folder.parent}: rendered "
                                           f"with the library runs read now{mixed}")
    return Library(folder, f"rendered with studio release {release}, as recorded{mixed}")
