"""`digest store check` and `digest store recover`: a damaged store is examined and copied
out, never deleted or moved."""

from __future__ import annotations

from pathlib import Path

import click

from ..errors import EXIT_FAILED, EXIT_OK
from ..lock import project_lock
from .common import Session, rel, session


@click.group()
def store() -> None:
    """Check the store (digest.sqlite3) and recover what is readable from a damaged one.

    \b
    Examples:
      digest store check
      digest store recover
    """


@store.command("check")
@click.argument("path", required=False, type=click.Path(dir_okay=False, path_type=Path))
@session(load=False)
def check(s: Session, path: Path | None) -> None:
    """Check the store: SQLite's integrity and foreign-key checks, the schema version, the
    number of rows in each table, and every stored date and JSON value digest reads.

    Reads only; works on a read-only project. Exit code 0 when the store is sound, 1 when
    it is damaged (then `digest store recover`). PATH checks another store file, such as
    the one `recover` wrote.

    \b
    Examples:
      digest store check
      digest store check digest.recovered.sqlite3 --json
    """
    from ..store.check import check_store

    target = path or s.project.db_path  # the project is only read when no PATH is given
    report = check_store(target)
    if s.output.as_json:
        s.output.emit(report.as_dict())
    elif s.output.human:
        click.echo(f"{target}: {'sound' if report.ok else 'DAMAGED'} (schema {report.schema})")
        counts = ", ".join(
            f"{table} {'?' if n is None else f'{n:,}'}" for table, n in report.counts.items()
        )
        if counts:
            click.echo(f"  rows: {counts}")
        for note in report.notes:
            click.echo(f"  note: {note}")
        for problem in report.problems:
            click.echo(f"  ✗ {problem}")
        if not report.ok:
            click.echo(
                "  Keep this file. `digest store recover` copies what is readable into a new "
                "file beside it."
            )
    click.get_current_context().exit(EXIT_OK if report.ok else EXIT_FAILED)


@store.command("recover")
@click.option(
    "--to",
    "target",
    type=click.Path(dir_okay=False, path_type=Path),
    help="The new file (default: digest.recovered.sqlite3 beside the store).",
)
@session()
def recover(s: Session, target: Path | None) -> None:
    """Copy everything readable from the store into a new file beside it.

    Rows on damaged pages are stepped over, damaged values dropped (an unreadable image,
    say) or their rows skipped (an entry without a readable date). The old file is never
    changed, moved or deleted; the command says how to switch to the new one.

    \b
    Examples:
      digest store recover
      digest store recover --to /backup/digest.recovered.sqlite3
    """
    from ..store.check import recover_store

    project = s.project
    source = project.db_path
    with project_lock(project.root):  # no run may write while we copy
        report = recover_store(source, target)
    if s.output.as_json:
        s.output.emit(report.as_dict())
        return
    if s.output.quiet:
        return
    new = rel(report.target, project.root)
    old = rel(source, project.root)
    click.echo(f"Recovered {old} into {new} ({old} is untouched):")
    for table, n in report.copied.items():
        extra = [
            f"{report.skipped[table]} skipped" if table in report.skipped else "",
            f"{report.repaired[table]} repaired" if table in report.repaired else "",
            f"{report.unreadable[table]} unreadable stretch(es)"
            if table in report.unreadable
            else "",
        ]
        details = ", ".join(x for x in extra if x)
        click.echo(f"  {table:<14} {n:>8,} rows" + (f"  ({details})" if details else ""))
    click.echo(
        "To use it, check it, then (with no digest run going on) either set\n"
        f'  [store] path = "{report.target.name}"\n'
        "in digest.toml, or keep the old file under another name and put the new one in "
        "its place:\n"
        f"  digest store check {new}\n"
        f"  mv {old} {old}.damaged   # with its -wal and -shm files, if any\n"
        f"  mv {new} {old}"
    )
