#!/usr/bin/env python3
"""Run the helpdesk_after_sales demo or its test suite on this machine.

    python3 scripts/dev.py serve   # demo database with the addon, at localhost:8069
    python3 scripts/dev.py test    # the suite on a throwaway db: "N passed, N failed"

Odoo 18.0 must be importable by this python3. click-odoo-contrib makes, copies, updates
and drops the databases (from templates cached on the addons' content; updates only of
changed addons); the server is a private PostgreSQL cluster in .local/ (Unix socket
only), created on first use and stopped on exit, unless PGHOST names your own server.
"""

import argparse
import ast
import atexit
import hashlib
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from importlib import metadata
from pathlib import Path

from common import CONF, LOCAL, MODULE, ROOT, die, say
from lint import run_checks  # OCA's checks, the wheel test, the log check

DEMO_DB = "after_sales_demo"
# Installed beside the addon in test databases, never a dependency of it: the coupons'
# share link (/coupon/<code>) belongs to eCommerce, and the tests follow it for real.
TEST_EXTRA_MODULES = ("website_sale_loyalty",)
# The developer tools this script drives (plain tools, not Odoo addons).
TOOLS = ("click-odoo-contrib>=1.20",)
# A command, the Debian package that brings it, and what needs it.
DEBIAN = {
    "wkhtmltopdf": ("wkhtmltopdf", "to print worksheet PDFs"),
    "pdftotext": ("poppler-utils", "to read the printed worksheets back"),
    "chromium": ("chromium", "for the browser tours"),
    "msgmerge": ("gettext", "to merge the translation catalogues"),
    "pkg-config": ("libcairo2-dev pkg-config", "cairo's headers to build pycairo"),
}
CHROMIUM = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


def require_odoo():
    """Stop at once, loudly, when Odoo 18.0 is not importable."""
    code = "import odoo.release as r, sys; sys.stdout.write(r.serie + ' ' + r.__file__)"
    probe = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    if probe.returncode:
        last = (probe.stderr.strip().splitlines() or ["no output"])[-1]
        die(
            f"Odoo 18.0 is required but `import odoo` fails for {sys.executable}.\n"
            "  Install Odoo 18.0 Community into it (pip install -e <odoo-src>), or "
            "point the commands at a source tree:\n  PYTHONPATH=/path/to/odoo-18.0 "
            f"{Path(sys.executable).name} scripts/dev.py ...\n  ({last})"
        )
    serie, release_file = probe.stdout.split()
    if serie != "18.0":
        die(f"Odoo 18.0 is required, found {serie} at {release_file}.")
    return Path(release_file).parent


def install_requirements():
    from packaging.requirements import Requirement

    missing = []
    lines = (ROOT / "requirements.txt").read_text().splitlines()
    for line in [x.split("#")[0].strip() for x in lines] + list(TOOLS):
        req = Requirement(line) if line else None
        if not req or (req.marker and not req.marker.evaluate()):
            continue
        try:
            if not req.specifier.contains(metadata.version(req.name), True):
                missing.append(line)
        except metadata.PackageNotFoundError:
            missing.append(line)
    if any(re.match(r"odoo\W", m) for m in missing):
        die("Odoo 18.0 is installed in an unexpected version; see requirements.txt.")
    if missing:
        if any(m.lower().startswith("rlpycairo") for m in missing):
            require("pkg-config")
        say(f"installing Python requirements: {', '.join(missing)}")
        pip = [sys.executable, "-m", "pip", "install", "-q", *missing]
        subprocess.run(pip, check=True)


