"""The benchmark's measures: ``click-odoo bench_measure.py OUT RUNS MGMT ADDON [R M]``.

Run by bench.py on fresh copies of its templates (MGMT: helpdesk_mgmt alone, ADDON:
with this addon; R, M: the same at 1x when the run is at another volume). Each screen
is the RPC of the web client (``call_kw`` with the user's context) as the benchmark's
agent, in a fresh cursor and environment like a request (Odoo's ormcaches warm, as on
a live server); field specifications are what the web client derives from the agent's
views. The databases are measured in turns: the machine's load falls on all alike.
"""

import ast
import json
import statistics
import sys
import threading
import time
from collections import Counter
from pathlib import Path
from unittest.mock import patch

from lxml import etree
from werkzeug.test import Client

from odoo import SUPERUSER_ID, api, http
from odoo.api import call_kw
from odoo.exceptions import UserError
from odoo.fields import Command
from odoo.modules.registry import Registry
from odoo.osv.expression import AND
from odoo.sql_db import Cursor
from odoo.tools.safe_eval import safe_eval

from odoo.addons.web.controllers.utils import clean_action

sys.path.insert(0, str(Path(__file__).parent))
from common import (  # noqa: E402  (a script run by click-odoo, beside common.py)
    COUNT_MAX_QUERIES,
    FORM_MAX_TIME_RATIO,
    GROWTH_MAX_TIME_RATIO,
    REFUND_LINES,
    REPORT_MAX_MS,
    TAB_MAX_QUERIES,
    WARRANTY_MAX_EXTRA_QUERIES,
    WIZARD_MAX_MS,
    WIZARD_MAX_QUERIES,
    say,
)

X2MANY_TAGS = ("many2many_tags", "many2many_tags_avatar", "many2many_avatar_user")
LIST_LIMIT = 80
# Fields of helpdesk_product and helpdesk_mgmt_sale (in both databases) that
# bench_data.py's link sets with the addon only: after-sales relations too.
LINKED_FIELDS = ("product_id", "sale_order_ids")
WARMUP = 2
PORTAL_LOGIN = "bench_portal"  # also its password
BROWSER = {"REMOTE_ADDR": "127.0.0.1"}  # what a WSGI server tells Odoo of the client
# What the portal ticket page lists, per model: which documents, the section listing
# them and the other tables it reads besides its own. Its budget, however many
# documents: its search (one query, with the fields it shows), plus one query per
# other table. The task section's search is measured instead: project's portal rule
# looks up the customer's contacts first. The repairs' products are named in one
# batch with the warranty badge's (which the page shows first): counted there.
PORTAL_DOCUMENTS = {
    "account.move": (
        [("move_type", "=", "out_refund")],
        "ticket_credit_notes",
        ["res.currency"],
    ),
    # A coupon is used when an order line holds it.
    "loyalty.card": ([], "ticket_coupons", ["loyalty.program", "sale.order.line"]),
    "stock.picking": ([("return_id", "!=", False)], "ticket_returns", []),
    "repair.order": ([], "ticket_repairs", []),
    # The assignees: the many2many's table, the users, and their names on their
    # partners (res.users inherits res.partner's).
    "project.task": (
        [],
        "ticket_fsm_tasks",
        ["project_task_user_rel", "res.users", "res.partner", "project.task.type"],
    ),
}


def fields_spec(env, model, node):
    """The web client's specification (getFieldsSpec) of the fields under ``node``."""
    spec = {}
    for child in node.iterchildren(tag=etree.Element):
        field = env[model]._fields.get(child.get("name"))
        if child.tag != "field":
            for name, sub in fields_spec(env, model, child).items():
                spec[name] = merge(spec.get(name, {}), sub)
        elif field is not None:
            spec[field.name] = merge(
                spec.get(field.name, {}), field_spec(env, field, child)
            )
    return spec


def field_spec(env, field, node):
    invisible = node.get("invisible") in ("1", "True", "true")
    if field.type in ("many2one", "reference"):
        return {"fields": {} if invisible else {"display_name": {}}}
    if field.type not in ("one2many", "many2many") or invisible:
        return {}
    if node.get("widget") in X2MANY_TAGS:
        color = ast.literal_eval(node.get("options") or "{}").get("color_field")
        return {"fields": {"display_name": {}, **({color: {}} if color else {})}}
    subviews = [child for child in node if child.tag in ("list", "tree", "kanban")]
    if not subviews:
        return {}
    view = next((v for v in subviews if v.tag != "kanban"), subviews[0])
    sub = fields_spec(env, field.comodel_name, view)
    return {"fields": sub, "limit": int(view.get("limit") or 40)}


