"""What the API reference documents, and where: one page per public name.

``docs/api/index.rst`` lists the packages. Each public module gets a page
(``docs/_templates/autosummary/module.rst``) from :func:`api_plan`: the
public names of a module are its ``__all__``, else the functions and classes
it defines and its constants that have a ``#:`` comment. Every name is
documented once, on the page of the shallowest public module below
``nnlearn`` that names it (the subpackage that re-exports it, else the module
that defines it); the other pages that name it link there.

A cross-reference may name an object by any of its import paths
(``nnlearn.calculus.differentiate.numerical_gradient``,
``nnlearn.numerical_gradient``, or ``numerical_gradient`` inside its module):
:func:`resolve` sends it to the one page. A name that does not import still
fails the ``-W`` build.
"""

from __future__ import annotations

import ast
import functools
import importlib
import inspect
import pkgutil
from types import ModuleType
from typing import Any

import nnlearn

PACKAGE = "nnlearn"


def doc_comments(module: ModuleType) -> dict[str, list[str]]:
    """The ``#:`` comment lines above each module-level assignment of ``module``."""
    try:
        lines = inspect.getsource(module).splitlines()
    except (OSError, TypeError):
        return {}
    found = {}
    for node in ast.parse("\n".join(lines)).body:
        targets = (node.targets if isinstance(node, ast.Assign)
                   else [node.target] if isinstance(node, ast.AnnAssign) else [])
        if len(targets) != 1 or not isinstance(targets[0], ast.Name):
            continue
        comment, row = [], node.lineno - 2
        while row >= 0 and lines[row].lstrip().startswith("#:"):
            comment.insert(0, lines[row].lstrip()[2:].strip())
            row -= 1
        if comment:
            found[targets[0].id] = comment
    return found


def public_names(module: ModuleType) -> list[str]:
    """``__all__``, else what ``module`` defines: functions, classes, ``#:``-documented data."""
    if hasattr(module, "__all__"):
        return list(module.__all__)
    commented = doc_comments(module)

    def defined_here(value: Any) -> bool:
        return ((inspect.isfunction(value) or inspect.isclass(value))
                and value.__module__ == module.__name__)

    return [name for name, value in vars(module).items()
            if not name.startswith("_") and (defined_here(value) or name in commented)]


def all_modules() -> list[ModuleType]:
    """``nnlearn`` and all its modules, private ones too (``__main__`` is not imported)."""
    names = [info.name for info in pkgutil.walk_packages(nnlearn.__path__, f"{PACKAGE}.")]
    return [nnlearn] + [importlib.import_module(name) for name in names
                        if not name.endswith(".__main__")]


def public_modules() -> list[ModuleType]:
    """``nnlearn`` and its modules whose dotted names have no part starting with ``_``."""
    return [module for module in all_modules()
            if not any(part.startswith("_") for part in module.__name__.split("."))]


def _key(name: str, value: Any) -> tuple[int, str]:
    return id(value), name


def homes(modules: list[ModuleType] | None = None) -> dict[tuple[int, str], str]:
    """(id of the object, its name) -> the full name it is documented under."""
    modules = public_modules() if modules is None else modules
    found: dict[tuple[int, str], str] = {}
    for module in sorted(modules, key=lambda m: m.__name__.count(".")):
        if module.__name__ == PACKAGE:
            continue  # the top level only re-exports: it links
        for name in public_names(module):
            found.setdefault(_key(name, getattr(module, name)), f"{module.__name__}.{name}")
    return found


def api_plan() -> dict[str, dict[str, list[str]]]:
    """For each public module: the names its page documents, links to, and its submodules."""
    modules = public_modules()
    home = homes(modules)
    plan = {}
    for module in modules:
        documented, links = [], []
        for name in public_names(module):
            full = home.get(_key(name, getattr(module, name)))
            if full == f"{module.__name__}.{name}":
                documented.append(name)
            elif full is not None:
                links.append(full)
        plan[module.__name__] = {
            "documented": documented,
            "links": sorted(links),
            "modules": [m.__name__.rpartition(".")[2] for m in modules
                        if module is not nnlearn
                        and m.__name__.rpartition(".")[0] == module.__name__],
        }
    return plan


