#!/usr/bin/env python3
"""Run the helpdesk_after_sales demo or its test suite on this machine.

    python3 scripts/dev.py serve   # demo database with the addon, at http://localhost:8069
    python3 scripts/dev.py test    # whole suite on a throwaway database, ends "N passed, N failed"

Odoo 18.0 must be importable by this python3 (``python3 -c "import odoo"``).
The database server is a private PostgreSQL cluster kept in ``.local/`` (Unix socket only),
created on first use and stopped on exit, unless PGHOST points at a server of your own
(PGPORT, PGUSER and PGPASSWORD are then honoured as usual).
"""

import argparse
import atexit
import hashlib
import json
import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from lint import run_checks  # scripts/lint.py: OCA's checks, wheel, log

ROOT = Path(__file__).resolve().parent.parent
MODULE = "helpdesk_after_sales"
LOCAL = ROOT / ".local"
DEMO_DB = "after_sales_demo"
PG_PORT = 54329
DB_USER = "odoo"
# Installed beside the addon in test databases, never a dependency of it: the coupons'
# share link (/coupon/<code>) belongs to eCommerce, and the tests follow it for real.
TEST_EXTRA_MODULES = ("website_sale_loyalty",)


def say(msg):
    print(f"[dev] {msg}", flush=True)


def die(msg, code=2):
    print(f"[dev] ERROR: {msg}", file=sys.stderr, flush=True)
    sys.exit(code)


# ---------------------------------------------------------------------------
# prerequisites
def require_odoo():
    """Stop at once, loudly, when Odoo 18.0 is not importable: nothing here works without it."""
    probe = subprocess.run(
        [sys.executable, "-c", "import odoo.release as r; print(r.serie, r.__file__)"],
        capture_output=True,
        text=True,
        check=False,
    )
    if probe.returncode != 0:
        die(
            "Odoo 18.0 is required but `import odoo` fails for "
            f"{sys.executable}.\n"
            "  Install Odoo 18.0 Community into this interpreter (pip install -e <odoo-src>),\n"
            "  or point the commands at a source tree: PYTHONPATH=/path/to/odoo-18.0 "
            f"{Path(sys.executable).name} scripts/dev.py ...\n"
            f"  ({probe.stderr.strip().splitlines()[-1] if probe.stderr.strip() else 'no output'})"
        )
    serie, release_file = probe.stdout.split()
    if serie != "18.0":
        die(f"Odoo 18.0 is required, found {serie} at {release_file}.")
    return Path(release_file).parent


def missing_requirements():
    from importlib import metadata

    try:
        from packaging.requirements import Requirement
    except ImportError:  # pip always carries a copy
        from pip._vendor.packaging.requirements import Requirement

    missing = []
    for line in (ROOT / "requirements.txt").read_text().splitlines():
        line = line.split("#")[0].strip()
        if not line:
            continue
        req = Requirement(line)
        if req.marker and not req.marker.evaluate():
            continue
        try:
            version = metadata.version(req.name)
        except metadata.PackageNotFoundError:
            missing.append(line)
            continue
        if req.specifier and not req.specifier.contains(version, prereleases=True):
            missing.append(line)
    return missing


def install_requirements():
    missing = missing_requirements()
    if not missing:
        return
    if any(
        m.lower().startswith("odoo") and not m.lower().startswith("odoo-")
        for m in missing
    ):
        die("Odoo 18.0 is installed in an unexpected version; see requirements.txt.")
    if any(m.lower().startswith("rlpycairo") for m in missing):
        require_cairo_headers()
    say(f"installing Python requirements: {', '.join(missing)}")
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", *missing], check=True)


def require_cairo_headers():
    """reportlab 4 draws PNG barcodes (coupon e-mails) through rlPyCairo, whose pycairo is
    built against the system's cairo."""
    probe = ["pkg-config", "--exists", "cairo"]
    if (
        shutil.which("pkg-config")
        and subprocess.run(probe, check=False).returncode == 0
    ):
        return
    apt_install(["libcairo2-dev", "pkg-config"], "cairo's headers to build pycairo")
    if subprocess.run(probe, check=False).returncode != 0:
        die("pycairo needs cairo's headers: apt-get install libcairo2-dev pkg-config")


