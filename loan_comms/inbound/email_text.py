"""The words a borrower wrote in an e-mail reply: the new text, without the history it quotes.

Why: our own e-mails say "reply UNSUBSCRIBE" / "回复退订". Almost every reply quotes them, so if the
quoted history were classified, every "thanks, I'll pay Friday" would read as an opt-out (and a
borrower's real "UNSUBSCRIBE" would be drowned in our text). Only what the borrower typed counts.

How: `mail-parser-reply` (a maintained port of GitHub's email_reply_parser with many languages)
cuts the history of the usual English and European clients (Gmail "On ... wrote:", Outlook
"From: / Sent:" blocks, "-----Original Message-----"). Its Chinese support is marked untested and
misses what Chinese clients actually write (QQ Mail / Foxmail "------------------ 原始邮件 ------------------",
"发件人：" blocks with full-width colons, NetEase/Apple "在 2026年11月30日 ... 写道："), and it keeps
"Sent from my iPhone", so a small fallback here cuts those markers too, and drops every line quoted
with ">". When the cut leaves nothing (a bottom-posted reply, written under the quote), the unquoted
lines after the quote are the answer. A footer is cut only when it names a known client or device
and ends the new text, and a signature line the rules read is kept: what the borrower wrote is
never cut for looking like a footer ("从现在开始停止发送" opens with 从 and ends with 发送).

The subject: a reply's subject is ours with "Re:" / "回复：" before it, so it is not the borrower's
words, except when the body says nothing (a reply whose subject is just "Unsubscribe"). A subject
the borrower wrote (no reply prefix) is theirs and is read with the body.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

from datetime import UTC, datetime

from mailparser_reply import EmailReplyParser

from loan_comms.understanding import understand
from loan_comms.understanding.classify import PROTECTIVE

_LIBRARY = EmailReplyParser(languages=["en", "zh", "de", "fr", "es"])
_SOME_INSTANT = datetime(2000, 1, 1, tzinfo=UTC)   # _speaks asks what, never when

# A line that starts the quoted history: everything from it on is not the borrower's new text.
_HISTORY = [re.compile(p, re.IGNORECASE) for p in (
    r"^-{2,}\s*(original message|forwarded message|原始邮件|原邮件|转发邮件)\s*-{2,}$",
    r"^-{5,}\s*(原始邮件|original)",
    r"^_{8,}$",                                    # Outlook's rule above "From: ... Sent: ..."
    r"^(在|于).{0,80}写道[:：]?$",                   # NetEase, Apple Mail (zh), Foxmail
    r"^.{0,80}\s于\s?\d{4}.{0,40}写道[:：]?$",
    r"^on\s.{0,200}\bwrote:?$",                     # Gmail, Apple Mail, Thunderbird
    r"^.{0,120}\bwrote:$",
    r"^(begin forwarded message|转发的邮件)[:：]?$",
)]
# Header lines of a quoted message (Outlook, QQ Mail, Foxmail): two of them in a row start the history.
_HEADER = re.compile(r"^\**\s*(from|sent|date|to|cc|subject|发件人|发送时间|日期|时间|收件人|抄送|主题)\s*\**\s*[:：]",
                     re.IGNORECASE)
# The signature delimiter: what follows is the signature (cut, except a line the rules read).
_SIG_DELIM = re.compile(r"^--\s?$")
# The footer a client adds ("Sent from my iPhone", "发自我的iPhone", "来自网易邮箱大师"): the known
# client and device names only, so an ordinary sentence that opens with 从 / 来自 ("从现在开始停止
# 发送", "从今以后别打我手机") is never one; and only at the END of the new text (nothing but
# blank lines, quotes or the history after it), never a line the rules read.
_CLIENTS = (r"iphone|ipad|ipod|apple watch|android|huawei|华为|荣耀|honor|小米|xiaomi|红米|redmi|oppo|vivo|"
            r"三星|samsung|galaxy|魅族|meizu|一加|oneplus|realme|努比亚|中兴|联想|平板|手机|移动设备|"
            r"网易邮箱大师|网易邮箱|网易|邮箱大师|qq ?邮箱|手机qq邮箱|qq mail|foxmail|outlook|139邮箱|189邮箱|"
            r"新浪邮箱|搜狐邮箱|阿里邮箱|wps|飞书|钉钉|企业微信|mail|邮件")
_FOOTER = [re.compile(p, re.IGNORECASE) for p in (
    r"^(sent from|sent via|sent with|get outlook for)\s.{0,60}$",
    rf"^(发自|来自|从)\s*(我的)?\s*({_CLIENTS})[\w .\-]{{0,20}}?\s*(客户端|app|版)?\s*(发送)?$",
)]
_ATTRIBUTION = re.compile(r"(wrote:|写道[:：]?)$", re.IGNORECASE)
_ONLY_ADDRESS = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")   # Foxmail signs with the sender's address
_REPLY_PREFIX = re.compile(r"^\s*(re|aw|sv|fw|fwd|回复|答复|回覆|转发|轉寄|转寄)\s*(\[\d+\])?\s*[:：]\s*", re.IGNORECASE)


def clean_subject(subject: str | None) -> tuple[str, bool]:
    """(subject without its Re:/回复:/Fwd: prefixes, whether it had one)."""
    s, replied = (subject or "").strip(), False
    while m := _REPLY_PREFIX.match(s):
        s, replied = s[m.end():].strip(), True
    return s, replied


def _is_history(lines: list[str], i: int) -> bool:
    line = lines[i].strip().lstrip("> ").strip()
    if any(p.match(line) for p in _HISTORY):
        return True
    if line.lower().startswith("on ") and i + 1 < len(lines) and lines[i + 1].strip().lower().endswith("wrote:"):
        return True   # Gmail wraps a long "On ..., <name> <address> wrote:" over two lines
    if _HEADER.match(line):
        nxt = [ln.strip().lstrip("> ").strip() for ln in lines[i + 1:i + 4] if ln.strip()]
        return bool(nxt) and _HEADER.match(nxt[0]) is not None
    return False


def _speaks(line: str) -> bool:
    """The rules read something protective in the line (an opt-out, a dispute...): it is the
    borrower's, wherever it stands ("--" then "STOP" is still a STOP)."""
    if not line.strip():
        return False
    u = understand(line, channel="email", received_at=_SOME_INSTANT)
    return any(i.name in PROTECTIVE for i in (*u.intents, *u.review))


