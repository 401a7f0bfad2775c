"""The benchmark's data: ``click-odoo -d DB bench_data.py populate SCALE | link``.

``populate`` (helpdesk_mgmt template): customers, products, and a few orders,
deliveries, invoices, a credit note and a return through Odoo's own flows; the tens of
thousands of others are copies of them made in SQL with the columns that tell them
apart (customer, product, lot, names, dates, parent rows) replaced, every other column
(amounts, states, accounts, taxes) being what the ORM wrote. Tickets by batched
``create``; the services' documents as ordinary documents, with the ticket each belongs
to written down in ``bench_link``. ``link`` (this addon installed): the tickets get
their order, product and lot, the team its services, and each document its ticket, for
each service whose ``helpdesk_ticket_id`` field exists: the same data, with the addon.
"""

import random
import sys
import time
from collections import defaultdict
from datetime import date, datetime, timedelta
from pathlib import Path

from odoo.fields import Command
from odoo.tools import SQL, mute_logger

with mute_logger("odoo.tests.common"):  # which complains when imported outside tests
    from odoo.addons.base.tests.common import DISABLED_MAIL_CONTEXT

sys.path.insert(0, str(Path(__file__).parent))
from common import (  # noqa: E402  (a script run by click-odoo, beside common.py)
    BIG_CUSTOMER_DELIVERIES,
    BIG_CUSTOMER_INVOICES,
    say,
    sizes,
)

TIERS = (49.0, 129.0, 399.0, 899.0)  # list prices; one prototype order and invoice each
YEARS_BACK = 3
LINKED_MODELS = ("account.move", "stock.picking", "repair.order", "loyalty.card",
                 "project.task")  # fmt: skip
STARTED = time.time()


def progress(msg):
    say(f"  {time.time() - STARTED:5.0f}s  {msg}", "bench")


# ---------------------------------------------------------------- copies in SQL
def columns(cr, table):
    cr.execute(
        "SELECT attname, format_type(atttypid, atttypmod) FROM pg_attribute WHERE "
        "attrelid = %s::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum",
        [table],
    )
    return [(name, kind) for name, kind in cr.fetchall() if name != "id"]


def clone(cr, table, protos, **overrides):
    """Copy row ``protos[i]`` of ``table`` once per i, ``overrides[column][i]``
    replacing that column; return the new ids, in the order of ``protos``."""
    if not protos:
        return []
    cols = columns(cr, table)
    kinds = dict(cols)
    assert set(overrides) <= set(kinds), f"{table} lacks {set(overrides) - set(kinds)}"
    cr.execute(
        "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
        [table, len(protos)],
    )
    ids = [row[0] for row in cr.fetchall()]
    names = ", ".join(f'"{name}"' for name, _kind in cols)
    pick = ", ".join(f'{"v" if n in overrides else "p"}."{n}"' for n, _k in cols)
    arrays = ", ".join(["%s::int4[]"] * 2 + [f"%s::{kinds[c]}[]" for c in overrides])
    aliases = ", ".join(["id", "proto"] + [f'"{c}"' for c in overrides])
    cr.execute(
        f'INSERT INTO "{table}" (id, {names}) SELECT v.id, {pick} FROM unnest({arrays})'
        f' AS v({aliases}) JOIN "{table}" p ON p.id = v.proto',
        [ids, list(protos), *overrides.values()],
    )
    return ids


def clone_children(
    cr, table, parent_column, parent_protos, parent_ids, extra=(), **makers
):
    """Copy the rows of ``table`` under each prototype parent to the parent's copy;
    ``makers[column]`` gives ``column`` for the copy of ``row`` (a dict of id and the
    ``extra`` columns) under parent copy number ``index``: ``maker[index]``, or
    ``maker(index, row)`` when it is a function.
    Return the aligned lists (new ids, prototype ids, parent copy index)."""
    cols = ", ".join(f'"{c}"' for c in ("id", parent_column, *extra))
    cr.execute(
        f'SELECT {cols} FROM "{table}" WHERE "{parent_column}" = ANY(%s) ORDER BY id',
        [list(set(parent_protos))],
    )
    names = [desc[0] for desc in cr.description]
    children = defaultdict(list)
    for values in cr.fetchall():
        row = dict(zip(names, values, strict=True))
        children[row[parent_column]].append(row)
    protos, indexes, overrides = [], [], defaultdict(list)
    for index, (proto, parent) in enumerate(
        zip(parent_protos, parent_ids, strict=True)
    ):
        for row in children[proto]:
            protos.append(row["id"])
            indexes.append(index)
            overrides[parent_column].append(parent)
            for column, make in makers.items():
                value = make(index, row) if callable(make) else make[index]
                overrides[column].append(value)
    return clone(cr, table, protos, **overrides), protos, indexes