def values_hidden(plan: dict[str, dict[str, list[str]]]) -> list[str]:
    """Documented constants whose value is not worth showing: long, or with addresses."""
    hidden = []
    for module, page in plan.items():
        for name in page["documented"]:
            value = getattr(importlib.import_module(module), name)
            if inspect.isfunction(value) or inspect.isclass(value):
                continue
            text = repr(value)
            if len(text) > 200 or " at 0x" in text:
                hidden.append(f"{module}.{name}")
    return hidden


def _import(path: str) -> tuple[Any, str] | None:
    """The object at dotted ``path`` and the longest prefix of it that is a module."""
    parts = path.split(".")
    for split in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:split]))
        except ImportError:
            continue
        for attr in parts[split:]:
            obj = getattr(obj, attr, None)
            if obj is None:
                return None
        return obj, ".".join(parts[:split])
    return None


def documented_name(target: str, home: dict[tuple[int, str], str]) -> str | None:
    """The documented full name of the object that dotted ``target`` imports, or None.

    ``target`` may go on past an object with a page (a method, an attribute):
    the rest is kept (``nnlearn.nn.two_layer_net.TwoLayerNet.gradient`` ->
    ``nnlearn.nn.TwoLayerNet.gradient``). Modules are documented under their
    own names, so they give None.
    """
    parts = target.split(".")
    for split in range(len(parts), 1, -1):
        found = _import(".".join(parts[:split]))
        if found is None or inspect.ismodule(found[0]):
            continue
        full = home.get(_key(parts[split - 1], found[0]))
        if full is not None:
            return ".".join([full, *parts[split:]])
    return None


@functools.cache
def _homes() -> dict[tuple[int, str], str]:
    return homes()


def _defining_module(docname: str) -> str | None:
    """The module that defines the object of an API page (``api/generated/<full name>``)."""
    full = docname.rpartition("/")[2]
    found = _import(full) if full.startswith(f"{PACKAGE}.") else None
    if found is None or inspect.ismodule(found[0]):
        return None
    return getattr(found[0], "__module__", None)


def resolve(app, env, node, contnode):
    """``missing-reference``: send a Python reference into nnlearn to its documented page.

    A docstring's short names are looked up in the module it is rendered in,
    then in the module that defines the object of the page (a docstring of
    ``nnlearn.nn.gradient_check.GradcheckReport`` is shown as
    ``nnlearn.nn.GradcheckReport`` but names ``gradient_check``'s constants).
    """
    if node.get("refdomain") != "py":
        return None
    target = node["reftarget"]
    modules = [node.get("py:module"), _defining_module(node["refdoc"])]
    candidates = [f"{module}.{target}" for module in modules
                  if module and module.startswith(PACKAGE)]
    if target.startswith(f"{PACKAGE}."):
        candidates.append(target)
    for candidate in candidates:
        full = documented_name(candidate, _homes())
        if full is not None and full != target:
            return env.domains["py"].resolve_xref(env, node["refdoc"], app.builder,
                                                  node["reftype"], full, node, contnode)
    return None


@functools.cache
def _comments() -> list[tuple[ModuleType, dict[str, list[str]]]]:
    return [(module, doc_comments(module)) for module in all_modules()]


def data_docstring(app, what, name, obj, options, lines) -> None:
    """``autodoc-process-docstring``: a constant's docstring is its ``#:`` comment.

    Without this, a constant re-exported by a package (``nnlearn.tour.BOOK_W``)
    would show the docstring of its type (NumPy's ``ndarray``): its comment is
    in the module that assigns it.
    """
    if what not in ("data", "attribute") or not name.startswith(f"{PACKAGE}."):
        return
    short = name.rpartition(".")[2]
    for module, comments in _comments():
        if short in comments and getattr(module, short, None) is obj:
            lines[:] = [*comments[short], ""]
            return


def setup(app):
    app.connect("missing-reference", resolve)
    app.connect("autodoc-process-docstring", data_docstring)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
