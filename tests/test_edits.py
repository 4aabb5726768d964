"""Editorial overrides: pin, drop, move, reorder, retitle, blurb, intro; survive rebuilds;
a broken file names file and line and changes nothing."""

from __future__ import annotations

import json
from pathlib import Path

from .conftest import DEMO_AS_OF, DEMO_ISSUE


def _keys(digest, project: Path, *args: str) -> dict[str, str]:
    digest("fetch", "-p", str(project), "--as-of", DEMO_AS_OF, "-q")  # one clock
    data = json.loads(
        digest("rank", "-p", str(project), "--as-of", DEMO_AS_OF, "--json", *args).stdout
    )
    return {c["title"]: c["key"] for c in data["candidates"]}


def _manifest(project: Path) -> dict:
    return json.loads((project / "out" / DEMO_ISSUE / "manifest.json").read_text())


def _write_edits(project: Path, text: str) -> Path:
    path = project / "edits" / f"{DEMO_ISSUE}.toml"
    path.parent.mkdir(exist_ok=True)
    path.write_text(text)
    return path


def test_edits_are_applied_and_survive_rebuilds(digest, project: Path) -> None:
    old = _keys(digest, project, "--days", "60")  # keys of entries outside the window too
    now = _keys(digest, project)
    pinned = old["Supreme Court orders release of environmental defender Lina Moravec"]
    dropped = now["Executions in Kastoria reach a ten-year high"]
    moved = now["Write for Rights: 2.1 million letters and counting"]
    retitled = now["Bellhaven Four released after appeal court overturns convictions"]
    _write_edits(
        project,
        f"""
intro = "Four people walked free this week. Thank you for every letter."

[items.{pinned[:6]}]
pin = true

[items.{dropped}]
drop = true

[items.{moved}]
section = "good-news"
position = 1

[items.{retitled}]
title = "The Bellhaven Four are free"
blurb = "After fourteen months, the mural painters are home."
""",
    )
    args = ("build", "-p", str(project), "--as-of", DEMO_AS_OF, "-q")
    assert digest(*args).exit_code == 0
    manifest = _manifest(project)
    items = {i["key"]: i for i in manifest["items"]}
    assert pinned in items and "pinned by the editors" in [
        r["text"] for r in items[pinned]["reasons"]
    ]
    assert dropped not in items
    assert items[moved]["section"] == "good-news"
    good = [i["key"] for i in manifest["items"] if i["section"] == "good-news"]
    assert good[0] == moved
    assert items[retitled]["title"] == "The Bellhaven Four are free"
    assert manifest["preheader"].startswith("Four people walked free this week.")
    html = (project / "out" / DEMO_ISSUE / "newsletter.html").read_text()
    text = (project / "out" / DEMO_ISSUE / "newsletter.txt").read_text()
    for part in (html, text):
        assert "Four people walked free this week." in part
        assert "The Bellhaven Four are free" in part
        assert "After fourteen months, the mural painters are home." in part
        assert "Executions in Kastoria reach a ten-year high" not in part
    first = {
        n: (project / "out" / DEMO_ISSUE / n).read_bytes()
        for n in ("newsletter.html", "newsletter.txt", "newsletter.eml")
    }
    assert digest(*args).exit_code == 3  # the same edits, nothing new: nothing rewritten
    assert first == {n: (project / "out" / DEMO_ISSUE / n).read_bytes() for n in first}
    assert digest(*args, "--force").exit_code == 0  # a forced rebuild re-applies them
    assert first == {n: (project / "out" / DEMO_ISSUE / n).read_bytes() for n in first}
    ranked = json.loads(digest("rank", "-p", str(project), "--as-of", DEMO_AS_OF, "--json").stdout)[
        "candidates"
    ]
    assert next(c for c in ranked if c["key"] == dropped)["left_out"].startswith("dropped")


def _broken(digest, project: Path, text: str) -> str:
    (project / "edits" / f"{DEMO_ISSUE}.toml").unlink(missing_ok=True)
    built = digest("build", "-p", str(project), "--as-of", DEMO_AS_OF, "-q")
    assert built.exit_code in (0, 3)  # 3: built already, by an earlier call
    before = {p.name: p.read_bytes() for p in (project / "out" / DEMO_ISSUE).iterdir()}
    _write_edits(project, text)
    result = digest("build", "-p", str(project), "--as-of", DEMO_AS_OF)
    assert result.exit_code == 2, result.output
    after = {p.name: p.read_bytes() for p in (project / "out" / DEMO_ISSUE).iterdir()}
    assert before == after, "a broken edits file changed the issue"
    assert "Traceback" not in result.output
    return result.stderr


def test_malformed_edits_name_file_and_line(digest, project: Path) -> None:
    err = _broken(digest, project, 'intro = "ok"\n\n[items.abcdef]\npin = yes\n')
    assert f"edits/{DEMO_ISSUE}.toml:4: invalid TOML" in err


def test_unknown_key_is_reported(digest, project: Path) -> None:
    err = _broken(digest, project, "\n[items.fffffff]\npin = true\n")
    assert f"{DEMO_ISSUE}.toml:2: no entry with key 'fffffff' in the store" in err


def test_bad_values_are_reported(digest, project: Path) -> None:
    keys = _keys(digest, project)
    key = next(iter(keys.values()))
    err = _broken(digest, project, f'[items.{key}]\nsection = "sports"\n')
    assert f"{DEMO_ISSUE}.toml:2: items.{key}.section: no section 'sports'" in err
    err = _broken(digest, project, f"[items.{key}]\npin = true\ndrop = true\n")
    assert "cannot be both pinned and dropped" in err
    err = _broken(digest, project, f"[items.{key}]\nposition = 0\n")
    assert "position: must be a whole number from 1" in err
    err = _broken(digest, project, f"[items.{key}]\nsticky = true\n")
    assert "sticky: unknown setting" in err
    err = _broken(digest, project, 'intro = "x"\nfooter = "y"\n')
    assert ":2: unknown setting 'footer'" in err


