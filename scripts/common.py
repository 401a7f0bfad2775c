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
DATA_VERSION = "2"
BASE_MODULES = "helpdesk_mgmt,sale_stock,repair,sale_loyalty,project"
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


def say(msg, tag="dev"):
    sys.stdout.write(f"[{tag}] {msg}\n")
    sys.stdout.flush()


def die(msg, code=2):
    sys.stderr.write(f"[dev] ERROR: {msg}\n")
    sys.exit(code)


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
