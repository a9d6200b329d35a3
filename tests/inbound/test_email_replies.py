"""E-mail replies: SendGrid Inbound Parse posts and .eml files -> the borrower's new words, recorded.

The e-mails are built the way the clients build them (charsets, base64, quoted-printable, each
client's quoting), and the quoted "reply UNSUBSCRIBE" of our own e-mails must never read as an
opt-out while a borrower's own "UNSUBSCRIBE" must.
"""

from __future__ import annotations

import base64
import importlib.util
import json
import quopri
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from loan_comms.inbound import reader
from loan_comms.inbound.callbacks import CallbackServer
from loan_comms.inbound.email_ingest import ingest_email_replies
from loan_comms.inbound.email_replies import parse_eml, read_email_replies
from loan_comms.inbound.email_text import clean_subject, new_text, reply_text
from loan_comms.understanding import understand

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
OURS_EN = "Your payment of 500.00 is due on 5 Dec. Reply UNSUBSCRIBE to stop these e-mails."
OURS_ZH = "您的账单500.00元将于12月5日到期。回复退订可取消邮件提醒。"


def eml(*, body: bytes, charset: str = "utf-8", cte: str = "8bit", sender: str = "Jane Doe <Jane.Doe@Example.com>",
        subject: str = "Re: Payment reminder", mid: str | None = "<m1@mail.example>", subtype: str = "plain",
        extra: str = "") -> bytes:
    """A single-part e-mail as a client writes it (body already in `charset`, encoded by `cte`)."""
    if cte == "base64":
        payload = base64.encodebytes(body)
    elif cte == "quoted-printable":
        payload = quopri.encodestring(body)
    else:
        payload = body
    head = (f"From: {sender}\r\nTo: notices@acme.example\r\nSubject: {subject}\r\n"
            f"Date: Mon, 30 Nov 2026 10:14:00 +0800\r\n" + (f"Message-ID: {mid}\r\n" if mid else "") +
            f"MIME-Version: 1.0\r\nContent-Type: text/{subtype}; charset=\"{charset}\"\r\n"
            f"Content-Transfer-Encoding: {cte}\r\n{extra}\r\n")
    return head.encode("ascii") + payload


def b64_subject(text: str, charset: str) -> str:
    return f"=?{charset}?B?{base64.b64encode(text.encode(charset)).decode()}?="


# ---------------------------------------------------------------------------------------------
# Every client's quoting: only the new text is kept

CLIENTS = {
    "gmail": ("I will pay on Friday.\r\n\r\nOn Mon, Nov 30, 2026 at 9:14 AM Acme Lending <\r\n"
              f"notices@acme.example> wrote:\r\n\r\n> {OURS_EN}\r\n>\r\n", "I will pay on Friday."),
    "outlook": ("I lost my job, can we agree a lower payment?\r\n\r\nGet Outlook for Android\r\n"
                "________________________________\r\nFrom: Acme Lending <notices@acme.example>\r\n"
                "Sent: Monday, November 30, 2026 9:14 AM\r\nTo: Jane Doe <jane.doe@example.com>\r\n"
                f"Subject: Payment reminder\r\n\r\n{OURS_EN}\r\n",
                "I lost my job, can we agree a lower payment?"),
    "outlook_original": ("Paid yesterday.\r\n\r\n-----Original Message-----\r\nFrom: Acme Lending\r\n"
                         f"Sent: Monday, November 30, 2026 9:14 AM\r\n\r\n{OURS_EN}\r\n", "Paid yesterday."),
    "apple_mail": ("Not my loan\r\n\r\nSent from my iPhone\r\n\r\n> On Nov 30, 2026, at 09:14, Acme Lending "
                   f"<notices@acme.example> wrote:\r\n>\r\n> {OURS_EN}\r\n", "Not my loan"),
    "qq_mail": ("我下周五还500\r\n\r\n\r\n------------------&nbsp;原始邮件&nbsp;------------------\r\n"
                .replace("&nbsp;", " ") +
                "发件人: \"Acme\"<notices@acme.example>;\r\n发送时间: 2026年11月30日(星期一) 上午9:14\r\n"
                f"收件人: \"张三\"<zhangsan@qq.com>;\r\n主题: 还款提醒\r\n\r\n{OURS_ZH}\r\n", "我下周五还500"),
    "foxmail": ("我失业了，暂时还不上\r\n\r\n\r\nzhangsan@foxmail.com\r\n\r\n发件人： Acme\r\n"
                f"发送时间： 2026-11-30 09:14\r\n收件人： zhangsan\r\n主题： 还款提醒\r\n{OURS_ZH}\r\n",
                "我失业了，暂时还不上"),
    "netease": (f"不是我的贷款\r\n\r\n在 2026年11月30日 09:14，Acme<notices@acme.example> 写道：\r\n> {OURS_ZH}\r\n",
                "不是我的贷款"),
    "apple_mail_zh": (f"别再发了\r\n\r\n发自我的iPhone\r\n\r\n> 在 2026年11月30日，09:14，Acme 写道：\r\n>\r\n> {OURS_ZH}\r\n",
                      "别再发了"),
}