def require(*commands):
    """Install the Debian packages of missing commands (as root), or stop."""
    found = {
        c: any(map(shutil.which, CHROMIUM if c == "chromium" else [c]))
        for c in commands
    }
    missing = [c for c in commands if not found[c]]
    packages = " ".join(DEBIAN[c][0] for c in missing).split()
    if missing and os.geteuid() == 0 and shutil.which("apt-get"):
        say(f"installing Debian's {' '.join(packages)} ({DEBIAN[missing[0]][1]})")
        env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
        subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)
        apt = ["apt-get", "install", "-y", "-qq", *packages]
        subprocess.run(apt, check=True, env=env, stdout=subprocess.DEVNULL)
        return require(*missing)
    if missing:
        die(f"{', '.join(missing)} required: apt-get install {' '.join(packages)}")


class Postgres:
    """The user's own server (PGHOST) or a private cluster in .local/postgres."""

    def __init__(self):
        self.started, self.os_user = False, None
        self.external = bool(os.environ.get("PGHOST"))
        env = os.environ
        self.host = env.get("PGHOST")
        self.port = env.get("PGPORT", "5432") if self.external else "54329"
        self.user = env.get("PGUSER", "odoo") if self.external else "odoo"
        self.password = env.get("PGPASSWORD", "") if self.external else ""
        base = LOCAL / "postgres"
        if not self.external and os.geteuid() == 0:
            # initdb refuses root: the cluster belongs to `postgres`, which must be
            # able to reach its folder (not the case under /root, say).
            self.os_user = "postgres"
            if subprocess.run(["id", "-u", "postgres"], capture_output=True).returncode:
                subprocess.run(["useradd", "--system", "--no-create-home", "postgres"])
            if self.owner_run(
                ["test", "-x", str(ROOT)], capture_output=True
            ).returncode:
                base = Path("/var/tmp") / f"{MODULE}-{digest(ROOT)}"
        self.data = base / "data"
        if not self.external:
            socket_dir = base / "socket"  # Unix socket paths are limited to ~107 bytes
            short = Path(f"/tmp/{MODULE}-{digest(base)}")
            self.host = str(socket_dir if len(str(socket_dir)) < 90 else short)
            self.base = base

    def owner_run(self, cmd, **kw):
        if self.os_user:
            cmd = ["runuser", "-u", self.os_user, "--", *cmd]
        return subprocess.run(cmd, check=kw.pop("check", False), **kw)

    def start(self):
        if self.external:
            return say(f"using your PostgreSQL server at {self.host}:{self.port}")
        if not (shutil.which("initdb") and shutil.which("pg_ctl")):
            die("PostgreSQL server binaries are required (initdb, pg_ctl on PATH).")
        for path in (self.base, Path(self.host), self.data):
            path.mkdir(parents=True, exist_ok=True)
            if self.os_user:
                shutil.chown(path, self.os_user)
            path.chmod(0o700)
        quiet = {"check": True, "stdout": subprocess.DEVNULL}
        if not (self.data / "PG_VERSION").exists():
            say(f"creating a private PostgreSQL cluster in {self.data}")
            cmd = ["initdb", "-D", self.data, "-U", self.user, "--auth=trust", "-E"]
            self.owner_run([*map(str, cmd), "UTF8", "--locale=C.UTF-8"], **quiet)
        ctl = ["pg_ctl", "-D", str(self.data)]
        if not self.owner_run([*ctl, "status"], capture_output=True).returncode:
            return say("private PostgreSQL cluster already running; reusing it")
        opts = f"-k {self.host} -p {self.port} -c listen_addresses='' -c fsync=off"
        log = str(self.data / "server.log")
        self.owner_run([*ctl, "-l", log, "-o", opts, "-w", "start"], **quiet)
        self.started = True
        atexit.register(self.stop)

    def stop(self):
        if self.started:
            self.started = False
            ctl = ["pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop"]
            self.owner_run(ctl, stdout=subprocess.DEVNULL)
            say("private PostgreSQL cluster stopped")

    def psql(self, dbname, sql):
        env = dict(os.environ, PGHOST=self.host, PGPORT=self.port, PGUSER=self.user)
        env["PGPASSWORD"] = self.password
        cmd = ["psql", "-X", "-qtA", "-d", dbname, "-c", sql]
        res = subprocess.run(cmd, capture_output=True, text=True, env=env)
        return res.stdout.strip() if res.returncode == 0 else None

    def installed(self, dbname, module=MODULE):
        sql = f"SELECT state FROM ir_module_module WHERE name = '{module}'"
        return self.psql(dbname, sql) == "installed"


