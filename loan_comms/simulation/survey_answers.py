"""Simulated borrowers answer the surveys sent on a day, through the production paths.

sql/simulation/survey_answers.sql draws who answers, the score and the kind of comment from the
experience (contacts in the 30 days before, a hardship plan, a payoff); this module words them:
- an SMS survey is answered by an SMS whose whole text is the score ("4", "9分", "我给8分", "8/10"),
  written as Twilio inbound JSONL (<day>/survey_sms.jsonl) and landed by ingest_replies, whose
  score hook (loan_comms/surveys/sms_scores.py) makes it the answer of the number's open survey;
- an e-mail survey is answered on the web page, whose answers the simulator drops as a file
  (<day>/survey_answers.jsonl: token, score, comment, answered_at, external_id), landed with
  loan_comms.surveys.ingest_survey_answers (source 'file').
Comments come from a small zh-CN / en bank; the complaint ones carry the words of
config/feedback_themes.toml, so the feedback report's themes show. Draws are hash-based on
(seed, attempt): replaying a day lands nothing new. Nothing here logs a comment or a number.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import duckdb

from loan_comms import db
from loan_comms.config import LifecycleConfig
from loan_comms.inbound.replies import ingest_replies
from loan_comms.surveys.intake import ingest_survey_answers

COMMENTS: dict[str, dict[str, tuple[str, ...]]] = {
    "frequency": {
        "zh-CN": ("电话太多了，天天打", "短信太频繁了", "一天打了好几次，太骚扰了", "不要老是打电话"),
        "en": ("Too many calls, every day.", "Stop calling me so often, too many texts.",
               "Way too many messages this month.", "You keep calling, it feels like harassment."),
    },
    "conduct": {
        "zh-CN": ("客服态度很差", "催收员说话很凶", "态度不好，不礼貌"),
        "en": ("The agent was rude.", "The caller was aggressive and unprofessional.", "Rude on the phone."),
    },
    "negotiation": {
        "zh-CN": ("希望能协商还款计划", "能不能分期或者延期", "想申请宽限几天"),
        "en": ("I need a payment plan.", "Please give me more time, I want to negotiate.",
               "Can I pay in installments?"),
    },
    "fees": {
        "zh-CN": ("滞纳金太高了", "手续费不合理", "罚息太多"),
        "en": ("The late fee is too high.", "Too many charges on my account.", "Why so much interest?"),
    },
    "neutral": {
        "zh-CN": ("还行", "一般吧", "没什么问题"),
        "en": ("It was ok.", "Fine.", "Nothing special."),
    },
    "praise": {
        "zh-CN": ("服务很好，谢谢", "客服很耐心", "处理得很快，满意"),
        "en": ("Very helpful, thank you.", "Quick and friendly service.", "Great, thanks for the help."),
    },
}

_SMS_SCORE = {
    "zh-CN": ("{n}", "{n}分", "我给{n}分", "给你们打{n}分", "{n}。"),
    "en": ("{n}", "{n}", "{n}/{top}", "score: {n}", "{n} points"),
}


@dataclass
class SurveyAnswerReport:
    """What the simulated borrowers answered on a day (counts only: no text, no number)."""

    sms: str = "no SMS survey answers"
    files: str = "no e-mail survey answers"

    def __str__(self) -> str:
        return f"surveys: {self.sms}; {self.files}"


def _pick(options: tuple[str, ...], key: str, salt: str) -> str:
    h = int(hashlib.sha256(f"{key}:{salt}".encode()).hexdigest(), 16)
    return options[h % len(options)]


def comment_for(kind: str, language: str, key: str) -> str:
    """The comment of `kind` in `language` (zh-CN, else en) the key draws."""
    bank = COMMENTS[kind]
    return _pick(bank["zh-CN"] if language == "zh-CN" else bank["en"], key, "comment")


def sms_text(score: int, scale: str, language: str, key: str) -> str:
    """The SMS a borrower answers with: the score alone, as people write it."""
    form = _pick(_SMS_SCORE["zh-CN"] if language == "zh-CN" else _SMS_SCORE["en"], key, "sms")
    return form.format(n=score, top=5 if scale == "csat" else 10)


def _write_jsonl(path: Path, rows: list[dict[str, Any]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as fh:
        for r in rows:
            fh.write(json.dumps(r, default=str, ensure_ascii=False) + "\n")
    return path


def answer_surveys(con: duckdb.DuckDBPyConnection, cfg: LifecycleConfig, as_of: date, seed: int,
                   day_dir: Path, *, now: datetime) -> SurveyAnswerReport:
    """Answer the surveys sent on `as_of`; files land in day_dir. Replay-safe."""
    drawn = db.rows(con, "simulation/survey_answers", {"as_of": as_of, "seed": seed})
    report = SurveyAnswerReport()
    texts = [{"From": r["From"], "Body": sms_text(r["score"], r["scale"], r["language"], r["key"]),
              "MessageSid": r["MessageSid"], "DateSent": r["occurred_at"].isoformat()}
             for r in drawn if r["channel"] == "sms"]
    if texts:
        report.sms = str(ingest_replies(con, cfg, _write_jsonl(Path(day_dir) / "survey_sms.jsonl", texts), now=now))
    dropped = [{"token": r["token"], "score": r["score"],
                "comment": comment_for(r["comment_kind"], r["language"], r["key"]) if r["comment_kind"] else None,
                "answered_at": r["occurred_at"].isoformat(), "external_id": r["MessageSid"]}
               for r in drawn if r["channel"] == "email"]
    if dropped:
        report.files = str(ingest_survey_answers(con, _write_jsonl(Path(day_dir) / "survey_answers.jsonl", dropped),
                                                 now=now))
    return report
