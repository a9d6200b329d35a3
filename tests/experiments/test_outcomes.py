"""Outcomes per arm on a hand-built history: every count follows from the story by hand."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from loan_comms.experiments.outcomes import arm_outcomes, arm_values
from loan_comms.experiments.readout import readout
from loan_comms.experiments.stats import min_sample
from tests.experiments.history import History, experiment

ON = date(2026, 11, 2)          # everyone's assignment day
AS_OF = date(2026, 12, 10)
D = date


@pytest.fixture
def story(con):
    h = History(con)
    # champion: C1 cured, C2 not cured by its window's end, C3 fell behind after entering (window still
    # open), C4's episode closed on the assignment day (current at that plan: not a delinquent loan)
    for b in ("C1", "C2", "C3", "C4"):
        h.member(b, "champion", ON)
    c1 = h.delinquent("C1", D(2026, 11, 1), D(2026, 11, 10))
    c2 = h.delinquent("C2", D(2026, 11, 1), D(2026, 12, 20))
    c3 = h.delinquent("C3", D(2026, 11, 20))
    c4 = h.delinquent("C4", D(2026, 10, 20), ON, currency="USD")
    # fewer: F1 cured, F2 not; F4 never behind; F3 drawn into an arm already stopped (left out)
    for b in ("F1", "F2", "F4"):
        h.member(b, "fewer", ON)
    h.member("F3", "fewer", ON, left_on=ON, reason="arm_stopped")
    f1 = h.delinquent("F1", D(2026, 10, 30), D(2026, 11, 5))
    f2 = h.delinquent("F2", D(2026, 11, 1))
    f3 = h.delinquent("F3", D(2026, 11, 1))
    # payments: inside a window count, before the index day or after the window's end do not
    h.pay(c1, "100.00", D(2026, 11, 9))
    h.pay(c2, "30.00", D(2026, 11, 15))
    h.pay(c2, "50.00", D(2026, 12, 5))       # after C2's window (ends 12-02)
    h.pay(c3, "40.00", D(2026, 11, 25))      # inside C3's open window
    h.pay(f1, "200.00", D(2026, 11, 5))
    h.pay(f2, "20.00", D(2026, 10, 31))      # before the assignment
    h.pay(f2, "60.00", D(2026, 12, 1))
    h.pay(f3, "999.00", D(2026, 11, 5))      # not a member
    h.pay(c4, "70.00", D(2026, 11, 5))       # not a delinquent loan in the experiment
    # contacts made under the experiment, not suppressed, planned by AS_OF
    for _ in range(3):
        h.contact("C1", D(2026, 11, 3))
    h.contact("C1", D(2026, 11, 4), status="suppressed")
    h.contact("C2", D(2026, 11, 3))
    h.contact("C2", D(2026, 11, 6))
    h.contact("C2", D(2026, 11, 7), experiment=None)       # outside any experiment
    h.contact("C2", D(2026, 12, 11))                       # after AS_OF
    h.contact("C3", D(2026, 11, 21), status="failed")
    h.contact("F1", D(2026, 11, 3))
    h.contact("F2", D(2026, 11, 3))
    h.contact("F2", D(2026, 11, 12))
    for _ in range(5):
        h.contact("F3", D(2026, 11, 3))
    # events since the assignment, up to AS_OF
    h.event("C1", "complaint", D(2026, 11, 5))
    h.event("C2", "complaint", D(2026, 10, 20))   # before
    h.event("C2", "complaint", D(2026, 12, 11))   # after AS_OF
    h.event("F1", "opt_out", D(2026, 11, 6))
    h.event("F1", "opt_out", D(2026, 11, 7))
    h.event("F2", "dispute", D(2026, 11, 8))
    h.event("F3", "complaint", D(2026, 11, 3))
    # surveys
    h.answer("C1", "nps", 10, D(2026, 11, 12))
    h.answer("C2", "nps", 5, D(2026, 11, 13))
    h.answer("C3", "nps", 9, D(2026, 10, 25))     # before
    h.answer("F1", "csat", 4, D(2026, 11, 20))
    h.answer("F2", "csat", 2, D(2026, 11, 21))
    # plans
    h.plan("C1", D(2026, 11, 8), ending="arrangement_kept", ended_on=D(2026, 11, 30))
    h.plan("C2", D(2026, 11, 9), status="declined")
    h.plan("F2", D(2026, 11, 9), ending="arrangement_broken", ended_on=D(2026, 11, 25))
    h.plan("F1", D(2026, 10, 25))                 # before the assignment
    return experiment()


def test_outcomes_per_arm_by_hand(con, story):
    exp = story.experiments[0]
    out = arm_outcomes(con, exp, AS_OF)
    assert list(out) == ["champion", "fewer"]
    c, f = out["champion"], out["fewer"]
    assert (c.borrowers, c.delinquent_loans, c.complete_windows, c.open_windows, c.cured, c.cured_so_far) == \
        (4, 3, 2, 1, 1, 1)
    assert (f.borrowers, f.delinquent_loans, f.complete_windows, f.open_windows, f.cured, f.cured_so_far) == \
        (3, 2, 2, 0, 1, 1)
    assert c.cure_rate == 0.5 and f.cure_rate == 0.5
    # per currency, never added up; per borrower holding a loan in it (F4 holds none)
    assert c.recovered == {"CNY": Decimal("170.00"), "USD": Decimal("0.00")} and f.recovered == {"CNY": Decimal("260.00")}
    assert c.holders == {"CNY": 3, "USD": 1} and f.holders == {"CNY": 2}
    assert c.recovered_per_borrower("CNY") == pytest.approx(170 / 3) and f.recovered_per_borrower("CNY") == 130.0
    assert c.recovered_per_borrower("USD") == 0.0 and f.recovered_per_borrower("USD") is None
    assert (c.contacts, f.contacts) == (6, 3)
    assert (c.contacts_per_cure, f.contacts_per_cure) == (6.0, 3.0)
    assert (c.complaint_borrowers, c.complaint_events, f.complaint_borrowers) == (1, 1, 0)
    assert c.share("complaint") == 0.25 and c.per_1000_contacts("complaint") == pytest.approx(1000 / 6)
    assert (f.opt_out_borrowers, f.opt_out_events) == (1, 2)
    assert f.share("opt_out") == pytest.approx(1 / 3) and f.per_1000_contacts("opt_out") == pytest.approx(2000 / 3)
    assert (f.dispute_borrowers, c.dispute_borrowers) == (1, 0)
    assert (c.nps_answers, c.nps_promoters, c.nps_detractors, c.nps) == (2, 1, 1, 0.0)
    assert (f.csat_answers, f.csat_mean, c.csat_answers, c.csat_mean) == (2, 3.0, 0, None)
    assert (c.plans_taken, c.plans_kept, f.plans_taken, f.plans_kept) == (1, 1, 1, 0)


def test_values_behind_the_means(con, story):
    exp = story.experiments[0]
    arm_outcomes(con, exp, AS_OF)
    values = arm_values(con, exp, AS_OF)
    assert sorted(values["recovered:CNY"]["champion"]) == [30.0, 40.0, 100.0]
    assert values["recovered:USD"] == {"champion": [0.0]}
    assert sorted(values["recovered:CNY"]["fewer"]) == [60.0, 200.0]
    assert sorted(values["nps"]["champion"]) == [-100.0, 100.0]
    assert sorted(values["csat"]["fewer"]) == [2.0, 4.0]


def test_an_earlier_as_of_sees_less(con, story):
    """As of 11-20 no window is complete yet: nothing in the cure rate's denominator, C3 not behind yet."""
    c = arm_outcomes(con, story.experiments[0], D(2026, 11, 20))["champion"]
    assert (c.delinquent_loans, c.complete_windows, c.open_windows, c.cure_rate) == (3, 0, 3, None)
    assert c.cured_so_far == 1 and c.recovered["CNY"] == Decimal("130.00")


