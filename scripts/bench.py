#!/usr/bin/env python3
"""Benchmark helpdesk_after_sales at volume, side by side with helpdesk_mgmt alone.

    python3 scripts/bench.py               # 50 000 invoices, 10 000 tickets...
    python3 scripts/bench.py --scale 0.05  # a twentieth of it, for development
    python3 scripts/bench.py --scale 10    # ten times, each screen also against 1x

Templates, in the private cluster of dev.py: ``bench_mgmt_<scale>`` (helpdesk_mgmt and
the addon's dependencies from click-odoo-initdb's cache, then bench_data.py's data)
and ``bench_addon_<scale>`` (its copy with this addon installed and its documents
linked to the tickets; rebuilt when the addon's files change). Each run measures fresh
copies (bench_measure.py), prints the tables with PASS/FAIL per budget (exit 1 when
one fails) and writes them to .local/bench.json and .local/bench.md.
"""

import argparse
import json
import sys
import time

import dev
from common import (
    BASE_MODULES,
    DATA_VERSION,
    GROWTH_MAX_TIME_RATIO,
    LOCAL,
    MODULE,
    ROOT,
    factor,
    say,
    scale_tag,
)

SCRIPTS = ROOT / "scripts"
# What the addon template's fingerprint leaves out: not what Odoo loads of the addon.
NOT_THE_ADDON = "*.pyc .* scripts/* tests/* README*".split()  # .*: .git, .local...


class Bench:
    def __init__(self, args):
        self.args, self.pg = args, dev.setup()

    def run(self, cmd, what):
        log = LOCAL / "bench-build.log"
        if dev.run(cmd, log)[0]:
            raise RuntimeError(f"{what} failed; see {log}")

    def script(self, name, *args, db=()):
        """A script of ours run inside Odoo by click-odoo (``env`` with ``db``)."""
        cmd = [sys.executable, "-m", "click_odoo", "-c", dev.CONF, "--log-level=warn"]
        cmd += ["-d", db] if db else []
        self.run([*map(str, cmd), str(SCRIPTS / name), *map(str, args)], name)

    def copy_db(self, source, dest):
        dev.drop(dest)
        self.run(dev.tool("copydb", source, dest), "copydb")

    def marker(self, dbname):
        sql = "SELECT value FROM ir_config_parameter WHERE key = 'bench.built'"
        return self.pg.psql(dbname, sql)

    def finish(self, dbname, marker, started):
        """Mark a template complete (else rebuilt); return its build time."""
        self.pg.psql(dbname, "INSERT INTO ir_config_parameter (key, value) VALUES "
                     f"('bench.built', '{marker}') ON CONFLICT (key) DO UPDATE "
                     "SET value = EXCLUDED.value")  # fmt: skip
        self.pg.psql(dbname, "VACUUM ANALYZE")
        say(f"{dbname} built in {time.time() - started:.0f}s", "bench")
        return time.time() - started

    def templates(self, scale):
        """Build what is missing or stale; return (mgmt, addon, seconds spent)."""
        from click_odoo_contrib._addon_hash import addon_hash

        mgmt, addon = (f"bench_{kind}_{scale_tag(scale)}" for kind in ("mgmt", "addon"))
        spent = 0
        want = f"{DATA_VERSION}:{scale}"
        if self.args.rebuild or self.marker(mgmt) != want:
            started = time.time()
            say(f"building {mgmt}: {BASE_MODULES} (cached), then the data", "bench")
            for dbname in (addon, mgmt):
                dev.drop(dbname)
            cache = ["--no-cache"] if self.args.rebuild else ["--cache-prefix", "bench"]
            initdb = dev.tool("initdb", "-n", mgmt, "-m", BASE_MODULES, "--no-demo")
            self.run([*initdb, *cache], "click-odoo-initdb")
            self.script("bench_data.py", "populate", scale, db=mgmt)
            spent += self.finish(mgmt, want, started)
        want = f"{DATA_VERSION}:{scale}:{addon_hash(str(ROOT), NOT_THE_ADDON, [])[:12]}"
        if self.args.rebuild or self.marker(addon) != want:
            started = time.time()
            say(f"building {addon}: a copy of {mgmt} with {MODULE}", "bench")
            self.copy_db(mgmt, addon)
            odoo = dev.odoo("-d", addon, "-i", MODULE, "--without-demo=all",
                            "--stop-after-init", "--log-level=warn")  # fmt: skip
            self.run(odoo, f"installing {MODULE}")
            self.script("bench_data.py", "link", db=addon)
            spent += self.finish(addon, want, started)
        return mgmt, addon, spent

    def main(self):
        scale = self.args.scale
        mgmt, addon, spent = self.templates(scale)
        templates = [mgmt, addon]
        if scale != 1:  # the same screens at 1x, measured in turns with these
            ref_mgmt, ref_addon, ref_spent = self.templates(1.0)
            templates += [ref_addon, ref_mgmt]
            spent += ref_spent
        runs = [f"bench_run_{i}" for i in range(len(templates))]
        for template, dbname in zip(templates, runs, strict=True):
            self.copy_db(template, dbname)
        out = LOCAL / "bench.json"
        say(f"measuring {', '.join(templates)} (copies)", "bench")
        try:
            self.script("bench_measure.py", out, self.args.runs, *runs)
        finally:
            for dbname in runs:
                dev.drop(dbname)
        result = json.loads(out.read_text())
        result.update(scale=scale, build_seconds=round(spent), runs=self.args.runs)
        out.write_text(json.dumps(result, indent=2))
        text = markdown(result)
        (LOCAL / "bench.md").write_text(text)
        sys.stdout.write("\n" + text)
        results = [
            (r["result"], r.get("growth", {}).get("result")) for r in result["rows"]
        ]
        failed = sum(r.count("FAIL") for r in results)
        say(f"templates built in {spent:.0f}s; {failed} budgets failed", "bench")
        return 1 if failed else 0


