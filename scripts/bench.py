#!/usr/bin/env python3
"""Benchmark helpdesk_after_sales at volume, side by side with helpdesk_mgmt alone.

    python3 scripts/bench.py                # 50 000 invoices, 20 000 deliveries, 10 000 tickets
    python3 scripts/bench.py --scale 0.05   # a twentieth of it, for quick development runs

The first run builds two template databases in the private cluster of scripts/dev.py:
``bench_mgmt_<scale>`` (helpdesk_mgmt and this addon's dependencies, with the data) and
``bench_addon_<scale>`` (a copy of it with this addon installed and its documents linked to the
tickets). Later runs reuse them; the addon template is rebuilt when the addon's files change.
Each run measures fresh copies of both (CREATE DATABASE ... TEMPLATE), as a helpdesk agent,
through the RPCs of the web client, and prints a table with PASS/FAIL per budget (exit 1 when one
fails). The numbers are also written to .local/bench.json.
"""

import argparse
import hashlib
import json
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import dev

# Bump when the generated data changes: the templates are then rebuilt.
DATA_VERSION = "1"
BASE_MODULES = "helpdesk_mgmt,sale_stock,repair,sale_loyalty,project"
RUNS = 20

FULL = {
    "customers": 1000,
    "products": 200,
    "serial_products": 20,
    "invoices": 50_000,
    "deliveries": 20_000,
    "tickets": 10_000,
    "context_tickets": 5_000,
    "service_documents": 2_000,  # of each kind: credit notes, returns, repairs, coupons, tasks
}
# The customer the wizards are measured on, whatever the scale.
BIG_CUSTOMER_INVOICES = 100
BIG_CUSTOMER_DELIVERIES = 50

# Budgets of the issue.
WIZARD_MAX_QUERIES = 15
WIZARD_MAX_MS = 50.0
FORM_MAX_TIME_RATIO = 1.3
COUNT_MAX_QUERIES = 1


def say(msg):
    print(f"[bench] {msg}", flush=True)


def sizes(scale):
    out = {key: max(1, round(value * scale)) for key, value in FULL.items()}
    out["customers"] = max(out["customers"], 20)
    out["products"] = max(out["products"], 20)
    out["serial_products"] = max(out["serial_products"], 4)
    out["deliveries"] = max(out["deliveries"], 2 * BIG_CUSTOMER_DELIVERIES)
    out["invoices"] = max(
        out["invoices"], out["deliveries"] + 2 * BIG_CUSTOMER_INVOICES
    )
    out["context_tickets"] = min(
        out["context_tickets"], out["deliveries"], out["tickets"] - 2
    )
    out["service_documents"] = min(out["service_documents"], out["context_tickets"])
    return out


def scale_tag(scale):
    return f"{scale:g}".replace(".", "_")


ADDON_PARTS = ("__init__.py", "__manifest__.py", "README.md", "helpdesk_after_sales", "views",
               "security", "data", "report", "static", "i18n")  # fmt: skip


