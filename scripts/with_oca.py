"""`dev.py test --with-oca`: the suite beside the rest of OCA's helpdesk family.

The OCA addons go into a virtualenv of their own (.local/venv-oca, seeing the system's
Odoo), never into the python3 of the default test command, whose databases would
auto-install them. In one database with this addon and all of them, the command runs
this addon's whole suite, with the tests tagged TAG that need those addons, then each of
their test files; then the same files in a database with the same modules but this
addon, and writes the table (file, without, with).
"""

import ast
import os
import subprocess
import sys
import sysconfig
import time
from pathlib import Path

from common import LOCAL, MODULE, ROOT, say  # dev.py passes itself: no import cycle

VENV = LOCAL / "venv-oca"
# OCA 18.0 addons installed beside this one; project_timesheet_time_control comes with
# helpdesk_mgmt_timesheet, and its tests are run too.
MODULES = (
    "helpdesk_product",
    "helpdesk_mgmt_sale",
    "helpdesk_mgmt_project",
    "helpdesk_type",
    "helpdesk_mgmt_sla",
    "helpdesk_mgmt_timesheet",
    "helpdesk_mgmt_rating",
    "rma",
)
TESTED = (*MODULES, "project_timesheet_time_control")
# This addon's tests that need those addons: tagged "-standard" and TAG, run here only.
TAG = "after_sales_oca"


def enter_venv():
    """Carry on in the virtualenv's python, with the OCA addons installed there."""
    python = VENV / "bin" / "python"
    if Path(sys.prefix).resolve() == VENV.resolve():
        return
    if not python.exists():
        say(f"creating {VENV.relative_to(ROOT)} (sees the system's Odoo)")
        subprocess.run(
            [sys.executable, "-m", "venv", "--system-site-packages", str(VENV)],
            check=True,
        )
    say(f"installing into it: {', '.join(MODULES)} (18.0)")
    specs = [f"odoo-addon-{name}==18.0.*" for name in MODULES]
    subprocess.run([str(python), "-m", "pip", "install", "-q", *specs], check=True)
    os.execv(python, [str(python), *sys.argv])


def _test_files():
    addons = Path(sysconfig.get_paths()["purelib"]) / "odoo" / "addons"
    return [
        path
        for name in TESTED
        for path in sorted(addons.glob(f"{name}/tests/test_*.py"))
    ]


def _run_files(dev, dbname, files):
    """{file: (tests run, tests red)}, all files in one Odoo process."""
    say(f"{dbname}: {len(files)} OCA test files (log: .local/oca/{dbname}.log)")
    (LOCAL / "oca").mkdir(parents=True, exist_ok=True)
    _rc, results = dev.test_files(dbname, files, LOCAL / "oca" / f"{dbname}.log")
    return {key: (ran or 0, len(red) or int(ran is None))
            for key, (ran, red, _took) in results.items()}  # fmt: skip


def _cell(result):
    run, failed = result
    return f"{run - failed}/{run} passed" if run else "did not run"


def compare(dev, with_db, keep):
    """Run the OCA test files with this addon (with_db) and without it; write the table.
    Return (tests counted, tests that fail or are missing with it and not without)."""
    files = _test_files()
    started = time.time()
    with_results = _run_files(dev, with_db, files)
    with_time = time.time() - started

    without_db = f"{with_db}_without"
    manifest = ast.literal_eval((ROOT / "__manifest__.py").read_text())
    # Same modules but this one: this addon's dependencies stay, so that the only
    # difference between both databases is this addon.
    modules = list(
        dict.fromkeys([*manifest["depends"], "website_sale_loyalty", *MODULES])
    )
    started = time.time()
    # From the same cached template as with_db's (click-odoo-initdb): the same modules.
    say(f"{without_db}: {', '.join(modules)}, without {MODULE}")
    initdb = dev.tool("initdb", "-n", without_db, "-m", ",".join(modules))
    log = LOCAL / "oca" / f"{without_db}.install.log"
    dev.run([*initdb, "--cache-prefix", "ahs", "--unless-initialized"], log, check=True)
    without_results = _run_files(dev, without_db, files)
    without_time = time.time() - started
    if not keep:
        dev.drop(without_db)

    rows = ["| file | without this addon | with this addon |", "| --- | --- | --- |"]
    passed = regressions = failing_anyway = 0
    for key, (with_run, with_failed) in with_results.items():
        without_run, without_failed = without_results[key]
        # Tests failing or missing with this addon only; those that fail without it too
        # are the OCA addon's own business: in the table, not in the count.
        worse = max(with_failed - without_failed, 0) + max(without_run - with_run, 0)
        regressions += worse
        passed += with_run - with_failed
        failing_anyway += min(with_failed, without_failed)
        rows.append(
            f"| {key} | {_cell((without_run, without_failed))} "
            f"| {_cell((with_run, with_failed))}{' (worse)' if worse else ''} |"
        )
    rows.append(
        f"| time | {without_time:.0f}s (install and files) | {with_time:.0f}s (files) |"
    )
    table = "\n".join(rows)
    (LOCAL / "oca" / "table.md").write_text(table + "\n")
    sys.stdout.write(
        f"[dev] OCA test files (also in .local/oca/table.md):\n{table}\n"
        f"[dev] counted below: {passed} OCA tests passed with this addon, "
        f"{regressions} worse than without it; {failing_anyway} failing without it "
        "too, left out\n"
    )
    return passed + regressions, regressions