def markdown(result):
    """The tables as the README shows them: times with one decimal, ratios with two."""

    def table(head, rows):
        align = ["---"] + ["---:"] * (len(head) - 3) + ["---", "---"]
        text = [" | ".join(head), " | ".join(align)]
        for cells in rows:
            text.append(" | ".join("" if v is None else f"{v:.1f}" if isinstance(
                v, float) else str(v) for v in cells))  # fmt: skip
        return [f"| {line} |" for line in text] + [""]

    def ratio(value):
        return None if value is None else f"{value:.2f}"

    rows = result["rows"]
    lines = table(["Screen", "Queries, helpdesk_mgmt", "Queries, with the addon",
                   "ms, helpdesk_mgmt", "ms, with the addon", "Ratio", "Budget",
                   "Result"],
                  [(r["label"], r.get("mgmt_queries"), r["queries"], r.get("mgmt_ms"),
                    r["ms"], ratio(r.get("ratio")), r["budget"].replace("<=", "≤"),
                    r["result"]) for r in rows])  # fmt: skip
    lines += [f"- {note}" for note in result["notes"]] + [""]
    if any("growth" in row for row in rows):
        x, most = f"{result['scale']:g}×", GROWTH_MAX_TIME_RATIO
        budget = f"same queries, ratio ≤ {most}"
        lines += table(["Screen (with the addon)", "Queries, 1×", f"Queries, {x}",
                        "ms, 1×", f"ms, {x}", f"Ratio {x}/1×", "Budget's ratio",
                        "Budget", "Result"],
                       [(r["label"], g["queries"], r["queries"], g["ms"], r["ms"],
                         ratio(g["raw"]), ratio(g["ratio"]),
                         f"same queries, ratio to helpdesk_mgmt ≤ {most} × 1×'s ("
                         f"{x} {ratio(g['vs_mgmt'][0])}, 1× {ratio(g['vs_mgmt'][1])})"
                         if "vs_mgmt" in g else g.get("budget", budget).replace(
                             "<=", "≤"), g["result"])
                        for r in rows for g in [r["growth"]]])  # fmt: skip
    return "\n".join(lines)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1.0, help="volume (default 1)")
    parser.add_argument("--runs", type=int, default=20, help="timed runs per screen")
    parser.add_argument("--rebuild", action="store_true", help="rebuild the templates")
    args = parser.parse_args()
    try:
        factor(args.scale)
    except ValueError as error:
        parser.error(str(error))
    try:
        sys.exit(Bench(args).main())
    except RuntimeError as error:
        dev.die(str(error), 1)
    except KeyboardInterrupt:
        sys.exit(130)
