"""Commands that build issues: build, rank, edit (fetch is in cli/fetch.py)."""

from __future__ import annotations

from typing import Any

import click

from .. import pipeline
from ..compose import default_issue_id
from ..config import Project
from ..drafts import BuildStatus
from ..edits import edits_path, resolve_keys, skeleton
from ..editwrite import edit_items, full_key
from ..errors import EXIT_EMPTY, EXIT_OK, EXIT_PARTIAL, DigestError
from ..esp import PROFILES
from ..gather import gather, read_edits
from ..models import Candidate
from ..records import item_record
from ..store import Store
from .common import (
    EXIT_CODES_HELP,
    Session,
    clip,
    fetch_record,
    force_clock_option,
    issue_id_param,
    language_tag,
    print_fetch,
    progress,
    rel,
    session,
    size,
    terminal_width,
)

WEEKLY_SETTINGS = ("days", "language", "template", "esp")  # defaults from digest.toml


@click.command(epilog=EXIT_CODES_HELP)
@session(clock=True, settings=WEEKLY_SETTINGS)
@click.option(
    "--issue-id",
    metavar="ID",
    callback=issue_id_param,
    help="Issue id and folder name (default: the ISO week of --as-of, e.g. 2025-W51).",
)
@click.option("--offline", is_flag=True, help="Do not fetch; build from what the store holds.")
@click.option(
    "--language",
    metavar="LANG",
    callback=language_tag,
    help="Build the issue in this language, a BCP 47 tag such as en-GB, fr or ar "
    "(default: language in digest.toml).",
)
@click.option("--allow-empty", is_flag=True, help="Write a draft even when no entry qualifies.")
@click.option(
    "--force",
    is_flag=True,
    help="Rebuild the issue with every new entry, even if it exists and new entries have "
    "arrived since it was built (by default they are left out of it, and a draft without "
    "edits is kept as it is).",
)
@click.option(
    "--template",
    metavar="NAME",
    help="Layout: weekly, roundup (good news first, counted) or year-end (a letter, then "
    "highlights); default: template in digest.toml. Your own templates/NAME.mjml and "
    "NAME.txt work too.",
)
@click.option(
    "--esp",
    type=click.Choice(sorted(PROFILES)),
    metavar="SERVICE",
    help="Mailing service whose merge tags to use (default: [esp] name in "
    "digest.toml): " + ", ".join(sorted(PROFILES)) + ".",
)
@force_clock_option
def build(
    s: Session,
    issue_id: str | None,
    offline: bool,
    language: str | None,
    allow_empty: bool,
    force: bool,
    force_clock: bool,
) -> None:
    """Fetch feeds, pick the stories and write the issue into out/<issue-id>/.

    Writes newsletter.html (CSS inlined), newsletter.txt, newsletter.eml
    (multipart/alternative, text first) and manifest.json (items, reasons, feed status).

    When the issue already exists, the editors' edits (and changed settings) rebuild it;
    entries that arrived since it was built are named and left out until --force. With
    nothing new and no edit, nothing is rewritten (exit 3), so a cron job's "new draft"
    notice fires once per draft.

    \b
    Examples:
      digest build
      digest build --as-of 2025-12-19 --days 14
      digest build --offline --issue-id december-special --json
    """
    project = s.project
    issue_id = issue_id or default_issue_id(s.now)
    with progress(s.output.human and not offline, len(project.feeds)) as tick:
        result = pipeline.build(
            project,
            s.now,
            offline=offline,
            issue_id=issue_id,
            language=language,
            progress=tick,
            allow_empty=allow_empty,
            force=force,
            # a past --as-of may rebuild an old issue from the store, never fetch into it
            allow_past_clock=force_clock or (offline and s.as_of is not None),
        )
    failed = [f for f in result.fetched if f.status == "failed"]
    code = EXIT_OK
    if result.status is not BuildStatus.WRITTEN:
        code = EXIT_EMPTY
    elif failed:
        code = EXIT_PARTIAL
    for f in failed:
        click.echo(f"digest: feed failed: {f.name} ({f.url}): {f.error}", err=True)
    for finding in result.lint.get("findings", []):
        if finding["level"] == "error":
            click.echo(f"digest: lint: {finding['where']}: {finding['message']}", err=True)
    if s.output.as_json:
        s.output.emit(_build_json(result, code))
    elif s.output.human:
        _print_build(project, result)
    click.get_current_context().exit(code)


