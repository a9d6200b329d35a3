"""What comes in from outside: dialer outcomes, visit outcomes, operator events, SMS replies, delivery receipts, and
the HTTP endpoint that turns provider callbacks into inbox files.

Each ingest command reads one file (or folder) row by row and prints `ingest_file`'s report: bad rows
are quarantined with their line and reason, the good ones land, re-ingesting is safe. A file that
cannot be read at all is one line and exit 2 (InboundFileError).
"""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from loan_comms.cli.common import ConfigOpt, CountOpt, DbOpt, EncodingOpt, ingest_file, load_cfg

app = typer.Typer()


@app.command("ingest-call-outcomes")
def ingest_call_outcomes_cmd(file: Path = typer.Argument(..., help="Dialer export (.jsonl or .csv), one row per "
                                                         "dial: attempt_id, outcome, occurred_at [, dial_seq, agent_id, "
                                                         "recording_ref, promised_date + amount, callback_at | "
                                                         "callback_date (+ callback_from, callback_to)]."),
                             db: Path = DbOpt, encoding: Optional[str] = EncodingOpt) -> None:
    """Record dial outcomes (no_answer, busy, voicemail, reached, promise_to_pay, hardship_request, dispute,
    wrong_number, refused, callback_requested); re-ingesting is safe. Bad rows go to import_quarantine
    with their line and reason; the good ones are recorded (docs/collectors/outcomes.md)."""
    from loan_comms.inbound.events import ingest_call_outcomes

    ingest_file(db, lambda con: ingest_call_outcomes(con, file, encoding=encoding), "ingest-call-outcomes")


@app.command("ingest-visit-outcomes")
def ingest_visit_outcomes_cmd(file: Path = typer.Argument(..., help="Field-team export (.jsonl or .csv): attempt_id, "
                                                          "outcome, collectors, occurred_at [, visit_seq, "
                                                          "promised_date, amount, reason, notes, "
                                                          "evidence_ref]."),
                              db: Path = DbOpt, config: Optional[Path] = ConfigOpt,
                              encoding: Optional[str] = EncodingOpt) -> None:
    """Record home-visit outcomes (met, not_home, refused, promise_to_pay, hardship, cancelled with a
    reason) with the collectors present, optional notes (kept in the record only, never printed) and
    an evidence reference; re-ingesting is safe. A promise pauses the ladder, hardship acts as a
    hardship request. Bad rows go to import_quarantine with their line and reason; the good ones are
    recorded. A row naming fewer than [visits] min_collectors, or not the pair the visit plan
    assigned, is recorded all the same, and the report says how many (audit: visit_collectors,
    visit_pair)."""
    from loan_comms.inbound.visits import ingest_visit_outcomes

    minimum = load_cfg(config).visits.min_collectors
    ingest_file(db, lambda con: ingest_visit_outcomes(con, file, encoding=encoding, min_collectors=minimum),
                "ingest-visit-outcomes")


@app.command("record-events")
def record_events_cmd(file: Path = typer.Argument(..., help="Operator events (.jsonl or .csv): event_id, "
                                                  "borrower_id, kind, occurred_at [, loan_id, channel, promised_date, amount, note, "
                                                  "address (wrong_number, point_verified, opt_out/opt_in of one "
                                                  "number), text (kind note), ...]."),
                      db: Path = DbOpt, config: Optional[Path] = ConfigOpt,
                      encoding: Optional[str] = EncodingOpt) -> None:
    """Record what an agent was told: cease-contact, disputes, hardship, promises, opt-outs, a wrong
    number or a verified one (with the address column; never printed), or a free-text `note` of the
    conversation (kind note, text, channel call|visit, default call): it is understood like a reply,
    and what it means is recorded (an opt-out, hardship...) or goes to the review queue.
    Each row is checked against the book (the loan must be the borrower's; no future dates); bad
    rows go to import_quarantine with their line and reason, the good ones are recorded."""
    from loan_comms.inbound.events import ingest_operator_events

    cfg = load_cfg(config)
    ingest_file(db, lambda con: ingest_operator_events(con, file, encoding=encoding, cfg=cfg), "record-events")


@app.command("import-contact-points")
def import_contact_points_cmd(file: Path = typer.Argument(..., help="Contact points (.csv or .jsonl): borrower_id, "
                                                          "kind (phone|email), address [, place (mobile|home|work), "
                                                          "verified_at]."),
                              db: Path = DbOpt, encoding: Optional[str] = EncodingOpt) -> None:
    """Add borrowers' extra phones and e-mails (one number may be several borrowers'); a row with
    verified_at also records that the borrower confirmed the point (a new number after a wrong one).
    Bad rows go to import_quarantine with their line and reason; re-importing is safe."""
    from loan_comms.inbound.contact_points import import_contact_points

    ingest_file(db, lambda con: import_contact_points(con, file, encoding=encoding), "import-contact-points")


