"""Sphinx configuration: the API reference from the numpy-style docstrings (numpydoc), pages in Markdown (MyST).

Build: ``sphinx-build -W --keep-going -b html docs docs/_build/html`` (``pip install ".[docs]"``).
The API pages are written at each build from the modules' ``__all__`` (``docs/api/``, not in git): a
name added to ``__all__`` is documented without touching the docs.
"""
from __future__ import annotations

import importlib
import inspect
import re
from pathlib import Path

import fastgd

project = "fastgd"
author = "fastgd's authors"
copyright = "fastgd's authors"  # noqa: A001 - Sphinx's name
release = version = fastgd.__version__

extensions = ["sphinx.ext.autodoc", "sphinx.ext.autosummary", "numpydoc", "myst_parser"]
source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
exclude_patterns = ["_build", "README.md"]
myst_heading_anchors = 3

autosummary_generate = True
autodoc_default_options = {"members": True, "inherited-members": False}
numpydoc_show_class_members = False  # each class's members are on its own page (autodoc's members)
numpydoc_class_members_toctree = False
numpydoc_xref_param_type = False

html_theme = "pydata_sphinx_theme"
html_title = f"fastgd {release}"
html_theme_options = {"navigation_with_keys": False}

# The public modules and what the API reference shows of each: their __all__ (or, without one, the
# functions and classes the module itself defines); fastgd.book: its mirror modules.
API = ["fastgd", "fastgd.diff", "fastgd.optimize", "fastgd.optim", "fastgd.nn", "fastgd.datasets", "fastgd.reference",
       "fastgd.book"]
HERE = Path(__file__).parent


def public_names(name: str) -> list[str]:
    """The names a module offers: ``__all__``, else what it defines itself (not its imports)."""
    module = importlib.import_module(name)
    if hasattr(module, "__all__"):
        return [n for n in module.__all__ if not inspect.ismodule(getattr(module, n)) and not n.startswith("_")]
    return [n for n, value in vars(module).items() if not n.startswith("_")
            and (inspect.isfunction(value) or inspect.isclass(value)) and value.__module__ == name]


def submodules(name: str) -> list[str]:
    """Every module under a package (the book's mirrors)."""
    import pkgutil

    package = importlib.import_module(name)
    return sorted(m.name for m in pkgutil.walk_packages(package.__path__, name + ".") if not m.name.split(".")[-1]
                  .startswith("_"))


INDEX = """API reference
=============

Written from the docstrings. Each page lists a module's public names (its ``__all__``); every fast
function and class has a numpy twin of the same name in :mod:`fastgd.reference`.

.. toctree::
   :maxdepth: 1

"""


def _write(page: Path, text: str) -> None:
    if not page.exists() or page.read_text() != text:  # unchanged pages keep Sphinx's cache
        page.write_text(text)


def write_api_pages() -> None:
    """docs/api/index.rst and docs/api/<module>.rst: the module's docstring and a table of its public names.

    Each object is documented once, on the first page that offers it (``fastgd`` first); a later module
    that re-exports it lists it with a link there.
    """
    folder = HERE / "api"
    folder.mkdir(exist_ok=True)
    _write(folder / "index.rst", INDEX + "".join(f"   {name}\n" for name in API))
    documented: dict[int, str] = {}  # id(object) -> the name it is documented under
    for name in API:
        lines = [name, "=" * len(name), "", f".. automodule:: {name}", "   :no-members:", "",
                 f".. currentmodule:: {name}", ""]
        if name == "fastgd.book":
            modules = [m[len(name) + 1:] for m in submodules(name)]
            lines += ["The mirror modules:", "", ".. autosummary::", ""] + [f"   {m}" for m in modules]
        else:
            module = importlib.import_module(name)
            own, elsewhere = [], []
            for public in public_names(name):
                key = id(getattr(module, public))
                if key in documented:
                    elsewhere.append(documented[key])
                else:
                    documented[key] = f"{name}.{public}"
                    own.append(public)
            if own:
                lines += [".. autosummary::", "   :toctree: ../generated", ""] + [f"   {n}" for n in own] + [""]
            if elsewhere:
                lines += ["Also here, documented where they are first offered:", "", ".. autosummary::", ""]
                lines += [f"   ~{target}" for target in elsewhere]
        _write(folder / f"{name}.rst", "\n".join(lines) + "\n")


def write_module_map() -> None:
    """docs/api/module_map.inc (every module, the first line of its docstring) and compiled_modules.inc."""
    import pkgutil

    from fastgd.cli.info import compiled_modules

    rows = ["| module | what it holds |", "| --- | --- |"]
    for info in sorted(pkgutil.walk_packages(fastgd.__path__, "fastgd."), key=lambda m: m.name):
        module = importlib.import_module(info.name)
        summary = ((inspect.getdoc(module) or "").strip().splitlines() or [""])[0].replace("|", "\\|")
        summary = re.sub(r":(\w+):`", r"{\1}`", summary)  # reST roles as MyST roles
        rows.append(f"| `{info.name}` | {summary} |")
    (HERE / "api").mkdir(exist_ok=True)
    _write(HERE / "api" / "module_map.inc", "\n".join(rows) + "\n")
    _write(HERE / "api" / "compiled_modules.inc", "".join(f"- `{name}`\n" for name in compiled_modules()))


write_api_pages()
write_module_map()
