"""The API reference covers every public name, once, and its links find their pages.

The docs build itself (``sphinx-build -W``) runs in ``.ci/run``: too slow for
the tests. These check its sources: ``docs/api/index.rst`` (the packages) and
``docs/_ext/api_reference.py`` (what each page documents), which needs
nnlearn but not Sphinx.
"""

import importlib
import importlib.util
import re
import sys
from collections import defaultdict
from pathlib import Path

import pytest

import nnlearn

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
sys.path.insert(0, str(DOCS / "_ext"))
import api_reference  # noqa: E402 (docs/_ext)

#: Public modules that the reference leaves out, and why.
LEFT_OUT = {"nnlearn.cli": "the command line: `nnlearn --help` and the README document it"}


def _listed_packages() -> list[str]:
    """The entries of the autosummary directive in docs/api/index.rst."""
    text = (DOCS / "api" / "index.rst").read_text()
    block = re.search(r"^\.\. autosummary::\n((?:[ \t]+.*\n|\n)+)", text, re.MULTILINE)
    assert block, "docs/api/index.rst has no autosummary directive"
    return [line.strip() for line in block.group(1).splitlines()
            if line.strip() and not line.strip().startswith(":")]


@pytest.fixture(scope="module")
def listed():
    return _listed_packages()


@pytest.fixture(scope="module")
def homes():
    return api_reference.homes()


@pytest.fixture(scope="module")
def plan():
    return api_reference.api_plan()


def test_the_index_lists_the_top_level_and_every_public_subpackage_and_module(listed):
    top = {f"nnlearn.{path.stem}" for path in (ROOT / "src" / "nnlearn").iterdir()
           if not path.name.startswith("_")
           and ((path / "__init__.py").exists() or path.suffix == ".py")}
    assert listed[0] == "nnlearn"
    assert sorted(set(listed[1:])) == sorted(top - set(LEFT_OUT)), (
        "add the package to docs/api/index.rst (one line)")
    for name in listed:
        importlib.import_module(name)


def test_every_name_of_nnlearn_is_in_a_listed_package(listed):
    """Each ``nnlearn.X`` is a public name of one of the listed packages, which documents it."""
    packages = [importlib.import_module(package) for package in listed[1:]]
    missing = [name for name in nnlearn.__all__ if not any(
        name in api_reference.public_names(package)
        and getattr(package, name) is getattr(nnlearn, name) for package in packages)]
    assert not missing, (f"in nnlearn.__all__ but in no package listed in docs/api/index.rst: "
                         f"{missing}")


def _under(name: str, packages: list[str]) -> bool:
    return any(name == package or name.startswith(f"{package}.") for package in packages)


def test_every_public_name_has_exactly_one_page(plan, listed):
    pages = {module: page for module, page in plan.items() if _under(module, listed[1:])}
    documented = [f"{module}.{name}" for module, page in pages.items()
                  for name in page["documented"]]
    assert len(documented) == len(set(documented))
    for module, page in pages.items():
        assert all(_under(link, listed[1:]) for link in page["links"]), module
        names = api_reference.public_names(importlib.import_module(module))
        shown = page["documented"] + [link.rpartition(".")[2] for link in page["links"]]
        assert sorted(shown) == sorted(names), module


def test_nnlearn_page_links_each_of_its_names_to_its_package(plan):
    page = plan["nnlearn"]
    assert page["documented"] == [] and page["modules"] == []
    assert sorted(link.rpartition(".")[2] for link in page["links"]) == sorted(nnlearn.__all__)
    assert "nnlearn.calculus.derivative" in page["links"]
    assert "nnlearn.functions.softmax" in page["links"]
    assert "nnlearn.nn.TwoLayerNet" in page["links"]


def test_a_module_page_documents_what_its_package_does_not_export(plan):
    layers = plan["nnlearn.nn.layers"]
    assert {"Affine", "ReLU", "SoftmaxWithLoss", "BATCHNORM_EPS"} <= set(layers["documented"])
    assert plan["nnlearn.nn.two_layer_net"] == {
        "documented": [], "links": ["nnlearn.nn.TwoLayerNet"], "modules": []}
    assert "layers" in plan["nnlearn.nn"]["modules"]
    assert not any(name.startswith("_") for page in plan.values()
                   for name in page["documented"] + page["modules"])


def test_doc_comments_are_the_hash_colon_lines_just_above_an_assignment(tmp_path):
    path = tmp_path / "commented.py"
    path.write_text(
        "#: One line.\n"
        "ONE = 1\n"
        "#: Two lines,\n"
        "#: read in order.\n"
        "TWO: int = 2\n"
        "# a plain comment\n"
        "PLAIN = 3\n"
        "#: Not above an assignment of one name.\n"
        "A, B = 4, 5\n"
        "\n"
        "\n"
        "def defined():\n"
        "    pass\n")
    spec = importlib.util.spec_from_file_location("commented", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert api_reference.doc_comments(module) == {
        "ONE": ["One line."], "TWO": ["Two lines,", "read in order."]}
    assert api_reference.public_names(module) == ["ONE", "TWO", "defined"]


def test_every_commented_constant_is_documented_by_its_comment(listed, homes, plan):
    """Wherever a constant lives, its page shows its ``#:`` comment (not its type's docstring)."""
    found = defaultdict(list)  # short name -> the comments of the constants of that name
    for module in api_reference.public_modules():
        if not _under(module.__name__, listed[1:]):
            continue
        comments = api_reference.doc_comments(module)
        for name in api_reference.public_names(module):
            if name not in comments:
                continue
            page = api_reference.documented_name(f"{module.__name__}.{name}", homes)
            assert page is not None, f"{module.__name__}.{name} has no page"
            assert name in plan[page.rpartition(".")[0]]["documented"], page
            lines: list[str] = []
            api_reference.data_docstring(None, "data", page, getattr(module, name), {}, lines)
            assert lines == [*comments[name], ""], page
            found[name].append(comments[name])
    assert found["WORST_COUNT"] == [["How many of the worst entries a report keeps."]]
    assert found["CROSS_ENTROPY_DELTA"] == [
        ["Added to probabilities inside the log of :func:`cross_entropy_error`, as in the book."]]
    assert len(found["LABELS"]) >= 4  # one per figure family that has its own labels


@pytest.mark.parametrize(("target", "page"), [
    ("nnlearn.calculus.differentiate.numerical_gradient", "nnlearn.calculus.numerical_gradient"),
    ("nnlearn.numerical_gradient", "nnlearn.calculus.numerical_gradient"),
    ("nnlearn.nn.two_layer_net.TwoLayerNet.gradient", "nnlearn.nn.TwoLayerNet.gradient"),
    ("nnlearn.tour.figures.TRAINING_SEED", "nnlearn.tour.TRAINING_SEED"),
    ("nnlearn.nn.layers.Affine", "nnlearn.nn.layers.Affine"),
    ("nnlearn.calculus.no_such_function", None),
    ("nnlearn.calculus.derivatives", None),  # a module has its own page
    ("nnlearn.calculus._steps.scale_of", None),  # private: no page
])
def test_any_import_path_of_an_object_finds_its_page(target, page, homes):
    assert api_reference.documented_name(target, homes) == page