def digest(path):
    return hashlib.sha1(str(path).encode()).hexdigest()[:10]


# The addons path's entry for this repository, outside it: a link to the repository
# inside it would be a loop for Odoo's walks over the module's folder (i18n export).
LINKS = Path(tempfile.gettempdir()) / f"{MODULE}-addons-{digest(ROOT)}"


def setup(*commands):
    """Everything a command needs: Odoo, requirements, Debian tools, the database
    server, and the Odoo configuration file all the tools read (.local/odoo.conf)."""
    odoo_pkg = require_odoo()
    install_requirements()
    require(*commands)
    pg = Postgres()
    pg.start()
    links = LINKS
    links.mkdir(parents=True, exist_ok=True)
    if not (links / MODULE).is_symlink():
        (links / MODULE).symlink_to(ROOT, target_is_directory=True)
    paths = [links, odoo_pkg.parent / "addons", odoo_pkg / "addons"]
    pg.addons_path = addons = ",".join(str(p) for p in paths if p.is_dir())
    LOCAL.mkdir(exist_ok=True)
    CONF.write_text(
        f"[options]\naddons_path = {addons}\ndata_dir = {LOCAL / 'filestore'}\n"
        f"db_host = {pg.host}\ndb_port = {pg.port}\ndb_user = {pg.user}\n"
        f"db_password = {pg.password or 'False'}\n"
    )
    return pg


def odoo(*args):
    return [sys.executable, "-m", "odoo", "server", "-c", str(CONF), *args]


def tool(name, *args):
    """A click-odoo-contrib command, on this interpreter and configuration."""
    return [sys.executable, "-m", f"click_odoo_contrib.{name}", "-c", str(CONF), *args]


def run(cmd, log_file=os.devnull, on_line=None, check=False, **kw):
    """Run a command, echo and log its output; return (returncode, output lines)."""
    pipe = {"stdout": subprocess.PIPE, "stderr": subprocess.STDOUT, "text": True}
    proc = subprocess.Popen(cmd, **pipe, **kw)
    lines = []
    with open(log_file, "a") as log:
        try:
            for line in proc.stdout:
                lines.append(line)
                sys.stdout.write(line)
                log.write(line)
                if on_line:
                    on_line(line)
        except SystemExit:  # SIGTERM reached this command only: pass it on to Odoo
            proc.terminate()
            raise
        finally:  # Ctrl-C reached Odoo too: wait for its clean shutdown
            proc.wait()
    if check and proc.returncode:
        die(f"{' '.join(map(str, cmd[:4]))}... failed (exit {proc.returncode})", 1)
    return proc.returncode, lines


def drop(dbname):
    """Drop a database and its filestore, if there is one (click-odoo-dropdb)."""
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    return subprocess.run(tool("dropdb", "--if-exists", dbname), **quiet).returncode


def with_addon(pg, dbname, log_file, *odoo_args, update=True, extras=()):
    """Install the addon on ``dbname``: a database of its dependencies from the cached
    templates then ``-i``; or, when it is installed, only update it if its files changed
    (``update``) or with ``-u``. Return the Odoo command's (returncode, lines)."""
    if pg.installed(dbname):
        if not update:
            return run(odoo("-d", dbname, "-u", MODULE, *odoo_args), log_file)
        # The checksum must not read the cluster, filestore or git in the repository.
        excludes = "*.pyc,*.pyo,i18n/*.pot,static/*,.*,scripts/*,tests/*"
        pg.psql(dbname, "INSERT INTO ir_config_parameter (key, value) VALUES ("
                "'module_auto_update.exclude_patterns', '" + excludes + "') "
                "ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value")  # fmt: skip
        return run(tool("update", "-d", dbname), log_file)
    manifest = ast.literal_eval((ROOT / "__manifest__.py").read_text())
    deps = ",".join(manifest["depends"] + list(extras))
    initdb = tool("initdb", "-n", dbname, "-m", deps, "--cache-prefix", "ahs")
    run([*initdb, "--unless-initialized"], log_file, check=True)
    return run(odoo("-d", dbname, "-i", MODULE, *odoo_args), log_file)


