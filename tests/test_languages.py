"""Languages: BCP 47 tags checked and matched by primary language, dates and labels per
locale, French typography, curly quotes, right to left, numbered links in the text part."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from digest import i18n, lang
from digest.plaintext import fragment_text

from .conftest import DEMO_AS_OF, DEMO_ISSUE
from .test_email import SMALL, _fixture

NNBSP = "\u202f"


@pytest.mark.parametrize(
    ("given", "tag", "noted"),
    [
        ("en", "en", False),
        ("EN", "en", False),
        ("en-gb", "en-GB", False),
        ("en_GB", "en-GB", True),
        ("fr-CA", "fr-CA", False),
        ("pt-br", "pt-BR", False),
        ("zh-hant-tw", "zh-Hant-TW", False),
        ("es-419", "es-419", False),
        (" ar ", "ar", False),
    ],
)
def test_tags_are_normalised(given: str, tag: str, noted: bool) -> None:
    found = lang.normalise(given)
    assert found.tag == tag
    assert bool(found.note) == noted


@pytest.mark.parametrize("bad", ["", "   ", "x<script>", "en-", "e", "en--GB", "english!", "12"])
def test_bad_tags_are_refused_with_a_hint(bad: str) -> None:
    with pytest.raises(lang.LanguageError, match="en-GB"):
        lang.normalise(bad)


def test_matching_direction_and_locale() -> None:
    assert lang.matches("en", "en-GB") and lang.matches("en-US", "en-GB")
    assert lang.matches("en-GB", "en") and lang.matches(None, "fr")
    assert not lang.matches("fr", "en-GB")
    assert not lang.matches("zh-Hant", "zh-Hans") and lang.matches("zh", "zh-Hans")
    assert lang.direction("ar") == "rtl" and lang.direction("he-IL") == "rtl"
    assert lang.direction("en-GB") == "ltr" and lang.direction("az-Arab") == "rtl"
    assert str(lang.locale("en-GB")) == "en_GB" and str(lang.locale("fr-XX")) == "fr"
    assert lang.fallbacks("pt-BR") == ("pt-BR", "pt", "en")


def test_every_shipped_language_has_every_label() -> None:
    names = i18n.label_names() - set(i18n.PROJECT_LABELS)
    assert set(i18n.shipped()) >= {"en", "fr", "es", "ar"}
    for code in i18n.shipped():
        data = i18n._read(code)
        assert set(data["labels"]) == names, code
        assert set(data["sections"]) == {"lead", "good-news", "latest"}, code
        assert {"name", "subject", "good-news", "campaign", "grim"} <= set(data["year_end"])


def test_french_typography_and_quotes() -> None:
    fr = i18n.pack("fr")
    assert i18n.typeset("Rapport : la répression s'intensifie", fr) == (
        f"Rapport{NNBSP}: la répression s’intensifie"
    )
    assert i18n.typeset('Il a dit "non" ! Pourquoi?', fr) == (
        f"Il a dit «{NNBSP}non{NNBSP}»{NNBSP}! Pourquoi{NNBSP}?"
    )
    assert i18n.typeset("« Liberté »", fr) == f"«{NNBSP}Liberté{NNBSP}»"
    # URLs, times and ratios stay as they are
    assert i18n.typeset("https://x.example/?a=1 à 10:30", fr) == "https://x.example/?a=1 à 10:30"
    link = '<a href="https://x.example/?q=1&amp;r=2">'
    html = i18n.typeset_html(f'<p>Lire {link}"ici"</a>: ok</p>', fr)
    assert html == f"<p>Lire {link}«{NNBSP}ici{NNBSP}»</a>{NNBSP}: ok</p>"
    en = i18n.pack("en-GB")
    assert i18n.typeset("Northlight's \"big\" win, 'she said'", en) == (
        "Northlight’s “big” win, ‘she said’"
    )
    assert i18n.typeset('Dijo "no"', i18n.pack("es")) == "Dijo «no»"
    assert i18n.typeset_html('<code>a "b"</code> "c"', en) == '<code>a "b"</code> “c”'


def test_numbered_links_in_the_text_part() -> None:
    text = fragment_text(
        '<p>Next year, <a href="https://x.example/join">join a group</a> or '
        '<a href="https://x.example/give?a=1&amp;b=2">give</a>.</p>'
        '<p>See <a href="https://x.example/plain">https://x.example/plain</a>.</p>'
        '<p>Also <a href="https://x.example/join">join</a>.</p>'
    )
    assert text == (
        "Next year, join a group [1] or give [2].\n\n"
        "[1] https://x.example/join\n[2] https://x.example/give?a=1&b=2\n\n"
        "See https://x.example/plain.\n\n"
        "Also join [3].\n\n[3] https://x.example/join"
    )


def _config_error(digest, project: Path, needle: str, replacement: str) -> str:
    path = project / "digest.toml"
    path.write_text(path.read_text().replace(needle, replacement, 1))
    result = digest("build", "-p", str(project), "--as-of", DEMO_AS_OF, "--offline")
    assert result.exit_code == 2, result.output
    return result.stderr


@pytest.mark.parametrize("bad", ['"x<script>"', '""', '"english"', '"e"'])
def test_bad_language_in_digest_toml_names_file_and_line(digest, project: Path, bad: str) -> None:
    err = _config_error(digest, project, 'language = "en"', f"language = {bad}")
    assert re.search(r"digest\.toml:10: newsletter\.language: ", err), err
    assert "en-GB" in err


def test_bad_language_in_feeds_toml_names_its_line(digest, project: Path) -> None:
    path = project / "feeds" / "feeds.toml"
    path.write_text(path.read_text().replace('language = "fr"', 'language = "fr<"'))
    result = digest("build", "-p", str(project), "--as-of", DEMO_AS_OF, "--offline")
    assert result.exit_code == 2
    assert re.search(r"feeds\.toml:\d+: feed\.language: 'fr<' is not a language tag", result.stderr)


def test_locale_names_are_taken_with_a_warning(digest, project: Path) -> None:
    path = project / "digest.toml"
    path.write_text(path.read_text().replace('language = "en"', 'language = "en_GB"', 1))
    result = digest("build", "-p", str(project), "--as-of", DEMO_AS_OF)
    assert result.exit_code == 0, result.output
    assert "digest.toml:10: language: 'en_GB' is a locale name; the language tag is 'en-GB'" in (
        result.stderr
    )
    bad = digest("build", "-p", str(project), "--as-of", DEMO_AS_OF, "--language", "x<y")
    assert bad.exit_code == 2 and "is not a language tag" in bad.stderr


def test_en_gb_project_has_british_dates_and_keeps_english_stories(digest, project: Path) -> None:
    path = project / "digest.toml"
    path.write_text(path.read_text().replace('language = "en"', 'language = "en-GB"', 1))
    result = digest("build", "-p", str(project), "--as-of", DEMO_AS_OF, "--json")
    assert result.exit_code == 0, result.output
    out = project / "out" / DEMO_ISSUE
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["language"] == "en-GB"
    assert manifest["subject"] == "Northlight Weekly: 19 December 2025"
    assert len(manifest["items"]) == 9  # the feeds say "en": all English stories are in
    html = (out / "newsletter.html").read_text()
    assert 'lang="en-GB"' in html and "16 December 2025" in html


def test_french_demo_issue(digest, project: Path) -> None:
    result = digest("build", "-p", str(project), "--as-of", DEMO_AS_OF, "--language", "fr")
    assert result.exit_code == 0, result.output
    out = project / "out" / DEMO_ISSUE
    manifest = json.loads((out / "manifest.json").read_text())
    titles = [s["title"] for s in manifest["sections"]]
    assert titles == ["Un message de notre secrétaire générale", "Bonnes nouvelles"]
    assert manifest["subject"] == f"Northlight Weekly{NNBSP}: 19 décembre 2025"
    html = (out / "newsletter.html").read_text()
    text = (out / "newsletter.txt").read_text()
    for part in (html, text):
        assert f"Veloria{NNBSP}: 37 prisonniers d’opinion" in part
        assert "Lire la suite" in part and "Se désabonner" in part
        assert "Read more" not in part and "Unsubscribe" not in part


def test_spanish_and_arabic_labels_and_default_section_titles(digest, tmp_path: Path) -> None:
    # each language's own good news (its rule pack reads the title; English text would not
    # be good news in a Spanish or Arabic issue)
    good = {
        "es": ("Preso de conciencia liberado tras seis años", "<p>Liberado el lunes.</p>"),
        "ar": ("الإفراج عن سجين رأي بعد ست سنوات", "<p>أفرج عنه يوم الاثنين.</p>"),
    }
    for code, words in (
        ("es", ("Buenas noticias", "Leer más", "Darse de baja", "de diciembre de 2025")),
        ("ar", ("أخبار سارة", "اقرأ المزيد", "إلغاء الاشتراك", "ديسمبر")),
    ):
        entries = [(*good[code], "News"), *SMALL[1:]]
        root = _fixture(tmp_path / code, "Fixture", entries, language=code)
        # this project sets no section titles of its own: the built-in ones translate
        toml = root / "digest.toml"
        toml.write_text(re.sub(r'title = "[^"]*"\n', "", toml.read_text()))
        (root / "digest.toml").write_text(
            toml.read_text() + '[esp]\nname = "smtp"\nunsubscribe_url = "https://f.example/u"\n'
        )
        result = digest("build", "-p", str(root), "--as-of", DEMO_AS_OF, "-q")
        assert result.exit_code == 0, result.output
        html = (root / "out" / DEMO_ISSUE / "newsletter.html").read_text()
        for word in words:
            assert word in html, (code, word)
        assert f'lang="{code}" dir="{"rtl" if code == "ar" else "ltr"}"' in html


def test_project_labels_per_language(digest, project: Path) -> None:
    toml = project / "digest.toml"
    toml.write_text(
        toml.read_text().replace(
            "[labels.fr]\n", '[labels.fr]\nread_more = "Lire"\nname = "Northlight Hebdo"\n'
        )
        + '[labels.en]\nread_more = "Read the story"\n'
    )
    assert digest("build", "-p", str(project), "--as-of", DEMO_AS_OF, "-q").exit_code == 0
    html = (project / "out" / DEMO_ISSUE / "newsletter.html").read_text()
    assert "Read the story" in html and "Northlight Weekly</h1>" in html
    result = digest(
        "build", "-p", str(project), "--as-of", DEMO_AS_OF, "--language", "fr-CA",
        "--issue-id", "fr", "-q",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    html = (project / "out" / "fr" / "newsletter.html").read_text()
    assert "Northlight Hebdo</h1>" in html and "Lire →" in html
    assert "Read the story" not in html  # [labels.en] is not a fallback for French
    assert "Bonnes nouvelles et actions urgentes" in html  # the demo's [labels.fr] tagline
    toml.write_text(toml.read_text() + '[labels.de]\ncolour = "x"\n')
    result = digest("build", "-p", str(project), "--as-of", DEMO_AS_OF, "--offline")
    assert result.exit_code == 2 and "labels.de.colour: unknown label" in result.stderr


def test_feed_languages_are_read_leniently() -> None:
    assert [lang.lenient(v) for v in ("en-us", "EN_gb", "fr", "English", "x<", "", None)] == [
        "en-US",
        "en-GB",
        "fr",
        None,
        None,
        None,
        None,
    ]
