"""Where the bundled templates, sample feeds and curation data live.

In a wheel they are packaged under ``digest/_data``; in a source checkout (editable
install) they are the repository's top-level ``templates/`` and ``feeds/samples/``.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent
_CHECKOUT = _PACKAGE.parent.parent


def _find(packaged: str, checkout: str) -> Path:
    for candidate in (_PACKAGE / "_data" / packaged, _CHECKOUT / checkout):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"bundled {packaged} not found; reinstall digest")


def bundled_templates() -> Path:
    return _find("templates", "templates")


def bundled_samples() -> Path:
    return _find("samples", "feeds/samples")


def bundled_inputs() -> tuple[Path, ...]:
    """The bundled folders an issue depends on: templates, rule packs, the classifier and
    translations (a draft built with other ones is rebuilt: drafts.inputs_fingerprint)."""
    curate = _PACKAGE / "curate"
    return (bundled_templates(), curate / "rules", curate / "model", _PACKAGE / "i18n")
