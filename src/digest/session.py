"""One run's project: digest.toml with the command line's overrides, resolved once.

A few settings of digest.toml have a command-line twin: ``--days`` (``window_days``),
``--template`` (``template``) and ``--esp`` (``[esp] name``). :class:`Overrides` holds
what a run was told (None: not told) and :meth:`Overrides.apply` puts it into the frozen
:class:`~digest.config.Project` once, so every stage reads ``project.window_days``,
``project.template`` and ``project.esp.name`` and none asks whether an option was given.

The issue's language is not folded in: ``project.language`` stays the project's own (the
language its sections and labels are written in), and an issue in another language is
built with that language passed alongside (:func:`issue_language`).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from . import lang as bcp47
from .config import Project
from .errors import ConfigError


@dataclass(frozen=True)
class Overrides:
    """Settings given for one run (on the command line or to the desk); None: digest.toml's."""

    days: int | None = None
    template: str | None = None
    esp: str | None = None

    def apply(self, project: Project) -> Project:
        """The project as this run sees it."""
        if self.days is not None and self.days < 1:
            raise ConfigError("--days must be at least 1")
        return replace(
            project,
            window_days=project.window_days if self.days is None else self.days,
            template=self.template or project.template,
            esp=replace(project.esp, name=self.esp or project.esp.name),
        )


def issue_language(project: Project, language: str | None) -> str:
    """The issue's language: `language` (from --language or a letter) checked as a BCP 47
    tag, else digest.toml's."""
    if language is None:
        return project.language
    try:
        tag = bcp47.normalise(language)
    except bcp47.LanguageError as e:
        raise ConfigError(f"language: {e}") from None
    if not bcp47.is_known(tag.tag):
        raise ConfigError(
            f"unknown language {language!r}",
            hint='use a BCP 47 tag such as "en", "en-GB", "fr-CA", "es", "pt-BR" or "ar"',
        )
    return tag.tag
