"""The benchmark's measurements (run by scripts/bench.py inside Odoo, on copies of its templates).

Each screen is one or two RPCs of the web client, called as the web client calls them
(``call_kw`` with the user's context) as the benchmark's helpdesk agent, each in a fresh cursor
and environment like a request (empty record cache; Odoo's ormcaches warm, as on a live server).
Field specifications come from the views the agent gets (``get_views``), turned into the
specification the web client would send (its ``getFieldsSpec``). Both databases are measured in
turns, so that the machine's load falls on both alike.
"""

import ast
import json
import logging
import statistics
import time

from lxml import etree

from odoo import api
from odoo.api import call_kw
from odoo.exceptions import UserError
from odoo.modules.registry import Registry
from odoo.tools.safe_eval import safe_eval

X2MANY_TAGS = ("many2many_tags", "many2many_tags_avatar", "many2many_avatar_user")
LIST_LIMIT = 80
WARMUP = 2


# =========================================================================== field
# specification
def fields_spec(env, model, node):
    """The web client's specification for the fields under ``node`` (an arch element)."""
    spec = {}
    for child in node.iterchildren(tag=etree.Element):
        if child.tag == "field":
            field = env[model]._fields.get(child.get("name"))
            if field is not None:
                spec[field.name] = merge(
                    spec.get(field.name, {}), field_spec(env, field, child)
                )
        else:
            for name, sub in fields_spec(env, model, child).items():
                spec[name] = merge(spec.get(name, {}), sub)
    return spec


def field_spec(env, field, node):
    invisible = node.get("invisible") in ("1", "True", "true")
    if field.type in ("many2one", "reference"):
        return {"fields": {} if invisible else {"display_name": {}}}
    if field.type not in ("one2many", "many2many") or invisible:
        return {}
    if node.get("widget") in X2MANY_TAGS:
        related = {"display_name": {}}
        options = ast.literal_eval(node.get("options") or "{}")
        if options.get("color_field"):
            related[options["color_field"]] = {}
        return {"fields": related}
    subviews = [child for child in node if child.tag in ("list", "tree", "kanban")]
    if not subviews:
        return {}
    subview = next((v for v in subviews if v.tag != "kanban"), subviews[0])
    return {
        "fields": fields_spec(env, field.comodel_name, subview),
        "limit": int(subview.get("limit") or 40),
    }


def merge(a, b):
    out = dict(a)
    for key, value in b.items():
        out[key] = merge(out.get(key, {}), value) if isinstance(value, dict) else value
    return out


def view_arch(env, model, view_type, view_id=False):
    views = env[model].get_views([(view_id, view_type)])
    return etree.fromstring(views["views"][view_type]["arch"])


def relations_of(spec):
    """The relations a form shows: relational fields not always hidden, and counts."""
    return [
        name
        for name, sub in spec.items()
        if sub.get("fields") or name.endswith("_count")
    ]


def display_cost(side, ticket_id, relations, runs):
    """Per relation, what Odoo itself needs to show it on this ticket, measured alone: a count
    is its grouped query; a record is its display name (a product reads its variant, its
    template and its attribute values: three queries). At least one query each. The form may
    cost no more than that on top of helpdesk_mgmt's."""
    with side.registry.cursor() as cr:
        env = api.Environment(cr, 1, {})
        ticket = env["helpdesk.ticket"].browse(ticket_id)
        values = {
            name: ticket[name] for name in relations if not name.endswith("_count")
        }
    costs = {}
    for name in relations:
        record = values.get(name)
        if name.endswith("_count"):

            def work(env, name=name):
                return env["helpdesk.ticket"].browse(ticket_id)[name]
        elif record:

            def work(env, record=record):
                return env[record._name].browse(record.ids).sudo().display_name
        else:
            costs[name] = {"queries": 1, "ms": 0.0}  # nothing to show on this ticket
            continue
        costs[name] = timed([side], runs, lambda side, work=work: work)[side.dbname]
        costs[name]["queries"] = max(1, costs[name]["queries"])
        del costs[name]["times"]
    return costs


