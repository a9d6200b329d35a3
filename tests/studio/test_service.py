"""The studio's rules (service.py): drafts, review, publishing, roll back, sign-in and the audit."""

from __future__ import annotations

import hashlib
import json
import threading
import time

import pytest

from loan_comms.studio import Conflict, Forbidden, NotFound, Studio, StudioError, User
from loan_comms.studio.service import MAX_FAILED_LOGINS
from loan_comms.studio.users import load_users, render_users, save_user, users_file
from loan_comms.templating.releases import CURRENT, MANIFEST, SOURCE_STUDIO, releases, write_release, point_current
from loan_comms.templating.store import TemplateStore, templates_dir
from tests.studio.conftest import PASSWORD, Clock

TID = "sms/en/dpd_1"
NEW = ("Hi {{ first_name }}, your {{ product|product_name }} payment of {{ amount_due|money(currency) }} was due "
       "{{ due_date|date }} and we have not received it yet. Pay: {{ pay_link }} Help: {{ help_line }}. {{ opt_out_text }}")
OTHER = NEW.replace("Hi ", "Hello ")


def sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


def published_text(studio: Studio, tid: str = TID) -> str:
    return (studio.published_sources(tid) or {})["txt"]


def actions(studio: Studio) -> list[str]:
    return [e["action"] for e in reversed(studio.audit_entries())]


def submitted(studio: Studio, author: User, text: str = NEW, tid: str = TID) -> int:
    d = studio.save_draft(author, tid, {"txt": text})
    return studio.submit(author, d.draft_id).draft_id


# -- the import ------------------------------------------------------------------------------
def test_open_imports_the_repository_once(studio: Studio, studio_cfg) -> None:
    assert [p.name[:4] for p in releases(studio.dir)] == ["0001"]
    assert templates_dir(studio_cfg) == releases(studio.dir)[0]
    assert studio.history(TID)[0]["kind"] == "import"
    Studio.open(studio_cfg).close()                        # opened again: nothing new is published
    assert len(releases(studio.dir)) == 1
    assert actions(studio).count("import") == 1


# -- drafts ----------------------------------------------------------------------------------
def test_a_draft_s_version_is_its_content_hash(studio: Studio, users: dict[str, User]) -> None:
    d = studio.save_draft(users["mei"], TID, {"txt": NEW})
    assert d.version == sha(NEW)
    assert d.status == "draft" and d.author == "mei"
    assert d.base_version == sha(published_text(studio))
    assert d.version == TemplateStore.from_files({"sms/en/dpd_1.txt.j2": NEW}, studio.cfg).by_id[TID].version
    # a browser's \r\n line ends are the same wording
    assert studio.save_draft(users["mei"], TID, {"txt": NEW + "\r\n"}).version == sha(NEW + "\n")


def test_submit_is_refused_while_lint_finds_an_error(studio: Studio, users: dict[str, User]) -> None:
    mei = users["mei"]
    d = studio.save_draft(mei, TID, {"txt": NEW + " You owe {{ balance }}."})
    with pytest.raises(StudioError, match="lint error"):
        studio.submit(mei, d.draft_id)
    assert studio.draft(d.draft_id).status == "draft"
    fixed = studio.save_draft(mei, TID, {"txt": NEW}, draft_id=d.draft_id)
    assert studio.submit(mei, fixed.draft_id).status == "in_review"


def test_submit_is_refused_when_nothing_changed(studio: Studio, users: dict[str, User]) -> None:
    d = studio.save_draft(users["mei"], TID, {"txt": published_text(studio)})
    with pytest.raises(StudioError, match="published wording already"):
        studio.submit(users["mei"], d.draft_id)


def test_unknown_template_parts_and_ids_are_refused(studio: Studio, users: dict[str, User]) -> None:
    with pytest.raises(StudioError, match="parts"):
        studio.save_draft(users["mei"], TID, {"txt": NEW, "html": "x"})
    with pytest.raises(StudioError, match="not a template id"):
        studio.save_draft(users["mei"], "sms/en/../x", {"txt": NEW})
    with pytest.raises(NotFound):
        studio.save_draft(users["mei"], "sms/en/no_such_step", {"txt": NEW})


