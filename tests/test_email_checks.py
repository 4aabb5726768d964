"""Every layout (weekly, roundup, year-end) in English, French and Arabic, checked by tools
nobody on the project wrote:

- axe-core in Chromium, light and dark mode (`prefers-color-scheme`), at 375 and 600 px:
  no serious or critical violation; plus our own contrast measure of every text (4.5:1,
  3:1 for large text) and the right-to-left layout of the Arabic issues;
- the W3C Nu validator (vnu.jar, Java): no error but the accepted ones;
- doiuse-email (the caniemail data) for Gmail, Outlook on Windows and Apple Mail: nothing
  unsupported but the accepted exceptions (tests/email-exceptions.toml, a reason each);
- SpamAssassin, local tests only, on each .eml with a To: header: score at most 1.0;
- the size as a mailing service sends it: under 95 KB, the demo and year-end issues at
  least 20% under.

Each layout is built once and each page loaded once per mode and width; one browser serves
the session. .ci/run installs the tools (chromium, spamassassin, Java, `npm ci` in
tests/node); under CI=true a missing tool fails, elsewhere the test is skipped. The figures
land in tests/artifacts/email-checks.json.
"""

from __future__ import annotations

import fnmatch
import json
import re
import shutil
import subprocess
import tomllib
from pathlib import Path

import pytest
from click.testing import CliRunner

from digest.budget import as_sent

from .conftest import REPO, copy_demo_project, need, offline_page

NODE = Path(__file__).parent / "node"
ARTIFACTS = Path(__file__).parent / "artifacts"
EXCEPTIONS = tomllib.loads((Path(__file__).parent / "email-exceptions.toml").read_text("utf-8"))
LANGUAGES = ("en", "fr", "ar")
LAYOUTS = ("weekly", "roundup", "year-end")
BUDGET = 95_000
WIDTHS = (375, 600)
SCHEMES = ("light", "dark")
REPORT: dict[str, dict] = {}


def _cli(*args: str) -> None:
    from digest.cli import cli

    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    assert result.exit_code == 0, (args, result.output)


@pytest.fixture(scope="session")
def layouts(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """name ("weekly-en", "year-end-ar"...) -> the issue's folder. The demo project with
    the Arabic sample feed added, fetched once; every issue built from the store."""
    root = copy_demo_project(tmp_path_factory.mktemp("layouts") / "project")
    p = str(root)
    _cli("feeds", "add", "Northlight Arabic", "feeds/samples/northlight-ar.atom",
         "--language", "ar", "-p", p, "-q")  # fmt: skip
    _cli("fetch", "-p", p, "--since", "2025-01-01", "--as-of", "2025-12-19", "-q")
    found = {}
    for lang in LANGUAGES:
        for layout in ("weekly", "roundup"):
            name = f"{layout}-{lang}"
            _cli("build", "-p", p, "--offline", "--as-of", "2025-12-19", "--language", lang,
                 "--template", layout, "--issue-id", name, "-q")  # fmt: skip
            found[name] = root / "out" / name
        suffix = "" if lang == "en" else f".{lang}"
        letter = REPO / "feeds" / "letters" / f"2025-year-end{suffix}.md"
        name = f"year-end-{lang}"
        _cli("year-end", "-p", p, "--year", "2025", "--letter", str(letter), "--as-of",
             "2025-12-20", "--issue-id", name, "-q")  # fmt: skip
        found[name] = root / "out" / name
    return found


def _record(section: str, key: str, value: object) -> None:
    REPORT.setdefault(section, {})[key] = value
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "email-checks.json").write_text(json.dumps(REPORT, indent=1, sort_keys=True))