@pytest.mark.parametrize("client", sorted(CLIENTS))
def test_only_the_new_text_of_each_client_is_kept(client):
    body, expected = CLIENTS[client]
    text = new_text(body)
    assert text == expected
    assert "UNSUBSCRIBE" not in text and "退订" not in text


def test_a_quoted_unsubscribe_is_not_an_opt_out_but_a_written_one_is():
    quoted = new_text(CLIENTS["gmail"][0])
    written = new_text("UNSUBSCRIBE\r\n\r\n" + CLIENTS["gmail"][0].split("\r\n\r\n", 1)[1])
    zh = new_text("退订\r\n\r\n" + CLIENTS["netease"][0].split("\r\n\r\n", 1)[1])
    bottom = new_text(f"> {OURS_EN}\r\n\r\nUNSUBSCRIBE\r\n")   # written under the quote

    def intents(text: str) -> set[str]:
        return {i.name for i in understand(text, channel="email", received_at=NOW).intents}

    assert "opt_out" not in intents(quoted)
    assert (written, zh, bottom) == ("UNSUBSCRIBE", "退订", "UNSUBSCRIBE")
    assert "opt_out" in intents(written) and "opt_out" in intents(zh) and "opt_out" in intents(bottom)


def test_the_subject_counts_when_the_body_says_nothing_or_the_borrower_wrote_it():
    assert clean_subject("Re: RE: 回复：Payment reminder") == ("Payment reminder", True)
    assert reply_text(f"\r\n> {OURS_EN}\r\n", "Unsubscribe") == "Unsubscribe"
    assert reply_text("", "回复：退订") == "退订"
    assert reply_text("I'll pay Friday", "Re: Reply UNSUBSCRIBE to stop") == "I'll pay Friday"
    assert reply_text("please, no more e-mails", "STOP") == "STOP\nplease, no more e-mails"


# ---------------------------------------------------------------------------------------------
# .eml files: charsets and transfer encodings


@pytest.mark.parametrize("charset,cte", [("gbk", "base64"), ("gb2312", "base64"), ("gb18030", "quoted-printable"),
                                         ("big5", "base64"), ("utf-8", "quoted-printable")])
def test_chinese_eml_in_every_charset_and_transfer_encoding(charset, cte):
    text = "不要再發了" if charset == "big5" else "我失业了，能不能分期还？"
    subject = "回覆：還款提醒" if charset == "big5" else "回复：还款提醒"
    rec = parse_eml(eml(body=(text + "\r\n").encode(charset), charset=charset, cte=cte,
                        subject=b64_subject(subject, "big5" if charset == "big5" else "gb18030")))
    assert rec["text"].strip() == text
    assert rec["subject"] == subject
    assert rec["from"] == "jane.doe@example.com" and rec["message_id"] == "<m1@mail.example>"


def test_gbk_text_labelled_gb2312_is_read_whole():
    """Chinese clients label GBK as gb2312; characters outside GB2312 (镕) must still decode."""
    rec = parse_eml(eml(body="朱镕基说退订".encode("gbk"), charset="gb2312", cte="base64"))
    assert rec["text"] == "朱镕基说退订"


