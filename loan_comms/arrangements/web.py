"""The plan page at the offer link (`[arrangements] link_base` + token): pick a plan and confirm it.

    GET  <prefix><token>                          the arrears and each option with its schedule
    POST <prefix><token>  option_no=N             a page that sums option N up, to confirm
    POST <prefix><token>  option_no=N&confirm=yes one record in <inbox>/arrangement_choices/, thanks
    POST <prefix><token>  callback=yes            "none of these fit: call me" (one record, thanks)

Why a file and not the database: like the survey page (loan_comms.surveys.web, whose TokenBook,
HEADERS and InboxWriter this reuses), the page never opens DuckDB (one writer). The flows export
the offers it may show with `export_offers` (sql/arrangements/offer_export.sql) to
`plan_offers.json` beside the database: token, language, currency, arrears, expiry, taken and the
options with their schedules and labels in the borrower's language; no name, number, e-mail or
loan id. The choices are JSON Lines files landed by the ingest flow through
loan_comms.arrangements.intake and land_choices, which re-check everything: the page's checks are
for the borrower's sake (a clear page at once), not the record's.

Answers: 404 an unknown link, 410 an expired offer, 409 a link already used (taken in the export,
chosen through this server since it started, or waiting in the inbox). Safety is the survey
page's: CSP default-src 'none', no framing, sandboxed autoescaped Jinja, a body limit and a socket
timeout (loan_comms.pages), and no token or amount in a log line.
"""

from __future__ import annotations

import json
import logging
import os
import threading
import uuid
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, Callable, Mapping
from urllib.parse import parse_qs, urlsplit

import duckdb
from jinja2 import FileSystemLoader
from jinja2.sandbox import SandboxedEnvironment

from loan_comms import db
from loan_comms.arrangements.config import Arrangements
from loan_comms.clock import utc_now
from loan_comms.inbound.callbacks import InboxWriter
from loan_comms.surveys.web import TOKEN, TokenBook
from loan_comms.templating.env import LOCALES, make_date, make_money

log = logging.getLogger(__name__)
KIND = "arrangement_choices"                  # the inbox folder the page writes
OFFERS_NAME = "plan_offers.json"
PAGES = Path(__file__).with_name("pages")
KEEP_EXPIRED_DAYS = 30                        # an offer expired this recently still gets the "expired" page

TEXTS: dict[str, dict[str, str]] = {
    "en": {"title": "Your repayment plan", "arrears": "Overdue now", "colon": ": ",
           "intro": "Choose the plan that suits you. Nothing changes until you confirm.",
           "payments": "{months} monthly payments of {payment}",
           "payments_first": "{months} monthly payments, the first {payment}", "holiday": "No payments for {months} month(s)",
           "total": "Total", "review": "Needs approval by our team", "schedule": "Schedule",
           "date": "Date", "amount": "Amount", "choose": "Choose this plan",
           "dates_note": "The plan is set as of the day you confirm: its exact dates and amounts follow in your "
                         "confirmation.",
           "confirm_title": "Please confirm your plan", "confirm": "Confirm this plan", "back": "Back to the options",
           "thanks": "Thank you! We have your choice. We will send you the plan and its schedule shortly.",
           "thanks_review": "Thank you! This plan needs approval by our team: we will tell you the answer "
                            "within {days} day(s).",
           "callback": "None of these fit? Ask us to call you", "callback_thanks": "Thank you. We will call you soon.",
           "taken": "This link has already been used. If you need help, reply to our message or call us.",
           "expired": "This offer has expired. Reply to our message or call us and we will help you.",
           "unknown": "We could not find this offer. Please check the link.",
           "invalid": "Please choose one of the plans."},
    "zh-CN": {"title": "您的还款方案", "arrears": "目前逾期金额", "colon": "：",
              "intro": "请选择适合您的方案。确认之前不会有任何改变。",
              "payments": "分{months}期，每期{payment}",
              "payments_first": "分{months}期，首期{payment}", "holiday": "暂停还款{months}个月",
              "total": "合计", "review": "需要我们人工审核", "schedule": "还款计划",
              "date": "日期", "amount": "金额", "choose": "选择这个方案",
              "dates_note": "方案以您确认当天为准，确切日期和金额以确认信息为准。",
              "confirm_title": "请确认您的方案", "confirm": "确认这个方案", "back": "返回其他方案",
              "thanks": "谢谢！我们已收到您的选择，稍后会把方案和还款计划发给您。",
              "thanks_review": "谢谢！这个方案需要我们人工审核，我们会在{days}天内告诉您结果。",
              "callback": "都不合适？请我们给您回电", "callback_thanks": "谢谢，我们会尽快给您回电。",
              "taken": "此链接已经使用过。如需帮助，请回复我们的短信或致电我们。",
              "expired": "此方案已过期。请回复我们的短信或致电我们，我们会帮助您。",
              "unknown": "找不到这个方案，请检查链接。",
              "invalid": "请选择一个方案。"},
}


