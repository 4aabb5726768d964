"""The one Jinja environment: the project's templates over the bundled ones (pelican's loaders).

A name is looked up in the project's ``templates/`` folder first, then among the bundled
templates, so a project file shadows the bundled one of the same name (an ejected project
keeps working). ``!bundled/NAME`` always means the bundled template, so a project template
can extend the bundled one it replaces and override a single block::

    {% extends "!bundled/weekly.mjml" %}
    {% block footer %}...{% endblock %}

(The prefix loader comes first, so nothing in the project can stand in for a bundled
template reached that way.) Every failure is a :class:`~digest.errors.TemplateError` naming
the file and line: syntax errors, unreadable files, errors while rendering, a template that
extends itself or a missing one, and a block a template overrides that the templates it
extends do not have (Jinja would silently never show it).
"""

from __future__ import annotations

import traceback
import weakref
from collections.abc import Callable, Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2
from jinja2 import nodes

from .config import Project
from .errors import TemplateError
from .plaintext import fragment_text, wrap
from .resources import bundled_templates
from .textfile import HINT, too_large

BUNDLED = "!bundled"  # the prefix that reaches the bundled templates: "!bundled/weekly.mjml"


def environment(project: Project) -> jinja2.Environment:
    """The project's Jinja environment. Kept per templates folder, so templates compile
    once (Jinja reloads a file that changed)."""
    folder = project.templates_dir
    return _environment(str(folder) if folder.is_dir() else None)


@lru_cache(maxsize=8)
def _environment(templates_dir: str | None) -> jinja2.Environment:
    bundled = _Loader(bundled_templates())
    loaders: list[jinja2.BaseLoader] = [jinja2.PrefixLoader({BUNDLED: bundled})]
    if templates_dir is not None:
        loaders.append(_Loader(Path(templates_dir)))
    loaders.append(bundled)
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader(loaders),
        autoescape=_autoescape,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["wrap"] = wrap
    env.filters["fragment_text"] = fragment_text
    return env


class _Loader(jinja2.FileSystemLoader):
    """A FileSystemLoader whose unreadable or non-UTF-8 templates are errors naming the
    file and line (Jinja itself raises a bare UnicodeDecodeError)."""

    def get_source(
        self, environment: jinja2.Environment, template: str
    ) -> tuple[str, str, Callable[[], bool]]:
        try:
            found = super().get_source(environment, template)
        except jinja2.TemplateNotFound:  # an OSError too: the next loader may have it
            raise
        except UnicodeDecodeError as e:
            path = self._path(template)
            raw = path.read_bytes() if path.is_file() else b""
            raise TemplateError(
                "file is not valid UTF-8",
                path=path,
                line=raw[: e.start].count(b"\n") + 1 if raw else None,
                hint="save the template as UTF-8",
            ) from e
        except OSError as e:
            raise TemplateError(
                f"cannot read the template: {e.strerror or e}", path=self._path(template)
            ) from e
        problem = too_large(len(found[0].encode("utf-8")))
        if problem:  # (lxml would drop a 10 MB text node, and the footer with it)
            raise TemplateError(problem, path=self._path(template), hint=HINT)
        return found

    def _path(self, template: str) -> Path:
        for base in self.searchpath:
            candidate = Path(base, *template.split("/"))
            if candidate.exists():
                return candidate
        return Path(template)


def _autoescape(name: str | None) -> bool:
    return name is None or not name.endswith(".txt")


def render(env: jinja2.Environment, name: str, context: dict[str, Any]) -> str:
    """Render template `name`; every failure is a TemplateError naming file and line."""
    try:
        template = env.get_template(name)
        check_blocks(env, template)
    except jinja2.TemplateNotFound as e:
        raise TemplateError(
            f"template {e.name!r} not found",
            path=name,
            hint="check [newsletter] template in digest.toml and templates/",
        ) from e
    except jinja2.TemplateSyntaxError as e:
        raise _syntax_error(e, name) from e
    try:
        return template.render(context)
    except TemplateError:
        raise
    except jinja2.TemplateSyntaxError as e:
        raise _syntax_error(e, name) from e
    except Exception as e:  # any failure inside a template is a template bug: say where
        path, line = _template_frame(e, template.filename or name)
        raise TemplateError(f"template error: {type(e).__name__}: {e}", path=path, line=line) from e


