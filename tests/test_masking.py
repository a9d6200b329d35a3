"""One place masks personal data: each shape as before the move."""

from __future__ import annotations

from loan_comms import masking


def test_each_shape():
    assert masking.mask_phone("+8613812345678") == "+86*******5678"
    assert masking.mask_phone("") == "<none>" and masking.mask_phone("12345") == "*****"
    assert masking.mask_email("wang.wei@example.com") == "w***@example.com"
    assert masking.mask_email("nobody") == "n***"
    assert masking.mask_pii("to +8613812345678 or wang.wei@example.com failed") == \
        "to +86****78 or w***@example.com failed"
    assert masking.mask_pii("") == ""
    assert masking.mask_digits("card 6222 0212 3456 7890, mail li@x.cn") == "card **** **** **** 7890, mail l***@x.cn"
    assert masking.mask_digits(None) == ""
    assert masking.mask_loan_id("L000123456") == "****3456"


def test_callers_use_the_one_module():
    from loan_comms.book import validation
    from loan_comms.delivery.providers import base
    from loan_comms.templating import env

    assert validation.mask_phone is masking.mask_phone and validation.mask_email is masking.mask_email
    assert base.mask_pii is masking.mask_pii
    assert env.build_environment("en", False).filters["mask"] is masking.mask_digits


def test_url_encoded_numbers_and_addresses_are_masked_and_dates_are_not_numbers():
    """A URL a library logs carries them encoded; dates (Twilio's API version is one) stay readable."""
    assert masking.mask_pii("GET /2010-04-01/Messages.json?To=%2B12025550123&x=1") == \
        "GET /2010-04-01/Messages.json?To=%2B12****23&x=1"
    assert masking.mask_pii("?to=wang.wei%40example.com&n=%2B1%20202%20555%200123") == \
        "?to=w***%40example.com&n=%2B1%20****23"
    assert masking.mask_pii("due 2026-11-01 09:00:00, not +2026110109") == "due 2026-11-01 09:00:00, not +20****09"
    assert masking.mask_pii("%2Bnot a phone, a%2Bb") == "%2Bnot a phone, a%2Bb"
