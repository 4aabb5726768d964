"""`digest issues`: the history of built issues, one issue in detail, and what changed
between two builds."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from ..errors import DigestError
from ..publish import MANIFEST_NAME
from ..store import BuildRecord, IssueRecord, Store
from .common import clip, emit_json, load, project_options, setup_logging, size


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
@project_options
@click.pass_context
def list_issues(
    ctx: click.Context, project_dir: Path | None, as_json: bool, verbose: int, quiet: bool
) -> None:
    """Every issue built, newest first: items, size, lint, builds and test sends.

    \b
    Examples:
      digest issues list
      digest issues list --json | jq '.[0]'
    """
    setup_logging(verbose, quiet, as_json)
    project = load(ctx, project_dir)
    rows = []
    if project.db_path.exists():
        with Store(project.db_path, readonly=True) as store:
            rows = [_summary(r) for r in store.issues()]
    if as_json:
        emit_json(rows)
        return
    if quiet:
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


def _summary(row: IssueRecord) -> dict[str, Any]:
    manifest = row.manifest  # a damaged record reads as {}: the issue is listed anyway
    return {
        "issue_id": row.issue_id,
        "as_of": row.as_of,
        "built_at": row.built_at,
        "subject": row.subject,
        "html_bytes": row.html_bytes,
        "items": len(manifest.get("items", [])),
        "lint_ok": manifest.get("lint_ok"),
        "builds": row.builds,
        "test_sends": row.test_sends,
        "last_test_send": row.last_sent,
    }


@issues.command("show")
@click.argument("issue_id")
@project_options
@click.pass_context
def show(
    ctx: click.Context,
    issue_id: str,
    project_dir: Path | None,
    as_json: bool,
    verbose: int,
    quiet: bool,
) -> None:
    """One issue: subject, preheader, sections and items, files, lint and feed health.

    \b
    Example:
      digest issues show 2025-W51
    """
    setup_logging(verbose, quiet, as_json)
    project = load(ctx, project_dir)
    path = project.out_dir / issue_id / MANIFEST_NAME
    if not path.exists():
        raise DigestError(
            f"no built issue {issue_id!r} in {project.out_dir}",
            hint="`digest issues list` shows what exists",
        )
    try:
        manifest = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError) as e:
        raise DigestError(
            f"{path}: unreadable manifest ({e})", hint="rebuild the issue with `digest build`"
        ) from e
    if as_json:
        emit_json(manifest)
        return
    if quiet:
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
@project_options
@click.pass_context
def diff(
    ctx: click.Context,
    first: str,
    second: str,
    project_dir: Path | None,
    as_json: bool,
    verbose: int,
    quiet: bool,
) -> None:
    """What changed between two builds: items added, removed or moved, subject and size.

    A build is ISSUE (its latest build) or ISSUE@N (its Nth build; `digest issues list`
    counts them). Only builds that changed something are kept.

    \b
    Examples:
      digest issues diff 2025-W51@1 2025-W51
      digest issues diff 2025-W50 2025-W51
    """
    setup_logging(verbose, quiet, as_json)
    project = load(ctx, project_dir)
    with Store(project.db_path, readonly=True) as store:
        a, b = _build(store, first), _build(store, second)
        titles = {
            e.key: e.title
            for e in store.entries_by_keys(
                sorted(set(a.manifest.get("items", [])) | set(b.manifest.get("items", [])))
            )
        }
    before, after = a.manifest.get("items", []), b.manifest.get("items", [])
    report: dict[str, Any] = {
        "from": first,
        "to": second,
        "added": [{"key": k, "title": titles.get(k)} for k in after if k not in before],
        "removed": [{"key": k, "title": titles.get(k)} for k in before if k not in after],
        "moved": [
            {
                "key": k,
                "title": titles.get(k),
                "from": before.index(k) + 1,
                "to": after.index(k) + 1,
            }
            for k in after
            if k in before and before.index(k) != after.index(k)
        ],
        "subject": None if a.subject == b.subject else [a.subject, b.subject],
        "html_bytes": [a.html_bytes, b.html_bytes],
    }
    if as_json:
        emit_json(report)
        return
    if quiet:
        return
    click.echo(f"{first} -> {second}")
    if report["subject"]:
        click.echo(f"  subject: {a.subject!r} -> {b.subject!r}")
    for item in report["added"]:
        click.echo(f"  + {item['key']}  {item['title']}")
    for item in report["removed"]:
        click.echo(f"  - {item['key']}  {item['title']}")
    for item in report["moved"]:
        click.echo(f"  ~ {item['key']}  {item['title']}  (#{item['from']} -> #{item['to']})")
    click.echo(f"  HTML {a.html_bytes:,} -> {b.html_bytes:,} bytes")
    if not (report["added"] or report["removed"] or report["moved"] or report["subject"]):
        click.echo("  same items in the same order")


def _build(store: Store, ref: str) -> BuildRecord:
    issue_id, _, number = ref.partition("@")
    builds = store.builds(issue_id)
    if not builds:
        raise DigestError(
            f"no builds of issue {issue_id!r}", hint="`digest issues list` shows the issues"
        )
    if not number:
        return builds[-1]
    if not number.isdigit() or not 1 <= int(number) <= len(builds):
        raise DigestError(f"{ref}: issue {issue_id} has builds 1 to {len(builds)}")
    return builds[int(number) - 1]
