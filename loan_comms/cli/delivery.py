"""Delivery commands: dispatch now, ingest receipts and replies, run the fake gateway.

Mounted into `loan-comms` by the main CLI. Prints counts, never recipients or wording.
"""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from loan_comms.cli.common import ConfigOpt, CountOpt, DbOpt, EncodingOpt, book, ingest_file, preflight
from loan_comms.cli.common import fail as _fail
from loan_comms.cli.common import load_cfg as _cfg
from loan_comms.cli.common import parse_now as _parse_now

app = typer.Typer(add_completion=False, no_args_is_help=True, help="Delivery: dispatch, receipts, replies.")

@app.command("dispatch")
def dispatch(db: Path = DbOpt, config: Optional[Path] = ConfigOpt,
             now: Optional[str] = typer.Option(None, "--now", help="UTC instant of this pass (default: now)."),
             batch_size: Optional[int] = CountOpt(None, "--batch-size", help="Contacts per batch."),
             dry_run: bool = typer.Option(False, "--dry-run", help="Count what would go; change nothing.")) -> None:
    """Send every planned contact whose window is open now, through its channel's provider."""
    from loan_comms.delivery.dispatch import dispatch_due
    from loan_comms.delivery.providers.errors import DeliveryHalted
    from loan_comms.delivery.providers.http import ProviderConfigError
    from loan_comms.delivery.providers.secrets import MissingSecret

    at = _parse_now(now)
    cfg = preflight(config, simulated_clock=False)
    with book(db, "dispatch (CLI)") as con:
        try:
            report = dispatch_due(con, cfg, at, batch_size=batch_size, dry_run=dry_run)
        except DeliveryHalted as exc:   # the pass's counts first, then the one line that says why
            typer.echo(str(exc.report))
            _fail(f"dispatch stopped: {exc}", code=1)
        except (ProviderConfigError, MissingSecret, ValueError) as exc:
            _fail(str(exc))
    typer.echo(str(report))


@app.command("ingest-receipts")
def ingest_receipts_cmd(path: Path = typer.Argument(..., help="JSON/JSONL file or a directory of them."),
                        db: Path = DbOpt, encoding: Optional[str] = EncodingOpt) -> None:
    """Delivery receipts (Twilio status callbacks, SendGrid events) -> delivered / failed."""
    from loan_comms.inbound.receipts import ingest_receipts

    ingest_file(db, lambda con: ingest_receipts(con, path, encoding=encoding), "ingest-receipts")


@app.command("ingest-replies")
def ingest_replies_cmd(path: Path = typer.Argument(..., help="JSON/JSONL file or a directory of them."),
                       db: Path = DbOpt, config: Optional[Path] = ConfigOpt,
                       encoding: Optional[str] = EncodingOpt) -> None:
    """Inbound SMS (Twilio fields From, Body, MessageSid) -> borrower_events, classified."""
    from loan_comms.inbound.receipts import ingest_replies

    cfg = _cfg(config)
    ingest_file(db, lambda con: ingest_replies(con, cfg, path, encoding=encoding), "ingest-replies")


@app.command("receive-callbacks")
def receive_callbacks(port: int = CountOpt(8088, "--port", help="Port to listen on.", max=65535),
                      inbox: Path = typer.Option(Path("data/inbox"), "--inbox", help="Drop folders root."),
                      public_url: Optional[str] = typer.Option(None, "--public-url",
                                                               help="URL providers call (for Twilio signatures)."),
                      flush_seconds: float = typer.Option(10.0, "--flush-seconds", min=0.1)) -> None:
    """HTTP endpoint for provider callbacks (status, inbound SMS, e-mail events) -> inbox files."""
    import os

    from loan_comms.inbound.callbacks import serve

    serve(inbox, port, public_url, os.environ.get("TWILIO_AUTH_TOKEN") or None,
          os.environ.get("LOAN_COMMS_CALLBACK_TOKEN") or None, flush_seconds)


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
    app()