def merge(a, b):
    out = dict(a)
    for key, value in b.items():
        out[key] = merge(out.get(key, {}), value) if isinstance(value, dict) else value
    return out


def form_spec(env, model, view_id=False):
    arch = env[model].get_views([(view_id, "form")])["views"]["form"]["arch"]
    return fields_spec(env, model, etree.fromstring(arch))


class Side:
    """One database as the agent sees it."""

    def __init__(self, dbname):
        self.dbname = dbname
        self.registry = Registry(dbname)
        with self.registry.cursor() as cr:
            param = api.Environment(cr, 1, {})["ir.config_parameter"].get_param
            self.uid = int(param("bench.agent"))
            keys = ("full", "plain", "big_customer")
            self.tickets = {k: int(param(f"bench.ticket_{k}")) for k in keys}
            agent = api.Environment(cr, 1, {})["res.users"].browse(self.uid)
            self.context = {"lang": agent.lang or "en_US", "uid": self.uid,
                            "tz": agent.tz or "Europe/Stockholm",
                            "allowed_company_ids": agent.company_id.ids}  # fmt: skip
            env = api.Environment(cr, self.uid, self.context)
            views = env["helpdesk.ticket"].get_views([(False, "form"), (False, "list")])
            arch = {k: etree.fromstring(v["arch"]) for k, v in views["views"].items()}
            self.form_arch = arch["form"]
            form = fields_spec(env, "helpdesk.ticket", arch["form"])
            self.form_spec = {"display_name": {}, **form}
            self.list_spec = fields_spec(env, "helpdesk.ticket", arch["list"])
            self.ticket_fields = set(env["helpdesk.ticket"]._fields)
            self.page = env["helpdesk.ticket"].search([], limit=LIST_LIMIT).ids

    def call(self, work):
        """Run ``work(env)`` as one request: (result, queries, seconds)."""
        with self.registry.cursor() as cr:
            env = api.Environment(cr, self.uid, self.context)
            queries, started = cr.sql_log_count, time.perf_counter()
            result = work(env)
            elapsed = time.perf_counter() - started
            queries = cr.sql_log_count - queries
            cr.rollback()
        return result, queries, elapsed

    def statements(self, work, marker):
        """How many SQL statements containing ``marker`` ``work`` executes."""
        seen, execute = [], Cursor.execute

        def spy(cr, query, *args, **kwargs):
            seen.extend([1] if marker in str(query) else [])
            return execute(cr, query, *args, **kwargs)

        with patch.object(Cursor, "execute", spy):
            self.call(work)
        return len(seen)

    def header_buttons(self):
        buttons = self.form_arch.iterfind(".//header/button[@type='object']")
        return [(b.get("name"), b.get("string") or b.get("name")) for b in buttons]


def rpc(model, method, *args, context=None, **kwargs):
    """A JSON-RPC call of the web client: ``call_kw`` with the user's context (and the
    action's ``context``)."""
    return lambda env: call_kw(env[model], method, list(args), {
        **kwargs, "context": {**env.context, **(context or {})}})  # fmt: skip


def list_page(spec, domain=()):
    """The ticket list's request: its first page and the count of its records."""
    return rpc("helpdesk.ticket", "web_search_read", list(domain), spec, offset=0,
               limit=LIST_LIMIT, order="", count_limit=10001)  # fmt: skip


def client_values(values):
    """An ``onchange``'s values as the web client sends them back: records by id,
    x2many as their commands without what was read of the records."""
    out = {}
    for name, value in values.items():
        if isinstance(value, dict):  # a many2one read with its display name
            value = value.get("id", False)
        elif isinstance(value, list):
            value = [[c[0], c[1], client_values(c[2])] if c[0] in (0, 1) else c[:2]
                     for c in value]  # fmt: skip
        out[name] = value
    return out