DEMO_FAILED_RE = re.compile(r"Module (\S+) demo data failed to install")


def serve(args):
    pg = setup("wkhtmltopdf")
    say(f"preparing the demo database {DEMO_DB} with {MODULE} and demo data")
    rc, lines = with_addon(pg, DEMO_DB, os.devnull, "--stop-after-init")
    if rc or any(map(DEMO_FAILED_RE.search, lines)):
        drop(DEMO_DB)
        die(f"Odoo could not prepare the demo database {DEMO_DB} (exit {rc}).", rc or 1)
    banner = f"Odoo is ready at http://localhost:{args.port}  --  login: admin  "
    banner += "password: admin  (Ctrl-C stops it)"

    def announce(line):
        if "HTTP service (werkzeug) running" in line:
            say(banner)

    http = [f"--http-port={args.port}", "--http-interface=127.0.0.1"]
    run(odoo("-d", DEMO_DB, f"--db-filter=^{DEMO_DB}$", *http), on_line=announce)


# ---------------------------------------------------------------------------- tests
RESULT_RE = re.compile(r"(\d+) failed, (\d+) error\(s\) of (\d+) tests when loading")
FAILED_TEST_RE = re.compile(r" ERROR \S+ \S+: (?:FAIL|ERROR): (?:Subtest )?(\S+)")
SKIP_RE = re.compile(r" INFO \S+ (\S+): skipped (.*)$")
STARTED_TEST_RE = re.compile(r" INFO \S+ odoo\.addons\.\S+: Starting (\S+) \.\.\.")


def summarize(lines):
    """(tests run, tests failed) from Odoo's log, or None when no test ran."""
    totals = [m.groups() for m in map(RESULT_RE.search, lines) if m]
    if totals:
        failed, errors, ran = map(int, totals[-1])
    else:  # --test-file prints no totals: count the tests it started.
        started = {m[1] for m in map(STARTED_TEST_RE.search, lines) if m}
        if not started:
            return None
        failed, errors, ran = 0, 0, len(started)
    # Odoo counts each failing subtest; the summary counts tests.
    failed_tests = {m.group(1) for m in map(FAILED_TEST_RE.search, lines) if m}
    return ran, len(failed_tests) or failed + errors


