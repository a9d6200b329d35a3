"""The preview gallery: every template in both languages, escaped, and it loads in a real browser."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from loan_comms.templating import TemplateStore
from loan_comms.templating.gallery import preview, render_gallery
from loan_comms.templating.samples import SAMPLE_BORROWERS

from .conftest import write

CHROMIUM = shutil.which("chromium") or ("/usr/bin/chromium" if os.path.exists("/usr/bin/chromium") else None)


@pytest.fixture(scope="module")
def gallery(tmp_path_factory, cfg, shipped) -> Path:
    return preview(tmp_path_factory.mktemp("gallery"), shipped, cfg)


def test_gallery_has_a_card_for_every_template_in_both_languages(gallery, shipped):
    page = gallery.read_text(encoding="utf-8")
    ids = re.findall(r'data-template-id="([^"]+)"', page)
    assert sorted(ids) == shipped.ids()
    assert len(ids) == len(set(ids)) == 58  # 29 (kind, channel) pairs x 2 languages
    for (kind, channel, _lang) in shipped.templates:
        assert f'data-template-id="{channel}/en/{kind}"' in page
        assert f'data-template-id="{channel}/zh-CN/{kind}"' in page


def test_each_card_shows_version_samples_and_sms_length(gallery, shipped):
    page = gallery.read_text(encoding="utf-8")
    for t in shipped.templates.values():
        assert t.version in page
    cards = page.split('<section class="card" id="')[2:]
    for card in cards:
        assert card.count('class="sample"') == len(SAMPLE_BORROWERS)
        if 'data-channel="sms"' in card:
            assert card.count("segment(s)") == len(SAMPLE_BORROWERS)
        if 'data-channel="email"' in card:
            assert card.count("<iframe sandbox=\"\"") == len(SAMPLE_BORROWERS) and "Subject:" in card


def test_gallery_is_self_contained(gallery):
    page = gallery.read_text(encoding="utf-8")
    assert "<script" not in page
    assert not re.search(r'(src|href)="https?://', page)  # links only inside escaped srcdoc
    assert "<link" not in page


def test_template_output_is_escaped_and_lint_problems_are_shown(lib, cfg, tmp_path):
    write(lib, "sms/en/survey.txt.j2", "Hi {{ first_name }} <script>alert(1)</script> {{ opt_out_text }}")
    write(lib, "email/en/survey.html.j2", "<p>{{ first_name }}</p><script>alert(2)</script><img src=x onerror=alert(3)>")
    write(lib, "sms/en/dpd_1.txt.j2", "Hi {{ first_name }}, call the police. {{ opt_out_text }}")
    page = render_gallery(TemplateStore.load(lib, cfg), cfg)
    assert "<script" not in page and "<img" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    card = page.split('data-template-id="sms/en/dpd_1"')[1].split("</section>")[0]
    assert "banned phrase" in card and 'class="error"' in card


def test_broken_template_still_gets_a_card_with_its_error(lib, cfg):
    write(lib, "sms/en/dpd_1.txt.j2", "Hi {{ first_name ")
    page = render_gallery(TemplateStore.load(lib, cfg), cfg)
    card = page.split('data-template-id="sms/en/dpd_1"')[1].split("</section>")[0]
    assert "syntax error" in card and "Does not render" in card


@pytest.mark.skipif(CHROMIUM is None, reason="chromium not installed (CI: apt-get install -y chromium)")
def test_gallery_loads_in_headless_chromium_without_console_errors(gallery, shipped, tmp_path):
    cmd = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
           "--disable-extensions", "--no-first-run", f"--user-data-dir={tmp_path / 'profile'}",
           "--enable-logging=stderr", "--v=0", "--dump-dom", gallery.resolve().as_uri()]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    dom = proc.stdout
    assert sorted(re.findall(r'data-template-id="([^"]+)"', dom)) == shipped.ids()
    console = [ln for ln in proc.stderr.splitlines() if "CONSOLE" in ln]
    assert console == [], console
    assert dom.count("<iframe") == sum(1 for (_, ch, _) in shipped.templates if ch == "email") * len(SAMPLE_BORROWERS)
