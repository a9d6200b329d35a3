"""`loan-comms studio ...`: the template studio for product managers (loan_comms/studio/).

    loan-comms studio add-user mei --role editor        # asks for the password; stores an argon2 hash
    loan-comms studio serve                             # http://127.0.0.1:8090
    loan-comms studio export --out templates            # the published release into the repository's files
    loan-comms studio releases                          # every release: who published what, when
"""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from loan_comms.cli.common import ConfigOpt, DbOpt, fail, load_cfg
from loan_comms.cli.errors import ReportingGroup

app = typer.Typer(help="The template studio: edit, preview, review and publish templates in the browser.",
                  no_args_is_help=True, cls=ReportingGroup)


@app.command("add-user")
def add_user(
    name: str = typer.Argument(..., help="what they type to sign in (lower case)"),
    role: list[str] = typer.Option(..., "--role", help="editor, reviewer (approves) or viewer; repeat for several"),
    config: Optional[Path] = ConfigOpt,
    password_stdin: bool = typer.Option(False, "--password-stdin", help="read the password from standard input"),
) -> None:
    """Add a user to the studio's users file, or change their roles and password."""
    from loan_comms.studio.users import save_user, users_file

    cfg = load_cfg(config)
    if password_stdin:
        password = typer.get_text_stream("stdin").readline().rstrip("\n")
    else:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    path = users_file(cfg)
    save_user(path, name, role, password)
    typer.echo(f"{name} ({', '.join(role)}) saved in {path}")


@app.command("serve")
def serve(
    config: Optional[Path] = ConfigOpt,
    db: Path = DbOpt,
    host: Optional[str] = typer.Option(None, "--host", help="default [studio].host (127.0.0.1)"),
    port: Optional[int] = typer.Option(None, "--port", help="default [studio].port (8090)"),
    secure_cookies: bool = typer.Option(False, "--secure-cookies", help="behind TLS: send the session cookie over https only"),
) -> None:
    """Serve the studio. Contact counts come from the last daily plan's export beside --db."""
    from loan_comms.studio import Studio, StudioServer, load_users, users_file
    from loan_comms.templating.usage import template_usage_file_for

    cfg = load_cfg(config)
    if not load_users(users_file(cfg)):
        fail(f"no users in {users_file(cfg)}: add one with `loan-comms studio add-user NAME --role editor`")
    studio = Studio.open(cfg)
    host = host or cfg.studio.host
    srv = StudioServer(studio, host=host, port=port if port is not None else cfg.studio.port,
                       usage_file=template_usage_file_for(db), secure_cookies=secure_cookies)
    if host not in ("127.0.0.1", "localhost", "::1"):
        typer.echo(f"warning: listening on {host}, beyond this machine; put it behind TLS and use --secure-cookies")
    typer.echo(f"Template studio on {srv.url()} (published release {studio.release_name()}); Ctrl-C to stop")
    try:
        srv.serve_forever()
    finally:
        studio.close()


@app.command("export")
def export(
    out: Path = typer.Option(..., "--out", help="the templates folder to write (e.g. templates, to commit to git)"),
    config: Optional[Path] = ConfigOpt,
) -> None:
    """Write the published release's templates into a folder (files not in the release are removed)."""
    from loan_comms.templating.releases import current_release, read_library, read_manifest
    from loan_comms.templating.store import is_template_file, studio_dir

    cfg = load_cfg(config)
    release = current_release(studio_dir(cfg))
    if release is None:
        fail(f"nothing is published in {studio_dir(cfg)}; start the studio once (`loan-comms studio serve`)")
    files = read_library(release)
    ours = [p for p in out.rglob("*.j2") if is_template_file(p.relative_to(out).as_posix())] if out.is_dir() else []
    if out.is_dir() and any(out.iterdir()) and not ours:
        fail(f"{out} is not a templates folder (no <channel>/<language>/<kind>.<part>.j2 in it); "
             "give the library's folder, e.g. --out templates, or an empty one")
    out.mkdir(parents=True, exist_ok=True)
    for old in ours:                      # only the library's own files: nothing else in the folder is touched
        if old.relative_to(out).as_posix() not in files:
            old.unlink()
    for rel, text in files.items():
        path = out / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
    studio_made = [p for p in read_manifest(release).values() if p.source == "studio"]
    typer.echo(f"release {release.name}: {len(files)} files written to {out}; "
               f"{len(studio_made)} wording(s) from the studio")
    for p in sorted(studio_made, key=lambda p: p.template_id):
        typer.echo(f"  {p.template_id}@{p.version}: written by {p.author}, approved by {p.reviewer} {p.approved_at}")


@app.command("import")
def import_repository(
    by: str = typer.Option(..., "--by", help="who is importing (recorded in the studio's audit and the release)"),
    config: Optional[Path] = ConfigOpt,
    over_studio: bool = typer.Option(False, "--over-studio", help="also replace wordings published from the studio"),
) -> None:
    """Publish the repository's changed and new templates (reviewed in git) as a new studio release."""
    from loan_comms.studio import Studio

    cfg = load_cfg(config)
    with Studio.open(cfg) as studio:
        release, taken, kept = studio.import_repository(by, over_studio=over_studio)
    if release is None:
        typer.echo("the published release already has the repository's wording")
    else:
        typer.echo(f"release {release}: {len(taken)} template(s) from the repository: {', '.join(taken)}")
    if kept:
        typer.echo(f"kept the studio's wording of {len(kept)} template(s) ({', '.join(kept)}): export them to git with "
                   "`loan-comms studio export --out templates`, or import over them with --over-studio")


@app.command("releases")
def list_releases(config: Optional[Path] = ConfigOpt) -> None:
    """Every published release, oldest first, with what it changed and who approved it."""
    from loan_comms.templating.releases import CURRENT, read_manifest, releases
    from loan_comms.templating.store import studio_dir

    cfg = load_cfg(config)
    folder = studio_dir(cfg)
    current = (folder / CURRENT).read_text(encoding="utf-8").strip() if (folder / CURRENT).exists() else None
    previous: dict[str, str] = {}
    found = releases(folder)
    if not found:
        typer.echo(f"no releases in {folder}")
        return
    for rel in found:
        manifest = read_manifest(rel)
        changed = [p for tid, p in sorted(manifest.items()) if previous.get(tid) != p.version]
        mark = "  (published)" if rel.name == current else ""
        typer.echo(f"{rel.name}{mark}: {len(changed)} template(s) changed")
        for p in changed[:20] if previous else []:
            who = f"written by {p.author}, approved by {p.reviewer}" if p.source == "studio" else "repository (git)"
            typer.echo(f"  {p.template_id}@{p.version}: {who}")
        previous = {tid: p.version for tid, p in manifest.items()}