def _is_footer(lines: list[str], i: int) -> bool:
    """A client's footer: a known wording, the rules read nothing in it, and only blank lines,
    quotes or the history follow it."""
    line = lines[i].strip()
    if not any(p.match(line) for p in _FOOTER) or _speaks(line):
        return False
    for j in range(i + 1, len(lines)):
        nxt = lines[j].strip()
        if not nxt or nxt.startswith(">"):
            continue
        return _is_history(lines, j)
    return True


def _signature_end(lines: list[str], i: int) -> tuple[int, list[str]]:
    """After a "--" delimiter: (where the signature ends, the lines of it the rules read)."""
    kept: list[str] = []
    j = i + 1
    while j < len(lines) and not _is_history(lines, j):
        if not lines[j].lstrip().startswith(">") and _speaks(lines[j]):
            kept.append(lines[j])
        j += 1
    return j, kept


def _cut(text: str) -> str:
    """The fallback cutter: lines before the first history marker, client footer or signature,
    without "> " quotes; a bottom-posted answer (nothing before the quote) is the unquoted text
    after it. A line of a signature the rules read is kept."""
    lines = text.split("\n")
    before: list[str] = []
    end = len(lines)
    for i in range(len(lines)):
        if _is_history(lines, i):
            end = i
            break
        stripped = lines[i].strip()
        if _SIG_DELIM.match(stripped):
            sig_end, spoken = _signature_end(lines, i)
            before += spoken
            end = len(lines) if before else sig_end   # text after a signature is still history
            break
        if _is_footer(lines, i):
            end = len(lines) if before else i   # a footer ends the message; text after it is still history
            break
        before.append(lines[i])
    kept = [ln for ln in before if not ln.lstrip().startswith(">") and not _ONLY_ADDRESS.match(ln.strip())]
    if "".join(kept).strip():
        return re.sub(r"\n{3,}", "\n\n", "\n".join(kept)).strip()
    after: list[str] = []
    started = False
    for j in range(end + 1, len(lines)):
        ln = lines[j]
        if ln.lstrip().startswith(">") or not ln.strip():
            if started and not ln.strip():
                after.append("")
            continue
        if _ATTRIBUTION.search(ln.strip()):
            continue   # the rest of a wrapped "On ... wrote:" line
        if _is_history(lines, j) or _SIG_DELIM.match(ln.strip()) or _is_footer(lines, j):
            break
        started = True
        after.append(ln)
    if end < len(lines) and any(ln.lstrip().startswith(">") for ln in lines[end + 1:end + 3]):
        return "\n".join(after).strip()
    return ""


