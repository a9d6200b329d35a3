"""Fixtures for the studio's tests: a config whose [studio] dir and users file are in tmp_path
(`studio_cfg`), the users in it (made once per session: argon2 is slow on purpose), a clock the test
moves (`clock`), a `Studio` on them (`studio`, closed after), the users as `User`s (`users`), and the
web app on a real server (`server`) with a signed-in httpx client per user (`sign_in`).

The studio dir that `Studio.open` makes (the repository's templates imported as release 0001) is
made once per session and copied into each test's tmp_path: each test still starts from a real
import, without paying ~1 s for it every time. Compiling the whole library (every approval does it
twice: the candidate, then the new release read back) costs ~1.3 s, so each template's compile is
remembered for the session by everything it depends on (channel, language, kind, display paths,
sources): the same inputs give the same compiled template and problems, so the rules tested are
unchanged, and a folder that would take minutes takes seconds.
"""

from __future__ import annotations

import re
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Callable, Iterator

import httpx
import pytest

from loan_comms.config import LifecycleConfig
from loan_comms.studio import Studio, StudioServer, User, save_user
from loan_comms.templating.store import CompiledTemplate, TemplateStore

PASSWORD = "correct-horse-battery"
USERS = {
    "mei": ["editor"],                 # writes drafts
    "omar": ["reviewer"],              # approves
    "rosa": ["reviewer"],              # a second reviewer
    "kim": ["editor", "reviewer"],     # both roles: still never approves her own draft
    "vic": ["viewer"],
}
START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


class Clock:
    """The studio's clock, moved by the test."""

    def __init__(self, now: datetime = START) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


def with_studio(cfg: LifecycleConfig, directory: Path, users: Path) -> LifecycleConfig:
    return cfg.model_copy(update={"studio": cfg.studio.model_copy(update={"dir": str(directory), "users": str(users)})})


_COMPILED: dict[tuple[Any, ...], tuple[Any, ...]] = {}
_real_compile = TemplateStore._compile


def _remembered_compile(self: TemplateStore, t: CompiledTemplate) -> None:
    key = (t.channel, t.language, t.kind, tuple(sorted(t.paths.items())), tuple(sorted(t.sources.items())))
    hit = _COMPILED.get(key)
    if hit is None:
        before = len(self._load_problems)
        _real_compile(self, t)
        _COMPILED[key] = (dict(t.compiled), dict(t.loops), t.version, t.broken, self._load_problems[before:])
        return
    compiled, loops, t.version, t.broken, problems = hit
    t.compiled.update(compiled)
    t.loops.update(loops)
    self._load_problems.extend(problems)


@pytest.fixture(autouse=True)
def _compile_once(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(TemplateStore, "_compile", _remembered_compile)


@pytest.fixture(scope="session")
def users_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("studio_users") / "users.toml"
    for name, roles in USERS.items():
        save_user(path, name, roles, PASSWORD)
    return path


@pytest.fixture(scope="session")
def imported_studio(cfg: LifecycleConfig, users_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A studio dir right after its first Studio.open (release 0001: the repository's templates)."""
    directory = tmp_path_factory.mktemp("studio_import") / "studio"
    with Studio.open(with_studio(cfg, directory, users_template), clock=Clock(START - timedelta(days=1))):
        pass
    return directory


@pytest.fixture
def studio_cfg(cfg: LifecycleConfig, tmp_path: Path, users_template: Path, imported_studio: Path) -> LifecycleConfig:
    shutil.copy(users_template, tmp_path / "users.toml")
    shutil.copytree(imported_studio, tmp_path / "studio")
    return with_studio(cfg, tmp_path / "studio", tmp_path / "users.toml")


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def studio(studio_cfg: LifecycleConfig, clock: Clock) -> Iterator[Studio]:
    s = Studio.open(studio_cfg, clock=clock)
    try:
        yield s
    finally:
        s.close()


@pytest.fixture
def users(studio: Studio) -> dict[str, User]:
    return studio.users()


@pytest.fixture
def server(studio: Studio) -> Iterator[StudioServer]:
    srv = StudioServer(studio).start()
    try:
        yield srv
    finally:
        srv.stop()


def login_form(client: httpx.Client) -> dict[str, str]:
    """GET /login: the form's hidden fields (the nonce also goes in a cookie the client keeps)."""
    html = client.get("/login").text
    return {k: v for k, v in re.findall(r'name="(nonce|next)" value="([^"]*)"', html)}


def csrf_of(html: str) -> str:
    m = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert m, "no CSRF field on the page"
    return m.group(1)


@pytest.fixture
def sign_in(server: StudioServer) -> Iterator[Callable[[str], httpx.Client]]:
    """sign_in("mei") -> an httpx client with mei's session cookie (closed after the test)."""
    clients: list[httpx.Client] = []

    def make(name: str, password: str = PASSWORD) -> httpx.Client:
        c = httpx.Client(base_url=server.url(""), follow_redirects=False, timeout=10)
        clients.append(c)
        r = c.post("/login", data={**login_form(c), "name": name, "password": password})
        assert r.status_code == 303, r.text
        return c

    yield make
    for c in clients:
        c.close()