def _build_json(result: pipeline.BuildResult, code: int) -> dict[str, Any]:
    out = result.out_dir
    status = str(result.status)
    if code == EXIT_PARTIAL:
        status = "written_with_failures"
    return {
        "status": status,
        "new_since_built": len(result.new_entries),
        "new_entries": [
            {"key": e.key, "title": e.title, "feed": e.feed_name} for e in result.new_entries
        ],
        "exit_code": code,
        "issue_id": result.issue.issue_id,
        "subject": result.issue.subject,
        "out_dir": str(out) if out else None,
        "files": result.files,
        "lint": {k: result.lint.get(k) for k in ("ok", "errors", "warnings")},
        "items": [item_record(c) for c in result.issue.items],
        "feeds": [fetch_record(f) for f in result.fetched],
    }


def _print_build(project: Project, result: pipeline.BuildResult) -> None:
    print_fetch(result.fetched)
    issue = result.issue
    if result.status is BuildStatus.EMPTY:
        click.echo(f"Nothing in the window for issue {issue.issue_id}: no draft written.")
        return
    folder = rel(result.out_dir, project.root) if result.out_dir else ""
    if result.status is BuildStatus.UNCHANGED:
        click.echo(
            f"Issue {issue.issue_id} is up to date: no new entry and no edit since it was "
            "built. Nothing rewritten."
        )
    elif result.status is BuildStatus.KEPT:
        click.echo(f"Issue {issue.issue_id} already exists and was kept as it is.")
    else:
        click.echo(
            f"Built issue {issue.issue_id}: {len(issue.items)} items in "
            f"{len(issue.sections)} sections. Subject: {issue.subject}"
        )
        for name, nbytes in result.files.items():
            click.echo(f"  {folder}/{name}  ({size(nbytes)})")
    if result.new_entries:
        n = len(result.new_entries)
        click.echo(
            f"{n} new {'entry' if n == 1 else 'entries'} arrived since the draft was built "
            "and would go into it; they are not in it yet:"
        )
        for e in result.new_entries:
            click.echo(f"  {e.key}  {clip(e.title, 70)}  ({e.feed_name})")
        click.echo("Take them in with `digest build --force` (the editors' edits are kept).")


@click.command()
@session(clock=True, settings=("days", "language"))
@click.option(
    "--issue-id",
    metavar="ID",
    help="Rank as for this issue (entries sent in other issues are left out).",
)
@click.option(
    "--language",
    metavar="LANG",
    callback=language_tag,
    help="Rank for an issue in this language (a BCP 47 tag).",
)
@click.option("--limit", type=click.IntRange(1), default=None, help="Show at most N candidates.")
@click.option(
    "--explain",
    metavar="KEY",
    help="Show the full breakdown for one candidate (its key or the start of it).",
)
def rank(
    s: Session, issue_id: str | None, language: str | None, limit: int | None, explain: str | None
) -> None:
    """List every candidate in the window, best first, with where it lands and why.

    Reads the store only (run `digest fetch` or `digest build` first).

    \b
    Examples:
      digest rank --as-of 2025-12-19
      digest rank --limit 10 --json
      digest rank --explain 3f2a9c
    """
    project, now = s.project, s.now
    issue_id = issue_id or default_issue_id(now)
    edits = read_edits(project, issue_id)
    lines: list[str] = []
    with Store(project.db_path, readonly=True) as store:
        if edits:
            edits = resolve_keys(edits, store.keys_with_prefix)
        curated = gather(project, store, now, issue_id=issue_id, language=language, edits=edits)
        candidates = list(curated.candidates)
        if explain:
            match = [c for c in candidates if c.entry.key.startswith(explain)]
            if len(match) != 1:
                what = "no candidate" if not match else f"{len(match)} candidates"
                raise DigestError(
                    f"{what} with a key starting {explain!r} in this window",
                    hint="run `digest rank` to see the keys",
                )
            candidates = match
            lines = _explain_lines(store, curated, match[0])
    if limit:
        candidates = candidates[:limit]
    if s.output.as_json:
        s.output.emit(
            {
                "issue_id": issue_id,
                "as_of": now.isoformat(timespec="seconds"),
                "candidates": [item_record(c) for c in candidates],
            }
        )
    elif explain:
        click.echo("\n".join(lines))
    elif s.output.human:
        _print_rank(candidates, len(curated.candidates))