def test_multipart_alternative_prefers_the_plain_part_and_html_alone_is_read_as_text(tmp_path):
    boundary = "b1"
    html = ('<div dir="ltr">UNSUBSCRIBE</div><div class="gmail_quote"><div class="gmail_attr">On Mon, Nov 30, '
            f'2026 Acme &lt;n@acme.example&gt; wrote:</div><blockquote class="gmail_quote">{OURS_EN}</blockquote></div>')
    both = (f"From: a@b.example\r\nSubject: Re: x\r\nMessage-ID: <alt@x>\r\nMIME-Version: 1.0\r\n"
            f"Content-Type: multipart/alternative; boundary=\"{boundary}\"\r\n\r\n--{boundary}\r\n"
            "Content-Type: text/plain; charset=utf-8\r\n\r\nplain words\r\n"
            f"--{boundary}\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p>html words</p>\r\n--{boundary}--\r\n")
    assert parse_eml(both.encode())["text"].strip() == "plain words"
    (tmp_path / "html.eml").write_bytes(eml(body=html.encode(), subtype="html", cte="quoted-printable", mid="<h@x>"))
    (read,) = read_email_replies(tmp_path, now=NOW).texts
    assert read.text == "UNSUBSCRIBE"


def test_eml_files_become_texts_and_a_broken_one_is_quarantined_while_the_good_one_lands(tmp_path):
    (tmp_path / "a-good.eml").write_bytes(eml(body=CLIENTS["qq_mail"][0].encode("gb18030"), charset="gb18030",
                                              cte="base64"))
    (tmp_path / "b-broken.eml").write_bytes(b"\x00\x01 this is not a message \xff\xfe\r\n")
    (tmp_path / "c-ooo.eml").write_bytes(eml(body=b"I am out of the office.", mid="<ooo@x>",
                                             extra="Auto-Submitted: auto-replied\r\n"))
    read = read_email_replies(tmp_path, now=NOW)
    (good,) = read.texts
    assert (good.text, good.sender, good.channel, good.source) == ("我下周五还500", "jane.doe@example.com", "email",
                                                                   "email_reply")
    assert good.external_id == "email:m1@mail.example"
    assert good.occurred_at == datetime(2026, 11, 30, 2, 14, tzinfo=UTC)
    assert good.source_file == str((tmp_path / "a-good.eml").resolve()) and good.source_line == 1
    assert read.records == 3
    reasons = sorted(read.reasons)
    assert reasons[0].startswith("b-broken.eml:1: not an e-mail message")
    assert reasons[1].startswith("c-ooo.eml:1: automatic reply")
    assert {b["entity"] for b in read.bad} == {"email_reply"}


def test_a_future_date_header_cannot_date_a_reply_after_now(tmp_path):
    (tmp_path / "f.eml").write_bytes(eml(body=b"STOP").replace(b"Mon, 30 Nov 2026", b"Fri, 30 Nov 2029"))
    assert read_email_replies(tmp_path / "f.eml", now=NOW).texts[0].occurred_at == NOW


def test_an_eml_without_message_id_gets_a_stable_key(tmp_path):
    (tmp_path / "x.eml").write_bytes(eml(body=b"STOP", mid=None))
    first = read_email_replies(tmp_path, now=NOW).texts[0].external_id
    assert first.startswith("email:sha256:") and first == read_email_replies(tmp_path, now=NOW).texts[0].external_id


def test_a_directory_without_email_files_is_one_clear_error(tmp_path):
    (tmp_path / "notes.txt").write_text("x")
    with pytest.raises(reader.InboundFileError, match="no .jsonl"):
        read_email_replies(tmp_path, now=NOW)


# ---------------------------------------------------------------------------------------------
# SendGrid Inbound Parse


def form(fields: dict[str, bytes], boundary: str = "xYzZY") -> tuple[str, bytes]:
    """A multipart/form-data body as SendGrid posts it (fields without filenames, raw bytes)."""
    out = b""
    for name, value in fields.items():
        out += (f"--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n").encode() + value + b"\r\n"
    out += f"--{boundary}--\r\n".encode()
    return f"multipart/form-data; boundary={boundary}", out