def apt_install(packages, why):
    if os.geteuid() == 0 and shutil.which("apt-get"):
        say(f"installing Debian's {' '.join(packages)} ({why})")
        env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
        subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)
        subprocess.run(
            ["apt-get", "install", "-y", "-qq", *packages],
            check=True,
            env=env,
            stdout=subprocess.DEVNULL,
        )


def find_chromium():
    for name in (
        "chromium",
        "chromium-browser",
        "google-chrome",
        "google-chrome-stable",
    ):
        path = shutil.which(name)
        if path:
            return path
    return None


def require_chromium():
    """Browser tours need Chromium; without it Odoo would skip them and still succeed."""
    if find_chromium():
        return
    apt_install(["chromium"], "for the browser tests")
    if not find_chromium():
        die("Chromium is required for the browser tests: apt-get install chromium")


# Debian packages behind the commands the worksheet PDF needs: Odoo prints with
# wkhtmltopdf, and the tests read the printed text back with pdftotext.
PDF_TOOLS = {"wkhtmltopdf": "wkhtmltopdf", "pdftotext": "poppler-utils"}


def require_pdf_tools(commands):
    missing = [cmd for cmd in commands if not shutil.which(cmd)]
    if not missing:
        return
    apt_install([PDF_TOOLS[cmd] for cmd in missing], "to print worksheet PDFs")
    still = [cmd for cmd in missing if not shutil.which(cmd)]
    if still:
        packages = " ".join(PDF_TOOLS[cmd] for cmd in still)
        die(
            f"{', '.join(still)} required for the worksheet PDF: apt-get install {packages}"
        )


