"""Delivery commands: `dispatch` (send what is due now) and `fake-gateway` (a local gateway).

Prints counts, never recipients or wording. A provider that cannot be used (bad credentials, not
configured, down) ends `dispatch` with the pass's counts, then one line, exit 1.
Runnable on its own (`python -m loan_comms.cli.delivery dispatch ...`), as the whole CLI.
"""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from loan_comms.cli.common import ConfigOpt, CountOpt, DbOpt, NowOpt, book, loud_delivery, parse_now, preflight

app = typer.Typer()


@app.command("dispatch")
def dispatch(db: Path = DbOpt, config: Optional[Path] = ConfigOpt,
             now: Optional[str] = NowOpt("UTC instant of this pass (default: now)."),
             batch_size: Optional[int] = CountOpt(None, "--batch-size", help="Contacts per batch."),
             dry_run: bool = typer.Option(False, "--dry-run", help="Count what would go; change nothing.")) -> None:
    """Send every planned contact whose window is open now, through its channel's provider."""
    from loan_comms.delivery.dispatch import dispatch_due

    at = parse_now(now)
    cfg = preflight(config, simulated_clock=False)
    with book(db, "dispatch (CLI)") as con, loud_delivery(counts=True, alert_as="dispatch (CLI)", cfg=cfg):
        report = dispatch_due(con, cfg, at, batch_size=batch_size, dry_run=dry_run)
    typer.echo(str(report))


@app.command("fake-gateway")
def fake_gateway(port: int = CountOpt(8099, "--port", help="Port to listen on.", max=65535),
                 twilio_sid: Optional[str] = typer.Option(None, "--twilio-sid", envvar="TWILIO_ACCOUNT_SID"),
                 twilio_token: Optional[str] = typer.Option(None, "--twilio-token", envvar="TWILIO_AUTH_TOKEN"),
                 sendgrid_key: Optional[str] = typer.Option(None, "--sendgrid-key", envvar="SENDGRID_API_KEY")) -> None:
    """A local Twilio/SendGrid/webhook-shaped gateway for demos and tests (faults via POST /_faults)."""
    import asyncio

    from loan_comms.delivery.fake_gateway import FakeGateway

    auth = (twilio_sid, twilio_token) if twilio_sid and twilio_token else None
    try:
        asyncio.run(FakeGateway(port, auth, sendgrid_key).serve_forever())
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    from loan_comms.cli import main

    main()
