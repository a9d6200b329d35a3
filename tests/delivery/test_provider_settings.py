"""Provider settings that make the providers' reports reach us (issue 13): a Twilio StatusCallback
on every message, carrying its attempt id, from config or the environment (and a warning once when
there is none); SendGrid categories and an unsubscribe group (asm), shaped as the official
`sendgrid` library shapes them and checked against SendGrid's limits. The official libraries are
test dependencies: what they send is the reference."""

from __future__ import annotations

import json
import logging
from urllib.parse import parse_qsl

import pytest

from loan_comms.config import ProviderConfig
from loan_comms.delivery.providers import twilio as twilio_mod
from loan_comms.delivery.providers.base import OutMessage
from loan_comms.delivery.providers.http import ProviderConfigError
from loan_comms.delivery.providers.sendgrid import SendGridProvider
from loan_comms.delivery.providers.twilio import TwilioProvider, callback_url
from tests.builders import SG_KEY, SID, TOKEN

ENV = ("LOAN_COMMS_STATUS_CALLBACK_URL", "LOAN_COMMS_PUBLIC_URL")


@pytest.fixture(autouse=True)
def clean_env(monkeypatch):
    for name in ENV:
        monkeypatch.delenv(name, raising=False)


def _sms(attempt_id="A00001"):
    return OutMessage(attempt_id, f"key-{attempt_id}", "sms", "+12025550100", None, "Hi Pat, payment overdue.", None)


def _twilio(**extra):
    return TwilioProvider.from_config("sms", ProviderConfig(kind="twilio", base_url="http://127.0.0.1:9",
                                                            **{"from_number": "+12025550000", **extra}))


def _form(provider, m):
    return dict(parse_qsl(provider.build([m]).content.decode(), keep_blank_values=True))


def test_every_message_carries_its_own_status_callback_as_the_official_library_sends_it(secrets_env):
    import twilio.http
    from twilio.http.response import Response
    from twilio.rest import Client

    class Capture(twilio.http.HttpClient):
        def request(self, method, url, params=None, data=None, headers=None, auth=None, timeout=None,
                    allow_redirects=False):
            self.data = data
            return Response(201, json.dumps({"sid": "SM1", "account_sid": SID}))

    provider = _twilio(status_callback="https://hooks.lender.example/twilio/status")
    for aid in ("A00001", "A00002"):
        m = _sms(aid)
        form = _form(provider, m)
        assert form["StatusCallback"] == f"https://hooks.lender.example/twilio/status?attempt_id={aid}"
        cap = Capture(logging.getLogger("capture"), False)
        Client(SID, TOKEN, http_client=cap).messages.create(
            to=m.recipient, from_="+12025550000", body=m.body_text, status_callback=form["StatusCallback"])
        assert form == cap.data


@pytest.mark.parametrize("config, env, expected", [
    ("https://cfg.example/cb", {"LOAN_COMMS_STATUS_CALLBACK_URL": "https://env.example/cb",
                                "LOAN_COMMS_PUBLIC_URL": "https://pub.example"}, "https://cfg.example/cb?attempt_id=A00001"),
    (None, {"LOAN_COMMS_STATUS_CALLBACK_URL": "https://env.example/cb",
            "LOAN_COMMS_PUBLIC_URL": "https://pub.example"}, "https://env.example/cb?attempt_id=A00001"),
    (None, {"LOAN_COMMS_PUBLIC_URL": "https://pub.example/"}, "https://pub.example/twilio/status?attempt_id=A00001"),
    (None, {"LOAN_COMMS_PUBLIC_URL": "https://pub.example:8443/hooks"},
     "https://pub.example:8443/hooks/twilio/status?attempt_id=A00001"),
    ("https://cfg.example/cb?tenant=7", {}, "https://cfg.example/cb?tenant=7&attempt_id=A00001"),
])
def test_status_callback_precedence_config_then_callback_url_then_public_url(secrets_env, monkeypatch, config, env,
                                                                            expected):
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    provider = _twilio(**({"status_callback": config} if config else {}))
    assert _form(provider, _sms())["StatusCallback"] == expected


@pytest.mark.parametrize("sender", [{"from_number": "+12025550000"}, {"messaging_service_sid": "MG&1 2"}])
@pytest.mark.parametrize("callback", [None, "https://hooks.lender.example/twilio/status?tenant=7&x=a b"])
def test_the_form_is_exactly_what_urlencode_gives(secrets_env, sender, callback):
    """build() encodes the fixed part once; the bytes stay those of urlencode() over the same form."""
    from urllib.parse import urlencode

    provider = _twilio(**sender, **({"status_callback": callback} if callback else {}))
    for to, body in (("+12025550100", "Hi Pat, $500.00 due 1 Nov: pay at https://pay.example.com/l/L1?a=1&b=2"),
                     ("+86 139 0000 0003", "您好，请于11月1日前还款 100% 😀\n\"quoted\" <b>&amp;</b> ~*#"), (None, None)):
        m = OutMessage("A 1&2", "key", "sms", to, None, body, None)
        form = {"To": to or "", **provider.sender, "Body": body or ""}
        if callback:
            form["StatusCallback"] = callback_url(callback, m.attempt_id)
        assert provider.build([m]).content == urlencode(form).encode()