# -- roles -----------------------------------------------------------------------------------
def test_a_viewer_cannot_write_and_an_editor_cannot_approve(studio: Studio, users: dict[str, User]) -> None:
    with pytest.raises(Forbidden):
        studio.save_draft(users["vic"], TID, {"txt": NEW})
    with pytest.raises(Forbidden):
        studio.save_draft(users["omar"], TID, {"txt": NEW})       # a reviewer only is no editor either
    n = submitted(studio, users["mei"])
    with pytest.raises(Forbidden):
        studio.approve(users["mei"], n)
    with pytest.raises(Forbidden):
        studio.approve(users["vic"], n)
    with pytest.raises(Forbidden):
        studio.reject(users["vic"], n, "no")
    assert studio.draft(n).status == "in_review"
    assert len(releases(studio.dir)) == 1


def test_no_self_approval_even_with_both_roles(studio: Studio, users: dict[str, User]) -> None:
    kim = users["kim"]
    assert kim.can("editor") and kim.can("reviewer")
    n = submitted(studio, kim)
    with pytest.raises(Forbidden, match="no self-approval"):
        studio.approve(kim, n)
    with pytest.raises(Forbidden):
        studio.reject(kim, n, "fine")
    assert studio.draft(n).status == "in_review"
    assert len(releases(studio.dir)) == 1
    studio.approve(users["omar"], n)                              # another reviewer can
    assert studio.published().provenance_of(TID).author == "kim"


def test_only_the_author_edits_submits_or_withdraws(studio: Studio, users: dict[str, User]) -> None:
    d = studio.save_draft(users["mei"], TID, {"txt": NEW})
    with pytest.raises(Forbidden):
        studio.save_draft(users["kim"], TID, {"txt": OTHER}, draft_id=d.draft_id)
    with pytest.raises(Forbidden):
        studio.submit(users["kim"], d.draft_id)
    with pytest.raises(Forbidden):
        studio.withdraw(users["kim"], d.draft_id)
    assert studio.withdraw(users["mei"], d.draft_id).status == "withdrawn"
    with pytest.raises(Conflict):
        studio.submit(users["mei"], d.draft_id)


# -- approval publishes ----------------------------------------------------------------------
def test_approval_publishes_a_release_the_run_reads(studio: Studio, studio_cfg, users: dict[str, User],
                                                      clock: Clock) -> None:
    first = templates_dir(studio_cfg)
    n = submitted(studio, users["mei"])
    with pytest.raises(Conflict):                                 # in review: no more edits
        studio.save_draft(users["mei"], TID, {"txt": OTHER}, draft_id=n)
    clock.advance(hours=1)
    name = studio.approve(users["omar"], n, "clear and kind")
    folder = studio.dir / "releases" / name
    assert name.startswith("0002-") and folder.is_dir()
    assert (studio.dir / CURRENT).read_text().strip() == name
    assert templates_dir(studio_cfg) == folder != first
    assert (folder / "sms/en/dpd_1.txt.j2").read_text(encoding="utf-8") == NEW
    assert (first / "sms/en/dpd_1.txt.j2").read_text(encoding="utf-8") != NEW        # the old release is untouched

    store = TemplateStore.load(templates_dir(studio_cfg), studio_cfg)
    sample = studio.check(TID, {"txt": NEW}).samples[0]
    assert "we have not received it yet" in store.by_id[TID].render(_ctx_of(studio_cfg)).text
    assert sample.text and "we have not received it yet" in sample.text
    p = store.provenance_of(TID)
    assert (p.author, p.reviewer, p.source, p.version, p.draft_id) == ("mei", "omar", SOURCE_STUDIO, sha(NEW), n)
    assert p.approved_at == clock.now.isoformat()
    assert store.provenance_of("sms/en/dpd_10").source == "repository"   # the others keep theirs

    manifest = json.loads((folder / MANIFEST).read_text())
    assert manifest["published_by"] == "omar" and manifest["templates"][TID]["reviewer"] == "omar"
    d = studio.draft(n)
    assert (d.status, d.reviewer, d.release, d.review_comment) == ("approved", "omar", name, "clear and kind")
    h = studio.history(TID)[0]
    assert (h["release"], h["kind"], h["author"], h["reviewer"], h["version"]) == (name, "edit", "mei", "omar", sha(NEW))
    with pytest.raises(Conflict):                                 # approved once only
        studio.approve(users["rosa"], n)


