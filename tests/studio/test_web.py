"""The studio over HTTP (web.py on a real StudioServer, httpx as the browser): sign-in, sessions,
CSRF, Origin, the open-redirect guard, security headers, escaping, and the live check's JSON."""

from __future__ import annotations

from typing import Callable, Iterator

import httpx
from urllib.parse import urlencode

import pytest

from loan_comms.studio import Studio, StudioServer, User
from loan_comms.studio.users import users_file
from loan_comms.studio.web import COOKIE, CSP, LOGIN_COOKIE
from tests.studio.conftest import PASSWORD, csrf_of, login_form

TID = "sms/en/dpd_1"
PAGES = ["/", "/t/sms/en/dpd_1", "/t/sms/en/dpd_1/edit", "/drafts/1", "/audit", "/review"]
SignIn = Callable[..., httpx.Client]


@pytest.fixture
def anon(server: StudioServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url(""), follow_redirects=False, timeout=10) as c:
        yield c


def set_cookies(r: httpx.Response) -> list[str]:
    return r.headers.get_list("set-cookie")


def session_cookie(r: httpx.Response) -> str | None:
    return next((c for c in set_cookies(r) if c.startswith(f"{COOKIE}=") and not c.startswith(f'{COOKIE}=""')), None)


# -- nothing without a login -----------------------------------------------------------------
@pytest.mark.parametrize("path", PAGES)
def test_every_page_needs_a_login(anon: httpx.Client, path: str) -> None:
    r = anon.get(path)
    assert r.status_code == 303
    assert r.headers["location"] == "/login?" + urlencode({"next": path})
    assert "Hi {{ first_name }}" not in r.text and TID not in r.text


def test_the_api_and_the_actions_are_not_served_without_a_login(anon: httpx.Client) -> None:
    r = anon.post("/api/check", json={"template_id": TID, "parts": {"txt": "Hi {{ first_name }}"}})
    assert r.status_code == 401 and r.json()["signed_out"] is True      # the editor says so, the text stays
    assert "samples" not in r.text
    r = anon.post("/t/sms/en/dpd_1/drafts", data={"part_txt": "x", "csrf_token": "x"})
    assert r.status_code == 303 and r.headers["location"].startswith("/login")
    r = anon.get("/", cookies={COOKIE: "made-up-token"})
    assert r.status_code == 303


def test_the_static_files_and_the_login_page_are_public(anon: httpx.Client) -> None:
    r = anon.get("/login")
    assert r.status_code == 200 and 'id="login-form"' in r.text
    assert anon.get("/static/studio.js").status_code == 200


# -- signing in ------------------------------------------------------------------------------
def test_signing_in_sets_a_strict_http_only_session_cookie(anon: httpx.Client) -> None:
    form = login_form(anon)
    assert form["nonce"] and form["next"] == "/"
    r = anon.post("/login", data={**form, "name": "mei", "password": PASSWORD})
    assert r.status_code == 303 and r.headers["location"] == "/"
    cookie = session_cookie(r)
    assert cookie is not None
    attrs = [a.strip().lower() for a in cookie.split(";")]
    assert "httponly" in attrs and "samesite=strict" in attrs and "path=/" in attrs
    r = anon.get("/")
    assert r.status_code == 200 and 'id="who"' in r.text and ">mei<" in r.text


def test_the_login_nonce_is_required(anon: httpx.Client, studio: Studio) -> None:
    form = login_form(anon)
    r = anon.post("/login", data={"next": "/", "name": "mei", "password": PASSWORD})      # no nonce field
    assert r.status_code == 403 and session_cookie(r) is None
    r = anon.post("/login", data={**form, "nonce": "forged", "name": "mei", "password": PASSWORD})
    assert r.status_code == 403 and session_cookie(r) is None
    anon.cookies.delete(LOGIN_COOKIE)                                                      # no nonce cookie
    r = anon.post("/login", data={**form, "name": "mei", "password": PASSWORD})
    assert r.status_code == 403 and session_cookie(r) is None
    assert "login" not in [e["action"] for e in studio.audit_entries()]


