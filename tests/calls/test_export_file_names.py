"""Export file names never collide: a team's call-queue and dialer files, a pair's visit sheet.

Why: the files are named by a slug of the team id ('zh-CN/apac' -> zh-CN-apac.csv) or of the pair's
agent ids, and a slug is not injective: 'zh-CN/apac' and 'zh-CN-apac' both validated and one team's
files silently replaced the other's (a team's calls then never reach its dialer list). The roster
refuses two ids that would share a file name (one line naming both; case ignored, as a file system
may), and each writer checks the ids it is given before writing anything.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pyarrow as pa
import pytest

from loan_comms.calls import dialer as dialer_mod
from loan_comms.calls.dialer import DialerReport
from loan_comms.calls.exports import QueueSummary, export_day
from loan_comms.calls.roster import RosterError, load_roster, roster_for
from loan_comms.visits.sheet import VisitPlan

SHIPPED = Path(roster_for.__code__.co_filename).parents[2] / "config" / "agents.toml"
DAY = date(2026, 11, 16)

AGENT = """
[[agents]]
id = "{id}"
team = "global"
languages = ["zh-CN"]
skills = [{skills}]
capacity = 10
shift = ["09:00", "17:00"]
timezone = "Asia/Shanghai"
working_days = ["mon"]
"""


def _roster_with(tmp_path: Path, extra: str) -> Path:
    path = tmp_path / "agents.toml"
    path.write_text(SHIPPED.read_text() + "\n" + extra)
    return path


@pytest.mark.parametrize("team", ["zh-CN-apac", "ZH-cn/APAC", "zh-CN//apac/"])
def test_two_teams_sharing_a_file_name_are_one_config_error_naming_both(tmp_path, team):
    with pytest.raises(RosterError) as err:
        load_roster(_roster_with(tmp_path, f'[[teams]]\nid = "{team}"\n'))
    message = str(err.value)
    assert len(message.splitlines()) == 1
    assert "'zh-CN/apac'" in message and f"'{team}'" in message and "share the export file name" in message


def test_two_field_agents_sharing_a_sheet_name_are_one_config_error_naming_both(tmp_path):
    extra = AGENT.format(id="F/x-01", skills='"field"') + AGENT.format(id="F_x-01", skills='"field"')
    with pytest.raises(RosterError) as err:
        load_roster(_roster_with(tmp_path, extra))
    message = str(err.value)
    assert len(message.splitlines()) == 1 and "'F/x-01'" in message and "'F_x-01'" in message
    # agents who never go out on visits have no sheet: no file name to share
    load_roster(_roster_with(tmp_path, AGENT.format(id="C/x-01", skills="") + AGENT.format(id="C_x-01", skills="")))


def test_the_shipped_roster_and_distinct_names_still_load(tmp_path):
    assert load_roster(_roster_with(tmp_path, '[[teams]]\nid = "zh-CN/emea"\n')).teams[-1].id == "zh-CN/emea"


def test_the_call_queue_export_stops_before_writing_when_two_teams_share_a_file(tmp_path):
    calls = pa.table({"team": pa.array(["zh-CN/apac", "zh-CN-apac"], pa.string())})
    summary = QueueSummary(as_of=DAY, teams=[{"team": "zh-CN/apac"}, {"team": "zh-CN-apac"}], agents=[],
                           calls=calls)
    with pytest.raises(RosterError, match=r"'zh-CN/apac' and 'zh-CN-apac' would share the file name 'zh-CN-apac'"):
        export_day(summary, tmp_path / "out")
    assert not list((tmp_path / "out").glob("*"))


def test_the_dialer_drop_stops_before_writing_when_two_teams_share_a_file(tmp_path, monkeypatch):
    rows = [{"team": "zh-CN/apac", "payload": "{}"}, {"team": "zh-CN-apac", "payload": "{}"}]
    monkeypatch.setattr(dialer_mod.db, "rows", lambda con, name, params=None: rows)
    report = DialerReport(kind="file", plan_date=DAY)
    with pytest.raises(RosterError, match="'zh-CN-apac' and 'zh-CN/apac'"):   # sorted
        dialer_mod._file(None, tmp_path, DAY, datetime(2026, 11, 16, tzinfo=UTC), report)  # type: ignore[arg-type]
    assert not list(tmp_path.rglob("*.jsonl"))


def test_the_visit_sheets_stop_before_writing_when_two_pairs_share_a_file(tmp_path):
    plan = VisitPlan(as_of=DAY, assigned=[{"pair": "F/1+F-2", "slot_start": 1}, {"pair": "F_1+F-2", "slot_start": 2}])
    with pytest.raises(RosterError, match="'F/1\\+F-2' and 'F_1\\+F-2'"):
        plan.export(tmp_path)
    assert not list(tmp_path.glob("*.csv"))
