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


def _config_file(cfg, repo):
    config = repo.parent / "lifecycle.toml"
    text = cfg.text.replace('dir = "templates"', f'dir = "{repo}"', 1).replace('dir = "data/studio"', f'dir = "{cfg.studio.dir}"', 1)
    text = text.replace('users = "config/studio_users.toml"', f'users = "{cfg.studio.users}"', 1)
    config.write_text(text, encoding="utf-8")
    return config


def test_a_reviewer_publishes_the_repository_from_the_page(setup):
    import re

    from starlette.testclient import TestClient

    from loan_comms.studio.web import create_app

    cfg, repo = setup
    with Studio.open(cfg) as studio:
        _edit(repo, TID, "{{ opt_out_text }}", "Thank you. {{ opt_out_text }}")
        client = TestClient(create_app(studio))
        nonce = re.search(r'name="nonce" value="([^"]+)"', client.get("/login").text).group(1)
        client.post("/login", data={"name": "mei", "password": "mei-edits-words", "nonce": nonce, "next": "/"})
        page = client.get("/").text
        assert 'id="drift"' in page and 'id="import"' not in page          # an editor sees it, a reviewer acts
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        assert client.post("/import", data={"csrf_token": csrf}).status_code == 403
        client.post("/logout", data={"csrf_token": csrf})
        nonce = re.search(r'name="nonce" value="([^"]+)"', client.get("/login").text).group(1)
        client.post("/login", data={"name": "omar", "password": "omar-approves-1", "nonce": nonce, "next": "/"})
        page = client.get("/").text
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        r = client.post("/import", data={"csrf_token": csrf})
        assert r.status_code == 200 and TID in r.text
        assert "Thank you." in TemplateStore.load(templates_dir(cfg), cfg).by_id[TID].sources["txt"]
        assert 'id="drift"' not in client.get("/").text
        assert studio.audit_entries()[0]["user_name"] == "omar"


def test_the_command_line_import_while_the_studio_is_served_says_what_to_do(setup):
    import subprocess
    import sys

    cfg, repo = setup
    config = _config_file(cfg, repo)
    with Studio.open(cfg):
        done = subprocess.run([sys.executable, "-m", "loan_comms", "studio", "import", "--by", "ana", "--config", str(config)],
                              capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    assert "in use by another process" in done.stderr and "Traceback" not in done.stderr


def test_export_writes_only_a_templates_folder_and_touches_nothing_else(setup, tmp_path):
    from typer.testing import CliRunner

    from loan_comms.cli import app

    cfg, repo = setup
    config = _config_file(cfg, repo)
    with Studio.open(cfg):
        pass
    elsewhere = tmp_path / "app"
    (elsewhere / "pages").mkdir(parents=True)
    (elsewhere / "pages" / "plan.html.j2").write_text("not a message template", encoding="utf-8")
    out = CliRunner().invoke(app, ["studio", "export", "--out", str(elsewhere), "--config", str(config)])
    assert out.exit_code == 2 and "not a templates folder" in out.output
    assert (elsewhere / "pages" / "plan.html.j2").exists()
    (repo / "sms" / "en" / "dpd_99.txt.j2").write_text("stray", encoding="utf-8")      # not in the release
    (repo / "notes.html.j2").write_text("keep me", encoding="utf-8")                   # not a template
    out = CliRunner().invoke(app, ["studio", "export", "--out", str(repo), "--config", str(config)])
    assert out.exit_code == 0, out.output
    assert not (repo / "sms" / "en" / "dpd_99.txt.j2").exists() and (repo / "notes.html.j2").exists()