def parse_post(text: bytes, charset: str, *, subject: str = "Re: 还款提醒", extra: dict[str, bytes] | None = None
               ) -> tuple[str, bytes]:
    headers = ("Received: by mx.sendgrid.net\nMessage-ID: <CAF+zh1@mail.gmail.com>\n"
               "Date: Fri, 20 Nov 2026 10:14:00 +0800\nFrom: =?UTF-8?B?5byg5LiJ?= <ZhangSan@Example.com>\n"
               "Subject: Re: x\nTo: replies@parse.acme.example\n")
    charsets = {"to": "UTF-8", "html": "UTF-8", "subject": "UTF-8", "from": "UTF-8", "text": charset}
    fields = {"headers": headers.encode(), "dkim": b"{@example.com : pass}", "to": b"replies@parse.acme.example",
              "from": "张三 <ZhangSan@Example.com>".encode(), "text": text, "sender_ip": b"203.0.113.5",
              "envelope": json.dumps({"to": ["replies@parse.acme.example"], "from": "zhangsan@example.com"}).encode(),
              "attachments": b"0", "subject": subject.encode(), "charsets": json.dumps(charsets).encode(),
              "SPF": b"pass", "spam_score": b"0.1"}
    return form({**fields, **(extra or {})})


def test_inbound_parse_posts_need_the_token_and_land_as_email_records(tmp_path):
    srv = CallbackServer(tmp_path / "inbox", callback_token="cb-token-1", flush_seconds=60).start()
    try:
        body = f"我下周五还500\r\n\r\n在 2026年11月30日 09:14，Acme 写道：\r\n> {OURS_ZH}\r\n".encode("gb2312")
        ctype, payload = parse_post(body, "GB2312")
        url = srv.url + "/sendgrid/inbound"
        assert httpx.post(url, content=payload, headers={"Content-Type": ctype}).status_code == 403
        assert httpx.post(url + "?token=wrong", content=payload, headers={"Content-Type": ctype}).status_code == 403
        assert httpx.post(url + "?token=cb-token-1", content=b"{}",
                          headers={"Content-Type": "application/json"}).status_code == 400
        assert httpx.post(url + "?token=cb-token-1", content=payload, headers={"Content-Type": ctype}).status_code == 200
        ctype2, payload2 = parse_post(b"", "UTF-8", subject="Unsubscribe",
                                      extra={"headers": b"Message-ID: <second@x>\nDate: Fri, 20 Nov 2026 11:00:00 +0800\n"})
        assert httpx.post(url + "?token=cb-token-1", content=payload2, headers={"Content-Type": ctype2}).status_code == 200
    finally:
        srv.stop()
    assert srv.counts == {"receipts": 0, "replies": 0, "email_replies": 2, "refused": 2}
    (file,) = (tmp_path / "inbox" / "email_replies").glob("*.jsonl")
    first, second = [json.loads(line) for line in file.read_text(encoding="utf-8").splitlines()]
    assert first["from"] == "zhangsan@example.com" and first["message_id"] == "<CAF+zh1@mail.gmail.com>"
    assert first["subject"] == "Re: 还款提醒" and first["text"].startswith("我下周五还500")
    assert "headers" not in first and "html" in first and first["html"] is None
    texts = read_email_replies(file, now=NOW).texts
    assert [(t.text, t.external_id) for t in texts] == [("我下周五还500", "email:CAF+zh1@mail.gmail.com"),
                                                        ("Unsubscribe", "email:second@x")]
    assert texts[0].occurred_at == datetime(2026, 11, 20, 2, 14, tzinfo=UTC)   # the Date header (before receipt)


def test_inbound_parse_raw_mode_posts_the_whole_message(tmp_path):
    srv = CallbackServer(tmp_path / "inbox", flush_seconds=60).start()
    try:
        raw = eml(body="退订\r\n".encode("gbk"), charset="gbk", cte="base64", mid="<raw@x>")
        ctype, payload = form({"email": raw, "to": b"replies@parse.acme.example", "charsets": b"{}"})
        assert httpx.post(srv.url + "/sendgrid/inbound", content=payload,
                          headers={"Content-Type": ctype}).status_code == 200
    finally:
        srv.stop()
    (text,) = read_email_replies(tmp_path / "inbox" / "email_replies", now=NOW).texts
    assert (text.text, text.external_id, text.sender) == ("退订", "email:raw@x", "jane.doe@example.com")


