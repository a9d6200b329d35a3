"""Properties of the arithmetic: for any answers, the SQL's NPS, CSAT mean, distribution and
response rate equal the textbook formulas computed here in Python."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from loan_comms import db
from loan_comms.surveys import aggregate

from .builders import survey

answers = st.lists(st.one_of(st.none(), st.integers(0, 10)), min_size=1, max_size=25)
csat_answers = st.lists(st.one_of(st.none(), st.integers(1, 5)), min_size=1, max_size=25)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(nps_scores=answers, csat_scores=csat_answers)
def test_sql_matches_the_formulas(nps_scores, csat_scores):
    con = db.connect()
    try:
        for s in nps_scores:
            survey(con, scale="nps", score=s)
        for s in csat_scores:
            survey(con, scale="csat", score=s)
        heads = {h.scale: h for h in aggregate(con).headlines}
        got = [s for s in nps_scores if s is not None]
        nps = heads["nps"]
        assert (nps.invitations, nps.answers) == (len(nps_scores), len(got))
        assert nps.response_rate == pytest.approx(len(got) / len(nps_scores), abs=1e-4)
        if got:
            expected = 100 * (sum(s >= 9 for s in got) - sum(s <= 6 for s in got)) / len(got)
            assert nps.nps == pytest.approx(expected, abs=0.005)
            assert -100 <= nps.nps <= 100
        else:
            assert nps.nps is None
        got_c = [s for s in csat_scores if s is not None]
        csat = heads["csat"]
        assert csat.csat_mean == (pytest.approx(sum(got_c) / len(got_c), abs=1e-4) if got_c else None)
        dist = con.execute("SELECT csat_1, csat_2, csat_3, csat_4, csat_5 FROM feedback_slices "
                           "WHERE scale = 'csat' AND dimension = 'all'").fetchone()
        assert list(dist) == [got_c.count(k) for k in range(1, 6)]
        # Every slice of one dimension partitions the whole.
        for dim in ("intensity", "team", "programme"):
            total = con.execute("SELECT sum(invitations), sum(answers) FROM feedback_slices "
                                "WHERE scale = 'nps' AND dimension = ?", [dim]).fetchone()
            assert total == (len(nps_scores), len(got))
    finally:
        con.close()