def free_port():
    """A free TCP port for the tours' HTTP server: several runs may share a machine."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test(args):
    if args.with_oca:  # the OCA helpdesk addons beside this one: scripts/with_oca.py
        import with_oca

        with_oca.enter_venv()
    extra_modules = TEST_EXTRA_MODULES + (with_oca.MODULES if args.with_oca else ())
    pg = setup("chromium", "wkhtmltopdf", "pdftotext")
    dbname = args.db or f"after_sales_test_{os.getpid()}"
    log_file = LOCAL / "test.log"
    log_file.write_text("")
    tags = f"/{MODULE}" + (f":{args.only}" if args.only else "")
    if args.with_oca:
        tags += f",{with_oca.TAG}{tags}"
    # --test-file: a core test file (Odoo's stock tests, say) with the addon installed
    selection = (
        f"--test-file={args.test_file}" if args.test_file else f"--test-tags={tags}"
    )
    say(f"running {args.test_file or tags} on {dbname} (log: {log_file})")
    started = time.time()
    odoo_args = ["--stop-after-init", "--log-level=test", "--max-cron-threads=0"]
    odoo_args += [selection, f"--http-port={free_port()}"]
    extras = [m for m in extra_modules if not pg.installed(dbname, m)]
    if extras and pg.installed(dbname):  # -i on the addon would reload its data
        odoo_args += ["-i", ",".join(extras)]
    rc, lines = with_addon(
        pg, dbname, log_file, *odoo_args, update=False, extras=extra_modules
    )
    counts = summarize(lines)
    if not args.test_file and (not args.only or args.only.startswith("TestUninstall")):
        more = uninstall_test(pg, dbname, log_file)
        counts = [a + b for a, b in zip(counts or (0, 0), more, strict=True)]
    core = None if args.test_file or args.only else core_tests(pg, dbname, log_file)
    if core and counts:
        counts = [counts[0] + core[0], counts[1] + core[1]]
    if args.with_oca and counts and not (args.only or args.test_file):
        oca = with_oca.compare(sys.modules[__name__], dbname, args.keep or args.db)
        counts = [counts[0] + oca[0], counts[1] + oca[1]]
    if not (args.keep or args.db):
        drop(dbname)
    if counts and not (args.no_lint or args.test_file):
        checks = run_checks(log_file)
        counts = [counts[0] + checks[0], counts[1] + checks[1]]
    pg.stop()  # now, not at exit: the summary stays the last line
    if counts is None:
        say(f"Odoo ended (exit {rc}) without running the tests; see {log_file}")
        sys.stdout.write("0 passed, 1 failed, 0 skipped\n")
        return 1
    ran, failed = counts
    # A skipped test counts as failed: Odoo skips browser tours (no Chromium or
    # websocket-client) and still exits 0. Failed demo data count too: Odoo only warns.
    skips = [m.group(2) for m in map(SKIP_RE.search, lines) if m]
    for skip in skips:
        say(f"SKIPPED (counted as failed): {skip}")
    for module in {m.group(1) for m in map(DEMO_FAILED_RE.search, lines) if m}:
        say(f"demo data of {module} failed to install (counted as failed)")
        failed += 1
    if rc and not failed:
        say(f"Odoo exited {rc} although no test failed; see {log_file}")
        failed += 1
    if ran == 0:
        say("no test ran")
        failed += 1
    say(f"{time.time() - started:.0f}s")
    known = core[2] if core else 0
    if core:  # before the summary, which CI reads as the plain closing line
        say(f"{known} known red, listed above: red without the addon too")
    passed = max(ran - failed - len(skips) - known, 0)
    out = f"{passed} passed, {failed + len(skips)} failed, {len(skips)} skipped"
    sys.stdout.write(out + "\n")
    return 1 if (failed or skips) else 0


# Odoo's own tests of the models the addon overrides, run after the addon's suite on its
# database (the addon installed): what the addon changes must not break them.
CORE_TEST_FILES = (
    "project/tests/test_project_sharing.py",
    "project/tests/test_portal.py",
    "stock/tests/test_stock_return_picking.py",
    "account/tests/test_account_move_out_refund.py",
    # Sales invoicing and refunds, whose credit notes the Refund wizard makes by line.
    "sale/tests/test_sale_to_invoice.py",
    "sale/tests/test_sale_refund.py",
    "repair/tests/test_repair.py",
    "sale_loyalty/tests/test_loyalty.py",
    "helpdesk_mgmt/tests/test_helpdesk_portal.py",
    # OCA's product_warranty, whose duration the ticket's warranty counts with.
    "product_warranty/tests/test_product_warranty.py",
)
# Red or skipped on this Odoo snapshot without the addon too (the same modules and demo
# data, plain Odoo): reported as KNOWN, counted neither passed nor failed. Any other red
# or skip fails the run.
KNOWN_RED = {
    # project/tests/test_portal.py: the share wizard of this snapshot gives the project
    # an access token but not its tasks, which the test expects.
    "TestPortalProject.test_reset_access_token_when_privacy_visibility_changes": (
        "the share wizard does not give the tasks an access token"
    ),
    # sale/tests/test_sale_to_invoice.py: skips itself unless Enterprise's
    # account_accountant is installed.
    "TestSaleToInvoice.test_partial_invoicing_interaction_with_invoicing_switch_"
    "threshold": "skipped: account_accountant (Enterprise) is not installed",
    # repair/tests/test_repair.py: skips itself unless sale_margin is installed.
    "TestRepair.test_purchase_price_so_create_from_repair": (
        "skipped: sale_margin is not installed"
    ),
}
# Odoo's --test-file runs one file (at_install tests included, which --test-tags would
# run before the addon is loaded): this runs each file of its first argument in the same
# process, so that the registry is loaded once.
TEST_FILES_RUNNER = """import sys
from odoo.cli.command import main
from odoo.service import server
files, run_file = sys.argv.pop(1).split(","), server.load_test_file_py
server.load_test_file_py = lambda registry, _: [run_file(registry, f) for f in files]
main()
"""
TEST_FILE_RE = re.compile(r": running tests odoo\.addons\.(\S+)\.\s*$")


def test_files(dbname, paths, log_file):
    """Test files of Odoo modules (``<module>/tests/test_x.py`` paths) on ``dbname``,
    in one Odoo process. Return Odoo's exit code and, per file given, (tests run or None
    when none started, names of the tests red: failed or skipped, seconds)."""
    per_file = {}  # "<module>/tests/test_x.py" -> [time its tests started, log lines]
    current = []  # the registry's loading

    def split(line):
        nonlocal current
        found = TEST_FILE_RE.search(line)
        if found:
            rel = found.group(1).replace(".", "/") + ".py"
            current = per_file.setdefault(rel, [time.time(), []])[1]
        current.append(line)

    cmd = odoo("-d", dbname, f"--test-file={paths[0]}", "--stop-after-init")
    cmd += ["--log-level=test", "--max-cron-threads=0", f"--http-port={free_port()}"]
    runner = [sys.executable, "-c", TEST_FILES_RUNNER, ",".join(map(str, paths))]
    rc, _lines = run([*runner, *cmd[3:]], log_file, on_line=split)
    ends = [begun for begun, _lines in per_file.values()][1:] + [time.time()]
    results = {}
    for path in map(Path, paths):
        rel = f"{path.parent.parent.name}/tests/{path.name}"
        begun, lines = per_file.get(rel, [0, []])
        counts = summarize(lines)
        red = {m.group(1) for m in map(FAILED_TEST_RE.search, lines) if m}
        red |= {m.group(2).split()[0] for m in map(SKIP_RE.search, lines) if m}
        took = ends[list(per_file).index(rel)] - begun if rel in per_file else 0
        results[rel] = (counts and counts[0], red, took)
    return rc, results


def core_tests(pg, dbname, log_file):
    """CORE_TEST_FILES on the suite's database, and each file's result.
    Return (tests run, tests failed, KNOWN red tests)."""
    # Where Odoo finds modules: the addons path, and the odoo/addons folders on sys.path
    # (pip-installed addons such as helpdesk_mgmt).
    roots = [Path(p) for p in pg.addons_path.split(",")]
    roots += [Path(p, "odoo", "addons") for p in sys.path if p]
    paths = [
        next((root / rel for root in roots if (root / rel).is_file()), Path(rel))
        for rel in CORE_TEST_FILES
    ]
    say(f"running Odoo's own tests of what {MODULE} extends, on {dbname}")
    rc, results = test_files(dbname, paths, log_file)
    totals = [0, 0, 0]
    for rel, (ran, red, took) in results.items():
        known = red & KNOWN_RED.keys()
        failed = len(red - known) or int(ran is None)  # no test started: one failure
        ran = ran or 1
        totals = [totals[0] + ran, totals[1] + failed, totals[2] + len(known)]
        say(
            f"core {rel}: {ran - failed - len(known)} passed, {failed} failed, "
            f"{len(known)} known red ({took:.0f}s)"
        )
        for name in sorted(red - known):
            say(f"  FAILED: {name}")
        for name in sorted(known):
            say(f"  KNOWN red (also without {MODULE}): {name}: {KNOWN_RED[name]}")
    if rc and not (totals[1] or totals[2]):
        say(f"Odoo exited {rc} although no core test failed (counted as failed)")
        totals[1] += 1
    return tuple(totals)


UNINSTALL_TEST = ROOT / "tests" / "test_uninstall.py"


def uninstall_test(pg, dbname, log_file):
    """tests/test_uninstall.py uninstalls the addon, which Odoo forbids inside its test
    runner: it runs here, in its own process, on a copy of the suite's database.
    Return (tests run, tests failed)."""
    copy = f"{dbname}_uninstall"
    if pg.psql("postgres", f"SELECT 1 FROM pg_database WHERE datname = '{copy}'"):
        drop(copy)  # left by an interrupted run
    if run(tool("copydb", dbname, copy), log_file)[0]:
        return 1, 1
    say(f"running {UNINSTALL_TEST.relative_to(ROOT)} on {copy}")
    env = dict(os.environ, HELPDESK_AFTER_SALES_UNINSTALL_DB=copy)
    cmd = [sys.executable, "-m", "click_odoo", "-c", str(CONF), "--log-level=warn"]
    rc, lines = run([*cmd, UNINSTALL_TEST], log_file, env=env)
    output = "".join(lines)
    drop(copy)
    ran = re.search(r"^Ran (\d+) tests?", output, re.MULTILINE)
    failed = re.search(r"^FAILED \((.*)\)", output, re.MULTILINE)
    failures = sum(map(int, re.findall(r"=(\d+)", failed.group(1)))) if failed else 0
    return (int(ran.group(1)), failures or int(bool(rc))) if ran else (1, 1)


def pot(args):
    """Install or update the addon on a kept database, export i18n/<addon>.pot and merge
    it into each language's catalogue (msgmerge; vanished entries dropped)."""
    pg = setup("msgmerge")
    if with_addon(pg, args.db, os.devnull, "--stop-after-init")[0]:
        die(f"Odoo could not install/update {MODULE} on {args.db}.", 1)
    opts = ["--msgmerge", "--no-fuzzy-matching", "--purge-old-translations"]
    run(
        tool("makepot", "-d", args.db, "--addons-dir", str(LINKS), "-m", MODULE, *opts),
        check=True,
    )
    import polib

    for po in sorted((ROOT / "i18n").glob("*.po")):
        missing = len(polib.pofile(str(po)).untranslated_entries())
        say(f"i18n/{po.name}: {missing} entries to translate")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p_serve = sub.add_parser("serve", help="start Odoo on the demo database")
    p_serve.add_argument("--port", type=int, default=8069)
    p_test = sub.add_parser("test", help="run the whole test suite")
    p_test.add_argument("--only", help="a test class or method, e.g. TestTeamSettings")
    p_test.add_argument("--keep", action="store_true", help="keep the test database")
    p_test.add_argument("--test-file", help="run this test file (Odoo's own) instead")
    p_test.add_argument("--db", help="a kept database: installed first, then updated")
    oca_help = "with OCA's other helpdesk addons, in .local/venv-oca (see README)"
    p_test.add_argument("--with-oca", action="store_true", help=oca_help)
    p_test.add_argument("--no-lint", action="store_true", help="skip scripts/lint.py")
    p_pot = sub.add_parser("pot", help="regenerate i18n/*.pot, merge it into the .po")
    p_pot.add_argument("--db", required=True, help="a kept database to export from")
    args = parser.parse_args()
    # SIGTERM ends the command like Ctrl-C: Odoo stops, then the private cluster.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    try:
        sys.exit({"serve": serve, "test": test, "pot": pot}[args.command](args))
    except KeyboardInterrupt:
        sys.exit(130)


if __name__ == "__main__":
    main()