def test_records_without_a_sender_are_quarantined_line_by_line(tmp_path):
    f = tmp_path / "replies.jsonl"
    f.write_text("\n".join([json.dumps({"message_id": "<a@x>", "from": "A@X.example", "text": "STOP"}),
                            json.dumps({"message_id": "<b@x>", "from": "not an address", "text": "STOP"}),
                            "{broken", json.dumps({"message_id": "<c@x>", "from": "c@x.example", "text": ["list"]})]),
                 encoding="utf-8")
    read = read_email_replies(f, now=NOW)
    assert [t.sender for t in read.texts] == ["a@x.example"]
    assert [r.split(": ", 1)[0] for r in read.reasons] == ["replies.jsonl:2", "replies.jsonl:3", "replies.jsonl:4"]


# ---------------------------------------------------------------------------------------------
# Recording: through helper C1's record_texts


def test_ingest_hands_the_texts_and_the_quarantine_to_the_recorder(tmp_path, con, cfg):
    (tmp_path / "a.eml").write_bytes(eml(body=b"UNSUBSCRIBE"))
    (tmp_path / "b.eml").write_bytes(b"garbage")
    seen = {}

    class Done:
        new, duplicates, by_kind, reviews_opened, unknown_sender = 1, 0, {"opt_out": 1}, 0, 0
        refused: list = []

    def record(con_, cfg_, texts, *, now, quarantine):
        seen.update(texts=texts, bad=quarantine, now=now)
        return Done()

    report = ingest_email_replies(con, cfg, tmp_path, now=NOW, record=record)
    assert seen["now"] == NOW
    (text,) = seen["texts"]
    assert {k: getattr(text, k) for k in ("channel", "sender", "source", "text", "external_id")} == {
        "channel": "email", "sender": "jane.doe@example.com", "source": "email_reply", "text": "UNSUBSCRIBE",
        "external_id": "email:m1@mail.example"}
    assert [b["source_line"] for b in seen["bad"]] == [1]
    assert (report.records, report.new_replies, report.quarantined) == (2, 1, 1)
    line = str(report)
    assert line.startswith(f"{tmp_path.name}: e-mail replies: 2 rows read, 1 recorded") and "opt_out 1" in line
    assert "b.eml:1: not an e-mail message" in line and "jane" not in line.lower()


HAVE_RECORDER = importlib.util.find_spec("loan_comms.inbound.replies") is not None


@pytest.mark.skipif(not HAVE_RECORDER, reason="needs loan_comms.inbound.replies (helper C1's record_texts)")
def test_an_unsubscribe_email_stops_email_and_a_quoted_one_does_not(tmp_path, con, cfg, book):
    book.borrower("B1", email="jane.doe@example.com")
    book.borrower("B2", email="zhangsan@example.com")
    quote = CLIENTS["gmail"][0].split("\r\n\r\n", 1)[1]
    (tmp_path / "1.eml").write_bytes(eml(body=("UNSUBSCRIBE\r\n\r\n" + quote).encode()))
    (tmp_path / "2.eml").write_bytes(eml(body=CLIENTS["gmail"][0].encode(), sender="zhangsan@example.com",
                                         mid="<m2@mail.example>"))
    ingest_email_replies(con, cfg, tmp_path, now=NOW)
    rows = con.execute("SELECT borrower_id, kind, channel FROM borrower_events WHERE kind = 'opt_out'").fetchall()
    assert rows == [("B1", "opt_out", "email")]
    count = con.execute("SELECT count(*) FROM borrower_events").fetchone()
    ingest_email_replies(con, cfg, tmp_path, now=NOW)
    assert con.execute("SELECT count(*) FROM borrower_events").fetchone() == count


def test_the_cli_says_one_line_for_a_missing_path(tmp_path):
    from loan_comms import db
    from tests.builders import Book
    from tests.cli.conftest import cli

    con = db.connect(tmp_path / "x.duckdb")
    Book(con).borrower("B1")
    Book(con).loan("L1", "B1", [("2026-12-05", "500.00")])
    con.close()
    result = cli("ingest-email-replies", tmp_path / "nope", "--db", tmp_path / "x.duckdb")
    assert result.exit_code == 2
    assert "no such file" in result.output and "Traceback" not in result.output


