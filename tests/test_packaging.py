"""`pip wheel .` from a clone in a folder of another name builds OCA's kind of wheel.

Not part of Odoo's test run (tests/__init__.py does not import it): it builds from the
source tree, which an installed addon does not have. ``python3 scripts/dev.py test``
runs it (through scripts/lint.py) as a plain unittest and counts it in its summary line;
``python3 tests/test_packaging.py`` runs it alone. It needs the package index for the
build backend (pip's cache makes it quick after the first time).
"""

import ast
import email.parser
import subprocess
import sys
import tempfile
import unittest
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MODULE = "helpdesk_after_sales"
# Development files that must stay out of the addon's folder in the wheel.
DEV_FILES = {
    "LICENSE",  # shipped once, in the wheel's .dist-info
    "eslint.config.cjs",
    "prettier.config.cjs",
    "pyproject.toml",
    "requirements.txt",
    "setup.cfg",
    "setup.py",
}
DEV_DIRS = {".ci", "scripts"}


def source_files():
    """The clone's files: tracked or new, not ignored."""
    out = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return sorted(f for f in out.split("\0") if f and (ROOT / f).is_file())


def core_addon(name):
    """Whether Odoo itself ships the addon: its dependency is then odoo, not a wheel."""
    odoo_root = Path(
        subprocess.check_output([sys.executable, "-c", ODOO_ROOT], text=True).strip()
    )
    return any(
        (odoo_root / path / name / "__manifest__.py").is_file()
        for path in ("addons", "odoo/addons")
    )


ODOO_ROOT = "import odoo, os; print(os.path.dirname(os.path.dirname(odoo.__file__)))"


class TestWheel(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.tmp = tempfile.TemporaryDirectory(prefix="wheel-test-")
        tmp = Path(cls.tmp.name)
        clone = tmp / "some-other-folder"
        for name in source_files():
            (clone / name).parent.mkdir(parents=True, exist_ok=True)
            (clone / name).write_bytes((ROOT / name).read_bytes())
        cls.manifest = ast.literal_eval((ROOT / "__manifest__.py").read_text())
        dist = tmp / "dist"
        subprocess.run(
            [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", dist, "."],
            cwd=clone,
            check=True,
        )
        cls.wheels = sorted(dist.glob("*.whl"))
        cls.venv = tmp / "venv"
        # System site packages: Odoo and helpdesk_mgmt come from there, the addon from
        # the wheel only. No pip of its own: this one installs into it (quicker).
        subprocess.run(
            [sys.executable, "-m", "venv", "--system-site-packages", "--without-pip"]
            + [cls.venv],
            check=True,
        )
        subprocess.run(
            [sys.executable, "-m", "pip", "--python", cls.venv / "bin/python"]
            + ["install", "-q", "--no-deps", "--no-index", *cls.wheels],
            check=True,
        )

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()
        super().tearDownClass()

    def venv_python(self, code):
        return subprocess.run(
            [self.venv / "bin/python", "-c", code],
            capture_output=True,
            text=True,
            check=True,
            cwd=self.tmp.name,
        ).stdout.strip()

    def test_name_version_dependencies(self):
        version = self.manifest["version"]
        self.assertEqual(
            [w.name for w in self.wheels],
            [f"odoo_addon_{MODULE}-{version}-py3-none-any.whl"],
        )
        with zipfile.ZipFile(self.wheels[0]) as whl:
            meta = whl.read(f"odoo_addon_{MODULE}-{version}.dist-info/METADATA")
        meta = email.parser.BytesHeaderParser().parsebytes(meta)
        self.assertEqual(meta["Name"], f"odoo-addon-{MODULE}")
        self.assertEqual(meta["Version"], version)
        self.assertEqual(meta["License"], self.manifest["license"])
        self.assertEqual(meta["Author"], self.manifest["author"])
        self.assertEqual(meta["Summary"], self.manifest["summary"])
        series = ".".join(version.split(".")[:2])
        expected = {f"odoo=={series}.*"} | {
            f"odoo-addon-{depend}=={series}.*"
            for depend in self.manifest["depends"]
            if not core_addon(depend)
        }
        self.assertIn(f"odoo-addon-helpdesk_mgmt=={series}.*", expected)
        self.assertEqual(set(meta.get_all("Requires-Dist")), expected)

    def test_files(self):
        with zipfile.ZipFile(self.wheels[0]) as whl:
            names = whl.namelist()
        prefix = f"odoo/addons/{MODULE}/"
        shipped = {n.removeprefix(prefix) for n in names if n.startswith(prefix)}
        expected = {
            name
            for name in source_files()
            if name not in DEV_FILES
            and name.split("/")[0] not in DEV_DIRS
            and not name.startswith(".")
        }
        self.assertEqual(shipped, expected)
        others = {n.split("/")[0] for n in names if not n.startswith(prefix)}
        self.assertEqual(
            others, {f"odoo_addon_{MODULE}-{self.manifest['version']}" ".dist-info"}
        )

    def test_odoo_finds_the_installed_addon(self):
        found = self.venv_python(
            "from odoo.modules.module import get_module_path;"
            f"print(get_module_path({MODULE!r}))"
        )
        self.assertEqual(
            Path(found),
            Path(
                self.venv_python(
                    "import sysconfig; print(sysconfig.get_path('purelib'))"
                )
            )
            / "odoo/addons"
            / MODULE,
        )


if __name__ == "__main__":
    unittest.main(verbosity=2)
