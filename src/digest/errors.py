"""One exception tree for digest.

    DigestError                 anything digest reports to a person (exit 1 unless below)
    ├── ConfigError             a project file is missing or wrong: names file and line (exit 2)
    │   └── TemplateError       a template does not compile or render: names template and line
    ├── FeedError               one feed could not be read; survivable: the issue is still built
    │   └── ParseError          the body is not a usable feed
    │                           (transport failures are not raised: fetch returns them as
    │                           values with an error_kind, see digest.models.ErrorKind)
    ├── StoreError              the SQLite state file cannot be opened or written
    ├── RenderError             templates rendered, but MJML or CSS inlining failed
    ├── PublishError            the issue could not be written to out/
    ├── EditConflict            the edits file changed since the writer read it (nothing written)
    ├── ClockError              the clock is earlier than the store's newest data
    └── LockedError             another run holds the project lock (exit 75)

Every error carries its context (file, line, feed URL) and a hint saying what to do next,
and is raised with ``from`` so the cause stays attached for ``-v`` runs.
"""

from __future__ import annotations

from pathlib import Path

from .models import ErrorKind

# Exit codes, documented in `digest build --help` and the README.
EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_EMPTY = 3
EXIT_PARTIAL = 4
EXIT_LOCKED = 75


class DigestError(Exception):
    """Base class: a failure digest explains to a person instead of a traceback."""

    exit_code = EXIT_FAILED

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        if self.hint:
            return f"{self.message}\n  hint: {self.hint}"
        return self.message


class ConfigError(DigestError):
    """A project file (digest.toml, feeds.toml, an overrides file) is missing or invalid."""

    exit_code = EXIT_USAGE

    def __init__(
        self,
        message: str,
        *,
        path: Path | str | None = None,
        line: int | None = None,
        hint: str | None = None,
    ) -> None:
        self.path = Path(path) if path is not None else None
        self.line = line
        where = ""
        if self.path is not None:
            where = f"{self.path}:{line}: " if line else f"{self.path}: "
        super().__init__(f"{where}{message}", hint=hint)


class TemplateError(ConfigError):
    """A Jinja2/MJML template is broken; names the template file and line."""


class FeedError(DigestError):
    """One feed failed. Survivable: reported and skipped, the issue is still built.

    `kind` is a stable word for scripts (see digest.models.ErrorKind)."""

    def __init__(
        self,
        url: str,
        message: str,
        *,
        kind: ErrorKind = ErrorKind.MALFORMED,
        hint: str | None = None,
    ) -> None:
        self.url = url
        self.reason = message
        self.kind = kind
        super().__init__(f"{url}: {message}", hint=hint)


class ParseError(FeedError):
    """The document was retrieved but is not a usable feed."""


class StoreError(DigestError):
    """The SQLite state file could not be opened, migrated or written."""


class RenderError(DigestError):
    """MJML compilation or CSS inlining failed on rendered template output. When no story
    is at fault (digest.salvage), it is the template's: reported as a TemplateError naming
    `template`, the project's file, if it has one."""

    def __init__(self, message: str, *, hint: str | None = None, template: Path | None = None):
        super().__init__(message, hint=hint)
        self.template = template

    def as_template_error(self) -> TemplateError:
        return TemplateError(self.message, path=self.template, hint=self.hint)


class PublishError(DigestError):
    """Writing the issue into out/ failed; the previous issue is left in place."""


class EditConflict(DigestError):
    """Someone else changed an issue's edits file since this writer read it."""

    def __init__(self, message: str, *, current: str, hint: str | None = None) -> None:
        self.current = current  # the version now on disk
        super().__init__(message, hint=hint)


class ClockError(DigestError):
    """The run's clock is earlier than what the store holds (a wrong system clock or
    --as-of); nothing was fetched or written. `--force-clock` runs anyway."""


class LockedError(DigestError):
    """Another digest run holds the project lock."""

    exit_code = EXIT_LOCKED