def offers_file_for(db_path: str | Path) -> Path:
    """Where the flows export the page data for a database: `plan_offers.json` beside it."""
    return Path(db_path).resolve().parent / OFFERS_NAME


def _label(settings: Arrangements, option_id: str, language: str, kind: str, months: int) -> str:
    """The option's label in the borrower's language (config), else English, else a plain one."""
    option = settings.options.get(option_id)
    labels: dict[str, str] = {str(k): v for k, v in option.label.items()} if option is not None else {}
    return labels.get(language) or labels.get("en") or f"{kind.replace('_', ' ')}, {months} months"


def export_offers(con: duckdb.DuckDBPyConnection, settings: Arrangements, path: str | Path, *,
                  now: datetime | None = None) -> int:
    """Write the page data of the offers a link may still open to `path` (JSON, atomically); returns
    how many offers. `settings` is the [arrangements] section (labels, review_within_days)."""
    rows = db.rows(con, "arrangements/offer_export", {"now": now or utc_now(), "keep_expired_days": KEEP_EXPIRED_DAYS})
    doc: dict[str, Any] = {}
    for r in rows:
        lang = r["language"] if r["language"] in TEXTS else "en"
        doc[r["token"]] = {
            "language": lang, "currency": r["currency"], "arrears": str(r["arrears"]),
            "expires_at": r["expires_at"].astimezone(UTC).isoformat(), "expired": bool(r["expired"]),
            "taken": bool(r["taken"]), "review_days": settings.review_within_days,
            "options": [{"no": o["no"], "label": _label(settings, o["option_id"], lang, o["kind"], o["months"]),
                         "kind": o["kind"], "months": o["months"], "payment": str(o["payment"]),
                         "total": str(o["total"]), "needs_review": bool(o["needs_review"]),
                         "schedule": json.loads(o["schedule"] or "[]")} for o in r["options"]]}
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    part = path.with_name(f".{path.name}.part")
    part.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    os.replace(part, path)
    return len(doc)


class _Money:
    """Amounts and dates as the borrower reads them (the templates' own babel filters)."""

    def __init__(self, language: str, currency: str) -> None:
        locale = LOCALES.get(language, "en")
        self._money, self._date = make_money(locale), make_date(locale, "medium", "date")
        self.currency = currency

    def money(self, value: Any) -> str:
        try:
            return self._money(Decimal(str(value)), self.currency)
        except Exception:       # an odd currency code must not cost the page: the plain number
            return f"{value} {self.currency}"

    def day(self, value: Any) -> str:
        try:
            return self._date(date.fromisoformat(str(value)))
        except Exception:
            return str(value)


def _view(option: Mapping[str, Any], fmt: _Money, t: Mapping[str, str]) -> dict[str, Any]:
    """One option as the template shows it: label, headline, total, schedule rows, all formatted."""
    months = int(option.get("months") or 0)
    amounts = {str(s.get("amount")) for s in option.get("schedule") or []}
    # "N payments of X" only when every payment is X: 400, 400, 6100 is not "3 x 400"
    words = t["payments"] if len(amounts) <= 1 else t["payments_first"]
    head = (t["holiday"].format(months=months) if option.get("kind") == "payment_holiday"
            else words.format(months=months, payment=fmt.money(option.get("payment"))))
    return {"no": int(option["no"]), "label": str(option.get("label") or ""), "headline": head,
            "total": fmt.money(option.get("total")), "needs_review": bool(option.get("needs_review")),
            "schedule": [{"no": s.get("no"), "date": fmt.day(s.get("due_date")), "amount": fmt.money(s.get("amount"))}
                         for s in option.get("schedule") or [] if isinstance(s, dict)]}


