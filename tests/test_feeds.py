"""Feed management: edit feeds.toml without losing comments, OPML in and out, health."""

from __future__ import annotations

import json
from pathlib import Path

from digest.config import load_feeds

OPML = """<?xml version="1.0" encoding="UTF-8"?>
<opml version="1.0">
  <head><title>Subscriptions</title></head>
  <body>
    <outline text="Partners" title="Partners">
      <outline type="rss" text="Courtwatch" xmlUrl="https://courtwatch.example/feed.xml"/>
      <outline text="Legal">
        <outline type="rss" title="Bar Association" xmlUrl="https://bar.example/rss"
                 category="/law,courts"/>
      </outline>
    </outline>
    <outline type="rss" text="Northlight News" xmlUrl="feeds/samples/northlight-news.rss"/>
    <outline text="Not a feed" htmlUrl="https://example.org/"/>
  </body>
</opml>
"""


def test_add_keeps_comments_and_validates(digest, project: Path) -> None:
    path = project / "feeds" / "feeds.toml"
    before = path.read_text()
    result = digest(
        "feeds",
        "add",
        "Partner news",
        "https://partner.example/feed.xml",
        "--weight",
        "0.8",
        "--tag",
        "partner",
        "--language",
        "en",
        "-p",
        str(project),
    )
    assert result.exit_code == 0, result.output
    after = path.read_text()
    assert after.startswith(before.rstrip("\n"))  # comments and order untouched
    added = load_feeds(path)[-1]
    assert (added.name, added.url, added.weight, added.tags) == (
        "Partner news",
        "https://partner.example/feed.xml",
        0.8,
        ("partner",),
    )
    again = digest("feeds", "add", "Again", "https://partner.example/feed.xml", "-p", str(project))
    assert again.exit_code == 1 and "already listed" in again.stderr


def test_add_rejects_bad_urls_without_touching_the_file(digest, project: Path) -> None:
    path = project / "feeds" / "feeds.toml"
    before = path.read_text()
    result = digest("feeds", "add", "Evil", "javascript:alert(1)", "-p", str(project))
    assert result.exit_code == 2
    assert "scheme 'javascript' is not allowed" in result.stderr
    assert path.read_text() == before
    assert not list(path.parent.glob(".feeds-*"))


def test_remove_by_name_or_url(digest, project: Path) -> None:
    path = project / "feeds" / "feeds.toml"
    assert digest("feeds", "remove", "Courtwatch Collective", "-p", str(project)).exit_code == 0
    assert (
        digest("feeds", "remove", "feeds/samples/campaigns.atom", "-p", str(project)).exit_code == 0
    )
    names = [f.name for f in load_feeds(path)]
    assert names == ["Northlight News", "Northlight France"]
    assert path.read_text().startswith("# Feeds for this project.")
    missing = digest("feeds", "remove", "Nope", "-p", str(project))
    assert missing.exit_code == 2 and "no feed named or at 'Nope'" in missing.stderr


def test_import_opml(digest, project: Path, tmp_path: Path) -> None:
    opml = tmp_path / "subs.opml"
    opml.write_text(OPML)
    result = digest("feeds", "import", str(opml), "-p", str(project), "--json")
    data = json.loads(result.stdout)
    assert [f["name"] for f in data["added"]] == ["Courtwatch", "Bar Association"]
    assert data["added"][1]["tags"] == ["Partners", "Legal", "law", "courts"]
    assert data["skipped"] == []
    # OPML import takes only http(s) URLs: a local path is left out, never added
    assert [(r["url"], r["line"]) for r in data["refused"]] == [
        ("feeds/samples/northlight-news.rss", 12)
    ]
    assert len(load_feeds(project / "feeds" / "feeds.toml")) == 6


def test_import_refuses_entities_and_garbage(digest, project: Path, tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.opml"
    bomb.write_text('<?xml version="1.0"?><!DOCTYPE opml [<!ENTITY a "aaaa">]><opml><body/></opml>')
    result = digest("feeds", "import", str(bomb), "-p", str(project))
    assert result.exit_code == 2 and "refused" in result.stderr
    broken = tmp_path / "broken.opml"
    broken.write_text("<opml><body>\n<outline text='x'\n</body></opml>")
    result = digest("feeds", "import", str(broken), "-p", str(project))
    assert result.exit_code == 2 and "broken.opml:3: not valid OPML/XML" in result.stderr


def test_export_round_trips_remote_feeds(digest, project: Path, tmp_path: Path) -> None:
    digest(
        "feeds",
        "add",
        "Partner",
        "https://partner.example/feed.xml",
        "--tag",
        "a",
        "-p",
        str(project),
    )
    result = digest("feeds", "export", "-p", str(project))
    assert result.exit_code == 0
    assert 'xmlUrl="https://partner.example/feed.xml"' in result.stdout
    assert "left out local feed Northlight News" in result.stderr
    exported = tmp_path / "out.opml"
    exported.write_text(result.stdout)
    other = tmp_path / "other"
    digest("init", str(other), "-q")
    imported = json.loads(
        digest("feeds", "import", str(exported), "-p", str(other), "--json").stdout
    )
    assert imported["added"] == [
        {"name": "Partner", "url": "https://partner.example/feed.xml", "tags": ["a"]}
    ]


def test_list_shows_health_and_reset_clears_it(digest, project: Path) -> None:
    (project / "feeds" / "samples" / "courtwatch.rss").write_text("not a feed at all")
    listing = digest("feeds", "list", "-p", str(project))
    assert "never fetched" in listing.output
    digest("fetch", "-p", str(project), "-q")
    digest("fetch", "-p", str(project), "-q")
    rows = {
        r["name"]: r
        for r in json.loads(digest("feeds", "list", "-p", str(project), "--json").stdout)
    }
    assert rows["Northlight News"]["entries"] == 21 and rows["Northlight News"]["failures"] == 0
    assert rows["Courtwatch Collective"]["failures"] == 2
    assert "not an RSS or Atom feed" in rows["Courtwatch Collective"]["last_error"]
    text = digest("feeds", "list", "-p", str(project)).output
    assert "FAILING x2" in text
    assert digest("feeds", "reset", "Courtwatch Collective", "-p", str(project)).exit_code == 0
    rows = {
        r["name"]: r
        for r in json.loads(digest("feeds", "list", "-p", str(project), "--json").stdout)
    }
    assert rows["Courtwatch Collective"]["failures"] == 0