def test_a_wrong_password_is_a_403_page_without_a_cookie(anon: httpx.Client, studio: Studio) -> None:
    r = anon.post("/login", data={**login_form(anon), "name": "mei", "password": "not-the-password"})
    assert r.status_code == 403
    assert session_cookie(r) is None
    assert "wrong name or password" in r.text and 'id="login-error"' in r.text
    assert "not-the-password" not in r.text
    assert anon.get("/").status_code == 303
    assert studio.audit_entries()[0]["action"] == "login_refused"


@pytest.mark.parametrize("target", ["//evil.example", "https://evil.example/", "/\\evil.example", "/\t/evil.example"])
def test_login_never_redirects_off_site(anon: httpx.Client, target: str) -> None:
    page = anon.get("/login", params={"next": target})
    assert "evil.example" not in page.text
    form = login_form(anon)
    r = anon.post("/login", data={**form, "next": target, "name": "mei", "password": PASSWORD})
    assert r.status_code == 303
    location = r.headers["location"]
    assert location.startswith("/") and not location.startswith("//") and "evil" not in location


def test_login_goes_back_to_the_page_asked_for(anon: httpx.Client) -> None:
    first = anon.get("/t/sms/en/dpd_1")
    assert first.headers["location"] == "/login?" + urlencode({"next": "/t/sms/en/dpd_1"})
    page = anon.get(first.headers["location"])
    assert 'name="next" value="/t/sms/en/dpd_1"' in page.text
    r = anon.post("/login", data={**login_form(anon), "next": "/t/sms/en/dpd_1", "name": "mei", "password": PASSWORD})
    assert r.headers["location"] == "/t/sms/en/dpd_1"
    assert anon.get("/t/sms/en/dpd_1").status_code == 200


def test_logout_ends_the_session(sign_in: SignIn) -> None:
    c = sign_in("mei")
    csrf = csrf_of(c.get("/").text)
    r = c.post("/logout", data={"csrf_token": csrf})
    assert r.status_code == 303 and r.headers["location"] == "/login"
    assert c.get("/").status_code == 303


# -- CSRF, Origin, headers -------------------------------------------------------------------
def test_a_post_needs_the_session_s_csrf_token(sign_in: SignIn, studio: Studio) -> None:
    c = sign_in("mei")
    csrf = csrf_of(c.get("/t/sms/en/dpd_1/edit").text)
    text = studio.published_sources(TID)["txt"] + " Thanks."   # type: ignore[index]
    for sent in ({}, {"csrf_token": ""}, {"csrf_token": "wrong"}, {"csrf_token": csrf_of(sign_in("kim").get("/").text)}):
        r = c.post("/t/sms/en/dpd_1/drafts", data={"part_txt": text, **sent})
        assert r.status_code == 403, sent
    assert studio.drafts() == []
    r = c.post("/t/sms/en/dpd_1/drafts", data={"part_txt": text, "csrf_token": csrf})
    assert r.status_code == 303 and r.headers["location"] == "/drafts/1"
    assert [d.author for d in studio.drafts()] == ["mei"]


def test_a_cross_origin_post_is_refused(sign_in: SignIn, server: StudioServer, studio: Studio) -> None:
    c = sign_in("mei")
    csrf = csrf_of(c.get("/").text)
    text = studio.published_sources(TID)["txt"] + " Thanks."   # type: ignore[index]
    for origin in ("https://evil.example", "null", f"http://localhost:{server.port}"):
        r = c.post("/t/sms/en/dpd_1/drafts", data={"part_txt": text, "csrf_token": csrf}, headers={"Origin": origin})
        assert r.status_code == 403, origin
    r = c.post("/api/check", json={"template_id": TID, "parts": {"txt": text}},
               headers={"X-CSRF-Token": csrf, "Origin": "https://evil.example"})
    assert r.status_code == 403
    assert studio.drafts() == []
    r = c.post("/t/sms/en/dpd_1/drafts", data={"part_txt": text, "csrf_token": csrf},
               headers={"Origin": server.url("").rstrip("/")})
    assert r.status_code == 303