def test_items_written_any_toml_way_name_their_line(digest, project: Path) -> None:
    """Inline tables, dotted keys and quoted headers are TOML too: each error names the
    line (it named none), and a key is matched whole (a trailing newline got past)."""
    key = next(iter(_keys(digest, project).values()))
    cases = {
        f'# c\n\nitems.{key}.pin = "yes"\n': ":3: items.",
        f"# c\n\n[items]\n{key} = 1\n": f":4: items.{key} must be a table",
        "# c\n\n[items.'abcd']\npin = true\n": ":3: no entry with key 'abcd'",
        f"# c\n\nitems = {{{key} = {{pin = 1}}}}\n": ":3: items.",
        f'# c\n\n[items."{key}\\n"]\npin = true\n': ":3: ",
    }
    for text, said in cases.items():
        err = _broken(digest, project, text)
        assert f"{DEMO_ISSUE}.toml{said}" in err, (text, err)
    assert "is not an item key" in _broken(digest, project, list(cases)[-1])


def test_a_change_to_inline_items_is_written_as_tables(digest, project: Path) -> None:
    """`items = { KEY = {...} }` is valid, but tomlkit cannot add a table inside an inline
    one: `digest edit --pin` and the desk crashed (a traceback, an HTTP 500)."""
    first, second = list(_keys(digest, project).values())[:2]
    path = _write_edits(project, f'# ours\nitems = {{ {first} = {{ title = "Kept" }} }}\n')
    result = digest("edit", "-p", str(project), "--as-of", DEMO_AS_OF, "--pin", second)
    assert result.exit_code == 0, result.output
    text = path.read_text()
    assert text.startswith("# ours") and f"[items.{first}]" in text and f"[items.{second}]" in text
    assert 'title = "Kept"' in text
    assert digest("build", "-p", str(project), "--as-of", DEMO_AS_OF, "-q").exit_code == 0
    titles = [i["title"] for i in _manifest(project)["items"]]
    assert "Kept" in titles


def test_one_entry_under_two_keys_is_reported(digest, project: Path) -> None:
    """A short and a long key of one entry: which table wins? Neither, the file is refused
    (before: a SQLite error that called the store damaged, or one title silently lost)."""
    key = next(iter(_keys(digest, project).values()))
    text = f'[items.{key[:6]}]\ntitle = "A"\n\n[items.{key}]\ntitle = "B"\n'
    err = _broken(digest, project, text)
    said = f"{DEMO_ISSUE}.toml:4: item '{key}' is the same entry as item '{key[:6]}' (line 1)"
    assert said in err


def test_a_byte_order_mark_is_no_error(digest, project: Path) -> None:
    """Windows Notepad saves UTF-8 with a byte-order mark: edits files and digest.toml."""
    key = next(iter(_keys(digest, project).values()))
    _write_edits(project, "\ufeff" + f'[items.{key}]\ntitle = "Retitled"\n')
    toml = project / "digest.toml"
    toml.write_text("\ufeff" + toml.read_text(encoding="utf-8"), encoding="utf-8")
    result = digest("build", "-p", str(project), "--as-of", DEMO_AS_OF, "-q")
    assert result.exit_code == 0, result.output
    assert "Retitled" in (project / "out" / DEMO_ISSUE / "newsletter.txt").read_text()


def test_the_leads_summary_stands_for_the_feeds_text(digest, project: Path) -> None:
    """The lead shows an entry's whole text (a year-end letter): the editors' summary of it
    was saved, shown in the desk, and left out of the email."""
    assert digest("build", "-p", str(project), "--as-of", DEMO_AS_OF, "-q").exit_code == 0
    lead = next(i for i in _manifest(project)["items"] if i["section"] == "lead")
    _write_edits(project, f'[items.{lead["key"]}]\nblurb = "Our own <b>words</b> for *|FNAME|*."\n')
    assert digest("build", "-p", str(project), "--as-of", DEMO_AS_OF, "-q").exit_code == 0
    out = project / "out" / DEMO_ISSUE
    html, text = (out / "newsletter.html").read_text(), (out / "newsletter.txt").read_text()
    assert "Our own &lt;b&gt;words&lt;/b&gt; for" in html and "Our own <b>words</b>" in text
    assert "*|FNAME|*" not in html + text  # broken, like any tag the editors type


def test_edit_command_writes_a_skeleton_once(digest, project: Path) -> None:
    digest("fetch", "-p", str(project), "--as-of", DEMO_AS_OF, "-q")  # one clock
    result = digest("edit", "-p", str(project), "--as-of", DEMO_AS_OF)
    assert result.exit_code == 0
    path = project / "edits" / f"{DEMO_ISSUE}.toml"
    text = path.read_text()
    assert "# A year of courage: a message from our Secretary General" in text
    path.write_text(text + '\nintro = "mine"\n')
    again = digest("edit", "-p", str(project), "--as-of", DEMO_AS_OF)
    assert "Already there" in again.output
    assert path.read_text().endswith('intro = "mine"\n')
    assert digest("build", "-p", str(project), "--as-of", DEMO_AS_OF, "-q").exit_code == 0
    assert _manifest(project)["preheader"] == "mine"