@app.command("ingest-reassigned-numbers")
def ingest_reassigned_numbers_cmd(file: Path = typer.Argument(..., help="Reassigned-numbers answers (.csv or "
                                                              ".jsonl): phone, reassigned_on (YYYY-MM-DD)."),
                                  db: Path = DbOpt, encoding: Optional[str] = EncodingOpt) -> None:
    """Numbers that changed hands (e.g. FCC Reassigned Numbers Database answers): nothing goes to
    them, for any borrower holding them, until the borrower verifies the number again."""
    from loan_comms.inbound.contact_points import ingest_reassigned_numbers

    ingest_file(db, lambda con: ingest_reassigned_numbers(con, file, encoding=encoding), "ingest-reassigned-numbers")


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
    """Inbound SMS (Twilio fields From, Body, MessageSid [, DateSent, OptOutType]) -> borrower_events: the
    reply, what it means (opt-out, hardship, promise...), and a review item when it is ambiguous."""
    from loan_comms.inbound.replies import ingest_replies

    cfg = load_cfg(config)
    ingest_file(db, lambda con: ingest_replies(con, cfg, path, encoding=encoding), "ingest-replies")


@app.command("ingest-email-replies")
def ingest_email_replies_cmd(path: Path = typer.Argument(..., help="SendGrid Inbound Parse records (.jsonl, as "
                                                         "receive-callbacks writes them), .eml files, or a "
                                                         "directory of them."),
                             db: Path = DbOpt, config: Optional[Path] = ConfigOpt,
                             encoding: Optional[str] = EncodingOpt) -> None:
    """E-mail replies -> borrower_events, understood like SMS replies: only the new text counts
    (quoted history and signatures are cut, so a quoted "reply UNSUBSCRIBE" is not an opt-out), the
    sender is matched by the borrower's e-mail addresses. Re-ingesting is safe (keyed by Message-ID);
    automatic replies and e-mails without a sender go to import_quarantine with their reason."""
    from loan_comms.inbound.email_ingest import ingest_email_replies

    cfg = load_cfg(config)
    ingest_file(db, lambda con: ingest_email_replies(con, cfg, path, encoding=encoding), "ingest-email-replies")


@app.command("ingest-survey-answers")
def ingest_survey_answers_cmd(path: Path = typer.Argument(..., help="Survey answers (.jsonl, .json list or .csv, "
                                                          ".gz too) or a directory of them: token, score [, "
                                                          "comment, answered_at, external_id]."),
                              db: Path = DbOpt, encoding: Optional[str] = EncodingOpt,
                              config: Optional[Path] = ConfigOpt) -> None:
    """Land survey answers from a file drop (source `file`: a record claiming `web`, which only the survey
    page's own files landed by the inbox flow may carry, is refused). Each answer is checked against its
    invitation (known token, score in its scale, answered after it was sent, not expired nor received
    more than [surveys].answer_days after expiry, one answer per survey); bad rows go to import_quarantine
    with their line and reason. Re-ingesting is safe; the report has counts and reasons, never a comment."""
    from loan_comms.surveys import ingest_survey_answers

    days = load_cfg(config).surveys.answer_days
    ingest_file(db, lambda con: ingest_survey_answers(con, path, encoding=encoding, answer_days=days),
                "ingest-survey-answers")


@app.command("pull-survey-answers")
def pull_survey_answers_cmd(url: str = typer.Argument(..., help="The survey service's URL answering a JSON list of "
                                                      "{token, score, comment, answered_at [, id]}."),
                            db: Path = DbOpt,
                            bearer_env: Optional[str] = typer.Option(
                                None, "--bearer-env", help="Name of an environment variable holding the service's "
                                                           "API token, sent as `Authorization: Bearer` (never "
                                                           "printed)."),
                            timeout: float = typer.Option(30.0, "--timeout", min=1.0, help="Seconds to wait."),
                            config: Optional[Path] = ConfigOpt) -> None:
    """Pull answers from an external survey service and land them (source `pull`), checked like any
    other; refused ones go to import_quarantine with their position. A service that cannot be read
    (unreachable, HTTP error, not a JSON list) is one line, exit 1, and nothing is landed. Re-pulling is
    safe. The URL is printed without its query or credentials."""
    import os

    from loan_comms.surveys import SurveyPullError, pull_survey_answers

    headers: dict[str, str] = {}
    if bearer_env:
        secret = os.environ.get(bearer_env, "").strip()
        if not secret:
            raise SurveyPullError(f"--bearer-env {bearer_env}: that environment variable is not set; nothing was "
                                  "pulled")
        headers["Authorization"] = f"Bearer {secret}"
    days = load_cfg(config).surveys.answer_days
    ingest_file(db, lambda con: pull_survey_answers(con, url, headers=headers, timeout=timeout, answer_days=days),
                "pull-survey-answers")