# =========================================================================== database
# side
class Side:
    """One database as the agent sees it."""

    def __init__(self, dbname):
        self.dbname = dbname
        self.registry = Registry(dbname)
        with self.registry.cursor() as cr:
            env = api.Environment(cr, 1, {})
            params = env["ir.config_parameter"]
            self.uid = int(params.get_param("bench.agent"))
            self.tickets = {
                key: int(params.get_param(f"bench.ticket_{key}"))
                for key in ("full", "plain", "big_customer")
            }
            agent = env["res.users"].browse(self.uid)
            self.context = {
                "lang": agent.lang or "en_US",
                "tz": agent.tz or "Europe/Stockholm",
                "uid": self.uid,
                "allowed_company_ids": agent.company_id.ids,
            }
            agent_env = api.Environment(cr, self.uid, self.context)
            self.form_arch = view_arch(agent_env, "helpdesk.ticket", "form")
            self.form_spec = {
                "display_name": {},
                **fields_spec(agent_env, "helpdesk.ticket", self.form_arch),
            }
            list_arch = view_arch(agent_env, "helpdesk.ticket", "list")
            self.list_spec = fields_spec(agent_env, "helpdesk.ticket", list_arch)
            self.ticket_fields = set(env["helpdesk.ticket"]._fields)
            self.page = env["helpdesk.ticket"].search([], limit=LIST_LIMIT).ids

    def call(self, work):
        """Run ``work(env)`` as one request: (result, queries, seconds)."""
        with self.registry.cursor() as cr:
            env = api.Environment(cr, self.uid, self.context)
            queries = cr.sql_log_count
            started = time.perf_counter()
            result = work(env)
            elapsed = time.perf_counter() - started
            queries = cr.sql_log_count - queries
            cr.rollback()
        return result, queries, elapsed

    def statements(self, work, marker):
        """How many SQL statements containing ``marker`` one run of ``work(env)`` executes."""
        seen = []

        class Catch(logging.Handler):
            def emit(self, record):
                if marker in record.getMessage():
                    seen.append(record)

        logger = logging.getLogger("odoo.sql_db")
        handler, level, propagate = Catch(logging.DEBUG), logger.level, logger.propagate
        logger.addHandler(handler)
        logger.setLevel(logging.DEBUG)
        logger.propagate = False  # caught here, not printed
        try:
            self.call(work)
        finally:
            logger.setLevel(level)
            logger.propagate = propagate
            logger.removeHandler(handler)
        return len(seen)

    def header_buttons(self):
        return [
            (button.get("name"), button.get("string") or button.get("name"))
            for button in self.form_arch.iterfind(".//header/button[@type='object']")
        ]


def rpc(model, method, *args, **kwargs):
    """A JSON-RPC call of the web client: ``call_kw`` with the user's context."""

    def work(env):
        return call_kw(
            env[model], method, list(args), {**kwargs, "context": env.context}
        )

    return work


# =========================================================================== measures
def timed(sides, runs, make_work):
    """Median server time and query count of ``make_work(side)`` on each side, in turns."""
    samples = {side.dbname: [] for side in sides}
    for turn in range(WARMUP + runs):
        for side in sides if turn % 2 else reversed(sides):
            _result, queries, elapsed = side.call(make_work(side))
            if turn >= WARMUP:
                samples[side.dbname].append((queries, elapsed))
    out = {}
    for side in sides:
        queries = [q for q, _t in samples[side.dbname]]
        times = [t * 1000 for _q, t in samples[side.dbname]]
        out[side.dbname] = {
            "queries": max(queries),
            "queries_min": min(queries),
            "ms": round(statistics.median(times), 2),
            "times": times,
        }
    return out


def press_button(button, ticket_id):
    """The request of a ticket's service button (``call_button``): its action, cleaned."""
    from odoo.addons.web.controllers.utils import clean_action

    def work(env):
        action = call_kw(
            env["helpdesk.ticket"], button, [[ticket_id]], {"context": env.context}
        )
        action = clean_action(action, env=env)
        context = action.get("context") or {}
        if isinstance(context, str):
            action["context"] = safe_eval(
                context, {"active_id": ticket_id, "uid": env.uid}
            )
        return action

    return work


def open_form(side, action):
    """The request of the form the button's action opens: ``onchange`` of a new record, or
    ``web_read`` of an existing one. The web client has the view (get_views) cached."""
    model = action["res_model"]
    view_id = next((vid for vid, kind in action["views"] if kind == "form"), False)
    with side.registry.cursor() as cr:
        env = api.Environment(
            cr, side.uid, {**side.context, **action.get("context", {})}
        )
        spec = fields_spec(env, model, view_arch(env, model, "form", view_id))

    def work(env):
        wizard_env = env(context={**env.context, **action.get("context", {})})
        if action.get("res_id"):
            args = [[action["res_id"]], spec]
            return call_kw(
                wizard_env[model], "web_read", args, {"context": wizard_env.context}
            )
        args = [[], {}, [], spec]
        return call_kw(
            wizard_env[model], "onchange", args, {"context": wizard_env.context}
        )

    return work