def _syntax_error(e: jinja2.TemplateSyntaxError, name: str) -> TemplateError:
    return TemplateError(
        f"template syntax error: {e.message}", path=e.filename or name, line=e.lineno
    )


def _template_frame(error: BaseException, default: str) -> tuple[str, int | None]:
    """Jinja rewrites tracebacks so template frames carry the template file and line."""
    found: tuple[str, int | None] = (default, None)
    for frame, lineno in traceback.walk_tb(error.__traceback__):
        filename = frame.f_code.co_filename
        if filename.endswith((".mjml", ".txt", ".html")):
            found = (filename, lineno)
    return found


# a template checked, and the up-to-date tests of the files its check read
_checked: weakref.WeakKeyDictionary[jinja2.Template, tuple[Callable[[], bool], ...]] = (
    weakref.WeakKeyDictionary()
)


def check_blocks(env: jinja2.Environment, template: jinja2.Template) -> None:
    """Refuse a template that extends another and overrides a block no template up the
    chain defines (a misspelt `{% block foter %}` would never show), extends a template
    that does not exist, or extends itself (`weekly.mjml` extending "weekly.mjml" instead
    of "!bundled/weekly.mjml"). Checked again only when one of the files changed."""
    known = _checked.get(template)
    if known is not None and all(uptodate() for uptodate in known):
        return
    watched: list[Callable[[], bool]] = []
    name = template.name or ""
    tree, filename = _parse(env, name, watched)
    extends = _extends(tree)
    if extends is not None:
        parent, line = extends
        available = _chain_blocks(env, parent, watched, seen=[name], child=(filename, line))
        for block in _overrides(tree):
            if block.name not in available:
                raise TemplateError(
                    f"block {block.name!r} is not in {parent!r} or the templates it extends, "
                    "so it would never show",
                    path=filename,
                    line=block.lineno,
                    hint=f"blocks you can override: {', '.join(sorted(available))}",
                )
    _checked[template] = tuple(watched)


def _chain_blocks(
    env: jinja2.Environment,
    name: str,
    watched: list[Callable[[], bool]],
    *,
    seen: list[str],
    child: tuple[str, int],
) -> set[str]:
    """Every block defined by template `name` and the templates it extends."""
    if name in seen:
        hint = (
            f'write {{% extends "{BUNDLED}/{name}" %}} to extend the bundled template'
            if not name.startswith(f"{BUNDLED}/")
            else "a template cannot extend itself"
        )
        raise TemplateError(
            f"template {name!r} extends itself", path=child[0], line=child[1], hint=hint
        )
    try:
        tree, filename = _parse(env, name, watched)
    except jinja2.TemplateNotFound as e:
        raise TemplateError(
            f"extends {name!r}, which does not exist",
            path=child[0],
            line=child[1],
            hint="the bundled templates are "
            + ", ".join(f"{BUNDLED}/{n}" for n in _bundled_names()),
        ) from e
    blocks = {block.name for block in tree.find_all(nodes.Block)}
    extends = _extends(tree)
    if extends is not None:
        chain = [*seen, name]
        blocks |= _chain_blocks(env, extends[0], watched, seen=chain, child=(filename, extends[1]))
    return blocks


def _bundled_names() -> list[str]:
    return sorted(p.name for p in bundled_templates().iterdir() if p.suffix in (".mjml", ".txt"))


def _parse(
    env: jinja2.Environment, name: str, watched: list[Callable[[], bool]]
) -> tuple[nodes.Template, str]:
    """The template's syntax tree and file; its up-to-date test goes into `watched`."""
    if env.loader is None:
        raise jinja2.TemplateNotFound(name)
    source, filename, uptodate = env.loader.get_source(env, name)
    if uptodate is not None:
        watched.append(uptodate)
    return env.parse(source, name, filename), filename or name


def _extends(tree: nodes.Template) -> tuple[str, int] | None:
    """The template a template extends and the line saying so, when it is a constant."""
    found = tree.find(nodes.Extends)
    if found is None or not isinstance(found.template, nodes.Const):
        return None
    return str(found.template.value), found.lineno


def _overrides(node: nodes.Node) -> Iterator[nodes.Block]:
    """The outermost blocks of a template: those it overrides. Blocks nested inside them
    are new blocks for templates extending this one."""
    for child in node.iter_child_nodes():
        if isinstance(child, nodes.Block):
            yield child
        else:
            yield from _overrides(child)
