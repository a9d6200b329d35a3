"""The callback endpoint: signed Twilio callbacks and SendGrid events land as inbox files."""

from __future__ import annotations

from urllib.parse import urlencode

import httpx

from loan_comms.delivery.dispatch import dispatch_due
from loan_comms.inbound.callbacks import CallbackServer, twilio_signature
from loan_comms.inbound.receipts import ingest_receipts, ingest_replies
from tests.builders import NOW, TOKEN, plan, statuses


def test_signed_callbacks_reach_the_database_through_the_inbox(con, cfg, secrets_env, tmp_path):
    (aid,) = plan(con, 1)
    (mail,) = plan(con, 1, channel="email", start=5)
    dispatch_due(con, cfg, NOW)
    srv = CallbackServer(tmp_path / "inbox", twilio_auth_token=TOKEN, callback_token="cb-token-1", flush_seconds=60)
    srv.start()
    try:
        def post_twilio(path, form, signature=None):
            sig = signature or twilio_signature(TOKEN, srv.url + path, form)
            return httpx.post(srv.url + path, content=urlencode(form),
                              headers={"X-Twilio-Signature": sig, "Content-Type": "application/x-www-form-urlencoded"})

        assert post_twilio("/twilio/status", {"MessageSid": f"outbox-{aid}", "MessageStatus": "delivered"}).status_code == 204
        r = post_twilio("/twilio/inbound", {"MessageSid": "SMin1", "From": "+12025550000", "Body": "HARDSHIP"})
        assert r.status_code == 200 and "<Response>" in r.text
        assert post_twilio("/twilio/status", {"MessageSid": "SMx", "MessageStatus": "failed"},
                           signature="forged").status_code == 403
        assert httpx.post(srv.url + "/sendgrid/events?token=wrong", json=[]).status_code == 403
        assert httpx.post(srv.url + "/sendgrid/events?token=cb-token-1",
                          json=[{"event": "delivered", "attempt_id": mail, "sg_message_id": "x.y"}]).status_code == 200
    finally:
        srv.stop()
    assert srv.counts == {"receipts": 2, "replies": 1, "email_replies": 0, "refused": 2}
    assert not list((tmp_path / "inbox").rglob(".*.part"))
    rep = ingest_receipts(con, tmp_path / "inbox" / "receipts", now=NOW)
    assert rep.delivered == 2
    assert statuses(con)[aid] == "delivered" and statuses(con)[mail] == "delivered"
    replies = ingest_replies(con, cfg, tmp_path / "inbox" / "replies", now=NOW)
    assert replies.by_kind == {"hardship_request": 1}


def test_the_receiver_listens_on_loopback_unless_told_to_bind_all(monkeypatch, tmp_path):
    """Issue 13: an open port that accepts callbacks must be a choice (--bind-all), not the default."""
    from typer.testing import CliRunner

    import loan_comms.inbound.callbacks as callbacks
    from loan_comms.cli import app

    hosts = []
    monkeypatch.setattr(callbacks, "serve", lambda *a, host="127.0.0.1", **k: hosts.append(host))
    for name in ("LOAN_COMMS_PUBLIC_URL", "TWILIO_AUTH_TOKEN", "LOAN_COMMS_CALLBACK_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    runner = CliRunner()
    assert runner.invoke(app, ["receive-callbacks", "--inbox", str(tmp_path)]).exit_code == 0
    # bound to every interface with the checks off, it starts only when told to accept unsigned posts
    assert runner.invoke(app, ["receive-callbacks", "--inbox", str(tmp_path), "--bind-all"]).exit_code == 2
    assert runner.invoke(app, ["receive-callbacks", "--inbox", str(tmp_path), "--bind-all",
                               "--insecure-accept-unsigned"]).exit_code == 0
    assert hosts == ["127.0.0.1", "0.0.0.0"]
