"""The judgements are Scrapy-free, as the README says: every module that decides something about a page,
a copy or the corpus imports in a fresh interpreter without loading Scrapy or Twisted."""

import subprocess
import sys

import pytest

from tests.mockserver.process import REPO_ROOT


def modules(package: str) -> list[str]:
    """The package and every module below it, by file (no import needed to list them)."""
    root = REPO_ROOT / package
    return sorted(
        ".".join(path.relative_to(REPO_ROOT).with_suffix("").parts).removesuffix(".__init__")
        for path in root.rglob("*.py")
        if path.name != "__main__.py"
    )


CORE = modules("core") + modules("dedup") + modules("storage")


@pytest.mark.parametrize("module", CORE)
def test_a_core_module_loads_neither_scrapy_nor_twisted(module):
    probe = (
        f"import sys, {module}; "
        "print(','.join(sorted({name.split('.')[0] for name in sys.modules} & {'scrapy', 'twisted'})))"
    )
    done = subprocess.run([sys.executable, "-c", probe], cwd=REPO_ROOT, capture_output=True, text=True, check=True)
    assert done.stdout.strip() == ""