def _ctx_of(cfg) -> dict:
    from loan_comms.templating.samples import sample_contexts

    return sample_contexts("dpd_1", "en", cfg)[0].ctx


def test_reject_needs_a_comment_and_sends_the_draft_back(studio: Studio, users: dict[str, User]) -> None:
    mei, omar = users["mei"], users["omar"]
    n = submitted(studio, mei)
    with pytest.raises(StudioError, match="comment"):
        studio.reject(omar, n, "   ")
    assert studio.draft(n).status == "in_review"
    d = studio.reject(omar, n, "too harsh")
    assert (d.status, d.reviewer, d.review_comment) == ("rejected", "omar", "too harsh")
    with pytest.raises(Conflict):
        studio.approve(omar, n)
    d = studio.save_draft(mei, TID, {"txt": OTHER}, draft_id=n)
    assert (d.status, d.version) == ("draft", sha(OTHER))
    assert studio.submit(mei, n).status == "in_review"
    studio.approve(omar, n)
    assert published_text(studio) == OTHER


def test_a_draft_started_before_another_approval_cannot_be_approved(studio: Studio, users: dict[str, User]) -> None:
    a = submitted(studio, users["mei"], NEW)
    b = submitted(studio, users["kim"], OTHER)
    studio.approve(users["omar"], a)
    with pytest.raises(Conflict, match="published again"):
        studio.approve(users["omar"], b)
    assert studio.draft(b).status == "in_review"
    assert published_text(studio) == NEW and len(releases(studio.dir)) == 2


def test_a_draft_of_another_template_is_not_held_up(studio: Studio, users: dict[str, User]) -> None:
    a = submitted(studio, users["mei"], NEW)
    other = "sms/en/dpd_10"
    b = submitted(studio, users["kim"], published_text(studio, other) + " Thank you.", other)
    studio.approve(users["omar"], a)
    name = studio.approve(users["omar"], b)
    store = studio.published()
    assert store.dir.name == name
    assert store.by_id[TID].sources["txt"] == NEW                  # the first approval is kept
    assert store.provenance_of(TID).author == "mei" and store.provenance_of(other).author == "kim"


def test_rollback_is_a_reviewed_draft_of_an_older_wording(studio: Studio, users: dict[str, User]) -> None:
    first = studio.release_name()
    old = published_text(studio)
    studio.approve(users["omar"], submitted(studio, users["mei"]))
    with pytest.raises(NotFound):
        studio.rollback(users["mei"], TID, "0099-nothing")
    d = studio.rollback(users["mei"], TID, first)
    assert (d.sources["txt"], d.version, d.rollback_of, d.base_version) == (old, sha(old), first, sha(NEW))
    assert published_text(studio) == NEW                           # nothing changes before review
    studio.submit(users["mei"], d.draft_id)
    name = studio.approve(users["rosa"], d.draft_id)
    assert published_text(studio) == old and studio.release_name() == name
    h = studio.history(TID)
    assert [x["kind"] for x in h] == ["rollback", "edit", "import"]
    assert h[0]["version"] == h[2]["version"] == sha(old)
    p = studio.published().provenance_of(TID)
    assert (p.version, p.reviewer) == (sha(old), "rosa")
    assert "rollback_draft" in actions(studio)