def _print_rank(candidates: list[Candidate], total: int) -> None:
    if not candidates:
        click.echo("No entries in the window. Run `digest fetch`, or widen it with --days.")
        return
    term = terminal_width()
    title_w = max(24, min(60, term - 62))
    click.echo(
        f"{'#':>3}  {'key':<10}  {'section':<10} {'score':>6}  {'title':<{title_w}}  "
        f"{'feed':<16}  why"
    )
    for c in candidates:
        where = c.section or "-"
        title = clip(c.display_title, title_w)
        why = c.left_out or "; ".join(r.text for r in c.reasons[:2])
        click.echo(
            f"{c.rank:>3}  {c.entry.key:<10}  {where:<10} {c.score:>6.1f}  "
            f"{title:<{title_w}}  {clip(c.entry.feed_name, 16):<16}  {why}"
        )
    if len(candidates) < total:
        click.echo(f"... {total - len(candidates)} more (use --limit)")


def _explain_lines(store: Store, curated: Any, c: Candidate) -> list[str]:
    from ..curate.explain import explain

    verdict = curated.verdicts.get(c.entry.key)
    if verdict is None:
        return explain(c)
    from ..curate.classifier import load_model

    return explain(c, verdict, load_model())


@click.command()
@session(clock=True, settings=("days",))
@click.option(
    "--issue-id",
    metavar="ID",
    callback=issue_id_param,
    help="The issue to edit (default: the ISO week of --as-of).",
)
@click.option("--pin", "pins", multiple=True, metavar="KEY", help="Pin this item (repeatable).")
@click.option("--drop", "drops", multiple=True, metavar="KEY", help="Drop this item (repeatable).")
@click.option("--intro", metavar="TEXT", help='Set the intro ("" removes it).')
def edit(
    s: Session,
    issue_id: str | None,
    pins: tuple[str, ...],
    drops: tuple[str, ...],
    intro: str | None,
) -> None:
    """Start or change the editors' overrides file for an issue: edits/<issue-id>.toml.

    A new file lists the issue's current items (commented out) so you can pin, drop, move,
    reorder, retitle or add a blurb to any of them, and write an intro. `digest build`
    re-applies it on every rebuild. --pin, --drop and --intro change the file in place,
    keeping your comments (the editor's desk, `digest desk`, writes it the same way).

    \b
    Format:
      intro = "A paragraph at the top of the issue."
      [items.279b87a30b]      # a key from `digest rank` (6 characters are enough)
      pin = true              # include it whatever its score
      drop = true             # never include it
      section = "good-news"   # put it in this section
      position = 1            # 1 = first in its section
      title = "Our own headline"
      blurb = "A sentence of our own instead of the excerpt."

    \b
    Examples:
      digest edit --as-of 2025-12-19 && $EDITOR edits/2025-W51.toml
      digest edit --as-of 2025-12-19 --pin 4d2f3a --drop 9c81e0
      digest build --as-of 2025-12-19      # applies the edits
    """
    project, now = s.project, s.now
    issue_id = issue_id or default_issue_id(now)
    path = edits_path(project.root, issue_id)
    created = not path.exists()
    with Store(project.db_path, readonly=True) as store:
        header = ""
        if created:
            curated = gather(project, store, now, issue_id=issue_id)
            listed = [c for c in curated.candidates if c.section] + [
                c for c in curated.candidates if not c.section
            ][:10]
            header = skeleton(issue_id, [(c.entry.key, c.display_title, c.section) for c in listed])
        pinned = [full_key(k, store.keys_with_prefix) for k in pins]
        dropped = [full_key(k, store.keys_with_prefix) for k in drops]
    edit_items(path, project.sections, pins=pinned, drops=dropped, intro=intro, header=header)
    if s.output.as_json:
        s.output.emit({"path": str(path), "created": created})
    elif s.output.human:
        verb = (
            "Created"
            if created
            else ("Changed" if pins or drops or intro is not None else "Already there:")
        )
        click.echo(
            f"{verb} {rel(path, project.root)}. Edit it, then run `digest build"
            f"{' --as-of ' + s.as_of if s.as_of else ''}`."
        )