def test_a_cross_origin_login_is_refused(anon: httpx.Client) -> None:
    r = anon.post("/login", data={**login_form(anon), "name": "mei", "password": PASSWORD},
                  headers={"Origin": "https://evil.example"})
    assert r.status_code == 403 and session_cookie(r) is None


def test_every_response_carries_the_security_headers(anon: httpx.Client, sign_in: SignIn) -> None:
    c = sign_in("mei")
    responses = [anon.get("/login"), anon.get("/"), c.get("/"), c.get("/t/sms/en/dpd_1"), c.get("/drafts/999"),
                 c.get("/t/sms/xx/nothing"), c.post("/drafts/1/submit", data={})]
    assert [r.status_code for r in responses] == [200, 303, 200, 200, 404, 404, 403]
    for r in responses:
        assert r.headers["content-security-policy"] == CSP, r.url
        assert r.headers["x-frame-options"] == "DENY"
        assert r.headers["x-content-type-options"] == "nosniff"
    assert "script-src 'self'" in CSP and "frame-ancestors 'none'" in CSP and "unsafe-eval" not in CSP


# -- roles over HTTP -------------------------------------------------------------------------
def _submit_draft(c: httpx.Client, text: str) -> int:
    csrf = csrf_of(c.get("/t/sms/en/dpd_1/edit").text)
    r = c.post("/t/sms/en/dpd_1/drafts", data={"part_txt": text, "csrf_token": csrf, "then": "submit"})
    assert r.status_code == 303, r.text
    return int(r.headers["location"].rsplit("/", 1)[1])


def test_review_over_http(sign_in: SignIn, studio: Studio) -> None:
    text = studio.published_sources(TID)["txt"].replace("Hi ", "Hello ")   # type: ignore[index]
    kim = sign_in("kim")
    n = _submit_draft(kim, text)
    page = kim.get(f"/drafts/{n}").text
    assert 'id="no-self-approval"' in page and 'id="approve"' not in page
    r = kim.post(f"/drafts/{n}/approve", data={"csrf_token": csrf_of(page)})
    assert r.status_code == 403 and "no self-approval" in r.text
    vic = sign_in("vic")
    r = vic.post(f"/drafts/{n}/approve", data={"csrf_token": csrf_of(vic.get("/").text)})
    assert r.status_code == 403
    assert studio.draft(n).status == "in_review"

    omar = sign_in("omar")
    page = omar.get(f"/drafts/{n}").text
    assert 'id="approve"' in page
    r = omar.post(f"/drafts/{n}/approve", data={"csrf_token": csrf_of(page), "comment": "ok"})
    assert r.status_code == 303 and r.headers["location"] == f"/drafts/{n}"
    assert studio.draft(n).status == "approved"
    assert studio.published_sources(TID) == {"txt": text}
    page = omar.get(f"/drafts/{n}").text
    assert 'id="review-outcome"' in page and studio.release_name() in page
    assert studio.release_name() in omar.get("/t/sms/en/dpd_1").text
    audit = omar.get("/audit").text
    assert "approved" in audit and "login_refused" not in audit


# -- escaping --------------------------------------------------------------------------------
def test_a_draft_s_markup_is_shown_escaped(sign_in: SignIn, studio: Studio) -> None:
    attack = "<script>alert(1)</script>"
    text = studio.published_sources(TID)["txt"] + " " + attack + ' <img src=x onerror="alert(2)">'  # type: ignore[index]
    c = sign_in("mei")
    csrf = csrf_of(c.get("/t/sms/en/dpd_1/edit").text)
    r = c.post("/t/sms/en/dpd_1/drafts", data={"part_txt": text, "csrf_token": csrf})
    n = int(r.headers["location"].rsplit("/", 1)[1])
    assert studio.draft(n).sources["txt"].endswith('onerror="alert(2)">')     # kept as typed
    for path in (f"/drafts/{n}", f"/t/sms/en/dpd_1/edit?draft={n}", "/t/sms/en/dpd_1"):
        page = c.get(path).text
        assert attack not in page and "<img src=x" not in page, path
    page = c.get(f"/drafts/{n}").text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    scripts = [s for s in page.split("<script")[1:]]
    assert all(s.lstrip().startswith('src="/static/') for s in scripts), scripts


