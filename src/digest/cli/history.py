"""`digest issues`: the history of built issues, one issue in detail, and what changed
between two builds."""

from __future__ import annotations

from typing import Any

import click

from ..history import built_manifest, diff_builds, summary
from ..store import Store
from .common import Session, clip, session, size


@click.group()
def issues() -> None:
    """The issues built so far: list them, show one, compare two builds.

    \b
    Examples:
      digest issues list
      digest issues show 2025-W51
      digest issues diff 2025-W51@1 2025-W51
    """


@issues.command("list")
@session()
def list_issues(s: Session) -> None:
    """Every issue built, newest first: items, size, lint, builds and test sends.

    \b
    Examples:
      digest issues list
      digest issues list --json | jq '.[0]'
    """
    project = s.project
    rows = []
    if project.db_path.exists():
        with Store(project.db_path, readonly=True) as store:
            rows = [summary(r) for r in store.issues()]
    if s.output.as_json:
        s.output.emit(rows)
        return
    if s.output.quiet:
        return
    if not rows:
        click.echo("No issue built yet: run `digest build`.")
        return
    for r in rows:
        lint = "lint ok" if r["lint_ok"] else ("LINT ERRORS" if r["lint_ok"] is False else "")
        sent = f", sent as test {r['test_sends']}x" if r["test_sends"] else ""
        click.echo(
            f"{r['issue_id']:<16} {r['as_of'][:10]}  {r['items']:>3} items  "
            f"{size(r['html_bytes']):>8}  {lint}  {r['builds']} build(s){sent}"
        )
        click.echo(f"{'':<16} {clip(r['subject'], 70)}")


@issues.command("show")
@click.argument("issue_id")
@session()
def show(s: Session, issue_id: str) -> None:
    """One issue: subject, preheader, sections and items, files, lint and feed health.

    \b
    Example:
      digest issues show 2025-W51
    """
    manifest = built_manifest(s.project.out_dir, issue_id)
    if s.output.as_json:
        s.output.emit(manifest)
        return
    if s.output.quiet:
        return
    click.echo(f"{manifest['issue_id']}: {manifest['subject']}")
    click.echo(f"  preheader: {manifest['preheader']}")
    click.echo(
        f"  built as of {manifest['generated_at']} for {manifest.get('esp') or 'none'}; "
        f"HTML {manifest['html_bytes']:,} bytes; lint "
        f"{'ok' if manifest.get('lint', {}).get('ok') else 'FAILED'}"
    )
    section = None
    for item in manifest["items"]:
        if item["section"] != section:
            section = item["section"]
            click.echo(f"  [{section}]")
        click.echo(f"    {item['key']}  {clip(item['title'], 70)}  ({item['feed']})")
    for key in manifest.get("more_stories", []):
        click.echo(f"    {key}  (in 'More stories')")
    for feed in manifest.get("feeds", []):
        if feed.get("error"):
            click.echo(f"  feed problem: {feed['name']}: {feed['error']}")


@issues.command("diff")
@click.argument("first")
@click.argument("second")
@session()
def diff(s: Session, first: str, second: str) -> None:
    """What changed between two builds: items added, removed or moved, subject and size.

    A build is ISSUE (its latest build) or ISSUE@N (its Nth build; `digest issues list`
    counts them). Only builds that changed something are kept.

    \b
    Examples:
      digest issues diff 2025-W51@1 2025-W51
      digest issues diff 2025-W50 2025-W51
    """
    with Store(s.project.db_path, readonly=True) as store:
        report: dict[str, Any] = diff_builds(store, first, second)
    if s.output.as_json:
        s.output.emit(report)
        return
    if s.output.quiet:
        return
    click.echo(f"{first} -> {second}")
    if report["subject"]:
        before, after = report["subject"]
        click.echo(f"  subject: {before!r} -> {after!r}")
    for item in report["added"]:
        click.echo(f"  + {item['key']}  {item['title']}")
    for item in report["removed"]:
        click.echo(f"  - {item['key']}  {item['title']}")
    for item in report["moved"]:
        click.echo(f"  ~ {item['key']}  {item['title']}  (#{item['from']} -> #{item['to']})")
    click.echo(f"  HTML {report['html_bytes'][0]:,} -> {report['html_bytes'][1]:,} bytes")
    if not (report["added"] or report["removed"] or report["moved"] or report["subject"]):
        click.echo("  same items in the same order")
