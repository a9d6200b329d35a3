"""Who may sign in to the studio, with which roles: a TOML file an administrator edits, validated.

    [[user]]
    name = "mei"                      # what they type to sign in; recorded as author/reviewer
    roles = ["editor"]                # editor, reviewer (compliance: approves), viewer
    password = "$argon2id$v=19$..."   # only ever a hash: `loan-comms studio add-user mei --role editor`

Passwords are stored only as argon2id hashes (argon2-cffi, the reference implementation's binding,
with its default cost: slow on purpose, so a stolen file does not give the passwords back). A file
that is wrong (unknown role, a plain-text password, a name twice) is refused whole with the line to
fix: it decides who can approve wording that reaches borrowers, so it is never half-read.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Iterable

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from loan_comms.atomic_files import write_atomically
from loan_comms.errors import LoanCommsError

if TYPE_CHECKING:
    from loan_comms.config import LifecycleConfig

ROLES: tuple[str, ...] = ("editor", "reviewer", "viewer")
NAME = re.compile(r"[a-z][a-z0-9._-]{1,31}")
MIN_PASSWORD = 10
_hasher = PasswordHasher()
# Verifying an unknown name costs the same as a known one: no one learns which names exist.
_DUMMY = _hasher.hash("not a password of anyone's")


def users_file(cfg: "LifecycleConfig") -> Path:
    """[studio].users; a relative path is taken from the repository root."""
    from loan_comms.paths import REPO_ROOT

    p = Path(cfg.studio.users)
    return p if p.is_absolute() else REPO_ROOT / p


class UsersFileError(LoanCommsError, ValueError):
    """The users file cannot be used as it is; the message names the file and what to fix."""

    exit_code = 2


@dataclass(frozen=True, slots=True)
class User:
    name: str
    roles: frozenset[str]
    password_hash: str

    def can(self, role: str) -> bool:
        return role in self.roles


def load_users(path: Path) -> dict[str, User]:
    """name -> User; a missing file is no users (nobody can sign in), a bad one is refused whole."""
    if not path.exists():
        return {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise UsersFileError(f"{path}: not valid TOML ({exc}); fix the file or re-create it with "
                             "`loan-comms studio add-user`") from exc
    unknown_keys = set(data) - {"user"}
    if unknown_keys:
        raise UsersFileError(f"{path}: unknown section(s) {', '.join(sorted(unknown_keys))}; the file holds [[user]] entries only")
    entries = data.get("user", [])
    if not isinstance(entries, list):
        raise UsersFileError(f"{path}: 'user' must be [[user]] entries (an array of tables), one per user")
    users: dict[str, User] = {}
    for i, entry in enumerate(entries):
        where = f"{path}: user[{i}]"
        if not isinstance(entry, dict) or set(entry) - {"name", "roles", "password"}:
            raise UsersFileError(f"{where}: each [[user]] has name, roles and password only")
        name, roles, pw = entry.get("name"), entry.get("roles"), entry.get("password")
        if not isinstance(name, str) or not NAME.fullmatch(name):
            raise UsersFileError(f"{where}: name must be 2-32 lower-case letters, digits, '.', '_' or '-'")
        if name in users:
            raise UsersFileError(f"{where}: the name '{name}' is listed twice")
        if not isinstance(roles, list) or not roles or any(r not in ROLES for r in roles):
            raise UsersFileError(f"{where} ({name}): roles must be a non-empty list of {', '.join(ROLES)}")
        if not isinstance(pw, str) or not pw.startswith("$argon2"):
            raise UsersFileError(f"{where} ({name}): password must be an argon2 hash, never the password itself; "
                                 f"set it with `loan-comms studio add-user {name} --role ...`")
        users[name] = User(name, frozenset(roles), pw)
    return users


def verify(users: dict[str, User], name: str, password: str) -> User | None:
    """The user when the password matches; None otherwise (in about the same time either way)."""
    user = users.get(name)
    try:
        _hasher.verify(user.password_hash if user else _DUMMY, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return None
    return user


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise UsersFileError(f"a password needs at least {MIN_PASSWORD} characters")
    return _hasher.hash(password)


def save_user(path: Path, name: str, roles: list[str], password: str) -> None:
    """Add the user, or replace their roles and password; the rest of the file is kept as it was read."""
    if not NAME.fullmatch(name):
        raise UsersFileError("a name must be 2-32 lower-case letters, digits, '.', '_' or '-'")
    bad = [r for r in roles if r not in ROLES]
    if not roles or bad:
        raise UsersFileError(f"roles must be among {', '.join(ROLES)}" + (f"; not {', '.join(bad)}" if bad else ""))
    users = load_users(path)
    users[name] = User(name, frozenset(roles), hash_password(password))
    write_atomically(path, render_users(users.values()).encode("utf-8"), mode=0o600)


def render_users(users: Iterable[User]) -> str:
    lines = ["# Studio users (loan-comms studio add-user). Roles: editor, reviewer (approves), viewer.",
             "# Passwords are argon2 hashes; never write a password here.", ""]
    for u in sorted(users, key=lambda u: u.name):
        roles = ", ".join(f'"{r}"' for r in ROLES if r in u.roles)
        lines += ["[[user]]", f'name = "{u.name}"', f"roles = [{roles}]", f'password = "{u.password_hash}"', ""]
    return "\n".join(lines)