def new_text(body: str | None) -> str:
    """What the borrower wrote in this e-mail, without quoted history or signature ('' when nothing)."""
    text = (body or "").replace("\r\n", "\n").replace("\r", "\n").replace("\u00a0", " ")
    if not text.strip():
        return ""
    try:
        latest = _LIBRARY.parse_reply(text=text)
    except Exception:   # the library's regexes on hostile input: the fallback still cuts
        latest = None
    first = _cut(latest) if latest and latest.strip() else ""
    return first or _cut(text)


def reply_text(body: str | None, subject: str | None) -> str:
    """The text to understand: the new body text, with the subject when the borrower wrote it (no
    reply prefix), or the subject alone when the body says nothing."""
    body_text = new_text(body)
    subject_text, replied = clean_subject(subject)
    if not body_text:
        return subject_text
    if subject_text and not replied and subject_text.lower() not in body_text.lower():
        return f"{subject_text}\n{body_text}"
    return body_text


class _HtmlText(HTMLParser):
    """HTML to plain text: blocks on their own lines, <blockquote> and Gmail's quote lines marked
    with "> " (so they are dropped as quotes), scripts and styles skipped."""

    _BLOCK = {"p", "div", "br", "tr", "li", "h1", "h2", "h3", "h4", "h5", "h6", "table", "hr", "pre"}
    _SKIP = {"script", "style", "head", "title"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = [""]
        self.quote_depth = 0
        self.skip_depth = 0
        self.stack: list[bool] = []   # per open div: whether it opened a quote

    def _newline(self) -> None:
        if self.lines[-1].strip():
            self.lines.append("")

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self._SKIP:
            self.skip_depth += 1
            return
        cls = " ".join(v or "" for k, v in attrs if k in ("class", "id")).lower()
        if tag == "blockquote" or (tag == "div" and any(q in cls for q in ("gmail_quote", "divrplyfwdmsg",
                                                                              "yahoo_quoted", "moz-cite-prefix"))):
            self._newline()
            self.quote_depth += 1
            self.stack.append(True)
        elif tag == "div":
            self.stack.append(False)
        if tag in self._BLOCK:
            self._newline()

    def handle_endtag(self, tag: str) -> None:
        if tag in self._SKIP:
            self.skip_depth = max(0, self.skip_depth - 1)
            return
        if tag in ("blockquote", "div") and self.stack and self.stack.pop():
            self.quote_depth = max(0, self.quote_depth - 1)
        if tag in self._BLOCK or tag == "blockquote":
            self._newline()

    def handle_data(self, data: str) -> None:
        if self.skip_depth:
            return
        words = " ".join(data.split())
        if not words:
            return
        if not self.lines[-1]:
            self.lines[-1] = "> " * self.quote_depth
        self.lines[-1] += (" " if self.lines[-1].strip(" >") else "") + words


def html_to_text(html: str) -> str:
    """Readable text of an HTML body (stdlib html.parser: no extra dependency for a few tags)."""
    p = _HtmlText()
    try:
        p.feed(html or "")
        p.close()
    except Exception:   # html.parser is lenient; anything it still refuses costs the markup, not the mail
        return re.sub(r"<[^>]+>", " ", html or "")
    return "\n".join(ln.rstrip() for ln in p.lines).strip()
