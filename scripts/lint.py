#!/usr/bin/env python3
"""OCA's 18.0 checks at OCA's pinned versions, the wheel test and the log check.

    python3 scripts/lint.py [--log .local/test.log]   # ends "N passed, N failed"

``python3 scripts/dev.py test`` runs them after the suite (``--no-lint`` skips them).
Each tool is one test, failed on any finding: the hooks of .pre-commit-config.yaml,
run directly because their repositories may not be reachable. Python tools are
pip-installed into this python3, node ones into .local/lintnode, on first use.
"""

import argparse
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MODULE = "helpdesk_after_sales"
NODE_DIR = ROOT / ".local" / "lintnode"
PACKAGING_TEST = ROOT / "tests" / "test_packaging.py"  # the wheel's test
PIP_TOOLS = {
    "pylint-odoo": "9.1.3",
    "oca-odoo-pre-commit-hooks": "0.0.33",  # oca-checks-odoo-module, oca-checks-po
    "ruff": "0.6.8",
    "checklog-odoo": "1.0",
}
NPM_TOOLS = {
    "prettier": "3.3.3",
    "@prettier/plugin-xml": "3.4.1",
    "eslint": "9.12.0",
    "eslint-plugin-jsdoc": "50.3.1",
}
# OCA's prettier hook: these types, less what its pre-commit config excludes.
PRETTIER_RE = re.compile(r"\.(css|html?|jsx?|json|less|md|scss|toml|ts|xml|ya?ml)$")
PRETTIER_SKIP = {"README.md", "eslint.config.cjs", "prettier.config.cjs"}
# Log records of Odoo core or of other addons, not of this addon's code or data.
LOG_IGNORE = [
    # Debian's wkhtmltopdf is built without patched Qt: Odoo's report engine warns that
    # it ignores the header and footer switches (the worksheet PDF is still made).
    r"odoo\.addons\.base\.models\.ir_actions_report: wkhtmltopdf: The switch",
    # Odoo's HTTP server (werkzeug) drops a connection a tour's browser left idle.
    r"werkzeug: .* Request timed out: TimeoutError",
    # tests/test_uninstall.py (its own process: no database in the record): Odoo's
    # uninstall tries to delete each demo record, logs the DELETE refused for those that
    # documents made by the demo (invoices, stock moves) still use, and keeps them.
    r"ERROR \? odoo\.sql_db: bad query: b'DELETE FROM ",
    # Odoo's own test files run with the addon installed (dev.py's core step): that step
    # counts their results itself, with its list of reds known without the addon.
    r"odoo\.service\.server: /\S+/tests/test_\w+\.py: at least one error occurred",
    r"ERROR \S+ odoo\.addons\.(?!helpdesk_after_sales\.)\w+\.tests\.\S+: (FAIL|ERROR):",
]


def out(text):
    sys.stdout.write(f"{text}\n")
    sys.stdout.flush()


def run(cmd, **kw):
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False, **kw)
    return proc.returncode, proc.stdout + proc.stderr


def ensure_tools():
    """Install OCA's pinned versions where another version, or none, is installed."""

    def version(dist):
        try:
            return metadata.version(dist)
        except metadata.PackageNotFoundError:
            return None

    pins = [f"{d}=={v}" for d, v in PIP_TOOLS.items() if version(d) != v]
    if pins:
        out(f"[lint] installing {' '.join(pins)}")
        subprocess.run(
            [sys.executable, "-m", "pip", "install", "-q", *pins], check=True
        )
    modules = NODE_DIR / "node_modules"
    npm = [f"{p}@{v}" for p, v in NPM_TOOLS.items() if node_version(modules, p) != v]
    if npm:
        if not shutil.which("npm"):
            subprocess.run(["apt-get", "update", "-q"], check=True)
            subprocess.run(["apt-get", "install", "-y", "-q", "npm"], check=True)
        out(f"[lint] installing {' '.join(npm)} into {NODE_DIR.relative_to(ROOT)}")
        NODE_DIR.mkdir(parents=True, exist_ok=True)
        npm_install = ["npm", "install", "--prefix", NODE_DIR, "--save-exact"]
        subprocess.run([*npm_install, *npm], check=True, stdout=subprocess.DEVNULL)


