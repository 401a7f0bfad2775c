"""The wheel's version and dependencies, read from __manifest__.py as OCA's wheels
(whool, through manifestoo-core) derive them; its other metadata is in setup.cfg."""

import ast
from pathlib import Path

from manifestoo_core.core_addons import is_core_addon
from manifestoo_core.metadata import addon_name_to_requirement
from manifestoo_core.odoo_series import OdooSeries
from setuptools import setup
from setuptools.command.build_py import build_py

manifest = ast.literal_eval(
    Path(__file__).with_name("__manifest__.py").read_text(encoding="utf-8")
)
series = OdooSeries.from_str(".".join(manifest["version"].split(".")[:2]))


class BuildAddon(build_py):
    """The repository root is the addon's package: this file is not its module."""

    def find_package_modules(self, package, package_dir):
        modules = super().find_package_modules(package, package_dir)
        return [m for m in modules if Path(m[2]).resolve() != Path(__file__).resolve()]


setup(
    version=manifest["version"],
    install_requires=[
        f"odoo=={series.value}.*",
        *sorted(
            addon_name_to_requirement(depend, series)
            for depend in manifest["depends"]
            if not is_core_addon(depend, series)
        ),
        *manifest.get("external_dependencies", {}).get("python", []),
    ],
    cmdclass={"build_py": BuildAddon},
)
