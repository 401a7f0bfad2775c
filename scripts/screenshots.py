#!/usr/bin/env python3
"""The README's screenshots: every wizard and smart-button window of the demo tickets,
and the demo customer's portal pages.

    python3 scripts/dev.py serve &     # the demo database at http://localhost:8069
    python3 scripts/screenshots.py     # rewrites static/description/screenshot_*.png

Headless Chromium (Debian's `chromium`), driven over the DevTools protocol with
websocket-client as Odoo's browser tests do, logged in as admin (the portal pages as
Maya, the demo portal customer: maya / maya). Each image is reduced
to a small palette so that all of them weigh a few hundred KB.
"""

import argparse
import base64
import io
import json
import re
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import websocket
from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "static" / "description"
# (image name, demo ticket, button clicked on its form or None, what then shows)
SHOTS = [
    ("ticket", "demo_ticket_espresso", None, ".o_form_view"),
    ("warranty", "demo_ticket_kettle", None, ".o_form_view"),
    ("refund", "demo_ticket_kettle", "action_refund", ".modal .o_form_view"),
    ("refund_lines", "demo_ticket_espresso", "action_refund", ".modal .o_form_view"),
    ("coupon", "demo_ticket_espresso", "action_generate_coupon", ".modal .o_form_view"),
    ("return", "demo_ticket_kettle", "action_return", ".modal .o_form_view"),
    ("repair", "demo_ticket_espresso", "action_repair", None),
    ("plan", "demo_ticket_espresso", "action_plan_intervention", ".modal .o_form_view"),
    ("credit_notes", "demo_ticket_kettle", "action_view_credit_notes", None),
    ("coupons", "demo_ticket_espresso", "action_view_coupons", None),
    ("returns", "demo_ticket_kettle", "action_view_pickings", None),
    ("repairs", "demo_ticket_espresso", "action_view_repairs", None),
    ("tasks", "demo_ticket_espresso", "action_view_fsm_tasks", None),
]
# (image name, what is clicked in the window then, what then shows): a second step.
THEN = {
    "refund_lines": (
        ".modal .o_field_widget[name=helpdesk_refund_scope] input[data-value=lines]",
        ".modal .o_field_widget[name=helpdesk_line_ids] .o_data_row",
    ),
}
# Windows taller than the browser's 800 pixels: the dialog's list would scroll.
HEIGHT = {"refund_lines": 1000}
# (image name, portal page with the demo records' ids, what then shows): as Maya.
PORTAL_SHOTS = [
    ("portal_ticket", "/my/ticket/{demo_ticket_espresso}", "#ticket_coupons"),
    ("portal_order", "/my/orders/{demo_sale_order}", ".o_helpdesk_report_problem"),
    (
        "portal_problem",
        "/my/orders/{demo_sale_order}/problem?line_id={demo_sale_order_line_espresso}",
        ".o_helpdesk_problem_form",
    ),
]
# (image name, window action, what then shows): windows of their own, from a menu.
ACTION_SHOTS = [
    (
        "after_sales_report",
        "helpdesk_after_sales.helpdesk_after_sales_report_action",
        ".o_graph_renderer canvas",
    ),
]


def rpc(url, path, params, cookie=None):
    body = json.dumps({"jsonrpc": "2.0", "params": params}).encode()
    request = urllib.request.Request(
        url + path, body, {"Content-Type": "application/json"}
    )
    if cookie:
        request.add_header("Cookie", f"session_id={cookie}")
    with urllib.request.urlopen(request, timeout=60) as response:
        reply = json.load(response)
        cookie = re.search(r"session_id=([^;]+)", response.headers["Set-Cookie"] or "")
    if "error" in reply:
        sys.exit(f"{path}: {reply['error']['data']['message']}")
    return reply["result"], cookie and cookie.group(1)


