"""Commands that set up a project: init, and the feeds group."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from .. import lang
from ..config import FEEDS_NAME
from ..errors import DigestError
from ..feedlist import NewFeed, add_feeds, parse_opml, remove_feed, to_opml
from ..store import FeedHealth, Store
from .common import Session, clip, language_tag, session


@click.command()
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option("--name", default="My Newsletter", show_default=True, help="Newsletter name.")
@click.option(
    "--sender",
    default="My Organisation <news@example.org>",
    show_default=True,
    help="From address of the issues.",
)
@click.option(
    "--language",
    default=lang.DEFAULT,
    show_default=True,
    callback=language_tag,
    help="Language of the issues, a BCP 47 tag: en, en-GB, fr, fr-CA, es, pt-BR, ar...",
)
@click.option(
    "--samples",
    is_flag=True,
    help="Also copy the bundled sample feeds and list "
    "them, so `digest build --as-of 2025-12-19` works at once.",
)
@click.option(
    "--eject",
    is_flag=True,
    help="Copy every bundled template into templates/ to edit (files already there are "
    "kept). Without it the project uses the bundled templates and receives their fixes.",
)
@click.option("--force", is_flag=True, help="Overwrite an existing digest.toml and feeds.toml.")
@click.option("-q", "--quiet", is_flag=True, help="Print nothing on success.")
def init(
    directory: Path,
    name: str,
    sender: str,
    language: str,
    samples: bool,
    eject: bool,
    force: bool,
    quiet: bool,
) -> None:
    """Create a newsletter project in DIRECTORY.

    Writes digest.toml, feeds/feeds.toml, out/ and a .gitignore. Refuses to overwrite an
    existing project without --force. The project uses the bundled templates; to change
    one part, put a template in templates/ that extends the bundled one and overrides a
    block, e.g. templates/weekly.mjml:

    \b
      {% extends "!bundled/weekly.mjml" %}
      {% block footer %}...your footer...{% endblock %}

    --eject copies all the bundled templates into templates/ instead, to edit them whole.

    \b
    Examples:
      digest init weekly-news --name "Rights Weekly" --sender "Rights <news@rights.example>"
      digest init demo --samples && digest --project demo build --as-of 2025-12-19
      digest init my-layout --eject
    """
    from ..scaffold import create_project

    created = create_project(
        directory,
        name=name,
        sender=sender,
        language=language,
        samples=samples,
        force=force,
        eject=eject,
    )
    if not quiet:
        click.echo(f"Created a digest project in {directory}:")
        for path in created:
            click.echo(f"  {path}")
        click.echo("Next: list your feeds in feeds/feeds.toml, then run `digest build`.")


@click.group()
def feeds() -> None:
    """List, add, remove and move feeds (feeds/feeds.toml), with their health.

    \b
    Examples:
      digest feeds list
      digest feeds add "Partner news" https://partner.example/feed.xml --weight 0.8
      digest feeds import subscriptions.opml
      digest feeds export > feeds.opml
    """


@feeds.command("list")
@session()
def list_feeds(
    s: Session,
) -> None:
    """Show every feed with its health: last success, last error, failures.

    \b
    Examples:
      digest feeds list
      digest feeds list --json | jq '.[] | select(.failures > 2)'
    """
    project = s.project
    health: dict[str, FeedHealth] = {}
    if project.db_path.exists():
        with Store(project.db_path, readonly=True) as store:
            health = store.feed_health()
    rows = [_health_record(f.name, f.url, f.weight, health.get(f.url)) for f in project.feeds]
    if s.output.as_json:
        s.output.emit(rows)
        return
    if s.output.quiet:
        return
    if not rows:
        click.echo(f"No feeds yet: add some with `digest feeds add` or edit {FEEDS_NAME}.")
        return
    width = min(max(len(r["name"]) for r in rows), 28)
    for r in rows:
        if r["last_success"] is None and not r["failures"]:
            state = "never fetched"
        elif r["failures"]:
            state = f"FAILING x{r['failures']}: {r['last_error']}"
        else:
            state = f"ok, last success {r['last_success'][:16].replace('T', ' ')}"
        if r["gone"]:
            state = "GONE (HTTP 410): remove it, or `digest feeds reset` if it is back"
        click.echo(f"{clip(r['name'], width):<{width}}  {r['entries']:>5} entries  {state}")
        click.echo(f"{'':<{width}}  {r['url']}")


def _health_record(name: str, url: str, weight: float, row: FeedHealth | None) -> dict[str, Any]:
    row = row or FeedHealth(url)
    return {
        "name": name,
        "url": url,
        "weight": weight,
        "entries": row.entry_count,
        "oldest_entry": row.oldest,
        "newest_entry": row.newest,
        "last_success": row.last_success,
        "last_error": row.last_error,
        "failures": row.failures,
        "next_retry": row.next_retry,
        "gone": row.gone,
        "redirected_to": row.redirect_url,
    }


@feeds.command("add")
@click.argument("name")
@click.argument("url")
@click.option("--weight", type=click.FloatRange(0, 10), help="How much this source counts (0-10).")
@click.option("--tag", "tags", multiple=True, help="A tag (repeatable).")
@click.option(
    "--language",
    metavar="LANG",
    callback=language_tag,
    help="The feed's language, a BCP 47 tag such as fr or en-GB.",
)
@session()
def add(
    s: Session,
    name: str,
    url: str,
    weight: float | None,
    tags: tuple[str, ...],
    language: str | None,
) -> None:
    """Add a feed to feeds/feeds.toml (an http(s) URL or a path in the project).

    \b
    Examples:
      digest feeds add "Partner news" https://partner.example/feed.xml --weight 0.8
      digest feeds add "Archive" feeds/archive.xml --tag ours --language fr
    """
    project = s.project
    added, skipped = add_feeds(project.feeds_path, [NewFeed(name, url, weight, tags, language)])
    if skipped:
        raise DigestError(f"{url} is already listed in {FEEDS_NAME}")
    if s.output.as_json:
        s.output.emit({"added": [{"name": f.name, "url": f.url} for f in added]})
    elif s.output.human:
        click.echo(f"Added {name} ({url}). Run `digest fetch` to pull it.")


@feeds.command("remove")
@click.argument("feed")
@session()
def remove(
    s: Session,
    feed: str,
) -> None:
    """Remove a feed (by name or URL) from feeds/feeds.toml.

    Its entries stay in the store, so past issues and the year-end archive keep them.

    \b
    Example:
      digest feeds remove "Partner news"
    """
    project = s.project
    removed = remove_feed(project.feeds_path, feed)
    if s.output.as_json:
        s.output.emit({"removed": {"name": removed.name, "url": removed.url}})
    elif s.output.human:
        click.echo(f"Removed {removed.name} ({removed.url}).")


@feeds.command("reset")
@click.argument("feed")
@session()
def reset(
    s: Session,
    feed: str,
) -> None:
    """Forget a feed's failures, Retry-After wait and 'gone' mark, so the next fetch tries it
    afresh (a full, unconditional download).

    \b
    Example:
      digest feeds reset "Partner news"
    """
    project = s.project
    matches = [f for f in project.feeds if feed in (f.name, f.url)]
    if len(matches) != 1:
        raise DigestError(
            f"no single feed named or at {feed!r}",
            hint="`digest feeds list` shows the names and URLs",
        )
    with Store(project.db_path) as store:
        store.reset_feed(matches[0].url)
    if s.output.human:
        click.echo(f"Reset {matches[0].name}.")
    if s.output.as_json:
        s.output.emit({"reset": matches[0].url})


@feeds.command("import")
@click.argument("opml", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@session()
def import_(
    s: Session,
    opml: Path,
) -> None:
    """Add the feeds of an OPML file (as exported by feed readers); folders become tags.

    Feeds already listed (same URL) are skipped. Only http(s) feed URLs are taken: local
    paths, file: and other schemes are left out and named on stderr.

    \b
    Example:
      digest feeds import ~/Downloads/subscriptions.opml
    """
    project = s.project
    found, refused = parse_opml(opml)
    added, skipped = add_feeds(project.feeds_path, found)
    if s.output.as_json:
        s.output.emit(
            {
                "added": [{"name": f.name, "url": f.url, "tags": list(f.tags)} for f in added],
                "skipped": [f.url for f in skipped],
                "refused": [{"url": r.url, "line": r.line, "reason": r.reason} for r in refused],
            }
        )
        return
    if refused:
        click.echo(
            f"digest: left out {len(refused)} outlines that are not http(s) feed URLs:", err=True
        )
        for r in refused:
            click.echo(f"  {opml}:{r.line}: {clip(r.url, 80)} ({r.reason})", err=True)
    if not s.output.quiet:
        click.echo(
            f"Imported {len(added)} feeds from {opml}"
            + (f"; {len(skipped)} already listed" if skipped else "")
            + "."
        )


@feeds.command("export")
@session()
def export(
    s: Session,
) -> None:
    """Print the feeds as OPML 2.0 (for feed readers and other tools).

    Feeds that are local files are left out (OPML lists URLs) and named on stderr.

    \b
    Example:
      digest feeds export > feeds.opml
    """
    project = s.project
    document, local = to_opml(f"{project.name} feeds", project.feeds)
    click.echo(document, nl=False)
    for feed in local:
        click.echo(f"digest: left out local feed {feed.name} ({feed.url})", err=True)
