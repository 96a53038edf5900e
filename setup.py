"""Build step: copy the shipped files into the wheel as voc/_shipped/, mirroring the repository's top level.

The repository keeps models/, app.py, pipelines/ and data/demo/ at its top level (the product card fixes
it); an installed voc finds them in voc/_shipped through importlib.resources (voc/paths.py). Everything
else is configured in pyproject.toml.
"""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

SHIPPED = [
    "models",
    "app.py",
    "pipelines",
    "data/demo",
    "data/rootcause/dev.jsonl",
    "data/rootcause/subcause_dev.jsonl",
    "data/journey/dev.jsonl",
    "data/churn/dev.jsonl",
]
SKIP = shutil.ignore_patterns("__pycache__", "*.pyc", ".*")


class BuildPyWithShipped(build_py):
    """build_py, then copy SHIPPED under <build_lib>/voc/_shipped (not for editable installs: they read the checkout)."""

    def run(self) -> None:
        super().run()
        if self.editable_mode:
            return
        root = Path(__file__).resolve().parent
        dest = Path(self.build_lib) / "voc" / "_shipped"
        shutil.rmtree(dest, ignore_errors=True)
        for rel in SHIPPED:
            src, out = root / rel, dest / rel
            if not src.exists():
                raise FileNotFoundError(f"{src} is missing: the wheel must ship it (see SHIPPED in setup.py)")
            out.parent.mkdir(parents=True, exist_ok=True)
            if src.is_dir():
                shutil.copytree(src, out, ignore=SKIP)
            else:
                shutil.copy2(src, out)


setup(cmdclass={"build_py": BuildPyWithShipped})