class Browser:
    def __init__(self, width, height):
        self.profile = tempfile.TemporaryDirectory(
            prefix="screenshots-", ignore_cleanup_errors=True
        )
        self.proc = subprocess.Popen(
            ["chromium", "--headless=new", "--no-sandbox", "--hide-scrollbars",
             "--remote-debugging-port=0", f"--user-data-dir={self.profile.name}",
             f"--window-size={width},{height}", "about:blank"],
            stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        for line in self.proc.stderr:
            found = re.search(r"DevTools listening on ws://([^/]+)/", line)
            if found:
                break
        with urllib.request.urlopen(f"http://{found.group(1)}/json") as response:
            page = next(t for t in json.load(response) if t["type"] == "page")
        self.ws = websocket.create_connection(page["webSocketDebuggerUrl"])
        self.last_id = 0

    def send(self, method, **params):
        self.last_id += 1
        self.ws.send(
            json.dumps({"id": self.last_id, "method": method, "params": params})
        )
        while True:
            message = json.loads(self.ws.recv())
            if message.get("id") == self.last_id:
                return message.get("result", {})

    def js(self, expression):
        reply = self.send("Runtime.evaluate", expression=expression, returnByValue=True)
        return reply.get("result", {}).get("value")

    def wait(self, selector, timeout=30):
        probe = f"!!document.querySelector({json.dumps(selector)})"
        deadline = time.time() + timeout
        while not self.js(probe):
            if time.time() > deadline:
                sys.exit(f"timed out waiting for {selector}")
            time.sleep(0.3)
        time.sleep(1.5)  # let the view finish rendering and its animations end

    def shoot(self, path, clip_selector=None, full_page=False):
        params = {"format": "png"}
        if full_page:  # a portal page longer than the window: all of it
            size = self.js(
                "({width: document.documentElement.scrollWidth,"
                " height: document.documentElement.scrollHeight})"
            )
            params["captureBeyondViewport"] = True
            params["clip"] = dict(size, x=0, y=0, scale=1)
        elif clip_selector:
            rect = self.js(
                f"(r => ({{x: r.x, y: r.y, width: r.width, height: r.height}}))"
                f"(document.querySelector({json.dumps(clip_selector)})"
                ".getBoundingClientRect())"
            )
            params["clip"] = dict(rect, scale=1)
        data = base64.b64decode(self.send("Page.captureScreenshot", **params)["data"])
        image = Image.open(io.BytesIO(data)).convert("RGB")
        image.quantize(colors=64, dither=Image.Dither.NONE).save(path, optimize=True)

    def close(self):
        self.ws.close()
        self.proc.terminate()
        self.proc.wait()
        self.profile.cleanup()


def shoot(browser, name, clip_selector=None, full_page=False):
    path = OUT / f"screenshot_{name}.png"
    browser.shoot(path, clip_selector, full_page)
    sys.stdout.write(f"{path.relative_to(ROOT)}: {path.stat().st_size} bytes\n")


def record_ids(url, cookie, names):
    rows, _ = rpc(url, "/web/dataset/call_kw", {
        "model": "ir.model.data", "method": "search_read", "args": [
            [("module", "=", "helpdesk_after_sales"), ("name", "in", sorted(names))],
            ["name", "res_id"],
        ], "kwargs": {},
    }, cookie)  # fmt: skip
    return {row["name"]: row["res_id"] for row in rows}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default="http://localhost:8069")
    parser.add_argument("--db", default="after_sales_demo")
    parser.add_argument(
        "--only", help="these images only, comma-separated (e.g. after_sales_report)"
    )
    args = parser.parse_args()
    only = set(args.only.split(",")) if args.only else None
    shots = [shot for shot in SHOTS if not only or shot[0] in only]
    action_shots = [shot for shot in ACTION_SHOTS if not only or shot[0] in only]
    portal_shots = [shot for shot in PORTAL_SHOTS if not only or shot[0] in only]
    _info, cookie = rpc(
        args.url,
        "/web/session/authenticate",
        {"db": args.db, "login": "admin", "password": "admin"},
    )
    names = {shot[1] for shot in shots}
    for _name, page, _shows in portal_shots:
        names.update(re.findall(r"\{(\w+)\}", page))
    ids = record_ids(args.url, cookie, names or {""})
    browser = Browser(1280, 800)
    try:
        browser.send("Network.enable")
        browser.send("Network.setCookie", name="session_id", value=cookie, url=args.url)
        for name, action, shows in action_shots:
            browser.send("Page.navigate", url=f"{args.url}/odoo/action-{action}")
            browser.wait(shows)
            shoot(browser, name)
        for name, ticket, button, shows in shots:
            url = f"{args.url}/odoo/helpdesk.ticket/{ids[ticket]}"
            browser.send(
                "Emulation.setDeviceMetricsOverride",
                width=1280,
                height=HEIGHT.get(name, 800),
                deviceScaleFactor=1,
                mobile=False,
            )
            browser.send("Page.navigate", url=url)
            browser.wait(".o_form_view .o_form_sheet")
            if button:
                browser.js(
                    f"document.querySelector('.o_form_view button[name={button}]')"
                    ".click()"
                )
                # A window of its own: the ticket is then a breadcrumb before it.
                browser.wait(shows or ".o_breadcrumb .breadcrumb-item")
            if name in THEN:
                click, then_shows = THEN[name]
                browser.js(f"document.querySelector({json.dumps(click)}).click()")
                browser.wait(then_shows)
            modal = shows and shows.startswith(".modal")
            shoot(browser, name, ".modal-content" if modal else None)
            # Leaving a new record's form would save it: the repair, for one.
            browser.js(
                "document.querySelector('.modal .btn-close, .o_form_button_cancel')"
                "?.click()"
            )
            time.sleep(1)
        if portal_shots:
            _info, portal_cookie = rpc(
                args.url,
                "/web/session/authenticate",
                {"db": args.db, "login": "maya", "password": "maya"},
            )
            browser.send(
                "Network.setCookie",
                name="session_id",
                value=portal_cookie,
                url=args.url,
            )
        for name, page, shows in portal_shots:
            browser.send("Page.navigate", url=args.url + page.format(**ids))
            browser.wait(shows)
            shoot(browser, name, full_page=True)
    finally:
        browser.close()


if __name__ == "__main__":
    main()