def test_the_attempt_id_is_url_encoded():
    assert callback_url("https://h.example/s", "a b&c=d") == "https://h.example/s?attempt_id=a+b%26c%3Dd"


def test_no_status_callback_is_said_once_per_process(secrets_env, monkeypatch, caplog):
    monkeypatch.setattr(twilio_mod, "_warned_no_callback", [False])
    with caplog.at_level(logging.WARNING, logger="loan_comms.delivery.providers.twilio"):
        first, second = _twilio(), _twilio()
    assert "StatusCallback" not in _form(first, _sms()) and "StatusCallback" not in _form(second, _sms())
    [record] = [r for r in caplog.records if "StatusCallback" in r.getMessage()]
    line = record.getMessage()
    assert "\n" not in line and "stay 'sent' forever" in line and "LOAN_COMMS_PUBLIC_URL" in line
    caplog.clear()
    with caplog.at_level(logging.WARNING):
        _twilio(status_callback="https://cfg.example/cb")
    assert not caplog.records


@pytest.mark.parametrize("where, env", [
    ("providers.sms.status_callback", {}),
    ("LOAN_COMMS_STATUS_CALLBACK_URL", {"LOAN_COMMS_STATUS_CALLBACK_URL": "hooks.example/cb"}),
    ("LOAN_COMMS_PUBLIC_URL", {"LOAN_COMMS_PUBLIC_URL": "hooks.example"}),
])
def test_a_status_callback_that_is_not_a_url_is_one_line_naming_where_it_came_from(secrets_env, monkeypatch,
                                                                                  where, env):
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    with pytest.raises(ProviderConfigError, match=f"^{where}: must be an http"):
        _twilio(**({"status_callback": "hooks.example/cb"} if not env else {}))


# -- SendGrid --------------------------------------------------------------------------------------

def _mail(attempt_id="A00002"):
    return OutMessage(attempt_id, f"key-{attempt_id}", "email", "pat@example.com", "Payment overdue",
                      "Hi Pat, payment overdue.", "<p>Hi Pat, payment overdue.</p>")


def _sendgrid(**extra):
    return SendGridProvider.from_config("email", ProviderConfig(
        kind="sendgrid", base_url="http://127.0.0.1:9",
        **{"from_email": "collections@lender.example", "from_name": "Lender", **extra}))


def test_categories_and_unsubscribe_group_are_the_official_librarys_shape(secrets_env):
    from sendgrid.helpers.mail import Asm, Category, CustomArg, From, GroupId, GroupsToDisplay, Mail, To

    provider = _sendgrid(categories=["collections", "dpd"], asm_group_id=4242, asm_groups_to_display=[4242, 17])
    m = _mail()
    ours = json.loads(provider.build([m]).content)
    ref = Mail(from_email=From("collections@lender.example", "Lender"), to_emails=To(m.recipient),
               subject=m.subject, plain_text_content=m.body_text, html_content=m.body_html)
    ref.category = [Category("collections"), Category("dpd")]
    ref.asm = Asm(GroupId(4242), GroupsToDisplay([4242, 17]))
    ref.custom_arg = CustomArg("attempt_id", m.attempt_id)
    want = ref.get()
    assert ours["asm"] == want["asm"] == {"group_id": 4242, "groups_to_display": [4242, 17]}
    assert sorted(ours.pop("categories")) == sorted(want.pop("categories"))
    assert ours == want


def test_without_categories_or_group_the_body_has_neither(secrets_env):
    doc = json.loads(_sendgrid().build([_mail()]).content)
    assert "categories" not in doc and "asm" not in doc
    assert _sendgrid(asm_group_id="12").build([_mail()]).content and \
        json.loads(_sendgrid(asm_group_id="12").build([_mail()]).content)["asm"] == {"group_id": 12}


@pytest.mark.parametrize("extra, message", [
    ({"categories": "collections"}, "providers.email.categories: must be a list of strings"),
    ({"categories": [f"c{i}" for i in range(11)]}, "at most 10 categories"),
    ({"categories": ["x" * 256]}, "category 1 is longer than 255 characters"),
    ({"categories": ["ok", "逾期"]}, "category 2 must be ASCII"),
    ({"categories": ["ok", ""]}, "category 2 must be a non-empty string"),
    ({"asm_group_id": "twelve"}, "providers.email.asm_group_id: 'twelve' is not a whole number"),
    ({"asm_group_id": 0}, "providers.email.asm_group_id: must be greater than 0"),
    ({"asm_group_id": True}, "providers.email.asm_group_id: must be a whole number"),
    ({"asm_groups_to_display": [1]}, "asm_groups_to_display: needs providers.email.asm_group_id"),
    ({"asm_group_id": 1, "asm_groups_to_display": 1}, "asm_groups_to_display: must be a list of group ids"),
    ({"asm_group_id": 1, "asm_groups_to_display": list(range(1, 27))}, "at most 25 groups"),
])
def test_sendgrid_settings_outside_its_limits_are_one_line_naming_the_key(secrets_env, extra, message):
    with pytest.raises(ProviderConfigError) as err:
        _sendgrid(**extra)
    assert message in str(err.value) and "\n" not in str(err.value)
    assert SG_KEY not in str(err.value)