def portal_fixture(side, documents):
    """On ``side``, committed: the full ticket's customer as a portal user and, with the
    addon, ``documents`` of each kind the portal page lists on the ticket, taken from
    other tickets (so a repair's product is rarely the ticket's, already read; the
    credit notes posted, named after their id rather than a sequence; the tasks followed
    by the customer, as the task rule wants). Return how many of each kind it lists."""
    with side.registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {"tracking_disable": True})
        ticket = env["helpdesk.ticket"].browse(side.tickets["full"])
        customer, users = ticket.partner_id, env["res.users"]
        if not users.search_count([("login", "=", PORTAL_LOGIN)]):
            users.with_context(no_reset_password=True).create({
                "name": "Bench Portal Customer", "login": PORTAL_LOGIN,
                "password": PORTAL_LOGIN, "parent_id": customer.id,
                "groups_id": [Command.set(env.ref("base.group_portal").ids)],
            })  # fmt: skip
        if "helpdesk_ticket_id" not in env["repair.order"]._fields:
            return 0
        mine = [("helpdesk_ticket_id", "=", ticket.id)]
        for model, (domain, _section, _shown) in PORTAL_DOCUMENTS.items():
            env[model].search(domain + mine).helpdesk_ticket_id = False
            if documents:  # (a limit of 0 is no limit)
                others = domain + [("helpdesk_ticket_id", "!=", False)]
                env[model].search(others, limit=documents).write(
                    {"helpdesk_ticket_id": ticket.id, "partner_id": customer.id}
                )
        drafts = env["account.move"].search(mine + [("state", "=", "draft")])
        for move in drafts:
            move.name = f"PORTAL/{move.date.year}/{move.id:06d}"
        drafts.action_post()
        env["project.task"].search(mine).message_subscribe(customer.ids)
        return documents


class PortalPage:
    """A side's portal page of the full ticket as its customer gets it: requests to
    Odoo's WSGI application in this process, logged in as a browser is."""

    def __init__(self, side):
        self.side, self.client = side, Client(http.root)
        self.url = f"/my/ticket/{side.tickets['full']}"
        params = {"db": side.dbname, "login": PORTAL_LOGIN, "password": PORTAL_LOGIN}
        answer = self.client.post(
            "/web/session/authenticate", json={"params": params}, environ_base=BROWSER
        )
        if not (answer.json.get("result") or {}).get("uid"):
            raise RuntimeError(f"{side.dbname}: portal login failed: {answer.text}")

    def call(self, url):
        """As ``Side.call`` for ``timed``: the page, the SQL statements of the request
        (Odoo's own count, every cursor included) and its seconds."""
        started = time.perf_counter()
        response = self.client.get(url, environ_base=BROWSER)
        elapsed = time.perf_counter() - started
        if response.status_code != 200:
            raise RuntimeError(f"{self.side.dbname}{url}: {response.status}")
        return response.text, threading.current_thread().query_count, elapsed


def timed(sides, runs, make_work):
    """Per side: worst query count, median server time (ms) and each run's time of
    ``make_work(side)``, the sides measured in turns."""
    samples = {side: [] for side in sides}
    for turn in range(WARMUP + runs):
        for side in sides if turn % 2 else reversed(sides):
            _result, queries, elapsed = side.call(make_work(side))
            if turn >= WARMUP:
                samples[side].append((queries, elapsed * 1000))
    out = {}
    for side, runs_ in samples.items():
        times = [t for _q, t in runs_]
        out[side] = {"queries": max(q for q, _t in runs_), "times": times,
                     "ms": round(statistics.median(times), 2)}  # fmt: skip
    return out


def paired(ours, base):
    """The median of the runs' ratios: each run compared with the other side's run made
    just before or after it, as the machine's load moves."""
    ratios = [a / b for a, b in zip(ours["times"], base["times"], strict=True) if b]
    return round(statistics.median(ratios), 2) if ratios else None


def press_button(button, ticket_id):
    """The request of a ticket's service button (``call_button``): its action."""

    def work(env):
        ticket = env["helpdesk.ticket"]
        action = call_kw(ticket, button, [[ticket_id]], {"context": env.context})
        action = clean_action(action, env=env)
        if isinstance(action.get("context"), str):
            names = {"active_id": ticket_id, "uid": env.uid}
            action["context"] = safe_eval(action["context"], names)
        return action

    return work


def open_form(side, action):
    """The request of the form an action opens: ``onchange`` of a new record, or
    ``web_read`` of an existing one (the web client has the view cached)."""
    model, context = action["res_model"], action.get("context") or {}
    view_id = next((vid for vid, kind in action["views"] if kind == "form"), False)
    with side.registry.cursor() as cr:
        env = api.Environment(cr, side.uid, {**side.context, **context})
        spec = form_spec(env, model, view_id)

    def work(env):
        records = env[model].with_context(**context)
        if action.get("res_id"):
            args = [[action["res_id"]], spec]
            return call_kw(records, "web_read", args, {"context": records.env.context})
        args = [[], {}, [], spec]
        return call_kw(records, "onchange", args, {"context": records.env.context})

    work.spec = spec
    return work