class PlanPage:
    """The page's logic (`handle`), behind loan_comms.pages.PageServer (alone or beside the survey)."""

    def __init__(self, offers_file: Path, inbox: Path, *, prefix: str = "/p/", flush_seconds: float = 5.0,
                 clock: Callable[[], datetime] = utc_now) -> None:
        self.writer = InboxWriter(inbox, flush_seconds)
        self.offers = TokenBook(offers_file, Path(inbox) / KIND)     # .answered: tokens chosen (here or waiting)
        self.prefix = "/" + prefix.strip("/") + "/" if prefix.strip("/") else "/"
        self.clock = clock
        self.env = SandboxedEnvironment(loader=FileSystemLoader(str(PAGES)), autoescape=True, trim_blocks=True,
                                       lstrip_blocks=True)
        self.counts = {"shown": 0, "confirming": 0, "chosen": 0, "callbacks": 0, "refused": 0}
        self._callbacks: set[str] = set()
        self._lock = threading.Lock()

    def start(self) -> "PlanPage":
        self.writer.start()
        return self

    def stop(self) -> None:
        self.writer.stop()

    def _page(self, status: int, mode: str, language: str, **ctx: Any) -> tuple[int, bytes]:
        lang = language if language in TEXTS else "en"
        return status, self.env.get_template("plan.html.j2").render(mode=mode, lang=lang, t=TEXTS[lang],
                                                                     **ctx).encode()

    def handle(self, method: str, target: str, body: bytes) -> tuple[int, bytes]:
        """(status, page) for one request."""
        path = urlsplit(target).path
        token = path[len(self.prefix):] if path.startswith(self.prefix) else ""
        info = self.offers.get(token) if TOKEN.fullmatch(token) else None
        if not isinstance(info, dict):
            return self._page(404, "unknown", "en")
        lang = str(info.get("language"))
        if info.get("taken") or token in self.offers.answered:
            self.counts["refused"] += 1
            return self._page(409, "taken", lang)
        now = self.clock()
        try:
            expired = bool(info.get("expired")) or datetime.fromisoformat(str(info["expires_at"])) < now
        except (KeyError, ValueError):
            return self._page(404, "unknown", lang)
        if expired:
            self.counts["refused"] += 1
            return self._page(410, "expired", lang)
        fmt = _Money(lang, str(info.get("currency") or ""))
        t = TEXTS[lang if lang in TEXTS else "en"]
        options = [_view(o, fmt, t) for o in info.get("options") or [] if isinstance(o, dict) and "no" in o]
        base = {"action": path, "arrears": fmt.money(info.get("arrears"))}
        if method == "GET":
            self.counts["shown"] += 1
            return self._page(200, "choose", lang, options=options, **base)
        form = parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True)
        if (form.get("callback") or [""])[0] == "yes":
            return self._callback(token, lang, now)
        raw = (form.get("option_no") or [""])[0].strip()
        picked = next((o for o in options if raw.isdigit() and o["no"] == int(raw)), None)
        if picked is None:
            return self._page(400, "choose", lang, options=options, invalid=True, **base)
        if (form.get("confirm") or [""])[0] != "yes":
            self.counts["confirming"] += 1
            return self._page(200, "confirm", lang, option=picked, **base)
        if not self.offers.claim(token):
            self.counts["refused"] += 1
            return self._page(409, "taken", lang)
        self.writer.add(KIND, {"token": token, "option_no": picked["no"], "chosen_at": now.isoformat(),
                               "source": "web", "external_id": f"web:{uuid.uuid4().hex}"})
        self.counts["chosen"] += 1
        log.info("plan page: a choice was recorded")
        days = int(info.get("review_days") or 2)
        return self._page(200, "thanks", lang, option=picked,
                          message=t["thanks_review"].format(days=days) if picked["needs_review"] else t["thanks"])

    def _callback(self, token: str, lang: str, now: datetime) -> tuple[int, bytes]:
        """'None of these fit: call me': one record per offer (the intake makes it a callback_request
        event, once: its external_id is the offer's). The offer stays open."""
        with self._lock:
            first = token not in self._callbacks
            self._callbacks.add(token)
        if first:
            self.writer.add(KIND, {"kind": "callback", "offer_token": token, "requested_at": now.isoformat(),
                                   "source": "web", "external_id": f"plan-callback:{token}"})
            self.counts["callbacks"] += 1
        return self._page(200, "callback_thanks", lang, message=TEXTS[lang if lang in TEXTS else "en"]["callback_thanks"])