def addon_fingerprint():
    """The files Odoo loads of the addon: when they change, the addon is installed again on a
    fresh copy of the helpdesk_mgmt template."""
    digest = hashlib.sha1(DATA_VERSION.encode())
    for part in ADDON_PARTS:
        for path in sorted([dev.ROOT / part, *(dev.ROOT / part).rglob("*")]):
            if path.is_file() and "__pycache__" not in path.parts:
                digest.update(str(path.relative_to(dev.ROOT)).encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


# =========================================================================== driver
class Driver:
    def __init__(self, args):
        self.args = args
        self.odoo_pkg = dev.require_odoo()
        self.pg = dev.Postgres()
        self.tag = scale_tag(args.scale)
        self.mgmt_tpl = f"bench_mgmt_{self.tag}"
        self.addon_tpl = f"bench_addon_{self.tag}"

    def sql(self, dbname, query):
        res = self.pg.psql(dbname, query)
        if res.returncode:
            raise RuntimeError(f"psql {dbname}: {res.stderr.strip()}")
        return res.stdout.strip()

    def db_exists(self, dbname):
        return (
            self.sql(
                "postgres", f"SELECT 1 FROM pg_database WHERE datname = '{dbname}'"
            )
            == "1"
        )

    def marker(self, dbname):
        if not self.db_exists(dbname):
            return None
        res = self.pg.psql(
            dbname, "SELECT value FROM ir_config_parameter WHERE key = 'bench.built'"
        )
        return res.stdout.strip() if res.returncode == 0 else None

    def drop(self, dbname):
        self.sql("postgres", f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)')

    def copy(self, template, dbname):
        self.drop(dbname)
        self.sql("postgres", f'CREATE DATABASE "{dbname}" TEMPLATE "{template}"')

    def odoo(self, dbname, *args, log_name):
        log = dev.LOCAL / f"bench-{log_name}.log"
        cmd = dev.odoo_cmd(
            self.pg, self.odoo_pkg, "-d", dbname, *args, "--stop-after-init",
            "--max-cron-threads=0", "--log-level=warn", f"--logfile={log}",
        )  # fmt: skip
        if subprocess.run(cmd, check=False).returncode:
            raise RuntimeError(f"Odoo failed on {dbname}; see {log}")

    def worker(self, action, *dbnames):
        cmd = [
            sys.executable, __file__, "_worker", action,
            "--scale", str(self.args.scale), "--runs", str(self.args.runs),
            "--odoo-args", json.dumps(self.odoo_args()), *dbnames,
        ]  # fmt: skip
        if subprocess.run(cmd, check=False).returncode:
            raise RuntimeError(f"the {action} step failed on {', '.join(dbnames)}")

    def odoo_args(self):
        return [
            f"--addons-path={dev.addons_path(self.odoo_pkg)}",
            *self.pg.odoo_args(),
            f"--data-dir={dev.LOCAL / 'filestore'}",
            "--log-level=warn",
        ]

    # ------------------------------------------------------------------ templates
    def build_mgmt_template(self):
        want = f"{DATA_VERSION}:{self.args.scale}"
        if not self.args.rebuild and self.marker(self.mgmt_tpl) == want:
            say(f"reusing the template {self.mgmt_tpl}")
            return 0.0
        started = time.time()
        self.drop(self.addon_tpl)
        self.drop(self.mgmt_tpl)
        modules_tpl = (
            "bench_modules"  # the modules installed, no data: kept for rebuilds
        )
        if self.args.rebuild or self.marker(modules_tpl) != BASE_MODULES:
            say(f"installing {BASE_MODULES} (no demo data) in {modules_tpl}")
            self.drop(modules_tpl)
            self.odoo(
                modules_tpl,
                "-i",
                BASE_MODULES,
                "--without-demo=all",
                log_name="install",
            )
            self.sql(
                modules_tpl,
                "INSERT INTO ir_config_parameter (key, value) VALUES ('bench.built', "
                f"'{BASE_MODULES}')",
            )
            say(f"  installed in {time.time() - started:.0f}s")
        say(f"building {self.mgmt_tpl}: generating the data on a copy of {modules_tpl}")
        self.copy(modules_tpl, self.mgmt_tpl)
        self.worker("populate", self.mgmt_tpl)
        return self.finish(self.mgmt_tpl, want, started)

    def build_addon_template(self):
        want = f"{DATA_VERSION}:{self.args.scale}:{addon_fingerprint()}"
        if not self.args.rebuild and self.marker(self.addon_tpl) == want:
            say(f"reusing the template {self.addon_tpl}")
            return 0.0
        started = time.time()
        say(f"building {self.addon_tpl}: a copy of {self.mgmt_tpl} with {dev.MODULE}")
        self.copy(self.mgmt_tpl, self.addon_tpl)
        self.odoo(
            self.addon_tpl, "-i", dev.MODULE, "--without-demo=all", log_name="addon"
        )
        say(
            f"  installed in {time.time() - started:.0f}s; linking documents to tickets"
        )
        self.worker("link", self.addon_tpl)
        return self.finish(self.addon_tpl, want, started)

    def finish(self, template, marker, started):
        """Mark a template as complete (a failed build is rebuilt); return its build time."""
        self.sql(
            template,
            f"UPDATE ir_config_parameter SET value = '{marker}' WHERE key = 'bench.built'",
        )
        self.sql(template, "VACUUM ANALYZE")
        elapsed = time.time() - started
        say(f"{template} built in {elapsed:.0f}s")
        return elapsed

    def run(self):
        self.pg.start()
        build = self.build_mgmt_template() + self.build_addon_template()
        mgmt_db, addon_db = f"bench_run_mgmt_{self.tag}", f"bench_run_addon_{self.tag}"
        self.copy(self.mgmt_tpl, mgmt_db)
        self.copy(self.addon_tpl, addon_db)
        say(
            f"measuring {mgmt_db} (helpdesk_mgmt alone) and {addon_db} (with {dev.MODULE})"
        )
        try:
            self.worker("measure", mgmt_db, addon_db)
        finally:
            self.drop(mgmt_db)
            self.drop(addon_db)
        result_file = dev.LOCAL / "bench.json"
        result = json.loads(result_file.read_text())
        result["build_seconds"] = round(build)
        result["scale"] = self.args.scale
        result_file.write_text(json.dumps(result, indent=2))
        (dev.LOCAL / "bench.md").write_text(markdown(result))
        failed = report(result)
        if build:
            say(f"templates built in {build:.0f}s")
        say(f"results in {result_file} (and as a Markdown table in .local/bench.md)")
        return 1 if failed else 0


# =========================================================================== report
def report(result):
    """Print the table; return the number of failed budgets."""
    rows = result["rows"]
    header = f"{'Screen':<46} {'Queries':>15} {'Server ms':>21} {'Budget':>26}  Result"
    sub = f"{'':<46} {'mgmt':>5} {'addon':>5} {'':>3} {'mgmt':>6} {'addon':>6} {'ratio':>6}"
    print()
    print(header)
    print(sub)
    print("-" * len(header))
    failed = 0
    for row in rows:
        base_q = "" if row.get("mgmt_queries") is None else row["mgmt_queries"]
        base_ms = "" if row.get("mgmt_ms") is None else f"{row['mgmt_ms']:.1f}"
        ratio = "" if row.get("ratio") is None else f"{row['ratio']:.2f}"
        addon_q = "" if row.get("queries") is None else row["queries"]
        addon_ms = "" if row.get("ms") is None else f"{row['ms']:.1f}"
        print(
            f"{row['label']:<46} {base_q!s:>5} {addon_q!s:>5} {'':>3} {base_ms:>6} "
            f"{addon_ms:>6} {ratio:>6} {row['budget']:>26}  {row['result']}"
        )
        if row["result"] == "FAIL":
            failed += 1
    print("-" * len(header))
    print(f"{len(rows) - failed} budgets met, {failed} failed")
    for note in result.get("notes", []):
        print(f"note: {note}")
    print()
    return failed


def markdown(result):
    """The table as the README shows it."""

    def cell(value, digits=None):
        if value is None:
            return ""
        return f"{value:.{digits}f}" if digits is not None else str(value)

    lines = [
        "| Screen | Queries, helpdesk_mgmt | Queries, with the addon | ms, helpdesk_mgmt"
        + " | ms, with the addon | Ratio | Budget | Result |",
        "| --- | ---: | ---: | ---: | ---: | ---: | --- | --- |",
    ]
    for row in result["rows"]:
        cells = [
            row["label"],
            cell(row.get("mgmt_queries")),
            cell(row.get("queries")),
            cell(row.get("mgmt_ms"), 1),
            cell(row.get("ms"), 1),
            cell(row.get("ratio"), 2),
            row["budget"].replace("<=", "≤"),
            row["result"],
        ]
        lines.append("| " + " | ".join(cells) + " |")
    lines.append("")
    lines += [f"- {note}" for note in result.get("notes", [])]
    return "\n".join(lines) + "\n"


# =========================================================================== worker
def worker_main(argv):
    parser = argparse.ArgumentParser()
    parser.add_argument("action")
    parser.add_argument("--scale", type=float)
    parser.add_argument("--runs", type=int)
    parser.add_argument("--odoo-args")
    parser.add_argument("dbnames", nargs="+")
    args = parser.parse_args(argv)

    import odoo  # noqa: F401
    from odoo.modules.module import initialize_sys_path
    from odoo.tools import config

    config.parse_config(json.loads(args.odoo_args))
    initialize_sys_path()
    import bench_data  # the data and measurement code lives beside, importing odoo

    return bench_data.main(args)


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "_worker":
        sys.exit(worker_main(sys.argv[2:]))
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--scale",
        type=float,
        default=1.0,
        help="fraction of the full volume (default 1)",
    )
    parser.add_argument("--runs", type=int, default=RUNS, help="timed runs per screen")
    parser.add_argument("--rebuild", action="store_true", help="rebuild the templates")
    try:
        sys.exit(Driver(parser.parse_args()).run())
    except RuntimeError as error:
        dev.die(str(error), 1)
    except KeyboardInterrupt:
        sys.exit(130)
