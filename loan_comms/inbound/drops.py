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
    """A timestamp from a callback: unix seconds, ISO 8601 or RFC 2822 (Twilio's DateSent), in UTC;
    `default` when there is none or it cannot be read or represented (0001-01-01T00:00:00+14:00 is
    before the first instant a datetime can hold in UTC: OverflowError). Never raises for a value:
    one bad date must not stop the file."""
    if value in (None, ""):
        return default
    try:
        return datetime.fromtimestamp(float(value), UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        pass
    s = str(value)
    for parse in (lambda v: datetime.fromisoformat(v.replace("Z", "+00:00")), parsedate_to_datetime):
        try:
            dt = parse(s)
            return (dt if dt.tzinfo else dt.replace(tzinfo=UTC)).astimezone(UTC)
        except (TypeError, ValueError, OverflowError, OSError, IndexError):
            continue
    return default


def received_when(value: Any, received: datetime) -> tuple[datetime, str | None]:
    """(when a text is taken to have arrived, the claimed date to keep or None). The claimed date
    (`value`) is used when it can be read and is not after `received` (the time it reached us); a
    date in the future is capped at `received` (it would otherwise hide an opt-out until then) and an
    unreadable one falls back to it. The claimed date, as given, is returned whenever it was not used
    as is, so the detail still shows what the provider said."""
    if value in (None, ""):
        return received, None
    claimed = when(value, received)
    if claimed is received or claimed > received:
        return received, str(value)[:64]
    return claimed, None
