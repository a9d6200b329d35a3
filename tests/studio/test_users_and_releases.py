"""The users file (users.py) and published releases (templating/releases.py, templates_dir)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from loan_comms.config import LifecycleConfig
from loan_comms.studio import Studio, User
from loan_comms.studio.users import UsersFileError, hash_password, load_users, save_user, verify
from loan_comms.templating.lint import lint
from loan_comms.templating.releases import CURRENT, ReleaseError, current_release, read_manifest, releases
from loan_comms.templating.store import TemplateStore, repository_templates_dir, templates_dir
from tasks.common import TemplateProblems, template_store
from tests.studio.conftest import PASSWORD, USERS, with_studio

HASH = "$argon2id$v=19$m=65536,t=3,p=4$c29tZXNhbHQ$RdescudvJCsgt3ub+b+dWRWJTmaaJObG"


# -- the users file --------------------------------------------------------------------------
def test_passwords_are_stored_as_argon2id_hashes_only(users_template: Path) -> None:
    text = users_template.read_text(encoding="utf-8")
    assert PASSWORD not in text
    users = load_users(users_template)
    assert set(users) == set(USERS)
    assert all(u.password_hash.startswith("$argon2id$") for u in users.values())
    assert users["kim"].roles == frozenset({"editor", "reviewer"})
    assert verify(users, "mei", PASSWORD) == users["mei"]
    assert verify(users, "mei", PASSWORD + "x") is None
    assert verify(users, "nobody", PASSWORD) is None


def test_save_user_replaces_one_user_and_keeps_the_others(tmp_path: Path, users_template: Path) -> None:
    path = tmp_path / "users.toml"
    shutil.copy(users_template, path)
    before = load_users(path)
    save_user(path, "mei", ["editor", "viewer"], "another-long-password")
    after = load_users(path)
    assert after["mei"].roles == frozenset({"editor", "viewer"})
    assert after["mei"].password_hash != before["mei"].password_hash
    assert {n: u for n, u in after.items() if n != "mei"} == {n: u for n, u in before.items() if n != "mei"}
    assert path.stat().st_mode & 0o077 == 0          # readable by its owner only
    with pytest.raises(UsersFileError, match="at least"):
        hash_password("short")
    with pytest.raises(UsersFileError, match="roles"):
        save_user(path, "ann", ["admin"], "long-enough-password")
    with pytest.raises(UsersFileError, match="name"):
        save_user(path, "Ann Smith", ["editor"], "long-enough-password")


@pytest.mark.parametrize(("text", "says"), [
    ('[[user]]\nname = "mei"\nroles = ["editor"]\npassword = "hunter2-plain"\n', "argon2 hash"),
    (f'[[user]]\nname = "mei"\nroles = ["admin"]\npassword = "{HASH}"\n', "roles must be"),
    (f'[[user]]\nname = "mei"\nroles = []\npassword = "{HASH}"\n', "roles must be"),
    (f'[[user]]\nname = "mei"\nroles = ["editor"]\npassword = "{HASH}"\n'
     f'[[user]]\nname = "mei"\nroles = ["viewer"]\npassword = "{HASH}"\n', "listed twice"),
    ('[[user]\nname = "mei"\n', "not valid TOML"),
    (f'[[user]]\nname = "Mei"\nroles = ["editor"]\npassword = "{HASH}"\n', "name must be"),
    (f'[[user]]\nname = "mei"\nroles = ["editor"]\npassword = "{HASH}"\nadmin = true\n', "name, roles and password only"),
    (f'[admins]\nname = "mei"\n', "unknown section"),
    ('user = 5\n', "[[user]] entries"),
    (f'[user]\nname = "mei"\nroles = ["editor"]\npassword = "{HASH}"\n', "[[user]] entries"),
], ids=["plain-password", "unknown-role", "no-role", "name-twice", "bad-toml", "bad-name", "extra-key", "extra-section",
        "user-not-a-list", "user-a-table"])
def test_a_wrong_users_file_is_refused_whole(tmp_path: Path, text: str, says: str) -> None:
    path = tmp_path / "users.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(UsersFileError) as exc:
        load_users(path)
    message = str(exc.value)
    assert says in message and str(path) in message
    assert "\n" not in message                       # one line, naming the file
    assert "hunter2-plain" not in message            # never echoes a password


def test_no_users_file_is_no_users(tmp_path: Path) -> None:
    assert load_users(tmp_path / "missing.toml") == {}


# -- releases --------------------------------------------------------------------------------
def test_without_a_release_the_run_reads_the_repository(cfg: LifecycleConfig, tmp_path: Path) -> None:
    bare = with_studio(cfg, tmp_path / "studio", tmp_path / "users.toml")
    assert current_release(tmp_path / "studio") is None
    assert templates_dir(bare) == repository_templates_dir(bare)


def test_the_import_is_a_release_with_a_manifest(studio: Studio, studio_cfg: LifecycleConfig) -> None:
    folder = templates_dir(studio_cfg)
    assert folder.parent == studio.dir / "releases" and folder.name.startswith("0001-")
    manifest = read_manifest(folder)
    store = TemplateStore.load(folder, studio_cfg)
    assert set(manifest) == set(store.by_id)
    assert all(p.source == "repository" and p.version == store.by_id[tid].version and p.release == folder.name
               for tid, p in manifest.items())
    assert not [p for p in lint(store, studio_cfg) if p.is_error]


def test_a_release_changed_by_hand_is_refused(studio: Studio, studio_cfg: LifecycleConfig,
                                             users: dict[str, User]) -> None:
    template_store(studio_cfg)                                   # the published release starts a run
    d = studio.save_draft(users["mei"], "sms/en/dpd_1", {"txt": "Hi {{ first_name }}, please pay. {{ opt_out_text }}"})
    studio.submit(users["mei"], d.draft_id)
    studio.approve(users["omar"], d.draft_id)
    path = templates_dir(studio_cfg) / "sms/en/dpd_1.txt.j2"
    path.write_text("Hi {{ first_name }}, pay now or else. {{ opt_out_text }}", encoding="utf-8")
    store = TemplateStore.load(templates_dir(studio_cfg), studio_cfg)
    errors = [p for p in lint(store, studio_cfg) if p.is_error]
    assert len(errors) == 1 and "changed by hand" in errors[0].message and "omar" in errors[0].message
    assert errors[0].template_id == "sms/en/dpd_1"
    with pytest.raises(TemplateProblems, match="changed by hand"):
        template_store(studio_cfg)


def test_a_template_added_to_or_removed_from_a_release_by_hand_is_refused(studio: Studio,
                                                                          studio_cfg: LifecycleConfig) -> None:
    folder = templates_dir(studio_cfg)
    (folder / "sms/en/dpd_99.txt.j2").write_text("Pay now. {{ opt_out_text }}", encoding="utf-8")   # never reviewed
    with pytest.raises(TemplateProblems, match="not in its manifest"):
        template_store(studio_cfg)
    (folder / "sms/en/dpd_99.txt.j2").unlink()
    (folder / "sms/zh-CN/dpd_1.txt.j2").unlink()               # a translation dropped: not silently English
    with pytest.raises(TemplateProblems, match="files are missing"):
        template_store(studio_cfg)


def test_current_naming_a_missing_release_is_refused(studio: Studio, studio_cfg: LifecycleConfig) -> None:
    for name in ("0042-gone", "../../etc", ""):
        (studio.dir / CURRENT).write_text(name + "\n", encoding="utf-8")
        with pytest.raises(ReleaseError, match="not a published release") as exc:
            templates_dir(studio_cfg)
        assert str(studio.dir / CURRENT) in str(exc.value)


def test_a_release_without_its_manifest_is_not_a_release(studio: Studio, studio_cfg: LifecycleConfig) -> None:
    folder = templates_dir(studio_cfg)
    (folder / "manifest.json").unlink()
    assert releases(studio.dir) == []
    with pytest.raises(ReleaseError):
        templates_dir(studio_cfg)


def test_a_broken_manifest_is_refused(studio: Studio, studio_cfg: LifecycleConfig) -> None:
    folder = templates_dir(studio_cfg)
    (folder / "manifest.json").write_text('{"release": "x"}', encoding="utf-8")
    with pytest.raises(ReleaseError, match="not a release manifest"):
        TemplateStore.load(folder, studio_cfg)