@pytest.fixture(scope="session")
def looks(browser, layouts: dict[str, Path]) -> dict[str, dict]:
    """Each layout loaded once per colour scheme and width: axe's violations, the
    contrast of every text, layout facts; remote images blocked, as mail clients do."""
    axe = NODE / "node_modules" / "axe-core" / "axe.min.js"
    if not axe.exists():
        need("axe-core", "run `npm ci` in tests/node")

    def job(b) -> dict[str, dict]:
        found = {}
        for scheme in SCHEMES:
            for width in WIDTHS:
                page = offline_page(b, width, scheme)
                for name, folder in layouts.items():
                    page.goto((folder / "newsletter.html").as_uri())
                    page.add_script_tag(path=str(axe))
                    page.add_script_tag(path=str(NODE / "page-checks.js"))
                    found[f"{name} {scheme} {width}"] = {
                        "axe": page.evaluate("digestChecks.axe()"),
                        "contrast": page.evaluate("digestChecks.contrast()"),
                        **page.evaluate("digestChecks.layout()"),
                    }
                    if width == 375 or name.startswith("weekly"):
                        ARTIFACTS.mkdir(exist_ok=True)
                        shot = ARTIFACTS / f"{name}-{scheme}-{width}.png"
                        page.screenshot(path=str(shot), full_page=True)
                page.close()
        return found

    return browser.run(job)


def test_axe_no_serious_or_critical_violation(looks: dict[str, dict]) -> None:
    serious = {}
    for key, look in looks.items():
        bad = [v for v in look["axe"] if v["impact"] in ("serious", "critical")]
        _record("axe serious+critical", key, len(bad))
        _record("axe all", key, sorted({f"{v['id']} ({v['impact']})" for v in look["axe"]}))
        if bad:
            serious[key] = bad
    assert len(looks) == len(LAYOUTS) * len(LANGUAGES) * len(SCHEMES) * len(WIDTHS)
    assert not serious, json.dumps(serious, indent=1, ensure_ascii=False)


def test_every_text_keeps_its_contrast_in_light_and_dark_mode(looks: dict[str, dict]) -> None:
    failing = {}
    for key, look in looks.items():
        texts = look["contrast"]
        assert texts, key
        _record("lowest contrast", key, min(t["ratio"] for t in texts))
        low = [t for t in texts if t["ratio"] < t["need"]]
        if low:
            failing[key] = low[:5]
    assert not failing, json.dumps(failing, indent=1, ensure_ascii=False)


def test_headings_and_no_sideways_scroll(looks: dict[str, dict]) -> None:
    for key, look in looks.items():
        width = int(key.rsplit(" ", 1)[1])
        assert look["scrollWidth"] <= width, key
        assert look["h1"] == 1 and look["h2"] >= 1 and look["h3"] >= 1, (key, look)


def test_arabic_reads_right_to_left_at_phone_width(looks: dict[str, dict]) -> None:
    for layout in LAYOUTS:
        for scheme in SCHEMES:
            look = looks[f"{layout}-ar {scheme} 375"]
            assert look["dir"] == "rtl" and look["scrollWidth"] <= 375, look
            assert set(look["direction"]) == {"rtl"}, look
            assert set(look["align"]) <= {"right", "start"}, look
        assert looks[f"{layout}-en light 375"]["dir"] == "ltr"


def _exceptions(kind: str) -> list[dict]:
    return list(EXCEPTIONS.get(kind, []))


