"""Names and numbers shared by scripts/: a leaf module, it imports nothing of ours.

dev.py and bench.py import it; bench_data.py and bench_measure.py (run inside Odoo by
``click-odoo``) import it too, never each other nor the drivers.
"""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOCAL = ROOT / ".local"
MODULE = "helpdesk_after_sales"
CONF = LOCAL / "odoo.conf"  # written by dev.py: addons path, database server, data dir

# ---- benchmark: bump DATA_VERSION when the generated data change (templates rebuilt)
DATA_VERSION = "4"
BASE_MODULES = "helpdesk_mgmt,sale_stock,repair,sale_loyalty,project"
# The full volume (scale 1). Odoo's flows make a hundredth of it, populate copies that
# (bench_data.py); the products are not copied.
SEED_SHARE = 100
FULL = {
    "customers": 1000,
    "products": 200,
    "serial_products": 20,
    "invoices": 50_000,
    "deliveries": 20_000,
    "tickets": 10_000,
    "context_tickets": 5_000,
    "service_documents": 2_000,  # each: credit notes, returns, repairs, coupons, tasks
}
BIG_CUSTOMER_INVOICES = 100  # the customer the wizards are measured on, at every scale
BIG_CUSTOMER_DELIVERIES = 50
WIZARD_MAX_QUERIES = 15
WIZARD_MAX_MS = 50.0
FORM_MAX_TIME_RATIO = 1.3
COUNT_MAX_QUERIES = 1
GROWTH_MAX_TIME_RATIO = 1.2  # a screen at volume against the same screen at 1x
REFUND_LINES = 50  # the invoice the Refund wizard is measured on in line mode (#18)
REPORT_MAX_MS = 200.0  # the After-Sales report's graph (#19)
TAB_MAX_QUERIES = 5  # the ticket's After-Sales tab (#19)
WARRANTY_MAX_EXTRA_QUERIES = 2  # the warranty on the ticket list and form (#20)


def say(msg, tag="dev"):
    sys.stdout.write(f"[{tag}] {msg}\n")
    sys.stdout.flush()


def die(msg, code=2):
    sys.stderr.write(f"[dev] ERROR: {msg}\n")
    sys.exit(code)


def factor(scale):
    """How many copies of the seed populate makes for ``scale`` (a factor of 3 gives
    4 times the seed)."""
    times = round(scale * SEED_SHARE)
    if times < 1 or abs(times - scale * SEED_SHARE) > 1e-6:
        raise ValueError(f"the scale must be a multiple of {1 / SEED_SHARE:g}")
    return times - 1


def sizes(scale):
    """What a template of ``scale`` holds: the seed and its copies."""
    times = factor(scale) + 1
    out = {key: value // SEED_SHARE * times for key, value in FULL.items()}
    out.update(products=FULL["products"], serial_products=FULL["serial_products"])
    return out


def scale_tag(scale):
    return f"{scale:g}".replace(".", "_")