def test_approval_after_a_crash_finishes_without_a_second_release(studio: Studio, users: dict[str, User],
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    n = submitted(studio, users["mei"])
    real = Studio._approved

    def crash(*args: object, **kw: object) -> None:
        raise RuntimeError("power cut")

    monkeypatch.setattr(Studio, "_approved", crash)
    with pytest.raises(RuntimeError):
        studio.approve(users["omar"], n)
    assert studio.draft(n).status == "in_review"                  # published, not recorded
    assert len(releases(studio.dir)) == 2
    name = studio.release_name()
    monkeypatch.setattr(Studio, "_approved", real)

    assert studio.approve(users["omar"], n) == name
    assert len(releases(studio.dir)) == 2
    d = studio.draft(n)
    assert (d.status, d.release) == ("approved", name)
    assert [(h["release"], h["kind"]) for h in studio.history(TID)][0] == (name, "edit")


def test_a_release_written_by_hand_for_the_draft_is_recorded_not_republished(studio: Studio,
                                                                              users: dict[str, User]) -> None:
    n = submitted(studio, users["mei"])
    store = studio.published()
    files = store.files()
    files["sms/en/dpd_1.txt.j2"] = NEW
    prov = {tid: store.provenance_of(tid) for tid in store.by_id}
    prov[TID] = type(prov[TID])(TID, sha(NEW), SOURCE_STUDIO, "mei", "omar", studio.clock().isoformat(), n)
    folder = write_release(studio.dir, files, prov, published_at=studio.clock(), published_by="omar")
    point_current(studio.dir, folder)
    assert studio.approve(users["omar"], n) == folder.name
    assert len(releases(studio.dir)) == 2 and studio.draft(n).status == "approved"


def test_a_draft_being_rejected_is_not_also_approved(studio: Studio, users: dict[str, User],
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """Two reviewers at once: the reject's check and its record are one step, so the approval that comes
    in between waits, then finds the draft rejected (never a published draft recorded as rejected)."""
    n = submitted(studio, users["mei"])
    before = studio.release_name()
    checked = threading.Event()
    real = Studio._reviewable

    def slow(self: Studio, user: User, draft_id: int, verb: str) -> object:
        d = real(self, user, draft_id, verb)
        if verb == "reject":
            checked.set()
            time.sleep(0.5)                  # the other reviewer's approval comes now
        return d

    monkeypatch.setattr(Studio, "_reviewable", slow)
    outcome: dict[str, object] = {}

    def other_reviewer() -> None:
        checked.wait(10)
        try:
            outcome["release"] = studio.approve(users["rosa"], n)
        except Conflict as exc:
            outcome["refused"] = exc

    t = threading.Thread(target=other_reviewer)
    t.start()
    studio.reject(users["omar"], n, "not this week")
    t.join(30)
    d = studio.draft(n)
    assert (d.status, d.reviewer, d.release) == ("rejected", "omar", None)
    assert "refused" in outcome and studio.release_name() == before


def test_a_new_database_s_draft_numbers_do_not_pass_for_published_ones(studio_cfg, users: dict[str, User],
                                                                        studio: Studio, clock: Clock) -> None:
    """Draft numbers start again at 1 in a new studio.duckdb (the releases kept): a new draft 1 that
    omar approves is published, not taken for the draft 1 that omar approved before."""
    n = submitted(studio, users["mei"], NEW)
    studio.approve(users["omar"], n)
    studio.close()
    (studio.dir / "studio.duckdb").unlink()
    with Studio.open(studio_cfg, clock=clock) as again:
        m = submitted(again, users["mei"], OTHER)
        assert m == n
        name = again.approve(users["omar"], m)
        assert name.startswith("0003-") and published_text(again) == OTHER
        assert again.published().provenance_of(TID).version == sha(OTHER)


# -- the audit -------------------------------------------------------------------------------
def test_every_action_is_in_the_audit(studio: Studio, users: dict[str, User]) -> None:
    token, _csrf, _u = studio.login("mei", PASSWORD)
    with pytest.raises(Forbidden):
        studio.login("mei", "not the password")
    d = studio.save_draft(users["mei"], TID, {"txt": OTHER})
    studio.save_draft(users["mei"], TID, {"txt": NEW}, draft_id=d.draft_id)
    studio.submit(users["mei"], d.draft_id)
    studio.reject(users["omar"], d.draft_id, "shorter please")
    studio.submit(users["mei"], studio.save_draft(users["mei"], TID, {"txt": NEW}, draft_id=d.draft_id).draft_id)
    release = studio.approve(users["omar"], d.draft_id)
    w = studio.save_draft(users["mei"], TID, {"txt": OTHER})
    studio.withdraw(users["mei"], w.draft_id)
    studio.logout(token, users["mei"])
    assert actions(studio) == ["import", "login", "login_refused", "draft_created", "draft_saved", "submitted",
                               "rejected", "draft_saved", "submitted", "approved", "draft_created", "withdrawn",
                               "logout"]
    approved = next(e for e in studio.audit_entries() if e["action"] == "approved")
    assert (approved["user_name"], approved["template_id"], approved["draft_id"], approved["release"]) == \
        ("omar", TID, d.draft_id, release)
    refused = next(e for e in studio.audit_entries() if e["action"] == "login_refused")
    assert refused["user_name"] == "mei" and "not the password" not in str(refused)


# -- sign-in and sessions --------------------------------------------------------------------
def test_sign_in_gives_a_session_with_a_csrf_token(studio: Studio) -> None:
    token, csrf, user = studio.login("mei", PASSWORD)
    assert user.name == "mei" and token and csrf and token != csrf
    found = studio.session(token)
    assert found is not None and found[0].name == "mei" and found[1] == csrf
    assert studio.session("") is None and studio.session(token + "x") is None
    stored = studio.con.execute("SELECT token_hash FROM studio_sessions").fetchall()
    assert stored and all(token not in r[0] for r in stored)       # only a hash of the token is kept
    with pytest.raises(Forbidden):
        studio.login("nobody", PASSWORD)


def test_failed_sign_ins_block_the_name_until_the_window_passes(studio: Studio, clock: Clock) -> None:
    for _ in range(MAX_FAILED_LOGINS):
        with pytest.raises(Forbidden, match="wrong name or password"):
            studio.login("mei", "wrong-password-1")
        clock.advance(seconds=10)
    with pytest.raises(Forbidden, match="too many"):
        studio.login("mei", PASSWORD)                             # the right password, refused
    studio.login("omar", PASSWORD)                                # another name is not blocked
    clock.advance(minutes=16)
    token, _csrf, user = studio.login("mei", PASSWORD)
    assert user.name == "mei" and studio.session(token) is not None


def test_attempts_while_blocked_do_not_extend_the_block(studio: Studio, clock: Clock) -> None:
    """Someone who keeps guessing cannot keep the real user out for ever: refusals during a block are
    recorded (login_blocked) but the block ends 15 minutes after the last real failed try."""
    for _ in range(MAX_FAILED_LOGINS):
        with pytest.raises(Forbidden):
            studio.login("mei", "wrong-password-1")
    for _ in range(10):
        clock.advance(minutes=1)
        with pytest.raises(Forbidden, match="too many"):
            studio.login("mei", "wrong-password-1")
    clock.advance(minutes=6)
    assert studio.login("mei", PASSWORD)[2].name == "mei"
    assert "login_blocked" in [e["action"] for e in studio.audit_entries()]


def test_sign_ins_at_once_do_not_get_past_the_limit(studio: Studio) -> None:
    """The web app signs in on a pool of threads: twenty guesses sent at once are still five tries."""
    start = threading.Barrier(20)
    said: list[str] = []

    def guess(i: int) -> None:
        start.wait()
        try:
            studio.login("mei", f"guess-number-{i}")
        except Forbidden as exc:
            said.append(str(exc))

    threads = [threading.Thread(target=guess, args=(i,)) for i in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert len(said) == 20
    assert sum("wrong name or password" in m for m in said) <= MAX_FAILED_LOGINS
    with pytest.raises(Forbidden, match="too many"):
        studio.login("mei", PASSWORD)


def test_a_session_ends_when_the_user_is_removed(studio: Studio) -> None:
    token, _csrf, _user = studio.login("mei", PASSWORD)
    path = users_file(studio.cfg)
    kept = {n: u for n, u in load_users(path).items() if n != "mei"}
    path.write_text(render_users(kept.values()), encoding="utf-8")
    assert studio.session(token) is None
    with pytest.raises(Forbidden):
        studio.login("mei", PASSWORD)


def test_sessions_expire_after_their_last_use_and_logout_ends_them(studio: Studio, clock: Clock) -> None:
    minutes = studio.cfg.studio.session_minutes
    token, _csrf, user = studio.login("mei", PASSWORD)
    clock.advance(minutes=minutes - 1)
    assert studio.session(token) is not None                     # in use: extended from now
    clock.advance(minutes=minutes - 1)
    assert studio.session(token) is not None                     # a PM typing all day is not signed out
    clock.advance(minutes=minutes + 1)
    assert studio.session(token) is None                         # idle for longer than a session: ended
    token, _csrf, user = studio.login("mei", PASSWORD)
    studio.logout(token, user)
    assert studio.session(token) is None


def test_a_role_taken_away_applies_to_a_live_session(studio: Studio, users: dict[str, User]) -> None:
    token, _csrf, _user = studio.login("omar", PASSWORD)
    n = submitted(studio, users["mei"])
    path = users_file(studio.cfg)
    demoted = {**load_users(path), "omar": User("omar", frozenset({"viewer"}), users["omar"].password_hash)}
    path.write_text(render_users(demoted.values()), encoding="utf-8")
    found = studio.session(token)
    assert found is not None and found[0].roles == frozenset({"viewer"})
    with pytest.raises(Forbidden):
        studio.approve(found[0], n)
    assert studio.draft(n).status == "in_review"


def test_an_email_draft_is_checked_with_every_part(studio: Studio, users: dict[str, User]) -> None:
    tid = "email/en/dpd_3"
    sources = studio.published_sources(tid)
    assert sources is not None and set(sources) == {"subject", "txt", "html"}
    check = studio.check(tid, sources)
    assert not check.errors and check.max_segments == 0
    assert all(s.subject and s.html and s.text and s.sms is None for s in check.samples)
    with pytest.raises(StudioError, match="html part .* is missing"):
        studio.save_draft(users["mei"], tid, {"subject": sources["subject"], "txt": sources["txt"]})
    broken = dict(sources, html=sources["html"] + "{% if %}")
    assert any("syntax" in p.message for p in studio.check(tid, broken).errors)


def test_a_new_password_ends_the_sessions_opened_with_the_old_one(studio: Studio) -> None:
    token, _csrf, _user = studio.login("mei", PASSWORD)
    save_user(users_file(studio.cfg), "mei", ["editor"], "a-brand-new-password")
    assert studio.session(token) is None
    assert studio.login("mei", "a-brand-new-password")[2].name == "mei"


def test_a_draft_rejected_as_out_of_date_is_redone_on_the_new_wording_and_approved(
        studio: Studio, users: dict[str, User]) -> None:
    tid = "sms/en/dpd_1"
    base = studio.published_sources(tid)
    assert base is not None
    first = studio.save_draft(users["mei"], tid, {"txt": base["txt"].replace("{{ opt_out_text }}", "Thanks. {{ opt_out_text }}")})
    second = studio.save_draft(users["kim"], tid, {"txt": base["txt"].replace("{{ opt_out_text }}", "Thank you! {{ opt_out_text }}")})
    for d, who in ((first, "mei"), (second, "kim")):
        studio.submit(users[who], d.draft_id)
    studio.approve(users["omar"], first.draft_id)
    with pytest.raises(Conflict, match="published again"):
        studio.approve(users["omar"], second.draft_id)
    studio.reject(users["omar"], second.draft_id, "redo it on mei's new wording")
    now = studio.published_sources(tid)
    assert now is not None
    redone = studio.save_draft(users["kim"], tid, {"txt": now["txt"].replace("Thanks.", "Thanks, and thank you!")},
                               draft_id=second.draft_id)
    assert redone.base_version == studio.published().by_id[tid].version
    studio.submit(users["kim"], redone.draft_id)
    release = studio.approve(users["rosa"], redone.draft_id)
    assert "Thanks, and thank you!" in studio.published().by_id[tid].sources["txt"] and release == studio.release_name()


def test_a_crash_after_publishing_is_finished_by_whoever_acts_next(studio: Studio, users: dict[str, User]) -> None:
    """The release went out (CURRENT moved) but the approval was not recorded: another reviewer's approve,
    or a reject, records it with the reviewer the release names instead of deciding again."""
    tid = "sms/en/dpd_1"
    base = studio.published_sources(tid)
    assert base is not None
    d = studio.save_draft(users["mei"], tid, {"txt": base["txt"].replace("{{ opt_out_text }}", "Thanks. {{ opt_out_text }}")})
    studio.submit(users["mei"], d.draft_id)
    recorded = studio._approved
    studio._approved = lambda *a, **k: (_ for _ in ()).throw(RuntimeError("crash"))   # type: ignore[method-assign]
    with pytest.raises(RuntimeError):
        studio.approve(users["omar"], d.draft_id)
    studio._approved = recorded                                   # type: ignore[method-assign]
    assert studio.draft(d.draft_id).status == "in_review"
    with pytest.raises(Conflict, match="already approved and published"):
        studio.reject(users["rosa"], d.draft_id, "too late")
    after = studio.draft(d.draft_id)
    assert (after.status, after.reviewer) == ("approved", "omar")
    assert [h["reviewer"] for h in studio.history(tid)][:1] == ["omar"]
