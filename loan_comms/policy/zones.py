"""Where a person may be: the IANA zones and the region of each phone number, looked up once per
distinct number with the `phonenumbers` library, as an Arrow table SQL joins to.

Why in Python: the numbering-plan data (which +1 area code is which zone, which prefix is which
country) lives in `phonenumbers`, not in SQL. Everything else about zones (which zones are
plausible for a borrower, the window as their intersection, the strictest profile) is SQL:
sql/policy/zones/*.sql. The phones are read through ONE file, sql/policy/zones/borrower_phones.sql,
so pointing the lookup at other phones (contact points) changes that file only.
"""

from __future__ import annotations

from datetime import datetime

from functools import lru_cache
from typing import Iterable

import duckdb
import phonenumbers
import pyarrow as pa
from phonenumbers import timezone as phone_timezone

from loan_comms import db

PHONE_ZONES_SCHEMA = pa.schema([("phone", pa.string()), ("zone", pa.string()), ("region", pa.string())])
_UNKNOWN_ZONE = "Etc/Unknown"
_NO_REGION = ("ZZ", "001")


@lru_cache(maxsize=1 << 18)
def _lookup(phone: str) -> tuple[tuple[str, ...], str | None]:
    zones, region = lookup(phone)
    return tuple(zones), region


def lookup(phone: str) -> tuple[list[str], str | None]:
    """(zones, region) of one E.164 number; ([], None) when the number cannot be read.

    Zones: every zone the numbering plan gives the number (a +1-213 number: America/Los_Angeles; a
    mobile prefix covering a whole country: all its zones). Region: the main region of the number's
    country code (+44 -> GB, also for a Jersey mobile the plan files under JE; +1 -> US), so a
    profile's `countries` name countries by their calling code's main region.
    """
    try:
        parsed = phonenumbers.parse(phone, None)
    except phonenumbers.NumberParseException:
        return [], None
    zones = [z for z in phone_timezone.time_zones_for_number(parsed) if z != _UNKNOWN_ZONE]
    region = phonenumbers.region_code_for_country_code(parsed.country_code or 0)
    return zones, (region if region and region not in _NO_REGION else None)


def phone_zone_rows(phones: Iterable[str]) -> pa.Table:
    """(phone, zone, region) for each distinct phone: one row per zone, a row with a NULL zone when
    the plan gives none (the region may still bring a profile)."""
    rows: list[dict[str, str | None]] = []
    for phone in sorted(set(phones)):
        zones, region = _lookup(phone)  # cached: every plan and dispatch pass of a run asks again
        rows += [dict(phone=phone, zone=z, region=region) for z in zones] or [dict(phone=phone, zone=None,
                                                                                   region=region)]
    return pa.Table.from_pylist(rows, schema=PHONE_ZONES_SCHEMA)


# The numbering plan the lookups come from: a lookup stored under another version is not used.
NUMBERING_PLAN = f"phonenumbers {phonenumbers.__version__}"


def register_phone_zones(con: duckdb.DuckDBPyConnection, now: datetime) -> None:
    """Temp tables borrower_phones (borrower_id, phone; as known at `now`) and phone_zones (phone,
    zone, region).

    Only the numbers never looked up with this numbering plan are looked up here (phone_lookups
    holds the others); they wait in temp table phone_lookups_new for the plan's record to store
    (record_lookups), so a number costs its Python lookup once, not on every day it is judged."""
    params = {"now": now, "numbering_plan": NUMBERING_PLAN}
    db.run(con, "policy/zones/borrower_phones", params)
    phones = [r[0] for r in db.run(con, "policy/zones/phones_to_look_up", params).fetchall()]
    db.temp_table(con, "phone_lookups_new", phone_zone_rows(phones))
    db.run(con, "policy/zones/phone_zones", params)


def record_lookups(con: duckdb.DuckDBPyConnection) -> None:
    """Store the lookups register_phone_zones made on this connection (phone_lookups_new) in
    phone_lookups; a replay adds nothing. Called by the plan's record (decide writes nothing)."""
    db.run(con, "policy/zones/record_phone_lookups", {"numbering_plan": NUMBERING_PLAN})
