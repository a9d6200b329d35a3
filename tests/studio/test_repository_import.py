"""The repository's templates/ and the studio's releases: what an engineer changes in git reaches the
run only through an import (a release of its own, in the studio's audit), and never silently replaces
a wording a reviewer approved in the studio."""

from __future__ import annotations

import shutil

import pytest

from loan_comms.studio import Studio, save_user
from loan_comms.templating.store import TemplateStore, repository_templates_dir, templates_dir

TID = "sms/en/dpd_1"
OTHER = "sms/en/pre_due_3"


@pytest.fixture
def setup(cfg, tmp_path):
    repo = tmp_path / "templates"
    shutil.copytree(repository_templates_dir(cfg), repo)
    users = tmp_path / "users.toml"
    save_user(users, "mei", ["editor"], "mei-edits-words")
    save_user(users, "omar", ["reviewer"], "omar-approves-1")
    c = cfg.model_copy(update={"templates": cfg.templates.model_copy(update={"dir": str(repo)}),
                               "studio": cfg.studio.model_copy(update={"dir": str(tmp_path / "studio"), "users": str(users)})})
    return c, repo


def _edit(repo, tid, old, new):
    path = repo / f"{tid}.txt.j2"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_a_repository_change_reaches_the_run_only_through_an_import(setup):
    cfg, repo = setup
    with Studio.open(cfg) as studio:
        first = studio.release_name()
        assert studio.repository_drift() == {"changed": [], "new": [], "studio": []}
        _edit(repo, TID, "{{ opt_out_text }}", "Thank you. {{ opt_out_text }}")
        assert studio.repository_drift()["changed"] == [TID]
        assert templates_dir(cfg).name == first                 # the run still reads the release
        release, taken, kept = studio.import_repository("ana")
        assert (taken, kept) == ([TID], []) and release != first
        assert templates_dir(cfg).name == release
        store = TemplateStore.load(templates_dir(cfg), cfg)
        assert "Thank you." in store.by_id[TID].sources["txt"]
        assert store.provenance_of(TID).source == "repository"
        assert studio.import_repository("ana") == (None, [], [])            # nothing more: no new release
        assert [e["action"] for e in studio.audit_entries()][:1] == ["import"]


def test_an_import_keeps_a_wording_approved_in_the_studio_unless_told(setup):
    cfg, repo = setup
    with Studio.open(cfg) as studio:
        users = studio.users()
        published = studio.published_sources(OTHER)
        assert published is not None
        d = studio.save_draft(users["mei"], OTHER, {"txt": published["txt"].replace("{{ opt_out_text }}", "Thanks! {{ opt_out_text }}")})
        studio.submit(users["mei"], d.draft_id)
        studio.approve(users["omar"], d.draft_id)
        _edit(repo, OTHER, "{{ opt_out_text }}", "Engineers' words. {{ opt_out_text }}")
        assert studio.repository_drift()["studio"] == [OTHER]
        release, taken, kept = studio.import_repository("ana")
        assert (release, taken, kept) == (None, [], [OTHER])
        assert "Thanks!" in TemplateStore.load(templates_dir(cfg), cfg).by_id[OTHER].sources["txt"]
        release, taken, kept = studio.import_repository("ana", over_studio=True)
        assert taken == [OTHER] and "Engineers' words." in TemplateStore.load(templates_dir(cfg), cfg).by_id[OTHER].sources["txt"]


def test_an_import_that_would_not_lint_is_refused(setup):
    cfg, repo = setup
    with Studio.open(cfg) as studio:
        first = studio.release_name()
        _edit(repo, TID, "{{ opt_out_text }}", "{{ balance }} {{ opt_out_text }}")
        with pytest.raises(Exception, match="lint error"):
            studio.import_repository("ana")
        assert templates_dir(cfg).name == first


def test_lint_says_it_read_the_release_and_what_templates_has_that_the_run_does_not(setup):
    from typer.testing import CliRunner

    from loan_comms.cli import app

    cfg, repo = setup
    config = repo.parent / "lifecycle.toml"
    text = cfg.text.replace('dir = "templates"', f'dir = "{repo}"', 1).replace('dir = "data/studio"', f'dir = "{cfg.studio.dir}"', 1)
    config.write_text(text, encoding="utf-8")
    with Studio.open(cfg):
        pass
    _edit(repo, TID, "{{ opt_out_text }}", "Thank you. {{ opt_out_text }}")
    out = CliRunner().invoke(app, ["templates", "lint", "--config", str(config)])
    assert out.exit_code == 0, out.output
    assert "published release 0001-" in out.output
    assert f"differs from the published release in 1 template(s) ({TID})" in out.output