def core_form_action(mgmt, action):
    """For a button opening one of Odoo's own forms (a model that helpdesk_mgmt's database has
    too, in the main window): the same form prefilled with the same values there, else None.
    The addon's own context keys (``default_<model prefix>_<field>``, like repair's own
    ``default_repair_picking_id``) become plain ``default_<field>``; keys for fields this addon
    adds are left out."""
    model = action["res_model"]
    if (
        action.get("target") == "new"
        or action.get("res_id")
        or model not in mgmt.registry
    ):
        return None
    fields = mgmt.registry[model]._fields
    prefix = model.split(".")[0] + "_"
    context = {}
    for key, value in (action.get("context") or {}).items():
        if not key.startswith("default_"):
            continue
        name = key.removeprefix("default_")
        if name not in fields and name.startswith(prefix):
            name = name.removeprefix(prefix)
        if name in fields:
            context[f"default_{name}"] = value
    return {**action, "context": context}


def added_relations(mgmt, addon, action):
    """The relational fields the addon adds to the form an action opens."""
    model = action["res_model"]
    view_id = next((vid for vid, kind in action["views"] if kind == "form"), False)
    with addon.registry.cursor() as cr:
        env = api.Environment(cr, addon.uid, addon.context)
        spec = fields_spec(env, model, view_arch(env, model, "form", view_id))
        fields = env[model]._fields
    known = mgmt.registry[model]._fields
    return [name for name in spec if name not in known and fields[name].relational]


def measure_counts(mgmt, addon, rows, notes):
    """The count fields the addon adds to the ticket, for a page of tickets."""
    from bench import COUNT_MAX_QUERIES

    # Counts: one grouped query for a page of tickets. A record rule may cost a query of
    # its own once per request (loyalty's company rule reads the companies'
    # parent_path): that does not grow with the page, so the budget is one grouped
    # count, and nothing more for 80 tickets than for one.
    for name in sorted(
        f for f in addon.ticket_fields - mgmt.ticket_fields if f.endswith("_count")
    ):

        def count(ids, name=name):
            return (
                lambda side: lambda env: env["helpdesk.ticket"].browse(ids).mapped(name)
            )

        try:
            numbers = timed([addon], 1, count(addon.page))[addon.dbname]
            one = timed([addon], 1, count(addon.page[:1]))[addon.dbname]
            grouped = addon.statements(count(addon.page)(addon), "COUNT(")
        except Exception as error:  # noqa: BLE001  (a field of a group the agent lacks)
            notes.append(f"{name}: not measured ({error})")
            continue
        ok = grouped == COUNT_MAX_QUERIES and numbers["queries"] <= one["queries"]
        rows.append(
            {
                "label": f"Count {name} ({len(addon.page)} tickets)",
                "queries": numbers["queries"],
                "ms": numbers["ms"],
                "budget": f"{COUNT_MAX_QUERIES} grouped, q <= 1 ticket's {one['queries']}",
                "result": "PASS" if ok else "FAIL",
            }
        )
        if numbers["queries"] > grouped:
            notes.append(
                f"{name}: {grouped} grouped count and {numbers['queries'] - grouped} query of "
                "the documents' record rules, once per request (the same for one ticket)"
            )