def test_below_the_minimum_sample_the_verdict_says_so(con, story):
    [r] = readout(con, story, AS_OF)
    m = min_sample(0.5, 0.05, 0.05, 0.8)
    assert r.min_sample == m
    assert r.verdicts == [f"fewer: not enough data yet (2 of {m} delinquent loans with a complete 30-day window "
                          "per arm)"]
    md = r.markdown()
    assert "# Experiment fewer_contacts" in md and "not enough data yet" in md
    assert "| cure rate (current within 30 days) | 50.0 %" in md
    assert r.currencies == ("CNY", "USD") and "| recovered in the windows, USD | 0.00 | 0.00 |" in md
    assert "C1" not in md and "L-C1" not in md, "ids stay out of the readout"


def test_an_arm_nobody_is_in_yet_reads_zero(con):
    file = experiment()
    out = arm_outcomes(con, file.experiments[0], AS_OF)
    assert out["fewer"].borrowers == 0 and out["fewer"].cure_rate is None
    [r] = readout(con, file, AS_OF)
    assert "not enough data yet (0 of" in r.verdicts[0]


def test_a_book_arm_the_file_does_not_list_is_refused(con):
    from loan_comms.experiments.config import ExperimentsError

    History(con).member("X1", "renamed", ON)
    with pytest.raises(ExperimentsError, match="renamed"):
        arm_outcomes(con, experiment().experiments[0], AS_OF)