def test_the_ingest_flow_picks_up_eml_files_and_callback_records(tmp_path):
    from tasks.ingest import KINDS, pending_files

    folder = tmp_path / "email_replies"
    folder.mkdir()
    for name in ("a.eml", "b-callbacks.jsonl", ".c-callbacks.jsonl.part", "notes.txt", "d.eml.gz"):
        (folder / name).write_bytes(b"x")
    assert "email_replies" in KINDS
    assert [p.name for p in pending_files(tmp_path, "email_replies")] == ["a.eml", "b-callbacks.jsonl", "d.eml.gz"]


# ---------------------------------------------------------------------------------------------
# The review of issue 12 (findings 4, 8, 5, 12, 9): each of these failed on i12-int


@pytest.mark.parametrize("body, expected", [
    ("从现在开始停止发送", "opt_out"),            # opened with 从 and ended with 发送: read as a phone footer
    ("从今以后别打我手机\n", "opt_out"),
    ("从今天起别再往我邮箱发邮件", "opt_out"),
    ("来自我的内心：别再发邮件了", "opt_out"),
    ("Sent from my iPhone\nUNSUBSCRIBE", "opt_out"),   # a footer is one only at the end
    ("--\nSTOP", "opt_out"),                           # a signature line the rules read is kept
    ("I'll pay Friday\n--\nJane\nStop emailing me", "opt_out"),
])
def test_a_sentence_that_looks_like_a_footer_is_still_read(body, expected):
    text = reply_text(body, "Re: 还款提醒")
    r = understand(text, channel="email", received_at=NOW)
    assert expected in {i.name for i in (*r.intents, *r.review)}, text
    assert text != "还款提醒"


@pytest.mark.parametrize("footer", ["发自我的iPhone", "来自网易邮箱大师", "发自我的华为手机", "从我的 iPhone 发送",
                                    "Sent from my iPhone", "Get Outlook for Android", "来自QQ邮箱"])
def test_a_client_footer_at_the_end_is_cut(footer):
    quoted = f"\r\n\r\n> 在 2026年11月30日，Acme 写道：\r\n> {OURS_ZH}\r\n"
    assert new_text(f"我下周五还500\r\n\r\n{footer}{quoted}") == "我下周五还500"
    assert new_text(f"我下周五还500\r\n{footer}\r\n") == "我下周五还500"
    assert new_text(f"I'll pay Friday\r\n\r\n--\r\nJane Doe\r\n{footer}\r\n") == "I'll pay Friday"


def test_an_empty_plain_part_does_not_hide_the_html_one():
    msg = (b"From: Jane <jane@x.example>\r\nSubject: Re: Payment due\r\nMessage-ID: <a1@x>\r\n"
           b"Date: Fri, 27 Nov 2026 10:00:00 +0000\r\nMIME-Version: 1.0\r\n"
           b"Content-Type: multipart/alternative; boundary=\"b\"\r\n\r\n--b\r\nContent-Type: text/plain; charset=utf-8"
           b"\r\n\r\n  \r\n--b\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<div>UNSUBSCRIBE</div>\r\n--b--\r\n")
    rec = parse_eml(msg)
    assert rec["html"] is not None and "UNSUBSCRIBE" in rec["html"]
    f = Path("/nonexistent/x.eml")
    from loan_comms.inbound.email_replies import text_of
    text, why = text_of(rec, file=f, line=1, raw="", now=NOW)
    assert why is None and text is not None and text.text == "UNSUBSCRIBE"


def test_a_date_out_of_range_costs_its_record_only_and_never_the_file(tmp_path):
    f = tmp_path / "r.jsonl"
    f.write_text("\n".join(json.dumps(r) for r in [
        {"message_id": "<g@x>", "from": "b1@x.example", "subject": "UNSUBSCRIBE", "text": "UNSUBSCRIBE"},
        {"message_id": "<b@x>", "from": "b1@x.example", "subject": "hi", "text": "hi",
         "date": "0001-01-01T00:00:00+14:00"},
        {"message_id": "<c@x>", "from": "b1@x.example", "text": "hi", "received_at": "0001-01-01T00:00:00+14:00"}]),
        encoding="utf-8")
    read = read_email_replies(f, now=NOW)
    assert [t.external_id for t in read.texts] == ["email:g@x", "email:b@x", "email:c@x"]
    assert read.texts[1].occurred_at == NOW and read.texts[2].occurred_at == NOW   # the unusable date: received now