def test_an_email_preview_is_sandboxed(sign_in: SignIn, studio: Studio) -> None:
    tid = "email/en/dpd_3"
    c = sign_in("mei")
    page = c.get("/t/" + tid).text
    assert '<iframe sandbox=""' in page
    assert "<html" not in page.split("<iframe", 1)[1].split("</iframe>", 1)[0].split("srcdoc=", 1)[1][:200]


# -- the live check --------------------------------------------------------------------------
def test_the_live_check_json(sign_in: SignIn, studio: Studio) -> None:
    c = sign_in("mei")
    csrf = csrf_of(c.get("/t/sms/en/dpd_1/edit").text)
    base = studio.published_sources(TID)["txt"]   # type: ignore[index]

    def check(text: str, **headers: str) -> httpx.Response:
        return c.post("/api/check", json={"template_id": TID, "parts": {"txt": text}},
                      headers={"X-CSRF-Token": csrf, **headers})

    r = check(base)
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/json")
    short = r.json()
    assert {"errors", "problems", "samples", "max_segments", "version", "diff"} <= set(short)
    assert short["errors"] == 0 and short["diff"] == [] and short["samples"]
    assert all(s["sms"]["segments"] >= 1 and s["text"] for s in short["samples"])
    longer = check(base + " We are here to help, whatever is going on: call us and we will find a plan together." * 3).json()
    assert longer["max_segments"] > short["max_segments"] >= 1
    assert longer["diff"] and longer["diff"][0]["part"] == "txt"

    bad = check(base + " You owe {{ balance }}.").json()
    assert bad["errors"] >= 1
    assert any(p["severity"] == "error" and "balance" in p["message"] and p["part"] == "txt" for p in bad["problems"])

    assert c.post("/api/check", json={"template_id": TID, "parts": {"txt": base}}).status_code == 403    # no CSRF header
    assert check(base, **{"X-CSRF-Token": "wrong"}).status_code == 403
    r = c.post("/api/check", json={"template_id": "sms/xx/nope", "parts": {"txt": base}}, headers={"X-CSRF-Token": csrf})
    assert r.status_code == 400 and "not a template id" in r.json()["error"]
    for tid in ("sms/en/DPD_1", "sms/en/1st", "sms/en/ü"):          # ids no template file can have
        r = c.post("/api/check", json={"template_id": tid, "parts": {"txt": base}}, headers={"X-CSRF-Token": csrf})
        assert r.status_code == 400 and "not a template id" in r.json()["error"], tid
    r = c.post("/api/check", json={"template_id": TID, "parts": ["x"]}, headers={"X-CSRF-Token": csrf})
    assert r.status_code == 400
    r = c.post("/api/check", content=b"{not json", headers={"X-CSRF-Token": csrf, "Content-Type": "application/json"})
    assert r.status_code == 400


# -- what each role can do over HTTP, and the limits -----------------------------------------
def test_a_viewer_reads_but_cannot_write(sign_in: SignIn, studio: Studio) -> None:
    vic = sign_in("vic")
    for path in ("/", "/t/sms/en/dpd_1", "/review", "/audit"):
        assert vic.get(path).status_code == 200, path
    csrf = csrf_of(vic.get("/").text)
    r = vic.post("/t/sms/en/dpd_1/drafts", data={"part_txt": "Hi {{ first_name }}. {{ opt_out_text }}", "csrf_token": csrf})
    assert r.status_code == 403 and "editor role" in r.text
    assert studio.drafts() == []


def test_reject_over_http_needs_a_comment_and_the_author_sees_it(sign_in: SignIn, studio: Studio) -> None:
    text = studio.published_sources(TID)["txt"].replace("Hi ", "Dear ")   # type: ignore[index]
    mei = sign_in("mei")
    n = _submit_draft(mei, text)
    omar = sign_in("omar")
    csrf = csrf_of(omar.get(f"/drafts/{n}").text)
    r = omar.post(f"/drafts/{n}/reject", data={"csrf_token": csrf, "comment": " "})
    assert r.status_code == 400 and "comment" in r.text
    r = omar.post(f"/drafts/{n}/reject", data={"csrf_token": csrf, "comment": "Say <b>please</b>"})
    assert r.status_code == 303
    page = mei.get(f"/drafts/{n}").text
    assert "Rejected by omar" in page and "Say &lt;b&gt;please&lt;/b&gt;" in page and 'id="edit-draft"' in page
    r = mei.post(f"/drafts/{n}/withdraw", data={"csrf_token": csrf_of(page)})
    assert r.status_code == 303 and studio.draft(n).status == "withdrawn"


