"""Provider file drops (delivery receipts, inbound SMS, e-mail replies): the files of a path, their
records, and the timestamps providers write.

Shared by receipts.py and replies.py so that a directory, a bad record and a provider's date are
read the same way whatever the file carries: every file goes through the one inbound reader
(loan_comms.inbound.reader), and every file is read before anything is written, so an unreadable
one stops the whole ingestion cleanly (InboundFileError).
"""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any, Iterator

from loan_comms.inbound import reader

SUFFIXES = (".json", ".jsonl", ".ndjson")


def files(path: Path, suffixes: tuple[str, ...] = SUFFIXES) -> list[Path]:
    """The file itself, or the inbound files (`suffixes`, also .gz) of a directory."""
    path = Path(path)
    if not path.is_dir():
        return [path]
    found = sorted(p for p in path.iterdir() if p.is_file()
                   and p.name.lower().removesuffix(".gz").endswith(suffixes))
    if not found:
        raise reader.InboundFileError(f"{path}: a directory with no {', '.join(suffixes)} files; give a file or "
                                       "a directory of them")
    return found


def records(path: Path, encoding: str | None, fields: tuple[str, ...]) -> Iterator[tuple[Path, reader.Record]]:
    """(file, record) for every record of a file or directory. Every file is read before anything is
    written, so an unreadable one stops the whole ingestion cleanly (InboundFileError)."""
    everything = [(f, reader.read_records(f, encoding=encoding, text_fields=fields)) for f in files(path)]
    for f, recs in everything:
        for rec in recs:
            yield f, rec


def when(value: Any, default: datetime) -> datetime:
    """A timestamp from a callback: unix seconds, ISO 8601 or RFC 2822 (Twilio's DateSent)."""
    if value in (None, ""):
        return default
    try:
        return datetime.fromtimestamp(float(value), UTC)
    except (TypeError, ValueError, OverflowError):
        pass
    s = str(value)
    for parse in (lambda v: datetime.fromisoformat(v.replace("Z", "+00:00")), parsedate_to_datetime):
        try:
            dt = parse(s)
        except (TypeError, ValueError):
            continue
        return (dt if dt.tzinfo else dt.replace(tzinfo=UTC)).astimezone(UTC)
    return default
