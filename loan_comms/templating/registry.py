"""The book's registry of template versions: who wrote and who approved each wording that went out.

Every contact records (template_id, template_version), the content hash of its wording; the table
template_versions (sql/schema/111_template_versions.sql) says where each such version came from: a
studio release (author, reviewer, approval time, draft and release, from the release's manifest)
or the repository's own files (no author here: git has their history). A complaint is answered from
the contact to the approved wording, and the audit rule template_versions_approved checks that no
contact's version is unknown and no studio wording was approved by its own author.

Where it is written, and why there: in `rendering.record_rendered`, the one place that records
rendered contacts (every planned text contact, follow-ups, plan offers, hand-off letters and
surveys alike goes through the planner's rendered batches), inside the same transaction as the
contacts. So a contact is never recorded without its version registered, a crash leaves neither,
and the audit can hold every contact to the rule: no cut-off date for contacts "from before". (A
book from before the registry gets its contacts' versions registered as 'repository' once, by the
schema file, which is what they were.) The alternative, registering after the plan from
contact_attempts, would leave a window where a crash records contacts without provenance.

The renderer is usually a TemplateStore (`provenance_of`); a renderer without provenance (a test
double) registers its versions as 'repository', with no author.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import duckdb
import pyarrow as pa

from loan_comms import db
from loan_comms.templating.releases import SOURCE_REPOSITORY, Provenance

USED_SCHEMA = pa.schema([
    ("template_id", pa.string()), ("template_version", pa.string()), ("source", pa.string()),
    ("author", pa.string()), ("reviewer", pa.string()), ("approved_at", pa.timestamp("us", tz="UTC")),
    ("draft_id", pa.int64()), ("release", pa.string()),
])


def provenance(renderer: Any, template_id: str, version: str) -> Provenance:
    """Who wrote and approved `version` of `template_id` as the renderer has it: its `provenance_of`
    when it has one and names that very version, else the repository's (no author, no reviewer)."""
    lookup = getattr(renderer, "provenance_of", None)
    if callable(lookup):
        found = lookup(template_id)
        if isinstance(found, Provenance) and found.version == version:
            return found
    return Provenance(template_id, version, SOURCE_REPOSITORY)


def _instant(text: str | None) -> datetime | None:
    """A manifest's ISO 8601 approval time as a UTC instant (one without an offset is read as UTC)."""
    if not text:
        return None
    value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def used_versions(renderer: Any, rendered: pa.Table) -> pa.Table:
    """One row of USED_SCHEMA per distinct (template_id, template_version) of the rendered rows
    (failed rows carry none), with its provenance."""
    pairs = rendered.select(["template_id", "template_version"]).drop_null()
    distinct = pairs.group_by(["template_id", "template_version"], use_threads=False).aggregate([])
    rows: list[dict[str, Any]] = []
    for tid, version in zip(distinct.column("template_id").to_pylist(), distinct.column("template_version").to_pylist()):
        p = provenance(renderer, tid, version)
        rows.append(dict(template_id=tid, template_version=version, source=p.source, author=p.author,
                         reviewer=p.reviewer, approved_at=_instant(p.approved_at), draft_id=p.draft_id,
                         release=p.release))
    return pa.Table.from_pylist(rows, schema=USED_SCHEMA)


def register_versions(con: duckdb.DuckDBPyConnection, renderer: Any, rendered: pa.Table,
                      registered_at: datetime) -> int:
    """Register every version `rendered` (rows of rendering.RENDERED_SCHEMA, or any table with
    template_id and template_version) uses that the registry does not hold yet; returns how many were
    new. Call it inside the transaction that records those contacts."""
    used = used_versions(renderer, rendered)
    if used.num_rows == 0:
        return 0
    with db.registered(con, used, "used_versions"):
        return db.changed(con, "templating/register_versions", {"registered_at": registered_at})