def node_version(modules, package):
    manifest = modules / package / "package.json"
    return manifest.is_file() and json.loads(manifest.read_text())["version"]


def source_files():
    """Tracked and new files, not ignored ones: what a clone, and the checks, see."""
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split("\0")
    return sorted(f for f in listed if (ROOT / f).is_file())


def checks(tmp, files):
    """(name, command, cwd, finding pattern) per tool. The addon is copied under its own
    name into a git repository of its own: oca-checks-odoo-module takes no module at a
    repository's top, and pylint-odoo names modules after their folder."""
    addon = tmp / MODULE
    for name in files:
        (addon / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, addon / name)
    subprocess.run(["git", "init", "-q", tmp], check=True)
    py = [f for f in files if f.endswith(".py")]
    po = [f for f in files if f.startswith("i18n/")]
    js = [f for f in files if f.endswith(".js")]
    pretty = [f for f in files if PRETTIER_RE.search(f) and f not in PRETTIER_SKIP]
    node, ruff = NODE_DIR / "node_modules" / ".bin", [sys.executable, "-m", "ruff"]
    pylint = [sys.executable, "-m", "pylint", f"--rcfile={ROOT}/.pylintrc-mandatory"]
    at_line = r"^\S+:\d+:"
    return [
        ("pylint-odoo", [*pylint, "--output-format=text", *py], addon, at_line),
        ("oca-checks-odoo-module", ["oca-checks-odoo-module", *files], addon, at_line),
        ("oca-checks-po", ["oca-checks-po", "--disable=po-pretty-format", *po], addon,
         at_line),
        ("ruff check", [*ruff, "check", "--no-fix", "--output-format=concise", *py],
         ROOT, at_line),
        ("ruff format", [*ruff, "format", "--check", *py], ROOT, r"^Would reformat"),
        ("prettier", [node / "prettier", "-l", "-u", *pretty], ROOT, r"^\S"),
        ("eslint", [node / "eslint", "--max-warnings=0", *js], ROOT,
         r"^\s+\d+:\d+\s+(error|warning)"),
    ]  # fmt: skip


def run_checks(log_file=None):
    """Run every check, print each finding; return (tests run, tests failed)."""
    ensure_tools()
    results = []
    env = dict(os.environ, NODE_PATH=str(NODE_DIR / "node_modules"))
    with tempfile.TemporaryDirectory(prefix="lint-") as tmp:
        for name, cmd, cwd, finding in checks(Path(tmp), source_files()):
            rc, output = run(cmd, cwd=cwd, env=env)
            count = len(re.findall(finding, output, re.MULTILINE))
            results.append(report(name, rc, count, output))
    if log_file and Path(log_file).is_file():
        ignores = [arg for regex in LOG_IGNORE for arg in ("--ignore", regex)]
        rc, output = run(["checklog-odoo", "--no-err-if-empty", *ignores, log_file])
        failing = re.search(r"errors that caused failure \((\d+)\)", output)
        count = int(failing.group(1)) if failing else 0
        results.append(report(f"checklog-odoo {log_file}", rc, count, output))
    spec = importlib.util.spec_from_file_location("test_packaging", PACKAGING_TEST)
    test_module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(test_module)
    suite = unittest.defaultTestLoader.loadTestsFromModule(test_module)
    wheel = unittest.TextTestRunner(stream=sys.stdout, verbosity=2).run(suite)
    wheel_failed = len(wheel.failures) + len(wheel.errors)
    return len(results) + wheel.testsRun, results.count(False) + wheel_failed


def report(name, rc, count, output):
    ok = rc == 0 and count == 0
    if not ok:
        out(output.rstrip())
    out(f"[lint] {name}: {count} finding(s), exit {rc} -> {'ok' if ok else 'FAILED'}")
    return ok


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--log", help="an Odoo log to check for warnings and errors")
    args = parser.parse_args()
    ran, failed = run_checks(args.log)
    out(f"{ran - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
