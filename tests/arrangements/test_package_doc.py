"""The arrangements package's docstring is its map (docs/architecture.md sends newcomers there): every
module and SQL file it names exists, every module of the package is named, and each public name it
lists is importable from the module it says. docs/arrangements.md's relative links lead somewhere."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import loan_comms.arrangements as package
from loan_comms.paths import SQL_DIR

ROOT = SQL_DIR.parent
PACKAGE_DIR = Path(package.__file__).parent
DOC = package.__doc__ or ""


def test_every_module_named_exists_and_every_module_is_named():
    named = set(re.findall(r"\b(\w+)\.py\b", DOC))
    modules = {p.stem for p in PACKAGE_DIR.glob("*.py") if p.stem != "__init__"}
    assert named - {"replies"} <= modules, named - modules          # inbound/replies.py lives elsewhere
    assert modules <= named, f"not described in the package docstring: {sorted(modules - named)}"
    assert (PACKAGE_DIR / "pages" / "plan.html.j2").exists()


def test_every_sql_file_named_exists():
    folders = [SQL_DIR / "arrangements", SQL_DIR / "policy" / "rules", SQL_DIR / "audit"]
    for name in re.findall(r"(?<![*\w])([a-z]\w*)\.sql\b", DOC):
        assert any((f / f"{name}.sql").exists() for f in folders), name
    for pattern in re.findall(r"\((\*_\w+)\.sql\)", DOC):   # (*_candidates.sql)
        assert list((SQL_DIR / "arrangements").glob(f"{pattern}.sql")), pattern


def test_the_public_api_listed_is_importable_from_its_module():
    api = DOC.split("Public API.", 1)[1]
    for line in api.splitlines():
        m = re.match(r"^    (\w+)\s+(.+?)\s{2,}\(", line)
        if not m:
            continue
        module, names = m.group(1), m.group(2)
        for part in names.split(";"):
            part = part.strip()
            if ":" in part:                                  # "sms_menu: MenuText, ..." names another module
                module, part = (x.strip() for x in part.split(":", 1))
            mod = importlib.import_module(f"loan_comms.arrangements.{module}")
            for name in (n.strip() for n in part.split(",")):
                assert hasattr(mod, name), f"{module}.{name}"


def test_the_arrangements_doc_links_lead_somewhere():
    docs = ROOT / "docs"
    for doc in ("arrangements.md", "arrangements-export.md", "architecture.md"):
        text = (docs / doc).read_text(encoding="utf-8")
        for target in re.findall(r"\]\(([^)#:]+)(?:#[^)]*)?\)", text):
            assert (docs / target).resolve().exists(), f"{doc}: {target}"
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "docs/arrangements_accepting.md" not in readme
    for target in re.findall(r"\]\((docs/arrangements[^)#]*)", readme):
        assert (ROOT / target).exists(), target