def core_form_action(mgmt, action):
    """For a button opening one of Odoo's own forms (a model helpdesk_mgmt's database
    has too, in the main window): the same form prefilled with the same values there.
    The addon's own keys (``default_<model prefix>_<field>``, like repair's
    ``default_repair_picking_id``) become ``default_<field>``; its new fields drop."""
    model, context = action["res_model"], {}
    if action.get("target") == "new" or action.get("res_id"):
        return None
    if model not in mgmt.registry:
        return None
    fields, prefix = mgmt.registry[model]._fields, model.split(".")[0] + "_"
    for key, value in (action.get("context") or {}).items():
        name = key.removeprefix("default_")
        if name not in fields and name.startswith(prefix):
            name = name.removeprefix(prefix)
        if key.startswith("default_") and name in fields:
            context[f"default_{name}"] = value
    return {**action, "context": context}


def move(partner, kind, product_ids, quantity, **values):
    """An invoice or credit note of ``partner``: a line of ``quantity`` per product."""
    lines = [Command.create({"product_id": p, "quantity": quantity})
             for p in product_ids]  # fmt: skip
    return partner.env["account.move"].create({"move_type": kind,
        "partner_id": partner.id, "invoice_line_ids": lines, **values})  # fmt: skip


class Measure:
    def __init__(self, runs, dbnames):
        self.runs, self.rows, self.notes = runs, [], []
        self.sides = [Side(dbname) for dbname in dbnames]
        self.mgmt, self.addon = self.sides[:2]
        self.ref, self.ref_mgmt = (self.sides[2:] + [None, None])[:2]

    def row(self, label, numbers, ok, budget, base=None, grows=False, **extra):
        """A screen's line: the addon side, helpdesk_mgmt's beside it when ``base``, and
        the growth budget against 1x when there are reference sides: what the addon
        costs beside helpdesk_mgmt when ``numbers`` has helpdesk_mgmt's screen (whose
        own cost grows with the volume), else the screen's own time; for a screen that
        ``grows`` with the data by nature (a report over every document), the same
        queries and its own budget at this volume."""
        ours = numbers[self.addon]
        row = {"label": label, "queries": ours["queries"], "ms": ours["ms"], **extra}
        if base:
            row.update(mgmt_queries=base["queries"], mgmt_ms=base["ms"])
        row.update(budget=budget, result="PASS" if ok else "FAIL")
        if self.ref:
            ref, raw = numbers[self.ref], paired(ours, numbers[self.ref])
            growth = {
                "queries": ref["queries"],
                "ms": ref["ms"],
                "raw": raw,
                "ratio": raw,
            }
            if self.ref_mgmt in numbers:  # the paired ratios to helpdesk_mgmt, 10x/1x
                now = paired(ours, numbers[self.mgmt])
                then = paired(ref, numbers[self.ref_mgmt])
                growth.update(vs_mgmt=[now, then], ratio=round(now / then, 2))
            ok = ref["queries"] == ours["queries"] and (
                ok if grows else growth["ratio"] <= GROWTH_MAX_TIME_RATIO
            )
            if grows:
                growth["budget"] = f"same queries, {budget} (grows with the data)"
            row["growth"] = {**growth, "result": "PASS" if ok else "FAIL"}
        self.rows.append(row)
        say(
            f"  {label}: {ours['queries']} q, {ours['ms']} ms, {row['result']}", "bench"
        )

    def addon_sides(self):
        return [self.addon, self.ref] if self.ref else [self.addon]

    def ticket_screens(self):
        spec, known = self.addon.form_spec, self.mgmt.form_spec
        relations = [name for name, sub in spec.items()
                     if (name not in known or name in LINKED_FIELDS)
                     and (sub.get("fields") or name.endswith("_count"))]  # fmt: skip
        for key, label in (
            ("full", "Ticket form, full after-sales context"),
            ("plain", "Ticket form, plain ticket"),
        ):
            costs = self.display_cost(self.addon.tickets[key], relations)
            each = (f"{n} {c['queries']} q/{c['ms']:.1f} ms" for n, c in costs.items())
            self.notes.append(f"{label}: what Odoo itself needs to show each "
                              f"after-sales relation: {', '.join(each)}")  # fmt: skip
            extra_q = sum(c["queries"] for c in costs.values())
            extra_ms = sum(c["ms"] for c in costs.values())
            numbers = timed(self.sides, self.runs, lambda side, key=key: rpc(
                "helpdesk.ticket", "web_read", [side.tickets[key]],
                specification=side.form_spec))  # fmt: skip
            base, ours = numbers[self.mgmt], numbers[self.addon]
            max_ratio = FORM_MAX_TIME_RATIO * (base["ms"] + extra_ms) / base["ms"]
            ratio = paired(ours, base)
            ok = ours["queries"] <= base["queries"] + extra_q and ratio <= max_ratio
            budget = f"q <= {base['queries']}+{extra_q}, ratio <= {max_ratio:.2f}"
            self.row(label, numbers, ok, budget, base, ratio=ratio)
        numbers = timed(self.sides, self.runs, lambda side: list_page(side.list_spec))
        base, ours = numbers[self.mgmt], numbers[self.addon]
        ok = ours["queries"] <= base["queries"]
        label = f"Ticket list ({LIST_LIMIT} records)"
        self.row(label, numbers, ok, "no extra query", base, ratio=paired(ours, base))

    def display_cost(self, ticket_id, relations):
        """Per relation, what Odoo itself needs to show it on this ticket, measured
        alone: a count is its grouped query; a list (the After-Sales tab) the ticket's
        ``web_read`` of it, less the same request without it; a record its display
        name (a product reads its variant, template and attribute values: three
        queries). At least one query each."""
        with self.addon.registry.cursor() as cr:
            ticket = api.Environment(cr, 1, {})["helpdesk.ticket"].browse(ticket_id)
            values = {n: ticket[n] for n in relations if not n.endswith("_count")}
        costs, spec = {}, self.addon.form_spec

        def read(names):
            return (
                lambda env: env["helpdesk.ticket"]
                .browse(ticket_id)
                .web_read({name: spec[name] for name in names})
            )

        for name in relations:
            record, base = values.get(name), None
            if name.endswith("_count"):

                def work(env, name=name):
                    return env["helpdesk.ticket"].browse(ticket_id)[name]
            elif set(spec[name].get("fields", {})) - {"display_name"}:
                work, base = read([name]), read([])
            elif record:

                def work(env, record=record):
                    records = env[record._name].browse(record.ids).sudo()
                    return records.mapped("display_name")
            else:  # nothing to show on this ticket
                costs[name] = {"queries": 1, "ms": 0.0}
                continue
            works = [work] if base is None else [work, base]
            cost = [timed([self.addon], self.runs, lambda side, w=w: w)[self.addon]
                    for w in works]  # fmt: skip
            queries = cost[0]["queries"] - sum(c["queries"] for c in cost[1:])
            ms = cost[0]["ms"] - sum(c["ms"] for c in cost[1:])
            costs[name] = {"queries": max(1, queries), "ms": max(0.0, ms)}
        return costs

    def counts(self):
        """The count fields the addon adds, for a page of tickets: one grouped query,
        and nothing more for the page than for one ticket (a record rule may read the
        companies once per request: loyalty's)."""
        added = self.addon.ticket_fields - self.mgmt.ticket_fields
        for name in sorted(f for f in added if f.endswith("_count")):

            def count(ids, name=name):
                return lambda env: env["helpdesk.ticket"].browse(ids).mapped(name)

            try:
                sides = self.addon_sides()
                numbers = timed(sides, self.runs, lambda side: count(side.page))
                one = timed([self.addon], 1, lambda side: count(side.page[:1]))
                grouped = self.addon.statements(count(self.addon.page), "COUNT(")
            except Exception as error:  # noqa: BLE001  (a field the agent may not read)
                self.notes.append(f"{name}: not measured ({error})")
                continue
            page, one = numbers[self.addon]["queries"], one[self.addon]["queries"]
            ok = grouped == COUNT_MAX_QUERIES and page <= one
            label = f"Count {name} ({len(self.addon.page)} tickets)"
            budget = f"{COUNT_MAX_QUERIES} grouped, q <= 1 ticket's {one}"
            self.row(label, numbers, ok, budget)
            if page > grouped:
                self.notes.append(
                    f"{name}: {grouped} grouped count and {page - grouped} query of "
                    "the documents' record rules, once per request (the same for one "
                    "ticket)"
                )

    def wizards(self):
        """Each service button the addon adds to the ticket form's header, on the big
        customer's tickets with and without order/product/lot: the form it opens."""
        mgmt_buttons = {name for name, _label in self.mgmt.header_buttons()}
        for button, label in self.addon.header_buttons():
            if button not in mgmt_buttons:
                for key, what in (("full", "order/product/lot set"),
                                  ("big_customer", "customer only")):  # fmt: skip
                    self.wizard(button, label, what, key)

    def wizard(self, button, label, what, key):
        sides = self.addon_sides()
        presses = {side: press_button(button, side.tickets[key]) for side in sides}
        try:
            actions = {side: side.call(presses[side])[0] for side in sides}
        except UserError as error:
            return self.notes.append(f"{label} ({what}): not measured: {error}")
        action = actions[self.addon]
        if action.get("type") != "ir.actions.act_window":
            return self.notes.append(f"{label} ({what}): opens no form")
        pressed = timed([self.addon], self.runs, lambda side: presses[side])[self.addon]
        forms = {side: open_form(side, actions[side]) for side in sides}
        numbers = timed(sides, self.runs, lambda side: forms[side])
        ours, base, max_q = numbers[self.addon], None, WIZARD_MAX_QUERIES
        budget = f"q <= {WIZARD_MAX_QUERIES}, <= {WIZARD_MAX_MS:g} ms"
        core_action = core_form_action(self.mgmt, action)
        if core_action:
            # Odoo's own form (Repair): held to what it costs, prefilled alike, without
            # this addon, plus one query per relation the addon shows on it.
            work = open_form(self.mgmt, core_action)
            base = timed([self.mgmt], self.runs, lambda side: work)[self.mgmt]
            model = self.addon.registry[action["res_model"]]
            known = self.mgmt.registry[model._name]._fields
            added = [n for n in forms[self.addon].spec
                     if n not in known and model._fields[n].relational]  # fmt: skip
            if base["queries"] + len(added) > max_q:
                max_q = base["queries"] + len(added)
                budget = f"q <= Odoo's {base['queries']}+{len(added)}, " + budget[9:]
        ok = ours["queries"] <= max_q and ours["ms"] <= WIZARD_MAX_MS
        kind = "form" if core_action else "wizard"
        self.row(f"{label} {kind} ({what})", numbers, ok, budget, base)
        self.notes.append(
            f"{label} ({what}): the button's own request (call_button) before the "
            f"form: {pressed['queries']} q/{pressed['ms']:.1f} ms"
        )

    def fixtures(self):
        """On each copy with the addon, committed before any timing: a warranty for the
        serial products (bench_data.py's have none: the warranty would not be computed)
        and, for the Refund wizard in line mode, a posted invoice of the big customer
        with 50 lines, the first fifth of them partly credited (a draft credit note).
        Named by hand: numbering after SQL-copied documents may collide."""
        self.lines_invoice = {}
        for side in self.addon_sides():
            with side.registry.cursor() as cr:
                env = api.Environment(cr, SUPERUSER_ID, {"tracking_disable": True})
                products = env["product.product"].search([("type", "=", "consu")])
                serial = products.filtered(lambda p: p.tracking == "serial")
                serial.product_tmpl_id.write({"warranty": 2, "warranty_type": "year"})
                ticket = env["helpdesk.ticket"].browse(side.tickets["big_customer"])
                customer = ticket.commercial_partner_id
                cycled = (products - serial).ids * REFUND_LINES  # 16 products at 0.05
                invoice = move(customer, "out_invoice", cycled[:REFUND_LINES], 2,
                               name="BENCH/LINES/0001")  # fmt: skip
                invoice.action_post()
                credited = invoice.invoice_line_ids[: REFUND_LINES // 5].product_id
                move(customer, "out_refund", credited.ids, 1,
                     reversed_entry_id=invoice.id)  # fmt: skip
                self.lines_invoice[side] = invoice.id

    def refund_lines(self):
        """#18: the Refund wizard of the big customer's ticket, the 50-line invoice
        chosen, switched to Selected lines: the form's ``onchange`` of the scope."""
        label = f"Refund wizard, Selected lines ({REFUND_LINES}-line invoice)"
        sides, works = self.addon_sides(), {}
        for side in sides:
            ticket = side.tickets["big_customer"]
            action = side.call(press_button("action_refund", ticket))[0]
            opened = open_form(side, action)
            values = client_values(side.call(opened)[0]["value"])
            invoice = [Command.LINK, self.lines_invoice[side]]
            values.update(helpdesk_refund_scope="lines", move_ids=[invoice])
            works[side] = rpc(action["res_model"], "onchange", [], values,
                              ["helpdesk_refund_scope"], opened.spec,
                              context=action["context"])  # fmt: skip
        value = self.addon.call(works[self.addon])[0]["value"]
        rows = len(value.get("helpdesk_line_ids", []))
        self.notes.append(f"{label}: {rows} rows in the onchange's answer")
        numbers = timed(sides, self.runs, lambda side: works[side])
        ours = numbers[self.addon]
        ok = ours["queries"] <= WIZARD_MAX_QUERIES and ours["ms"] <= WIZARD_MAX_MS
        budget = f"q <= {WIZARD_MAX_QUERIES}, <= {WIZARD_MAX_MS:g} ms"
        self.row(label, numbers, ok, budget)

    def report_graph(self):
        """#19: the After-Sales report's graph as its menu opens it: the graph view's
        groupings and measure, its action's default filter (not cancelled)."""
        model = "helpdesk.after.sales.report"
        with self.addon.registry.cursor() as cr:
            env = api.Environment(cr, self.addon.uid, self.addon.context)
            arch = env[model].get_views([(False, "graph")])["views"]["graph"]["arch"]
            fields = etree.fromstring(arch).iterfind("field")
            groupby, measures = [], ["__count"]
            for node in fields:
                name, interval = node.get("name"), node.get("interval")
                if node.get("type") == "measure":
                    measures.append(f"{name}:{env[model]._fields[name].aggregator}")
                else:
                    groupby.append(f"{name}:{interval}" if interval else name)
        read = rpc(model, "web_read_group", [("state", "!=", "cancel")], measures,
                   groupby, lazy=False, context={"fill_temporal": True})  # fmt: skip
        numbers = timed(self.addon_sides(), self.runs, lambda side: read)
        ok = numbers[self.addon]["ms"] <= REPORT_MAX_MS
        label = f"After-Sales report graph ({', '.join(groupby)})"
        self.row(label, numbers, ok, f"<= {REPORT_MAX_MS:g} ms", grows=True)

    def after_sales_tab(self):
        """#19: the ticket's After-Sales tab on the full ticket: its fields read with
        the specification the form gives them."""
        page = self.addon.form_arch.find(".//page[@name='after_sales']")
        if page is None:
            return self.notes.append("After-Sales tab: not on the agent's form")
        spec = {f.get("name"): self.addon.form_spec[f.get("name")]
                for f in page.iterchildren("field")}  # fmt: skip
        numbers = timed(self.addon_sides(), self.runs, lambda side: rpc(
            "helpdesk.ticket", "web_read", [side.tickets["full"]],
            specification=spec))  # fmt: skip
        ok = numbers[self.addon]["queries"] <= TAB_MAX_QUERIES
        label = "Ticket's After-Sales tab, full after-sales context"
        self.row(label, numbers, ok, f"q <= {TAB_MAX_QUERIES}")

    def warranty(self):
        """#20: the warranty on the ticket list (its columns, which the web client
        fetches whether shown or hidden) of the first 80 tickets with a product (the
        first page has none: the newest tickets are plain ones), the same tickets in
        helpdesk_mgmt's database, and on the full ticket's form (the badge): at most 2
        queries more than the same request without the warranty's fields."""
        twin = {self.mgmt: self.addon, self.ref_mgmt: self.ref}
        pages = {side: side.call(lambda env: env["helpdesk.ticket"].search(
            [("product_id", "!=", False)], limit=LIST_LIMIT).ids)[0]
            for side in self.addon_sides()}  # fmt: skip
        screens = {
            f"Ticket list ({LIST_LIMIT} with a product)": lambda side, spec: list_page(
                spec(side.list_spec), [("id", "in", pages[twin.get(side, side)])]),
            "Ticket form, full after-sales context": lambda side, spec: rpc(
                "helpdesk.ticket", "web_read", [side.tickets["full"]],
                specification=spec(side.form_spec)),
        }  # fmt: skip

        def without(spec):
            return {n: sub for n, sub in spec.items() if not n.startswith("warranty_")}

        for label, request in screens.items():
            plain = timed([self.addon], self.runs, lambda s, r=request: r(s, without))
            numbers = timed(self.sides, self.runs, lambda s, r=request: r(s, dict))
            plain, ours, base = (
                plain[self.addon],
                numbers[self.addon],
                numbers[self.mgmt],
            )
            extra = WARRANTY_MAX_EXTRA_QUERIES
            ok = ours["queries"] <= plain["queries"] + extra
            budget = f"q <= {plain['queries']} without the warranty + {extra}"
            self.row(f"{label}, warranty shown", numbers, ok, budget, base,
                     ratio=paired(ours, base))  # fmt: skip
            result = self.addon.call(request(self.addon, dict))[0]
            records = result["records"] if isinstance(result, dict) else result
            shown = Counter(record["warranty_state"] for record in records)
            self.notes.append(f"{label}: warranties {dict(shown)}; without the "
                              f"warranty's fields {plain['queries']} q/"
                              f"{plain['ms']:.1f} ms")  # fmt: skip

    def portal_ticket_page(self):
        """The full ticket's portal page as its customer, beside helpdesk_mgmt's own
        page of it, with 1 then 5 documents of each kind; with none in the notes."""
        pages, one, costs = {}, None, None
        for documents in (0, 1, 5):
            wanted = {side: portal_fixture(side, documents) for side in self.sides}
            pages = pages or {PortalPage(side): side for side in self.sides}
            for page, side in pages.items():
                html = etree.HTML(page.call(page.url)[0])
                sections = [section for _d, section, _s in PORTAL_DOCUMENTS.values()]
                shown = {section: len(html.xpath(f"//div[@id='{section}']//tbody/tr"))
                         for section in sections}  # fmt: skip
                if set(shown.values()) != {wanted[side]}:
                    raise RuntimeError(f"{side.dbname}: {shown}, not {wanted[side]}")
            costs = costs or self.portal_costs()
            numbers = timed(list(pages), self.runs if documents else 1, lambda p: p.url)
            numbers = {side: numbers[page] for page, side in pages.items()}
            base, ours = numbers[self.mgmt]["queries"], numbers[self.addon]["queries"]
            if not documents:
                searches = costs["searches"] + costs["warranty badge"]
                self.notes.append(f"Portal ticket page without after-sales documents: "
                                  f"{ours} q, helpdesk_mgmt's {base} q (+{searches}: "
                                  "the sections' searches, the badge)")  # fmt: skip
                continue
            parts = {name: q for name, q in costs.items() if name != "searches"}
            extra = sum(parts.values())
            ok = ours <= base + extra and ours == (one or ours)
            each = " + ".join(f"{name} {q}" for name, q in parts.items())
            budget = f"q <= {base}+{extra} ({each})" + (
                f", = 1 of each's {one}" if one else "")  # fmt: skip
            one, label = ours, f"Portal ticket page ({documents} of each document kind)"
            ratio = paired(numbers[self.addon], numbers[self.mgmt])
            self.row(label, numbers, ok, budget, numbers[self.mgmt], ratio=ratio)

    def portal_costs(self):
        """{part: queries} of what the after-sales parts of the portal ticket page
        need, whatever the number of documents (PORTAL_DOCUMENTS): per section its
        search and one query per other model it shows; the task search as the
        customer, with project's portal rule, and the warranty badge's product name
        measured alone, as the ticket form's relations are. "searches": the sections'
        searches alone, what they cost without documents."""
        ticket_id = self.addon.tickets["full"]
        with self.addon.registry.cursor() as cr:
            users = api.Environment(cr, SUPERUSER_ID, {})["res.users"]
            portal = users.search([("login", "=", PORTAL_LOGIN)]).id

        def tasks(env):
            # As the page searches them: with the rule's domain, the ticket field being
            # closed to portal users.
            rule = env["ir.rule"].with_user(portal)._compute_domain("project.task")
            mine = [("helpdesk_ticket_id", "=", ticket_id)]
            return env["project.task"].sudo().search(AND([mine, rule])).ids

        task_search = timed([self.addon], self.runs, lambda side: tasks)[self.addon]
        costs, searches = {}, 0
        for model, (_domain, section, shown) in PORTAL_DOCUMENTS.items():
            search = task_search["queries"] if model == "project.task" else 1
            costs[section.removeprefix("ticket_")] = search + len(shown)
            searches += search
        badge = self.display_cost(ticket_id, ["product_id"])["product_id"]
        costs["warranty badge"] = badge["queries"]
        costs["searches"] = searches
        return costs


def main(out, runs, *dbnames):
    measure = Measure(int(runs), dbnames)
    measure.fixtures()
    measure.ticket_screens()
    measure.counts()
    measure.wizards()
    measure.refund_lines()
    measure.report_graph()
    measure.after_sales_tab()
    measure.warranty()
    measure.portal_ticket_page()
    result = {"rows": measure.rows, "notes": measure.notes, "databases": dbnames}
    Path(out).write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main(*sys.argv[1:])