def test_doiuse_email_finds_nothing_unexpected(layouts: dict[str, Path]) -> None:
    node = shutil.which("node")
    if not node or not (NODE / "node_modules" / "doiuse-email").exists():
        need("doiuse-email", "run `npm ci` in tests/node (Node 20)")
    files = [str(f / "newsletter.html") for f in layouts.values()]
    out = subprocess.run(
        [node, str(NODE / "doiuse-check.mjs"), *files],
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    reported = json.loads(out.stdout)
    accepted = _exceptions("doiuse")
    used: set[int] = set()
    unexpected = {}
    for file, errors in reported.items():
        name = Path(file).parent.name
        _record("doiuse-email", name, len(errors))
        for error in errors:
            m = re.fullmatch(r"`(.+)` is not supported by `(.+)`", error)
            assert m, error
            feature, client = m.groups()
            hits = [
                i
                for i, e in enumerate(accepted)
                if feature in e["features"]
                and any(fnmatch.fnmatch(client, pattern) for pattern in e["clients"])
            ]
            used.update(hits)
            if not hits:
                unexpected.setdefault(name, []).append(error)
    assert not unexpected, json.dumps(unexpected, indent=1)
    stale = [e["features"] for i, e in enumerate(accepted) if i not in used]
    assert not stale, f"exceptions that match nothing any more: {stale}"


def test_nu_validator_finds_no_error_but_the_accepted_ones(layouts: dict[str, Path]) -> None:
    java = shutil.which("java")
    jar = NODE / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
    if not java or not jar.exists():
        need("the Nu validator", "Java 17 and `npm ci` in tests/node (vnu-jar)")
    files = [str(f / "newsletter.html") for f in layouts.values()]
    out = subprocess.run(
        [java, "-jar", str(jar), "--format", "json", "--exit-zero-always", *files],
        capture_output=True,
        text=True,
        timeout=300,
    )
    messages = json.loads(out.stderr or out.stdout)["messages"]
    accepted = _exceptions("vnu")
    used: set[int] = set()
    errors = []
    for m in messages:
        if m["type"] not in ("error", "non-document-error"):
            continue
        hits = [i for i, e in enumerate(accepted) if re.fullmatch(e["message"], m["message"])]
        used.update(hits)
        if not hits:
            where = f"{Path(m.get('url', '')).parent.name}:{m.get('lastLine')}"
            errors.append(f"{where}: {m['message']}")
    _record("vnu", "unaccepted errors", len(errors))
    assert not errors, "\n".join(errors[:20])
    stale = [e["message"] for i, e in enumerate(accepted) if i not in used]
    assert not stale, f"exceptions that match nothing any more: {stale}"


def test_spamassassin_content_score(layouts: dict[str, Path], tmp_path: Path) -> None:
    """SpamAssassin with local tests only (-L: no network, no DNS lists), each .eml with
    the To: header a mailing service adds. One process reads them all as an mbox."""
    spamassassin = shutil.which("spamassassin")
    if not spamassassin:
        need("SpamAssassin", "apt-get install spamassassin")
    mbox = tmp_path / "issues.mbox"
    with mbox.open("wb") as f:
        for folder in layouts.values():
            raw = (folder / "newsletter.eml").read_bytes().replace(b"\r\n", b"\n")
            f.write(b"From digest@localhost Thu Jan  1 00:00:00 2026\n")
            f.write(b"To: A Reader <reader@example.org>\n")
            f.write(re.sub(rb"(?m)^From ", b">From ", raw) + b"\n")
    out = subprocess.run(
        [spamassassin, "-L", "-t", "--mbox"],
        input=mbox.read_bytes(),
        capture_output=True,
        timeout=600,
    ).stdout.decode("utf-8", "replace")
    scores = {}
    for m in re.finditer(r"^X-Spam-Status: \w+, score=(-?[\d.]+)", out, re.M):
        issue = re.search(r"^X-Digest-Issue: (\S+)", out[m.end() :], re.M)
        assert issue, out[m.start() : m.start() + 2000]
        scores.setdefault(issue.group(1), float(m.group(1)))
    for name, score in scores.items():
        _record("spamassassin score", name, score)
    assert set(scores) == set(layouts), (scores, out[-3000:])
    assert all(score <= 1.0 for score in scores.values()), scores


def test_size_as_sent(layouts: dict[str, Path]) -> None:
    """Every layout under 95 KB as a mailing service sends it (links tracked, encoded);
    the demo issue and the year-end issue at least 20% under."""
    for name, folder in layouts.items():
        html = (folder / "newsletter.html").read_text("utf-8")
        sent = as_sent(html)
        manifest = json.loads((folder / "manifest.json").read_text("utf-8"))
        assert manifest["html_sent_bytes"] == sent
        _record("bytes raw / as sent", name, [len(html.encode()), sent])
        assert sent <= BUDGET, (name, sent)
        if name in ("weekly-en", "year-end-en", "year-end-fr"):
            assert sent <= BUDGET * 0.8, (name, sent)