def test_oversized_requests_are_refused(sign_in: SignIn, studio: Studio) -> None:
    c = sign_in("mei")
    csrf = csrf_of(c.get("/").text)
    r = c.post("/t/sms/en/dpd_1/drafts", data={"part_txt": "x" * 300_000, "csrf_token": csrf})
    assert r.status_code == 413
    r = c.post("/t/sms/en/dpd_1/drafts", data={"part_txt": "x" * 25_000, "csrf_token": csrf})
    assert r.status_code == 400 and "20000" in r.text
    assert studio.drafts() == []


def test_unknown_templates_and_drafts_are_404(sign_in: SignIn) -> None:
    c = sign_in("mei")
    for path in ("/t/sms/en/no_such_step", "/t/fax/en/dpd_1", "/t/sms/en/DPD_1", "/drafts/42",
                 "/t/sms/en/dpd_1/edit?draft=42"):
        assert c.get(path).status_code == 404, path


def test_a_broken_users_file_is_a_page_saying_so(sign_in: SignIn, studio: Studio) -> None:
    c = sign_in("mei")
    anon = httpx.Client(base_url=str(c.base_url), follow_redirects=False, timeout=10)
    form = login_form(anon)
    users_file(studio.cfg).write_text('[[user]]\nname = "mei"\nroles = ["editor"]\npassword = "in-clear-1234"\n',
                                      encoding="utf-8")
    r = c.get("/")            # the details are for the administrator (the log), not for whoever opens the page
    assert r.status_code == 503 and "users file" in r.text and "argon2" not in r.text and 'id="who"' not in r.text
    assert r.headers["content-security-policy"] == CSP
    r = anon.post("/login", data={**form, "name": "mei", "password": "in-clear-1234"})
    assert r.status_code == 503 and "users file" in r.text and "argon2" not in r.text and session_cookie(r) is None
    assert "in-clear-1234" not in r.text
    anon.close()


def test_a_huge_sign_in_body_is_refused_before_it_is_read(anon: httpx.Client) -> None:
    form = login_form(anon)
    r = anon.post("/login", data={**form, "name": "mei", "password": "x" * 100_000})
    assert r.status_code == 413


def test_behind_a_proxy_the_origin_must_be_the_public_address(studio: Studio) -> None:
    from starlette.testclient import TestClient

    from loan_comms.studio.web import create_app

    client = TestClient(create_app(studio, public_origin="https://studio.lender.example"), base_url="http://127.0.0.1:8090")
    form = login_form(client)
    ok = client.post("/login", data={**form, "name": "mei", "password": PASSWORD},
                     headers={"Origin": "https://studio.lender.example"}, follow_redirects=False)
    assert ok.status_code == 303
    form = login_form(client)
    bad = client.post("/login", data={**form, "name": "mei", "password": PASSWORD},
                      headers={"Origin": "http://127.0.0.1:8090"}, follow_redirects=False)
    assert bad.status_code == 403


def test_the_editor_is_for_editors_and_their_own_drafts(sign_in: SignIn, studio: Studio, users: dict[str, User]) -> None:
    assert sign_in("vic").get(f"/t/{TID}/edit").status_code == 403
    base = studio.published_sources(TID)
    assert base is not None
    d = studio.save_draft(users["mei"], TID, {"txt": base["txt"] + " "})
    other = sign_in("kim")
    r = other.get(f"/t/{TID}/edit?draft={d.draft_id}")
    assert r.status_code == 403 and "mei&#39;s draft" in r.text
    assert sign_in("mei").get(f"/t/{TID}/edit?draft={d.draft_id}").status_code == 200