# --------------------------------------------------------------------------- PostgreSQL
class Postgres:
    """Connection settings: the user's own server (PGHOST) or a private embedded cluster."""

    def __init__(self):
        self.external = bool(os.environ.get("PGHOST"))
        self.started = False
        if self.external:
            self.host = os.environ["PGHOST"]
            self.port = os.environ.get("PGPORT", "5432")
            self.user = os.environ.get("PGUSER", DB_USER)
            self.password = os.environ.get("PGPASSWORD", "")
            return
        self.port = str(PG_PORT)
        self.user = DB_USER
        self.password = ""
        self.os_user = None
        base = LOCAL / "postgres"
        if os.geteuid() == 0:
            # initdb refuses to run as root: the cluster belongs to the `postgres`
            # account, which must be able to reach its folder (not the case under /root,
            # say).
            self.os_user = "postgres"
            self._ensure_os_user()
            if not self._reachable(base):
                digest = hashlib.sha1(str(ROOT).encode()).hexdigest()[:10]
                base = Path("/var/tmp") / f"{MODULE}-{digest}"
        self.data = base / "data"
        self.host = str(base / "socket")
        if len(self.host) > 90:  # Unix socket paths are limited to ~107 bytes
            digest = hashlib.sha1(str(base).encode()).hexdigest()[:10]
            self.host = f"/tmp/{MODULE}-{digest}"
        self.base = base

    def _ensure_os_user(self):
        try:
            pwd.getpwnam(self.os_user)
        except KeyError:
            subprocess.run(
                ["useradd", "--system", "--no-create-home", self.os_user], check=True
            )

    def _reachable(self, path):
        """The cluster owner must be able to traverse every folder above its own."""
        probe = path.parent
        while not probe.exists():
            probe = probe.parent
        return (
            subprocess.run(
                ["runuser", "-u", self.os_user, "--", "test", "-x", str(probe)],
                capture_output=True,
                check=False,
            ).returncode
            == 0
        )

    def _as_owner(self, cmd, **kw):
        if self.os_user:
            cmd = ["runuser", "-u", self.os_user, "--", *cmd]
        return subprocess.run(cmd, check=kw.pop("check", False), **kw)

    def _make_dir(self, path):
        path.mkdir(parents=True, exist_ok=True)
        if self.os_user:
            shutil.chown(path, self.os_user)
        path.chmod(0o700)

    def start(self):
        if self.external:
            say(
                f"using your PostgreSQL server at {self.host}:{self.port} as {self.user}"
            )
            return
        for tool in ("initdb", "pg_ctl"):
            if not shutil.which(tool):
                die(
                    f"PostgreSQL server binaries are required ({tool} not found on PATH)."
                )
        self._make_dir(self.base)
        self._make_dir(Path(self.host))
        if not (self.data / "PG_VERSION").exists():
            say(f"creating a private PostgreSQL cluster in {self.data}")
            self._make_dir(self.data)
            self._as_owner(
                [
                    "initdb",
                    "-D",
                    str(self.data),
                    "-U",
                    DB_USER,
                    "--auth=trust",
                    "-E",
                    "UTF8",
                    "--locale=C.UTF-8",
                ],
                check=True,
                stdout=subprocess.DEVNULL,
            )
        status = self._as_owner(
            ["pg_ctl", "-D", str(self.data), "status"], capture_output=True
        )
        if status.returncode == 0:
            say("private PostgreSQL cluster already running; reusing it")
            return
        options = f"-k {self.host} -p {self.port} -c listen_addresses='' -c fsync=off"
        self._as_owner(
            [
                "pg_ctl",
                "-D",
                str(self.data),
                "-l",
                str(self.data / "server.log"),
                "-o",
                options,
                "-w",
                "start",
            ],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        self.started = True
        atexit.register(self.stop)

    def stop(self):
        if self.started:
            self.started = False
            self._as_owner(
                ["pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop"],
                stdout=subprocess.DEVNULL,
            )
            say("private PostgreSQL cluster stopped")

    def odoo_args(self):
        args = [
            f"--db_host={self.host}",
            f"--db_port={self.port}",
            f"--db_user={self.user}",
        ]
        if self.password:
            args.append(f"--db_password={self.password}")
        return args

    def psql(self, dbname, sql):
        env = dict(os.environ, PGHOST=self.host, PGPORT=self.port, PGUSER=self.user)
        if self.password:
            env["PGPASSWORD"] = self.password
        return subprocess.run(
            ["psql", "-X", "-qtA", "-d", dbname, "-c", sql],
            capture_output=True,
            text=True,
            env=env,
            check=False,
        )


# --------------------------------------------------------------------------- Odoo
def addons_path(odoo_pkg):
    """Odoo's own addons, pip-installed OCA addons, and this repository under its module name."""
    # Outside the repository: a link to the repository inside it would be a loop for
    # Odoo's walks over the module's folder (translation export, for one).
    digest = hashlib.sha1(str(ROOT).encode()).hexdigest()[:10]
    link_dir = Path(tempfile.gettempdir()) / f"{MODULE}-addons-{digest}"
    link_dir.mkdir(parents=True, exist_ok=True)
    link = link_dir / MODULE
    if not (link.is_symlink() and link.resolve() == ROOT):
        if link.is_symlink() or link.exists():
            link.unlink()
        link.symlink_to(ROOT, target_is_directory=True)
    paths = [str(link_dir)]
    source_addons = odoo_pkg.parent / "addons"
    if source_addons.is_dir():
        paths.append(str(source_addons))
    paths.append(str(odoo_pkg / "addons"))
    return ",".join(paths)


def odoo_cmd(pg, odoo_pkg, *args):
    return [
        sys.executable,
        "-m",
        "odoo",
        "server",
        f"--addons-path={addons_path(odoo_pkg)}",
        *pg.odoo_args(),
        f"--data-dir={LOCAL / 'filestore'}",
        *args,
    ]


def run_odoo(cmd, log_file=os.devnull, on_line=None):
    """Run Odoo, echo its output, return (returncode, output lines)."""
    lines = []
    proc = subprocess.Popen(
        cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    with open(log_file, "w") as log:
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
        finally:  # on Ctrl-C the terminal signalled Odoo too: wait for its clean shutdown
            proc.wait()
    return proc.returncode, lines


def module_installed(pg, dbname, module=MODULE):
    res = pg.psql(
        dbname,
        f"SELECT state FROM ir_module_module WHERE name = '{module}'",
    )
    return res.returncode == 0 and res.stdout.strip() == "installed"


def serve(args):
    odoo_pkg = require_odoo()
    install_requirements()
    require_pdf_tools(["wkhtmltopdf"])
    pg = Postgres()
    pg.start()
    if module_installed(pg, DEMO_DB):
        say(f"updating {MODULE} in the demo database {DEMO_DB}")
        init = ["-u", MODULE]
    else:
        say(
            f"creating the demo database {DEMO_DB} with {MODULE} and demo data (a few minutes)"
        )
        init = ["-i", MODULE]
    rc, lines = run_odoo(
        odoo_cmd(pg, odoo_pkg, "-d", DEMO_DB, *init, "--stop-after-init")
    )
    if rc or any(DEMO_FAILED_RE.search(line) for line in lines):
        pg.psql("postgres", f'DROP DATABASE IF EXISTS "{DEMO_DB}"')
        die(
            f"Odoo could not prepare the demo database {DEMO_DB} (exit {rc}); see above.",
            rc or 1,
        )
    url = f"http://localhost:{args.port}"
    banner = (
        f"Odoo is ready at {url}  --  login: admin  password: admin  (Ctrl-C stops it)"
    )

    def announce(line):
        if "HTTP service (werkzeug) running" in line:
            say(banner)

    run_odoo(
        odoo_cmd(
            pg,
            odoo_pkg,
            "-d",
            DEMO_DB,
            f"--db-filter=^{DEMO_DB}$",
            f"--http-port={args.port}",
            "--http-interface=127.0.0.1",
        ),
        on_line=announce,
    )
    return 0


# --------------------------------------------------------------------------- tests
RESULT_RE = re.compile(
    r"(\d+) failed, (\d+) error\(s\) of (\d+) tests when loading database"
)
FAILED_TEST_RE = re.compile(r" ERROR \S+ \S+: (?:FAIL|ERROR): (?:Subtest )?(\S+)")
SKIP_RE = re.compile(r" INFO \S+ (\S+): skipped (.*)$")
DEMO_FAILED_RE = re.compile(r"Module (\S+) demo data failed to install")
STARTED_TEST_RE = re.compile(r" INFO \S+ odoo\.addons\.\S+: Starting (\S+) \.\.\.")


def summarize(lines):
    """Counts from Odoo's log. A skipped test counts as failed: Odoo skips browser tours
    (missing Chromium or websocket-client) and still exits 0, which would hide them."""
    match = None
    for line in lines:
        found = RESULT_RE.search(line)
        if found:
            match = found
    skips = [m.group(2) for m in map(SKIP_RE.search, lines) if m]
    if match is not None:
        failed, errors, run = (int(g) for g in match.groups())
    else:
        # --test-file prints no totals: count the tests it started.
        started = {m.group(1) for m in map(STARTED_TEST_RE.search, lines) if m}
        if not started:
            return None, skips
        failed, errors, run = 0, 0, len(started)
    # Odoo counts each failing subtest; the summary counts tests.
    failed_tests = {m.group(1) for m in map(FAILED_TEST_RE.search, lines) if m}
    return (run, len(failed_tests) or failed + errors), skips


def free_port():
    """A free TCP port for the tours' HTTP server: several test runs may share a machine."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test(args):
    if args.with_oca:  # the OCA helpdesk addons beside this one: scripts/with_oca.py
        import with_oca

        with_oca.enter_venv()
    extra_modules = TEST_EXTRA_MODULES + (with_oca.MODULES if args.with_oca else ())
    odoo_pkg = require_odoo()
    install_requirements()
    require_chromium()
    require_pdf_tools(["wkhtmltopdf", "pdftotext"])
    pg = Postgres()
    pg.start()
    # --db: a database kept between runs, updated rather than installed (quicker
    # iterations).
    dbname = args.db or f"after_sales_test_{os.getpid()}"
    if args.db and module_installed(pg, dbname):
        # -i on an installed module would reload its data: only the missing extras.
        extras = [m for m in extra_modules if not module_installed(pg, dbname, m)]
        init = ["-u", MODULE, *(["-i", ",".join(extras)] if extras else [])]
    else:
        init = ["-i", ",".join((MODULE, *extra_modules))]
    log_file = LOCAL / "test.log"
    tags = f"/{MODULE}" + (f":{args.only}" if args.only else "")
    if args.with_oca:
        tags += f",{with_oca.TAG}{tags}"
    # --test-file: a core test file (e.g. Odoo's own stock tests) run with this addon
    # installed.
    selection = (
        [f"--test-file={args.test_file}"] if args.test_file else [f"--test-tags={tags}"]
    )
    tags = args.test_file or tags
    say(f"running {tags} on the throwaway database {dbname} (log: {log_file})")
    started = time.time()
    rc, lines = run_odoo(
        odoo_cmd(
            pg,
            odoo_pkg,
            "-d",
            dbname,
            *init,
            *selection,
            "--stop-after-init",
            "--log-level=test",
            "--max-cron-threads=0",
            f"--http-port={free_port()}",
        ),
        log_file=log_file,
    )
    uninstall = None
    if not args.test_file and (not args.only or args.only.startswith("TestUninstall")):
        uninstall = run_uninstall_test(pg, odoo_pkg, dbname, log_file)
    core = None
    if not (args.test_file or args.only):
        core = run_core_tests(pg, odoo_pkg, dbname, log_file)
    oca = None
    if args.with_oca and not (args.only or args.test_file):
        oca = with_oca.compare(pg, odoo_pkg, dbname, args.keep or args.db)
    if not (args.keep or args.db):
        pg.psql("postgres", f'DROP DATABASE IF EXISTS "{dbname}"')
        shutil.rmtree(LOCAL / "filestore" / "filestore" / dbname, ignore_errors=True)
    counts, skips = summarize(lines)
    if uninstall:
        run, failed = counts or (0, 0)
        counts = (run + uninstall[0], failed + uninstall[1])
    if core and counts:
        counts = (counts[0] + core[0], counts[1] + core[1])
    known = core[2] if core else 0
    if oca:
        run, failed = counts or (0, 0)
        counts = (run + oca[0], failed + oca[1])
    if counts and not (args.no_lint or args.test_file):
        checks_run, checks_failed = run_checks(log_file)
        counts = (counts[0] + checks_run, counts[1] + checks_failed)
    elapsed = time.time() - started
    if counts is None:
        print(f"[dev] Odoo ended (exit {rc}) without running the tests; see {log_file}")
        print("0 passed, 1 failed")
        return 1
    run, failed = counts
    # Odoo only warns when demo data fails, and goes on without it: the demo is part of
    # the product, so that is a failure here.
    for module in {m.group(1) for m in map(DEMO_FAILED_RE.search, lines) if m}:
        print(f"[dev] demo data of {module} failed to install (counted as failed)")
        failed += 1
    for skip in skips:
        print(f"[dev] SKIPPED (counted as failed): {skip}")
    if rc and not failed:
        print(f"[dev] Odoo exited {rc} although no test failed; see {log_file}")
        failed += 1
    passed = run - failed - len(skips) - known
    if run == 0:
        print("[dev] no test ran")
        failed += 1
    print(f"[dev] {elapsed:.0f}s")
    if core:  # before the summary, which CI reads as the plain closing line
        print(f"[dev] {known} known red, listed above: red without the addon too")
    sys.stdout.write(
        f"{passed} passed, {failed + len(skips)} failed, {len(skips)} skipped\n"
    )
    return 1 if (failed or skips) else 0


# --------------------------------------------------------------------------- core tests
# Odoo's own tests of the models the addon overrides, run after the addon's suite on its
# database (the addon installed): what the addon changes must not break them.
CORE_TEST_FILES = (
    "project/tests/test_project_sharing.py",
    "project/tests/test_portal.py",
    "stock/tests/test_stock_return_picking.py",
    "account/tests/test_account_move_out_refund.py",
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
    # repair/tests/test_repair.py: skips itself unless sale_margin is installed.
    "TestRepair.test_purchase_price_so_create_from_repair": (
        "skipped: sale_margin is not installed"
    ),
}
# Odoo's --test-file runs one file (at_install tests included, which --test-tags would
# run before the addon is loaded): this runs each file of its first argument in the same
# process, so that the registry is loaded once.
CORE_RUNNER = """import sys
from odoo.cli.command import main
from odoo.service import server
files, run_file = sys.argv.pop(1).split(","), server.load_test_file_py
server.load_test_file_py = lambda registry, _: [run_file(registry, f) for f in files]
main()
"""
CORE_FILE_RE = re.compile(r": running tests odoo\.addons\.(\S+)\.\s*$")


def run_core_tests(pg, odoo_pkg, dbname, log_file):
    """CORE_TEST_FILES on the suite's database in one Odoo process, and each file's
    result. Return (tests run, tests failed, KNOWN red tests)."""
    # Where Odoo finds modules: the addons path, and the odoo/addons folders on sys.path
    # (pip-installed addons such as helpdesk_mgmt).
    roots = [Path(p) for p in addons_path(odoo_pkg).split(",")]
    roots += [Path(p, "odoo", "addons") for p in sys.path if p]
    paths = [
        next((str(root / rel) for root in roots if (root / rel).is_file()), rel)
        for rel in CORE_TEST_FILES
    ]
    per_file = {}  # file -> [time its tests started, its log lines]
    current = []  # the registry's loading

    def split(line):
        nonlocal current
        found = CORE_FILE_RE.search(line)
        if found:
            rel = found.group(1).replace(".", "/") + ".py"
            current = per_file.setdefault(rel, [time.time(), []])[1]
        current.append(line)

    say(f"running Odoo's own tests of what {MODULE} extends, on {dbname}")
    cmd = odoo_cmd(pg, odoo_pkg, "-d", dbname, f"--test-file={paths[0]}")
    rc, lines = run_odoo(
        [sys.executable, "-c", CORE_RUNNER, ",".join(paths), *cmd[3:]]
        + ["--stop-after-init", "--log-level=test", "--max-cron-threads=0"]
        + [f"--http-port={free_port()}"],
        on_line=split,
    )
    with open(log_file, "a") as log:
        log.writelines(lines)
    ends = [begun for begun, _lines in per_file.values()][1:] + [time.time()]
    totals = [0, 0, 0]
    for rel in CORE_TEST_FILES:
        begun, lines = per_file.get(rel, [0, []])
        counts, skips = summarize(lines)
        red = {m.group(1) for m in map(FAILED_TEST_RE.search, lines) if m}
        red |= {skip.split()[0] for skip in skips}
        known = red & KNOWN_RED.keys()
        run = counts[0] if counts else 1  # no test started: one failure
        failed = len(red - known) or int(counts is None)
        totals = [totals[0] + run, totals[1] + failed, totals[2] + len(known)]
        took = ends[list(per_file).index(rel)] - begun if rel in per_file else 0
        say(
            f"core {rel}: {run - failed - len(known)} passed, {failed} failed, "
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


# --------------------------------------------------------------------------- uninstall
# test
UNINSTALL_TEST = ROOT / "tests" / "test_uninstall.py"
UNINSTALL_RAN_RE = re.compile(r"^Ran (\d+) tests?", re.MULTILINE)
UNINSTALL_FAILED_RE = re.compile(r"^FAILED \((.*)\)", re.MULTILINE)


def run_uninstall_test(pg, odoo_pkg, dbname, log_file):
    """tests/test_uninstall.py uninstalls the addon: Odoo forbids that inside its test runner,
    so it runs here, in its own process, on a copy of the suite's database.
    Return (tests run, tests failed)."""
    copy = f"{dbname}_uninstall"
    pg.psql("postgres", f'DROP DATABASE IF EXISTS "{copy}"')
    created = pg.psql("postgres", f'CREATE DATABASE "{copy}" TEMPLATE "{dbname}"')
    if created.returncode:
        print(
            f"[dev] could not copy {dbname} for the uninstall test: {created.stderr.strip()}"
        )
        return 1, 1
    odoo_args = [
        f"--addons-path={addons_path(odoo_pkg)}",
        *pg.odoo_args(),
        f"--data-dir={LOCAL / 'filestore'}",
        "--log-level=warn",
    ]
    env = dict(
        os.environ,
        HELPDESK_AFTER_SALES_UNINSTALL_DB=copy,
        HELPDESK_AFTER_SALES_ODOO_ARGS=json.dumps(odoo_args),
    )
    say(f"running {UNINSTALL_TEST.relative_to(ROOT)} on {copy}")
    proc = subprocess.run(
        [sys.executable, __file__, "_uninstall-test"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    output = proc.stdout + proc.stderr
    sys.stdout.write(output)
    with open(log_file, "a") as log:
        log.write(output)
    pg.psql("postgres", f'DROP DATABASE IF EXISTS "{copy}"')
    shutil.rmtree(LOCAL / "filestore" / "filestore" / copy, ignore_errors=True)
    ran = UNINSTALL_RAN_RE.search(output)
    if not ran:
        return 1, 1
    failed = UNINSTALL_FAILED_RE.search(output)
    failures = (
        sum(int(n) for n in re.findall(r"=(\d+)", failed.group(1))) if failed else 0
    )
    return int(ran.group(1)), failures or (1 if proc.returncode else 0)


def uninstall_test_process(_args):
    """The process of run_uninstall_test: Odoo configured, then the unittest file."""
    import importlib.util
    import unittest

    from odoo.modules.module import initialize_sys_path
    from odoo.tools import config

    config.parse_config(json.loads(os.environ["HELPDESK_AFTER_SALES_ODOO_ARGS"]))
    initialize_sys_path()
    spec = importlib.util.spec_from_file_location(
        f"{MODULE}_uninstall_test", UNINSTALL_TEST
    )
    test_module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(test_module)
    suite = unittest.defaultTestLoader.loadTestsFromModule(test_module)
    result = unittest.TextTestRunner(stream=sys.stdout, verbosity=2).run(suite)
    return 0 if result.wasSuccessful() else 1


# ---------------------------------------------------------------------------
# translations
LANGS = ("sv", "es", "ko")


def merge_catalog(pot_path, po_path):
    """Bring a language's catalog in line with the template: new msgids added untranslated,
    vanished ones dropped, existing translations kept (matched on msgctxt + msgid)."""
    import polib

    template = polib.pofile(str(pot_path))
    old = polib.pofile(str(po_path)) if po_path.exists() else None
    known = {
        (e.msgctxt, e.msgid): e.msgstr for e in old or [] if e.msgstr and not e.obsolete
    }
    catalog = polib.POFile(wrapwidth=template.wrapwidth)
    catalog.header = template.header
    catalog.metadata = dict(template.metadata)
    if old is not None:
        catalog.metadata.update(
            {k: v for k, v in old.metadata.items() if k not in ("POT-Creation-Date",)}
        )
    catalog.metadata["Language"] = po_path.stem
    catalog.metadata["Content-Transfer-Encoding"] = "8bit"
    untranslated = 0
    for entry in template:
        entry.msgstr = known.get((entry.msgctxt, entry.msgid), "")
        untranslated += not entry.msgstr
        catalog.append(entry)
    catalog.save(str(po_path))
    return untranslated


def pot(args):
    """Update the addon on a kept database, export its template, merge it into each language."""
    odoo_pkg = require_odoo()
    install_requirements()
    pg = Postgres()
    pg.start()
    init = ["-u", MODULE] if module_installed(pg, args.db) else ["-i", MODULE]
    rc, _lines = run_odoo(
        odoo_cmd(
            pg, odoo_pkg, "-d", args.db, *init, "--stop-after-init", "--log-level=warn"
        )
    )
    if rc:
        die(f"Odoo could not install/update {MODULE} on {args.db} (exit {rc}).", rc)
    pot_path = ROOT / "i18n" / f"{MODULE}.pot"
    rc, _lines = run_odoo(
        odoo_cmd(
            pg,
            odoo_pkg,
            "-d",
            args.db,
            f"--i18n-export={pot_path}",
            f"--modules={MODULE}",
            "--log-level=warn",
        )
    )
    if rc:
        die(f"Odoo could not export {pot_path.name} (exit {rc}).", rc)
    for lang in LANGS:
        missing = merge_catalog(pot_path, ROOT / "i18n" / f"{lang}.po")
        say(f"i18n/{lang}.po: {missing} entries to translate")
    return 0


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p_serve = sub.add_parser("serve", help="start Odoo on the demo database")
    p_serve.add_argument("--port", type=int, default=8069)
    p_serve.set_defaults(func=serve)
    p_test = sub.add_parser("test", help="run the whole test suite")
    p_test.add_argument(
        "--only", help="a test class or method tag part, e.g. TestTeamSettings"
    )
    p_test.add_argument("--keep", action="store_true", help="keep the test database")
    p_test.add_argument(
        "--test-file",
        help="run this test file instead (Odoo's own, with the addon installed)",
    )
    p_test.add_argument(
        "--db",
        help="run on this database, kept: installed the first time, then updated",
    )
    p_test.add_argument(
        "--with-oca",
        action="store_true",
        help="with OCA's other helpdesk addons too, in .local/venv-oca (see README)",
    )
    p_test.add_argument("--no-lint", action="store_true", help="skip scripts/lint.py")
    p_test.set_defaults(func=test)
    p_uninstall = sub.add_parser(
        "_uninstall-test"
    )  # internal: see run_uninstall_test()
    p_uninstall.set_defaults(func=uninstall_test_process)
    p_pot = sub.add_parser(
        "pot", help="regenerate i18n/*.pot and merge it into the .po files"
    )
    p_pot.add_argument("--db", required=True, help="a kept database to export from")
    p_pot.set_defaults(func=pot)
    args = parser.parse_args()
    # SIGTERM ends the command like Ctrl-C: Odoo stops, then the private cluster
    # (atexit).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    try:
        sys.exit(args.func(args))
    except KeyboardInterrupt:
        sys.exit(130)


if __name__ == "__main__":
    main()