@app.command("receive-callbacks")
def receive_callbacks(port: int = CountOpt(8088, "--port", help="Port to listen on.", max=65535),
                      inbox: Path = typer.Option(Path("data/inbox"), "--inbox", help="Drop folders root."),
                      public_url: Optional[str] = typer.Option(
                          None, "--public-url", envvar="LOAN_COMMS_PUBLIC_URL", show_envvar=True,
                          help="The receiver's public base URL, as providers call it (e.g. "
                               "https://callbacks.example.com): Twilio signs this + the path and query. "
                               "Without it, the Host header (and X-Forwarded-Proto) stand in."),
                      flush_seconds: float = typer.Option(10.0, "--flush-seconds", min=0.1),
                      signature_tolerance: float = typer.Option(
                          300.0, "--signature-tolerance", min=1.0,
                          help="Seconds a signed SendGrid event post's timestamp may be off (past or "
                               "future) before it is refused as stale."),
                      config: Optional[Path] = ConfigOpt,
                      bind_all: bool = typer.Option(False, "--bind-all",
                                                    help="Listen on every interface (0.0.0.0) instead of "
                                                         "127.0.0.1; put the signatures and the token in place "
                                                         "first."),
                      insecure: bool = typer.Option(False, "--insecure-accept-unsigned",
                                                    help="Start even though the setup looks like production "
                                                         "(--public-url, --bind-all, a Twilio/SendGrid provider) "
                                                         "and a check is off: that endpoint then accepts forged "
                                                         "callbacks, which can settle sends and opt borrowers "
                                                         "out. Each open check is a warning.")) -> None:
    """HTTP endpoint for provider callbacks (status, inbound SMS, e-mail events, Inbound Parse e-mail) -> inbox
    files. Listens on 127.0.0.1 (behind your reverse proxy or tunnel) unless --bind-all.

    Checks, each on when its secret is set: Twilio signatures (TWILIO_AUTH_TOKEN or [providers.sms]
    auth_token_block; TWILIO_WEBHOOK_SHARED_KEY for a Webhook Setting's SharedKey), SendGrid signed
    event posts (LOAN_COMMS_SENDGRID_WEBHOOK_PUBLIC_KEY or [providers.email] webhook_public_key_block),
    ?token= on the SendGrid URLs (LOAN_COMMS_CALLBACK_TOKEN). Refused posts get 403 and write nothing.
    When the setup looks like production (--public-url, --bind-all, a Twilio/SendGrid provider in the
    config) every check must be on: otherwise it does not start (exit 2), unless
    --insecure-accept-unsigned."""
    from loan_comms.inbound.callback_auth import production_reasons, require_checks, resolve_callback_auth
    from loan_comms.inbound.callbacks import serve

    cfg = load_cfg(config)
    auth = resolve_callback_auth(cfg, tolerance_seconds=signature_tolerance)
    public_url = (public_url.strip() or None) if public_url else None
    reasons = production_reasons(cfg, public_url=public_url, bind_all=bind_all)
    require_checks(auth, reasons, insecure=insecure)
    serve(inbox, port, public_url, auth, flush_seconds, host="0.0.0.0" if bind_all else "127.0.0.1",
          production=bool(reasons), insecure=insecure)


@app.command("survey-server")
def survey_server(port: int = CountOpt(8089, "--port", help="Port to listen on.", max=65535),
                  tokens: Path = typer.Option(Path("data/survey_tokens.json"), "--tokens",
                                              help="The open surveys' page data (loan_comms.surveys.web.export_tokens)."),
                  inbox: Path = typer.Option(Path("data/inbox"), "--inbox",
                                             help="Drop folders root: answers go to <inbox>/survey_answers/."),
                  config: Optional[Path] = ConfigOpt,
                  flush_seconds: float = typer.Option(5.0, "--flush-seconds", min=0.1),
                  bind_all: bool = typer.Option(False, "--bind-all", help="Listen on 0.0.0.0, not 127.0.0.1.")) -> None:
    """The one-question survey page at the survey link (survey_link_base of the general section + token). Never opens
    the database: it reads the exported token file and writes answer files the ingest lands."""
    from urllib.parse import urlsplit

    from loan_comms.surveys.web import serve

    cfg = load_cfg(config)
    prefix = urlsplit(cfg.general.survey_link_base).path or "/s/"
    serve(tokens, inbox, port, host="0.0.0.0" if bind_all else "127.0.0.1", prefix=prefix, flush_seconds=flush_seconds)