def measure(args):
    from bench import (
        FORM_MAX_TIME_RATIO,
        WIZARD_MAX_MS,
        WIZARD_MAX_QUERIES,
    )
    from dev import LOCAL

    mgmt, addon = Side(args.dbnames[0]), Side(args.dbnames[1])
    both = [mgmt, addon]
    rows, notes = [], []
    added = {
        name: sub for name, sub in addon.form_spec.items() if name not in mgmt.form_spec
    }
    relations = relations_of(added)

    def side_by_side(label, numbers, extra_queries, time_ratio, extra_ms=0.0):
        base, ours = numbers[mgmt.dbname], numbers[addon.dbname]
        # The machine's load changes from second to second: each run of ours is compared
        # with the run of helpdesk_mgmt made just before or after it, and the ratios'
        # median kept.
        ratio = statistics.median(
            b and a / b
            for a, b in zip(ours.pop("times"), base.pop("times"), strict=True)
        )
        ok = ours["queries"] <= base["queries"] + extra_queries
        budget = (
            f"q <= {base['queries']}+{extra_queries}"
            if extra_queries
            else "no extra query"
        )
        if time_ratio:
            max_ratio = time_ratio * (base["ms"] + extra_ms) / base["ms"]
            ok = ok and ratio <= max_ratio
            budget += f", ratio <= {max_ratio:.2f}"
        rows.append(
            {
                "label": label,
                "mgmt_queries": base["queries"],
                "queries": ours["queries"],
                "mgmt_ms": base["ms"],
                "ms": ours["ms"],
                "ratio": ratio and round(ratio, 2),
                "budget": budget,
                "result": "PASS" if ok else "FAIL",
            }
        )
        print(f"[bench]   {label}: {base} / {ours}", flush=True)

    for key, label in (
        ("full", "Ticket form, full after-sales context"),
        ("plain", "Ticket form, plain ticket"),
    ):

        def form(side, key=key):
            spec = side.form_spec
            return rpc(
                "helpdesk.ticket", "web_read", [side.tickets[key]], specification=spec
            )

        costs = display_cost(addon, addon.tickets[key], relations, args.runs)
        notes.append(
            f"{label}: what Odoo itself needs to show each after-sales relation: "
            + ", ".join(
                f"{name} {c['queries']} q/{c['ms']:.1f} ms" for name, c in costs.items()
            )
        )
        side_by_side(
            label,
            timed(both, args.runs, form),
            sum(c["queries"] for c in costs.values()),
            FORM_MAX_TIME_RATIO,
            sum(c["ms"] for c in costs.values()),
        )

    def listing(side):
        return rpc(
            "helpdesk.ticket", "web_search_read", [], side.list_spec, offset=0,
            limit=LIST_LIMIT, order="", count_limit=10001,
        )  # fmt: skip

    side_by_side(
        f"Ticket list ({LIST_LIMIT} records)", timed(both, args.runs, listing), 0, None
    )

    measure_counts(mgmt, addon, rows, notes)

    # Service wizards: the header buttons the addon adds to the ticket form.
    mgmt_buttons = {name for name, _label in mgmt.header_buttons()}
    for button, label in addon.header_buttons():
        if button in mgmt_buttons:
            continue
        for key, what in (
            ("full", "order/product/lot set"),
            ("big_customer", "customer only"),
        ):
            button_work = press_button(button, addon.tickets[key])
            try:
                action = addon.call(button_work)[0]
            except UserError as error:
                notes.append(
                    f"{label} ({what}): not measured, the button refuses: {error}"
                )
                continue
            if action.get("type") != "ir.actions.act_window":
                notes.append(
                    f"{label} ({what}): the button opens no form ({action.get('type')})"
                )
                continue
            pressed = timed([addon], args.runs, lambda side, work=button_work: work)[
                addon.dbname
            ]
            form_work = open_form(addon, action)
            numbers = timed([addon], args.runs, lambda side, work=form_work: work)[
                addon.dbname
            ]
            max_queries, base = WIZARD_MAX_QUERIES, {}
            core_action = core_form_action(mgmt, action)
            if core_action:
                # Not a wizard of ours but Odoo's own form (Repair): held to what that
                # form, prefilled with the same values, costs without this addon.
                core_work = open_form(mgmt, core_action)
                base = timed([mgmt], args.runs, lambda side, work=core_work: work)[
                    mgmt.dbname
                ]
                # As for the ticket form: one query more per relation the addon shows on
                # it.
                added = added_relations(mgmt, addon, action)
                max_queries = max(WIZARD_MAX_QUERIES, base["queries"] + len(added))
            ok = numbers["queries"] <= max_queries and numbers["ms"] <= WIZARD_MAX_MS
            budget = f"q <= {WIZARD_MAX_QUERIES}, <= {WIZARD_MAX_MS:g} ms"
            if max_queries != WIZARD_MAX_QUERIES:
                budget = f"q <= Odoo's {base['queries']}+{len(added)}, <= {WIZARD_MAX_MS:g} ms"
            rows.append(
                {
                    "label": f"{label} {'form' if core_action else 'wizard'} ({what})",
                    "model": action["res_model"],
                    "mgmt_queries": base.get("queries"),
                    "mgmt_ms": base.get("ms"),
                    "queries": numbers["queries"],
                    "ms": numbers["ms"],
                    "button_queries": pressed["queries"],
                    "button_ms": pressed["ms"],
                    "budget": budget,
                    "result": "PASS" if ok else "FAIL",
                }
            )
            notes.append(
                f"{label} ({what}): the button's own request (call_button) before the form: "
                f"{pressed['queries']} q/{pressed['ms']:.1f} ms"
            )
            print(f"[bench]   {rows[-1]}", flush=True)

    out = {"rows": rows, "notes": notes, "runs": args.runs, "databases": args.dbnames}
    (LOCAL / "bench.json").write_text(json.dumps(out, indent=2))
    return 0