def clone_relation(cr, table, column, news, protos):
    """Copy the many2many rows of each prototype to its copy."""
    others = [f'"{name}"' for name, _kind in columns(cr, table) if name != column]
    cr.execute(
        f'INSERT INTO "{table}" ("{column}", {", ".join(others)}) SELECT v.new, '
        f"{', '.join('r.' + o for o in others)} FROM unnest(%s::int4[], %s::int4[]) AS "
        f'v(new, proto) JOIN "{table}" r ON r."{column}" = v.proto',
        [list(news), list(protos)],
    )


def insert(cr, table, *arrays, kinds="int4"):
    kinds = kinds.split(",") if "," in kinds else [kinds] * len(arrays)
    casts = ", ".join(f"%s::{kind}[]" for kind in kinds)
    cr.execute(
        f"INSERT INTO {table} SELECT * FROM unnest({casts})", [*map(list, arrays)]
    )


# ---------------------------------------------------------------- populate
class Populate:
    def __init__(self, env, size):
        self.env, self.cr, self.size = env, env.cr, size
        self.rng = random.Random(11)
        self.warehouse = env["stock.warehouse"].search(
            [("company_id", "=", env.company.id)], limit=1
        )
        self.links = []  # (model, res_id, ticket index)
        self.counters = {}  # document numbers per name prefix

    def run(self):
        progress(f"volume: {self.size}")
        # The copies keep their prototypes' references: the foreign keys' row-by-row
        # checks (triggers) are left out of this transaction, the slowest part at 10x.
        self.cr.execute("SET LOCAL session_replication_role = replica")
        for step in ("people", "products", "prototypes", "deliveries",
                     "direct_invoices", "sequences", "tickets", "credit_notes",
                     "returns", "repairs", "coupons", "tasks", "sequences",
                     "links"):  # fmt: skip
            getattr(self, f"make_{step}")()
        self.env.flush_all()
        progress("done")

    def make_people(self):
        env, n = self.env, self.size["customers"]
        self.customers = env["res.partner"].create([
            {"name": f"Bench Customer {i:04d}", "is_company": True,
             "email": f"customer{i:04d}@bench.example.com", "city": "Gothenburg"}
            for i in range(n)
        ])  # fmt: skip
        self.customer_name = {c.id: c.name for c in self.customers}
        groups = ["helpdesk_mgmt.group_helpdesk_user", "account.group_account_invoice",
                  "stock.group_stock_user", "sales_team.group_sale_salesman_all_leads",
                  "project.group_project_user"]  # fmt: skip
        self.agent = env["res.users"].create({
            "name": "Bench Agent", "login": "bench_agent",
            "email": "agent@bench.example.com",
            "groups_id": [Command.set([env.ref(xmlid).id for xmlid in groups])],
        })  # fmt: skip
        self.fsm_project = env["project.project"].create({"name": "Field Service"})
        self.teams = env["helpdesk.ticket.team"].create([
            {"name": name, "user_ids": [Command.link(self.agent.id)]}
            for name in ("After-Sales", "Support", "Sales Desk")
        ])  # fmt: skip
        progress(f"{n} customers, an agent, {len(self.teams)} teams")

    def make_products(self):
        n, n_serial = self.size["products"], self.size["serial_products"]
        self.products = self.env["product.product"].create([
            {"name": f"Bench Product {i:03d}", "default_code": f"BP{i:03d}",
             "type": "consu", "is_storable": True, "invoice_policy": "delivery",
             "tracking": "serial" if i < n_serial else "none",
             "list_price": TIERS[i % len(TIERS)]}
            for i in range(n)
        ])  # fmt: skip
        self.tier_of = {p.id: i % len(TIERS) for i, p in enumerate(self.products)}
        self.product_label = {p.id: p.display_name for p in self.products}
        self.serial_ids = set(self.products[:n_serial].ids)
        progress(f"{n} products, {n_serial} serial-tracked")

    def make_prototypes(self):
        """Per price tier, an order (confirmed, delivered, invoiced) and an invoice; a
        credit note and a return. Their own customer: the big customer has exactly the
        invoices and deliveries asked."""
        env = self.env
        customer = env["res.partner"].create({"name": "Bench Prototype Customer",
                                              "is_company": True})  # fmt: skip
        self.proto_order, self.proto_invoice = {}, {}
        first_untracked = -(-self.size["serial_products"] // len(TIERS)) * len(TIERS)
        for tier in range(len(TIERS)):
            product = self.products[first_untracked + tier]
            assert product.tracking == "none" and self.tier_of[product.id] == tier
            stock = self.warehouse.lot_stock_id
            env["stock.quant"]._update_available_quantity(product, stock, 100)
            self.proto_order[tier] = self._delivered_order(customer, product)
            line = Command.create({"product_id": product.id, "quantity": 1})
            invoice = env["account.move"].create({"move_type": "out_invoice",
                "partner_id": customer.id, "invoice_line_ids": [line]})  # fmt: skip
            invoice.action_post()
            self.proto_invoice[tier] = invoice
        self.proto_lot = env["stock.lot"].create(
            {"name": "BENCH-PROTO", "product_id": self.products[0].id}
        )
        self.proto_credit_note = self.proto_invoice[0]._reverse_moves(
            [{"ref": "Bench prototype"}]
        )
        product = self.proto_order[0].order_line.product_id
        delivery = self._delivered_order(customer, product).picking_ids
        wizard = (
            env["stock.return.picking"]
            .with_context(active_id=delivery.id, active_model="stock.picking")
            .create({})
        )
        wizard.product_return_moves.quantity = 1
        picking_id = wizard.action_create_returns()["res_id"]
        self.proto_return = env["stock.picking"].browse(picking_id)
        self._validate(self.proto_return)
        self.customer_location = delivery.location_dest_id
        progress("prototypes made through Odoo's flows")

    def _delivered_order(self, customer, product):
        line = Command.create({"product_id": product.id, "product_uom_qty": 1})
        order = self.env["sale.order"].create(
            {"partner_id": customer.id, "order_line": [line]}
        )
        order.action_confirm()
        self._validate(order.picking_ids)
        order._create_invoices().action_post()
        return order

    def _validate(self, picking):
        picking.action_assign()
        for move in picking.move_ids:
            move.quantity = move.product_uom_qty
        picking.move_ids.picked = True
        picking.button_validate()
        assert picking.state == "done", picking.state

    def _dates(self, count):
        """Dates over the last years, oldest first (document numbers follow them)."""
        today, span = date.today(), 365 * YEARS_BACK
        days = (today - timedelta(days=self.rng.randrange(span)) for _ in range(count))
        return sorted(days)

    def _customers(self, count, big):
        """The first customer gets ``big`` of them, the others the rest at random."""
        others = self.customers[1:].ids
        chosen = [self.customers[0].id] * big
        chosen += [self.rng.choice(others) for _ in range(count - big)]
        self.rng.shuffle(chosen)
        return chosen

    def _names(self, prefix_of, dates, table):
        """Document names continuing the existing ones per prefix (``prefix_of(day)``),
        numbered from the highest (past 99999, "INV/2024/99999" sorts after
        "INV/2024/100000"); return the lists of prefixes, numbers and names."""
        out = []
        for day in dates:
            prefix = prefix_of(day)
            if prefix not in self.counters:
                self.cr.execute(
                    f"SELECT max(substr(name, %s)::int) FROM {table} "
                    "WHERE left(name, %s) = %s AND substr(name, %s) ~ '^[0-9]+$'",
                    [len(prefix) + 1, len(prefix), prefix, len(prefix) + 1],
                )
                self.counters[prefix] = self.cr.fetchone()[0] or 0
            self.counters[prefix] += 1
            number = self.counters[prefix]
            out.append((prefix, number, f"{prefix}{number:05d}"))
        return [list(column) for column in zip(*out, strict=True)] or [[], [], []]

    def make_deliveries(self):
        """Orders confirmed, delivered and invoiced: order, procurement group, delivery
        with its move and move line (a new serial number for tracked products),
        valuation layer, posted invoice whose line is linked to the order line."""
        cr, count = self.cr, self.size["deliveries"]
        customers = self._customers(count, BIG_CUSTOMER_DELIVERIES)
        products = [self.rng.choice(self.products.ids) for _ in range(count)]
        # The ticket measured with its whole context is about a serial number of the
        # first price tier, delivered to the big customer: make sure there is one (at
        # 10x the draw gave none).
        big = [i for i, c in enumerate(customers) if c == self.customers[0].id]
        if not any(self.tier_of[products[i]] == 0 and products[i] in self.serial_ids
                   for i in big):  # fmt: skip
            products[big[0]] = self.products[0].id  # serial, first tier
        days = self._dates(count)
        stamps = [datetime.combine(d, datetime.min.time()) + timedelta(hours=10)
                  for d in days]  # fmt: skip
        tiers = [self.tier_of[p] for p in products]
        labels = [self.product_label[p] for p in products]
        *_, order_names = self._names(lambda day: "S", days, "sale_order")
        proto_orders = [self.proto_order[t].id for t in tiers]
        orders = clone(
            cr, "sale_order", proto_orders, name=order_names, partner_id=customers,
            partner_invoice_id=customers, partner_shipping_id=customers,
            date_order=stamps, create_date=stamps, write_date=stamps,
        )  # fmt: skip
        lines, line_protos, _ = clone_children(
            cr, "sale_order_line", "order_id", proto_orders, orders,
            product_id=products, name=labels, order_partner_id=customers)  # fmt: skip
        clone_relation(cr, "account_tax_sale_order_line_rel", "sale_order_line_id",
                       lines, line_protos)  # fmt: skip
        progress(f"{count} orders")
        proto_groups = [self.proto_order[t].procurement_group_id.id for t in tiers]
        groups = clone(cr, "procurement_group", proto_groups, name=order_names,
                       partner_id=customers, sale_id=orders)  # fmt: skip
        cr.execute(
            "UPDATE sale_order o SET procurement_group_id = v.g FROM "
            "unnest(%s::int4[], %s::int4[]) AS v(o, g) WHERE o.id = v.o",
            [orders, groups],
        )
        out_type = self.proto_order[0].picking_ids.picking_type_id
        prefix = out_type.sequence_id.prefix
        *_, picking_names = self._names(lambda day: prefix, days, "stock_picking")
        proto_pickings = [self.proto_order[t].picking_ids.id for t in tiers]
        pickings = clone(
            cr, "stock_picking", proto_pickings, name=picking_names, sale_id=orders,
            origin=order_names, partner_id=customers, group_id=groups, date=stamps,
            scheduled_date=stamps, date_done=stamps, date_deadline=[None] * count,
            create_date=stamps, write_date=stamps,
        )  # fmt: skip
        lot_rows = [i for i in range(count) if products[i] in self.serial_ids]
        lots = clone(
            cr, "stock_lot", [self.proto_lot.id] * len(lot_rows),
            name=[f"SN-{products[i]:04d}-{i:06d}" for i in lot_rows],
            product_id=[products[i] for i in lot_rows],
            location_id=[self.customer_location.id] * len(lot_rows),
            create_date=[stamps[i] for i in lot_rows],
        )  # fmt: skip
        lot_of = dict(zip(lot_rows, lots, strict=True))
        row_lots = [lot_of.get(i) for i in range(count)]
        moves, _protos, _ = clone_children(
            cr, "stock_move", "picking_id", proto_pickings, pickings, name=labels,
            product_id=products, partner_id=customers, group_id=groups, date=stamps,
            sale_line_id=lines, reference=picking_names, origin=order_names,
            date_deadline=[None] * count, description_picking=labels,
            create_date=stamps,
        )  # fmt: skip
        proto_moves = [self.proto_order[t].picking_ids.move_ids.id for t in tiers]
        clone_children(
            cr, "stock_move_line", "move_id", proto_moves, moves, picking_id=pickings,
            product_id=products, lot_id=row_lots, date=stamps, reference=picking_names,
            description_picking=labels, create_date=stamps)  # fmt: skip
        clone_children(
            cr, "stock_valuation_layer", "stock_move_id", proto_moves, moves,
            product_id=products, lot_id=row_lots, create_date=stamps,
            description=[f"{n} - {label}" for n, label in zip(
                picking_names, labels, strict=True)])  # fmt: skip
        progress(f"{count} done deliveries ({len(lots)} serial numbers)")
        proto_invoices = [self.proto_order[t].invoice_ids.id for t in tiers]
        invoices, invoice_lines = self._copy_invoices(
            proto_invoices, customers, products, days, origins=order_names
        )
        pairs = [(aml, lines[i]) for aml, i, kind in invoice_lines if kind == "product"]
        table = "sale_order_line_invoice_rel (invoice_line_id, order_line_id)"
        insert(cr, table, *zip(*pairs, strict=True))
        self.deliveries = [
            {"customer": customers[i], "product": products[i], "lot": row_lots[i],
             "order": orders[i], "picking": pickings[i], "move": moves[i],
             "picking_name": picking_names[i], "invoice": invoices[i], "tier": tiers[i]}
            for i in range(count)
        ]  # fmt: skip
        progress(f"{count} posted invoices of these orders")

    def _copy_invoices(self, proto_invoices, customers, products, days, origins=None):
        count, journal = len(proto_invoices), self.proto_invoice[0].journal_id
        prefixes, numbers, names = self._names(
            lambda day: f"{journal.code}/{day.year}/", days, "account_move"
        )
        stamps = [datetime.combine(d, datetime.min.time()) + timedelta(hours=12)
                  for d in days]  # fmt: skip
        due = [day + timedelta(days=30) for day in days]
        moves = clone(
            self.cr, "account_move", proto_invoices, name=names, partner_id=customers,
            commercial_partner_id=customers, partner_shipping_id=customers,
            invoice_partner_display_name=[self.customer_name[c] for c in customers],
            date=days, invoice_date=days, invoice_date_due=due, payment_reference=names,
            sequence_prefix=prefixes, sequence_number=numbers,
            invoice_origin=origins or [None] * count, create_date=stamps,
            write_date=stamps,
        )  # fmt: skip
        amls, aml_protos, indexes, kinds = self._copy_move_lines(
            proto_invoices, moves, customers, products, names,
            date=days, invoice_date=days, create_date=stamps,
            date_maturity=lambda i, row: due[i] if row["display_type"] == "payment_term"
            else None,
        )  # fmt: skip
        return moves, list(zip(amls, indexes, kinds, strict=True))

    def _copy_move_lines(
        self, proto_moves, moves, customers, products, names, **makers
    ):
        """The journal items of copied invoices or credit notes, with their taxes and
        tags: the customer and product replaced, the labels following them."""

        def label(i, row):
            if row["display_type"] == "product":
                return self.product_label[products[i]]
            return names[i] if row["display_type"] == "payment_term" else row["name"]

        amls, protos, indexes = clone_children(
            self.cr, "account_move_line", "move_id", proto_moves, moves,
            extra=("display_type", "name", "product_id"),
            partner_id=customers,
            product_id=lambda i, row: products[i] if row["product_id"] else None,
            name=label, move_name=names, **makers,
        )  # fmt: skip
        for table in ("account_move_line_account_tax_rel",
                      "account_account_tag_account_move_line_rel"):  # fmt: skip
            clone_relation(self.cr, table, "account_move_line_id", amls, protos)
        self.cr.execute(
            "SELECT id, display_type FROM account_move_line WHERE id = ANY(%s)",
            [protos],
        )
        kind_of = dict(self.cr.fetchall())
        return amls, protos, indexes, [kind_of[p] for p in protos]

    def make_direct_invoices(self):
        """Invoices without an order (the rest of the 50 000)."""
        count = self.size["invoices"] - self.size["deliveries"]
        big = BIG_CUSTOMER_INVOICES - BIG_CUSTOMER_DELIVERIES
        customers = self._customers(count, big)
        products = [self.rng.choice(self.products.ids) for _ in range(count)]
        protos = [self.proto_invoice[self.tier_of[p]].id for p in products]
        days = self._dates(count)
        for start in range(0, count, 10_000):
            part = slice(start, start + 10_000)
            self._copy_invoices(
                protos[part], customers[part], products[part], days[part]
            )
            progress(f"{min(start + 10_000, count)}/{count} invoices without order")

    def make_sequences(self):
        """Odoo's next numbers after the copies' (orders and deliveries, then returns
        and repairs). Flushes what the ORM has pending: the returns copy its writes."""
        self.env.invalidate_all()
        prefixes = list(self.counters)
        for sequence in self.env["ir.sequence"].search([("prefix", "in", prefixes)]):
            number = self.counters[sequence.prefix] + 1
            sequence.number_next = max(number, sequence.number_next_actual)

    def make_tickets(self):
        """Half of them about a delivered order (the context the addon sets on them
        later), spread over the teams; the first one is the big customer's, about a
        serial number, and the last one the big customer's without order or product."""
        env, n_tickets = self.env, self.size["tickets"]
        n_context, big = self.size["context_tickets"], self.customers[0].id
        first = next(d for d in self.deliveries if d["customer"] == big
                     and d["lot"] and d["tier"] == 0)  # fmt: skip
        others = [d for d in self.deliveries if d is not first]
        self.context = [first, *self.rng.sample(others, n_context - 1)]
        customers = [self.rng.choice(self.customers.ids) for _ in range(n_tickets)]
        customers[-1] = big
        vals = []
        for i in range(n_tickets):
            context = self.context[i] if i < n_context else None
            team = (
                0 if context or i % 3 == 0 or i in (n_context, n_tickets - 1) else i % 3
            )
            vals.append({
                "name": f"Bench ticket {i:05d}: "
                + ("the product fails" if context else "a question"),
                "description": f"<p>Ticket {i} of the benchmark.</p>",
                "partner_id": context["customer"] if context else customers[i],
                "team_id": self.teams[team].id,
                "user_id": self.agent.id if i % 4 == 0 else False,
            })  # fmt: skip
        self.tickets = env["helpdesk.ticket"]
        for start in range(0, n_tickets, 1000):
            self.tickets |= env["helpdesk.ticket"].create(vals[start : start + 1000])
            progress(f"{len(self.tickets)}/{n_tickets} tickets")
        params = env["ir.config_parameter"]
        for key, value in (("ticket_full", self.tickets[0].id),
                           ("ticket_big_customer", self.tickets[-1].id),
                           ("ticket_plain", self.tickets[n_context].id),
                           ("agent", self.agent.id)):  # fmt: skip
            params.set_param(f"bench.{key}", value)
        self.cr.execute(
            "CREATE TABLE bench_ticket_context (ticket_id int, sale_order_id int, "
            "product_id int, lot_id int)"
        )
        keys = ("order", "product", "lot")
        insert(self.cr, "bench_ticket_context", self.tickets[:n_context].ids,
               *([c[k] for c in self.context] for k in keys))  # fmt: skip

    def _service_tickets(self, offset):
        """Context tickets that get a document of a service: the first one always, the
        others shifted per service so that tickets have different mixes of services."""
        n_context, count = self.size["context_tickets"], self.size["service_documents"]
        indexes = [0] + [1 + (offset + k) % (n_context - 1) for k in range(count - 1)]
        return [(i, self.context[i]) for i in indexes]

    def _linked(self, model, ids, rows, what):
        self.links += [(model, r, i) for r, (i, _c) in zip(ids, rows, strict=True)]
        progress(f"{len(ids)} {what}")

    def make_credit_notes(self):
        """Draft credit notes of the tickets' invoices (Refund's Reverse)."""
        rows, proto = self._service_tickets(0), self.proto_credit_note
        count = len(rows)
        days = [date.today()] * count
        customers = [c["customer"] for _i, c in rows]
        _p, numbers, names = self._names(
            lambda day: proto.sequence_prefix, days, "account_move")  # fmt: skip
        moves = clone(
            self.cr, "account_move", [proto.id] * count, name=names,
            sequence_number=numbers, partner_id=customers,
            commercial_partner_id=customers, partner_shipping_id=customers,
            reversed_entry_id=[c["invoice"] for _i, c in rows],
            invoice_partner_display_name=[self.customer_name[c] for c in customers],
            ref=[f"Reversal of bench ticket {i:05d}" for i, _c in rows], date=days,
            invoice_date=days,
        )  # fmt: skip
        products = [c["product"] for _i, c in rows]
        self._copy_move_lines([proto.id] * count, moves, customers, products, names)
        self._linked("account.move", moves, rows, "draft credit notes")

    def make_returns(self):
        """Done returns of the tickets' deliveries (the Returns service)."""
        cr, rows, proto = self.cr, self._service_tickets(1), self.proto_return
        count, sequence = len(rows), proto.picking_type_id.sequence_id
        stamps = [datetime.now().replace(microsecond=0)] * count
        *_, names = self._names(lambda day: sequence.prefix, [date.today()] * count,
                                "stock_picking")  # fmt: skip
        picks = clone(
            cr, "stock_picking", [proto.id] * count, name=names,
            origin=[f"Return of {c['picking_name']}" for _i, c in rows],
            partner_id=[c["customer"] for _i, c in rows],
            return_id=[c["picking"] for _i, c in rows],
            group_id=[None] * count, sale_id=[None] * count, date_done=stamps,
        )  # fmt: skip
        products = [c["product"] for _i, c in rows]
        moves, _p, _ = clone_children(
            cr, "stock_move", "picking_id", [proto.id] * count, picks,
            product_id=products, name=[self.product_label[p] for p in products],
            origin_returned_move_id=[c["move"] for _i, c in rows],
            partner_id=[c["customer"] for _i, c in rows], group_id=[None] * count,
            sale_line_id=[None] * count, to_refund=[False] * count, reference=names,
        )  # fmt: skip
        clone_children(
            cr, "stock_move_line", "move_id", proto.move_ids.ids * count, moves,
            picking_id=picks, product_id=products, reference=names,
            lot_id=[c["lot"] for _i, c in rows],
        )  # fmt: skip
        self._linked("stock.picking", picks, rows, "done returns")

    def _copies(self, model, rows, make):
        """``make(i, c)``'s record for each of ``rows``: the first by ``create``, the
        others SQL copies of it with their values (20 000 repair orders by the ORM took
        45 minutes at 10x). Return the first record and the values of the others."""
        vals = [make(i, c) for i, c in rows]
        first = self.env[model].create(dict(vals[0]))  # create() adds to its vals
        self.env.flush_all()
        return first, {key: [v[key] for v in vals[1:]] for key in vals[0]}

    def make_repairs(self):
        """Draft repair orders, each with its procurement group as create() makes it."""
        rows = self._service_tickets(2)
        first, more = self._copies("repair.order", rows, lambda i, c: {
            "product_id": c["product"], "lot_id": c["lot"], "partner_id": c["customer"],
            "internal_notes": f"<p>Bench ticket {i:05d}</p>"})  # fmt: skip
        count, sequence = len(rows) - 1, first.picking_type_id.sequence_id
        *_, names = self._names(lambda day: sequence.prefix, [None] * count,
                                "repair_order")  # fmt: skip
        groups = clone(self.cr, "procurement_group",
                       [first.procurement_group_id.id] * count, name=names)  # fmt: skip
        ids = clone(self.cr, "repair_order", [first.id] * count, name=names,
                    procurement_group_id=groups, **more)  # fmt: skip
        self._linked("repair.order", [first.id, *ids], rows, "draft repair orders")

    def make_coupons(self):
        rows = self._service_tickets(3)
        program = self.env["loyalty.program"].create(
            {"name": "Bench Goodwill Coupons", "program_type": "coupons"}
        )
        cards = self.env["loyalty.card"].create([
            {"program_id": program.id, "partner_id": c["customer"], "points": 1}
            for _i, c in rows
        ])  # fmt: skip
        self._linked("loyalty.card", cards.ids, rows, "coupons")

    def make_tasks(self):
        rows = self._service_tickets(4)
        first, more = self._copies("project.task", rows, lambda i, c: {
            "name": f"Intervention for bench ticket {i:05d}",
            "project_id": self.fsm_project.id,
            "partner_id": c["customer"]})  # fmt: skip
        ids = clone(self.cr, "project_task", [first.id] * (len(rows) - 1), **more)
        self._linked("project.task", [first.id, *ids], rows, "tasks")

    def make_links(self):
        self.cr.execute(
            "CREATE TABLE bench_link (model varchar, res_id int, ticket_id int)"
        )
        models, res_ids, tickets = zip(*self.links, strict=True)
        tickets = [self.tickets[i].id for i in tickets]
        insert(
            self.cr, "bench_link", models, res_ids, tickets, kinds="varchar,int4,int4"
        )
        params = self.env["ir.config_parameter"]
        params.set_param("bench.fsm_project", self.fsm_project.id)
        params.set_param("bench.team", self.teams[0].id)


# ---------------------------------------------------------------- link
def link(env):
    """With this addon installed: the tickets' context, the team's services, and the
    documents' tickets, in SQL then ``modified()`` so that what depends on them
    follows."""
    cr, tickets = env.cr, env["helpdesk.ticket"]
    order = tickets._fields["sale_order_ids"]  # helpdesk_mgmt_sale's many2many
    cr.execute(
        "UPDATE helpdesk_ticket t SET product_id = c.product_id, lot_id = c.lot_id "
        "FROM bench_ticket_context c WHERE t.id = c.ticket_id RETURNING t.id"
    )
    tickets = tickets.browse([row[0] for row in cr.fetchall()])
    cr.execute(SQL(
        "INSERT INTO %s (%s, %s) SELECT ticket_id, sale_order_id FROM "
        "bench_ticket_context ON CONFLICT DO NOTHING",
        *map(SQL.identifier, (order.relation, order.column1, order.column2)),
    ))  # fmt: skip
    tickets.modified([order.name, "product_id", "lot_id"])
    env.flush_all()
    progress(f"{len(tickets)} tickets with their order, product and lot")
    param = env["ir.config_parameter"].get_param
    team = env["helpdesk.ticket.team"].browse(int(param("bench.team")))
    project = env["project.project"].browse(int(param("bench.fsm_project")))
    if "is_fsm" in project._fields:
        project.is_fsm = True
    switches = {name: True for name in ("use_credit_notes", "use_coupons",
                "use_product_returns", "use_product_repairs", "use_fsm")
                if name in team._fields}  # fmt: skip
    if "fsm_project_id" in team._fields:
        switches["fsm_project_id"] = project.id
    team.write(switches)
    progress(f"team {team.name}: {', '.join(switches)}")
    for model in LINKED_MODELS:
        records = env[model]
        field = records._fields.get("helpdesk_ticket_id")
        if not (field and field.store and field.comodel_name == "helpdesk.ticket"):
            progress(f"{model}: no helpdesk_ticket_id (service not there), not linked")
            continue
        cr.execute(
            f'UPDATE "{records._table}" d SET helpdesk_ticket_id = l.ticket_id '
            "FROM bench_link l WHERE l.model = %s AND l.res_id = d.id RETURNING d.id",
            [model],
        )
        records = records.browse([row[0] for row in cr.fetchall()])
        records.modified(["helpdesk_ticket_id"])
        env.flush_all()
        progress(f"{model}: {len(records)} linked to tickets")


if __name__ == "__main__":
    ENV = globals()["env"](context=DISABLED_MAIL_CONTEXT)  # given by click-odoo
    if sys.argv[1] == "populate":
        Populate(ENV, sizes(float(sys.argv[2]))).run()
    else:
        link(ENV)