def test_a_record_whose_reading_fails_is_quarantined_and_the_rest_land(tmp_path, monkeypatch):
    from loan_comms.inbound import email_replies
    real = email_replies.text_of

    def flaky(rec, **kw):
        if rec.get("message_id") == "<bad@x>":
            raise OverflowError("date value out of range")
        return real(rec, **kw)

    monkeypatch.setattr(email_replies, "text_of", flaky)
    f = tmp_path / "r.jsonl"
    f.write_text(json.dumps({"message_id": "<bad@x>", "from": "a@x.example", "text": "hi"}) + "\n" +
                 json.dumps({"message_id": "<ok@x>", "from": "a@x.example", "text": "STOP"}) + "\n", encoding="utf-8")
    read = read_email_replies(f, now=NOW)
    assert [t.external_id for t in read.texts] == ["email:ok@x"]
    assert read.reasons == ["r.jsonl:1: could not be read (OverflowError)"]


def test_email_ids_are_namespaced_and_identical_mails_received_apart_are_two_replies(tmp_path):
    from loan_comms.inbound.email_replies import inbound_record, message_key
    # a sender-written Message-ID cannot pose as an SMS id or as an id derived from one
    assert message_key("<SMx:resolved>", "a@x.example", None, "STOP") == "email:SMx:resolved"
    f = tmp_path / "r.jsonl"
    lines = [{"from": "a@x.example", "text": body, "received_at": at}
             for body, at in [("STOP", "2026-11-20T10:00:00+00:00"), ("START", "2026-11-21T10:00:00+00:00"),
                              ("STOP", "2026-11-22T10:00:00+00:00")]]
    f.write_text("\n".join(json.dumps(r) for r in lines) + "\n", encoding="utf-8")
    keys = [t.external_id for t in read_email_replies(f, now=NOW).texts]
    assert len(set(keys)) == 3 and all(k.startswith("email:sha256:") for k in keys)
    assert keys == [t.external_id for t in read_email_replies(f, now=NOW).texts]     # re-read: the same keys
    # the callback server fixes the key on receipt, with the time it received the post
    ctype, payload = form({"from": b"a@x.example", "text": b"STOP", "headers": b"Subject: STOP\r\n",
                           "charsets": b"{}"})
    one = inbound_record(ctype, payload, received_at=datetime(2026, 11, 20, 10, tzinfo=UTC))
    two = inbound_record(ctype, payload, received_at=datetime(2026, 11, 22, 10, tzinfo=UTC))
    assert one["message_id"] != two["message_id"] and one["message_id"].startswith("email:sha256:")
    assert message_key(one["message_id"], "a@x.example", None, "STOP") == one["message_id"]   # kept, not re-prefixed


@pytest.mark.skipif(not HAVE_RECORDER, reason="needs loan_comms.inbound.replies (helper C1's record_texts)")
def test_a_second_identical_stop_after_a_start_is_recorded(tmp_path, con, cfg, book):
    book.borrower("B1", email="jane.doe@example.com")
    f = tmp_path / "r.jsonl"
    f.write_text("\n".join(json.dumps({"from": "jane.doe@example.com", "text": body, "received_at": at})
                           for body, at in [("STOP", "2026-11-20T10:00:00+00:00"),
                                            ("START", "2026-11-21T10:00:00+00:00"),
                                            ("STOP", "2026-11-22T10:00:00+00:00")]) + "\n", encoding="utf-8")
    report = ingest_email_replies(con, cfg, f, now=NOW)
    assert (report.new_replies, report.duplicates) == (3, 0)
    kinds = con.execute("SELECT kind FROM borrower_events WHERE kind IN ('opt_out', 'opt_in') "
                        "ORDER BY occurred_at").fetchall()
    assert kinds == [("opt_out",), ("opt_in",), ("opt_out",)]
    again = ingest_email_replies(con, cfg, f, now=NOW)
    assert (again.new_replies, again.duplicates) == (0, 3)


def test_a_long_email_is_stored_as_read():
    from loan_comms.understanding.classify import MAX_TEXT
    body = "I will pay on Friday. " * 300 + "\nStop emailing me."
    text = reply_text(body, "Re: x")
    assert len(text) > MAX_TEXT
    r = understand(text, channel="email", received_at=NOW)
    assert "opt_out" in {i.name for i in r.review}    # the unread tail goes to a person
