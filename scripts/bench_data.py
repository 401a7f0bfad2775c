"""The benchmark's data (run by scripts/bench.py inside Odoo, on its template databases).

``populate`` (helpdesk_mgmt template): customers, products, a few orders, deliveries and invoices
through Odoo's own flows, copied in bulk (bench_clone) to the full volume; tickets by batched
``create``; the documents the after-sales services make (credit notes, returns, repairs, coupons,
tasks) as ordinary documents, with the ticket each one belongs to written down in the table
``bench_link``. ``link`` (addon template, this addon installed): the tickets get their order,
product and lot, the teams their services, and each document its ticket, for every service whose
``helpdesk_ticket_id`` field exists: the same data, seen with and without the addon.
"""

import random
import time
from datetime import date, datetime, timedelta

from bench_clone import clone, clone_children, clone_relation

from odoo import SUPERUSER_ID, api
from odoo.fields import Command
from odoo.modules.registry import Registry

TIERS = (49.0, 129.0, 399.0, 899.0)  # list prices; one prototype order and invoice each
YEARS_BACK = 3
LINKED_MODELS = (
    "account.move",
    "stock.picking",
    "repair.order",
    "loyalty.card",
    "project.task",
)
NO_MAIL = {
    "tracking_disable": True,
    "mail_create_nolog": True,
    "mail_create_nosubscribe": True,
    "mail_notrack": True,
    "no_reset_password": True,
}


def say(msg):
    print(f"[bench]   {msg}", flush=True)


class Progress:
    def __init__(self):
        self.started = time.time()

    def __call__(self, msg):
        say(f"{time.time() - self.started:5.0f}s  {msg}")


def main(args):
    from bench import sizes

    if args.action == "measure":
        import bench_measure

        return bench_measure.measure(args)
    registry = Registry(args.dbnames[0])
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, NO_MAIL)
        if args.action == "populate":
            Populate(env, sizes(args.scale)).run()
        elif args.action == "link":
            link(env)
        else:
            raise ValueError(args.action)
    return 0


# =========================================================================== populate
class Populate:
    def __init__(self, env, size):
        self.env = env
        self.cr = env.cr
        self.size = size
        self.rng = random.Random(11)
        self.progress = Progress()
        self.company = env.company
        self.warehouse = env["stock.warehouse"].search(
            [("company_id", "=", self.company.id)], limit=1
        )
        self.links = []  # (model, res_id, ticket index)

    def run(self):
        self.progress(f"volume: {self.size}")
        self.make_people()
        self.make_products()
        self.make_prototypes()
        self.progress("prototypes made through Odoo's flows")
        self.make_deliveries()
        self.make_direct_invoices()
        self.bump_sequences()
        self.make_tickets()
        self.make_credit_notes()
        self.make_returns()
        self.make_repairs()
        self.make_coupons()
        self.make_tasks()
        self.save_links()
        self.env.flush_all()
        self.progress("done")

    # ------------------------------------------------------------------ people,
    # products
    def make_people(self):
        env = self.env
        self.customers = env["res.partner"].create(
            [
                {
                    "name": f"Bench Customer {i:04d}",
                    "is_company": True,
                    "email": f"customer{i:04d}@bench.example.com",
                    "city": "Gothenburg",
                }
                for i in range(self.size["customers"])
            ]
        )
        groups = [
            "helpdesk_mgmt.group_helpdesk_user",
            "account.group_account_invoice",
            "stock.group_stock_user",
            "sales_team.group_sale_salesman_all_leads",
            "project.group_project_user",
        ]
        self.agent = env["res.users"].create(
            {
                "name": "Bench Agent",
                "login": "bench_agent",
                "email": "agent@bench.example.com",
                "groups_id": [Command.set([env.ref(xmlid).id for xmlid in groups])],
            }
        )
        self.fsm_project = env["project.project"].create({"name": "Field Service"})
        self.teams = env["helpdesk.ticket.team"].create(
            [
                {"name": name, "user_ids": [Command.link(self.agent.id)]}
                for name in ("After-Sales", "Support", "Sales Desk")
            ]
        )
        self.progress(
            f"{len(self.customers)} customers, an agent, {len(self.teams)} teams"
        )

    def make_products(self):
        n, n_serial = self.size["products"], self.size["serial_products"]
        self.products = self.env["product.product"].create(
            [
                {
                    "name": f"Bench Product {i:03d}",
                    "default_code": f"BP{i:03d}",
                    "type": "consu",
                    "is_storable": True,
                    "tracking": "serial" if i < n_serial else "none",
                    "list_price": TIERS[i % len(TIERS)],
                    "invoice_policy": "delivery",
                }
                for i in range(n)
            ]
        )
        self.tier_of = {p.id: i % len(TIERS) for i, p in enumerate(self.products)}
        self.product_label = {p.id: p.display_name for p in self.products}
        self.serial_ids = set(self.products[:n_serial].ids)
        self.progress(f"{n} products, {n_serial} serial-tracked")

    # ------------------------------------------------------------------ prototypes
    def make_prototypes(self):
        """One order (confirmed, delivered, invoiced) and one direct invoice per price tier."""
        env = self.env
        # Their own customer: the big customer has exactly the invoices and deliveries
        # asked.
        proto_customer = env["res.partner"].create(
            {"name": "Bench Prototype Customer", "is_company": True}
        )
        stock = self.warehouse.lot_stock_id
        self.proto_order, self.proto_invoice = {}, {}
        for tier in range(len(TIERS)):
            first_untracked = -(-self.size["serial_products"] // len(TIERS)) * len(
                TIERS
            )
            product = self.products[first_untracked + tier]
            assert product.tracking == "none" and self.tier_of[product.id] == tier
            env["stock.quant"]._update_available_quantity(product, stock, 100)
            self.proto_order[tier] = self._delivered_order(proto_customer, product)
            invoice = env["account.move"].create(
                {
                    "move_type": "out_invoice",
                    "partner_id": proto_customer.id,
                    "invoice_line_ids": [
                        Command.create({"product_id": product.id, "quantity": 1})
                    ],
                }
            )
            invoice.action_post()
            self.proto_invoice[tier] = invoice
        serial = self.products[0]
        self.proto_lot = env["stock.lot"].create(
            {"name": "BENCH-PROTO", "product_id": serial.id}
        )
        # A credit note and a return, for the copies made for the tickets.
        self.proto_credit_note = self.proto_invoice[0]._reverse_moves(
            [{"ref": "Bench prototype"}]
        )
        product = self.proto_order[0].order_line.product_id
        returned_order = self._delivered_order(proto_customer, product)
        delivery = returned_order.picking_ids
        wizard = (
            env["stock.return.picking"]
            .with_context(active_id=delivery.id, active_model="stock.picking")
            .create({})
        )
        wizard.product_return_moves.quantity = 1
        self.proto_return = env["stock.picking"].browse(
            wizard.action_create_returns()["res_id"]
        )
        self._validate(self.proto_return)
        self.customer_location = delivery.location_dest_id

    def _delivered_order(self, customer, product):
        order = self.env["sale.order"].create(
            {
                "partner_id": customer.id,
                "order_line": [
                    Command.create({"product_id": product.id, "product_uom_qty": 1})
                ],
            }
        )
        order.action_confirm()
        self._validate(order.picking_ids)
        invoice = order._create_invoices()
        invoice.action_post()
        return order

    def _validate(self, picking):
        picking.action_assign()
        for move in picking.move_ids:
            move.quantity = move.product_uom_qty
        picking.move_ids.picked = True
        picking.button_validate()
        assert picking.state == "done", picking.state

    # ------------------------------------------------------------------ bulk documents
    def _dates(self, count):
        """Dates over the last years, oldest first (document numbers follow them)."""
        today = date.today()
        span = 365 * YEARS_BACK
        return sorted(
            today - timedelta(days=self.rng.randrange(span)) for _ in range(count)
        )

    def _customers(self, count, big):
        """The first customer gets ``big`` of them, the others the rest at random."""
        others = self.customers[1:].ids
        chosen = [self.customers[0].id] * big + [
            self.rng.choice(others) for _ in range(count - big)
        ]
        self.rng.shuffle(chosen)
        return chosen

    def _next_numbers(self, prefix_of, dates, table, column="name"):
        """Document names continuing the existing ones per year prefix (``prefix_of(year)``)."""
        counters = {}
        names = []
        for day in dates:
            prefix = prefix_of(day.year)
            if prefix not in counters:
                # The highest number, not the last name in text order: past 99999
                # "INV/2024/99999" sorts after "INV/2024/100000".
                self.cr.execute(
                    f"SELECT max(substr({column}, %s)::int) FROM {table} "
                    f"WHERE left({column}, %s) = %s AND substr({column}, %s) ~ '^[0-9]+$'",
                    [len(prefix) + 1, len(prefix), prefix, len(prefix) + 1],
                )
                counters[prefix] = self.cr.fetchone()[0] or 0
            counters[prefix] += 1
            names.append((prefix, counters[prefix]))
        return names

    def make_deliveries(self):
        """Orders confirmed, delivered and invoiced: order, procurement group, delivery with
        its move and move line (a new serial number for tracked products), valuation layer,
        posted invoice whose line is linked to the order line."""
        from bench import BIG_CUSTOMER_DELIVERIES

        cr = self.cr
        count = self.size["deliveries"]
        customers = self._customers(count, BIG_CUSTOMER_DELIVERIES)
        products = [self.rng.choice(self.products.ids) for _ in range(count)]
        days = self._dates(count)
        stamps = [
            datetime.combine(day, datetime.min.time()) + timedelta(hours=10)
            for day in days
        ]
        tiers = [self.tier_of[p] for p in products]
        labels = [self.product_label[p] for p in products]
        first = (
            int(self.env["sale.order"].search([], order="id desc", limit=1).name[1:])
            + 1
        )
        order_names = [f"S{first + i:05d}" for i in range(count)]

        proto_orders = [self.proto_order[t].id for t in tiers]
        orders = clone(
            cr, "sale_order", proto_orders, name=order_names, partner_id=customers,
            partner_invoice_id=customers, partner_shipping_id=customers, date_order=stamps,
            create_date=stamps, write_date=stamps,
        )  # fmt: skip
        lines, line_protos, _ = clone_children(
            cr, "sale_order_line", "order_id", proto_orders, orders,
            product_id=lambda i, row: products[i], name=lambda i, row: labels[i],
            order_partner_id=lambda i, row: customers[i],
        )  # fmt: skip
        clone_relation(
            cr, "account_tax_sale_order_line_rel", "sale_order_line_id",
            list(zip(lines, line_protos, strict=True)),
        )  # fmt: skip
        self.progress(f"{count} orders")

        proto_groups = [self.proto_order[t].procurement_group_id.id for t in tiers]
        groups = clone(
            cr, "procurement_group", proto_groups, name=order_names, partner_id=customers,
            sale_id=orders,
        )  # fmt: skip
        cr.execute(
            "UPDATE sale_order o SET procurement_group_id = v.g FROM unnest(%s::int4[], "
            "%s::int4[]) AS v(o, g) WHERE o.id = v.o",
            [orders, groups],
        )
        out_type = self.proto_order[0].picking_ids.picking_type_id
        picking_names = [
            f"{prefix}{number:05d}"
            for prefix, number in self._next_numbers(
                lambda year: out_type.sequence_id.prefix, days, "stock_picking"
            )
        ]
        proto_pickings = [self.proto_order[t].picking_ids.id for t in tiers]
        pickings = clone(
            cr, "stock_picking", proto_pickings, name=picking_names, origin=order_names,
            partner_id=customers, group_id=groups, sale_id=orders, scheduled_date=stamps,
            date=stamps, date_done=stamps, date_deadline=[None] * count, create_date=stamps,
            write_date=stamps,
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
        moves, _protos, _ = clone_children(
            cr, "stock_move", "picking_id", proto_pickings, pickings,
            product_id=lambda i, row: products[i], name=lambda i, row: labels[i],
            partner_id=lambda i, row: customers[i], group_id=lambda i, row: groups[i],
            sale_line_id=lambda i, row: lines[i], reference=lambda i, row: picking_names[i],
            origin=lambda i, row: order_names[i], date=lambda i, row: stamps[i],
            date_deadline=lambda i, row: None, description_picking=lambda i, row: labels[i],
            create_date=lambda i, row: stamps[i],
        )  # fmt: skip
        proto_moves = [self.proto_order[t].picking_ids.move_ids.id for t in tiers]
        clone_children(
            cr, "stock_move_line", "move_id", proto_moves, moves,
            picking_id=lambda i, row: pickings[i], product_id=lambda i, row: products[i],
            lot_id=lambda i, row: lot_of.get(i), reference=lambda i, row: picking_names[i],
            date=lambda i, row: stamps[i], description_picking=lambda i, row: labels[i],
            create_date=lambda i, row: stamps[i],
        )  # fmt: skip
        clone_children(
            cr, "stock_valuation_layer", "stock_move_id", proto_moves, moves,
            product_id=lambda i, row: products[i], lot_id=lambda i, row: lot_of.get(i),
            description=lambda i, row: f"{picking_names[i]} - {labels[i]}",
            create_date=lambda i, row: stamps[i],
        )  # fmt: skip
        self.progress(f"{count} done deliveries ({len(lots)} serial numbers)")

        proto_invoices = [self.proto_order[t].invoice_ids.id for t in tiers]
        invoices, invoice_lines = self._copy_invoices(
            proto_invoices, customers, products, days, origins=order_names
        )
        product_lines = [
            (aml, lines[i]) for aml, i, kind in invoice_lines if kind == "product"
        ]  # fmt: skip
        cr.execute(
            "INSERT INTO sale_order_line_invoice_rel (invoice_line_id, order_line_id) "
            "SELECT * FROM unnest(%s::int4[], %s::int4[])",
            [[a for a, _l in product_lines], [sol for _a, sol in product_lines]],
        )
        self.deliveries = [
            {
                "customer": customers[i],
                "product": products[i],
                "lot": lot_of.get(i),
                "order": orders[i],
                "picking": pickings[i],
                "picking_name": picking_names[i],
                "move": moves[i],
                "invoice": invoices[i],
                "tier": tiers[i],
            }
            for i in range(count)
        ]
        self.progress(f"{count} posted invoices of these orders")

    def _copy_invoices(self, proto_invoices, customers, products, days, origins=None):
        cr = self.cr
        count = len(proto_invoices)
        journal = self.proto_invoice[0].journal_id
        numbers = self._next_numbers(
            lambda year: f"{journal.code}/{year}/", days, "account_move"
        )  # fmt: skip
        names = [f"{prefix}{number:05d}" for prefix, number in numbers]
        stamps = [
            datetime.combine(day, datetime.min.time()) + timedelta(hours=12)
            for day in days
        ]
        due = [day + timedelta(days=30) for day in days]
        moves = clone(
            cr, "account_move", proto_invoices, name=names, partner_id=customers,
            commercial_partner_id=customers, partner_shipping_id=customers,
            invoice_partner_display_name=[self.customer_name(c) for c in customers],
            date=days, invoice_date=days, invoice_date_due=due, payment_reference=names,
            sequence_prefix=[p for p, _n in numbers], sequence_number=[n for _p, n in numbers],
            invoice_origin=origins or [None] * count, create_date=stamps, write_date=stamps,
        )  # fmt: skip

        amls, aml_protos, indexes = self._copy_move_lines(
            proto_invoices, moves, customers, products, names,
            date=lambda i, row: days[i], invoice_date=lambda i, row: days[i],
            date_maturity=lambda i, row: due[i] if row["display_type"] == "payment_term" else None,
            create_date=lambda i, row: stamps[i],
        )  # fmt: skip
        cr.execute(
            "SELECT id, display_type FROM account_move_line WHERE id = ANY(%s)",
            [aml_protos],
        )
        kind_of = dict(cr.fetchall())
        return moves, [
            (aml, index, kind_of[proto])
            for aml, proto, index in zip(amls, aml_protos, indexes, strict=True)
        ]

    def _copy_move_lines(
        self, proto_moves, moves, customers, products, names, **makers
    ):
        """The journal items of copied invoices or credit notes, with their taxes and tags:
        the customer and product replaced, the labels following them."""

        def label(i, row):
            kind = row["display_type"]
            if kind == "product":
                return self.product_label[products[i]]
            return names[i] if kind == "payment_term" else row["name"]

        amls, aml_protos, indexes = clone_children(
            self.cr, "account_move_line", "move_id", proto_moves, moves,
            extra=("display_type", "name", "product_id"),
            partner_id=lambda i, row: customers[i],
            product_id=lambda i, row: products[i] if row["product_id"] else None,
            name=label, move_name=lambda i, row: names[i], **makers,
        )  # fmt: skip
        pairs = list(zip(amls, aml_protos, strict=True))
        for table in (
            "account_move_line_account_tax_rel",
            "account_account_tag_account_move_line_rel",
        ):
            clone_relation(self.cr, table, "account_move_line_id", pairs)
        return amls, aml_protos, indexes

    def customer_name(self, partner_id):
        if not hasattr(self, "_names"):
            self._names = {c.id: c.name for c in self.customers}
        return self._names[partner_id]

    def make_direct_invoices(self):
        """Invoices without an order (the rest of the 50 000)."""
        from bench import BIG_CUSTOMER_DELIVERIES, BIG_CUSTOMER_INVOICES

        count = self.size["invoices"] - self.size["deliveries"]
        big = BIG_CUSTOMER_INVOICES - BIG_CUSTOMER_DELIVERIES
        customers = self._customers(count, big)
        products = [self.rng.choice(self.products.ids) for _ in range(count)]
        protos = [self.proto_invoice[self.tier_of[p]].id for p in products]
        days = self._dates(count)
        for start in range(0, count, 10_000):
            stop = start + 10_000
            self._copy_invoices(
                protos[start:stop],
                customers[start:stop],
                products[start:stop],
                days[start:stop],
            )
            self.progress(f"{min(stop, count)}/{count} invoices without order")

    def bump_sequences(self):
        """Odoo's next order and delivery numbers come after the copies'."""
        self.env.invalidate_all()
        cr = self.cr
        for picking_type in self.env["stock.picking.type"].search([]):
            sequence = picking_type.sequence_id
            cr.execute(
                "SELECT name FROM stock_picking WHERE picking_type_id = %s ORDER BY id DESC "
                "LIMIT 1",
                [picking_type.id],
            )
            row = cr.fetchone()
            if row and row[0].startswith(sequence.prefix or ""):
                number = int(row[0][len(sequence.prefix or "") :]) + 1
                sequence.write(
                    {"number_next": max(number, sequence.number_next_actual)}
                )
        cr.execute("SELECT max(substring(name from 2)::int) FROM sale_order")
        last_order = cr.fetchone()[0]
        self.env["ir.sequence"].search([("code", "=", "sale.order")]).write(
            {"number_next": last_order + 1}
        )

    # ------------------------------------------------------------------ tickets
    def make_tickets(self):
        """Half of them about a delivered order (the context the addon sets on them later),
        spread over the teams; the first one is the big customer's, about a serial number."""
        env = self.env
        n_tickets, n_context = self.size["tickets"], self.size["context_tickets"]
        big = self.customers[0].id
        first = next(
            d
            for d in self.deliveries
            if d["customer"] == big and d["lot"] and d["tier"] == 0
        )
        others = [d for d in self.deliveries if d is not first]
        self.context = [first, *self.rng.sample(others, n_context - 1)]
        plain_customers = [
            self.rng.choice(self.customers.ids) for _ in range(n_tickets)
        ]
        # Two tickets of the big customer measured by the benchmark: one with its whole
        # after-sales context (ticket 0), one without order or product (the last one).
        plain_customers[-1] = big
        vals = []
        for i in range(n_tickets):
            context = self.context[i] if i < n_context else None
            customer = context["customer"] if context else plain_customers[i]
            vals.append(
                {
                    "name": f"Bench ticket {i:05d}: "
                    + ("the product fails" if context else "a question"),
                    "description": f"<p>Ticket {i} of the benchmark.</p>",
                    "partner_id": customer,
                    "team_id": self.teams[
                        0
                        if context or i % 3 == 0 or i in (n_context, n_tickets - 1)
                        else i % 3
                    ].id,
                    "user_id": self.agent.id if i % 4 == 0 else False,
                }
            )
        self.tickets = self.env["helpdesk.ticket"]
        for start in range(0, n_tickets, 1000):
            self.tickets |= env["helpdesk.ticket"].create(vals[start : start + 1000])
            self.progress(f"{len(self.tickets)}/{n_tickets} tickets")
        params = env["ir.config_parameter"]
        params.set_param("bench.ticket_full", self.tickets[0].id)
        params.set_param("bench.ticket_big_customer", self.tickets[-1].id)
        params.set_param("bench.ticket_plain", self.tickets[n_context].id)
        params.set_param("bench.agent", self.agent.id)
        self.cr.execute(
            "CREATE TABLE bench_ticket_context (ticket_id int, sale_order_id int, "
            "product_id int, lot_id int)"
        )
        self.cr.execute(
            "INSERT INTO bench_ticket_context SELECT * FROM unnest(%s::int4[], %s::int4[], "
            "%s::int4[], %s::int4[])",
            [
                self.tickets[:n_context].ids,
                [c["order"] for c in self.context],
                [c["product"] for c in self.context],
                [c["lot"] for c in self.context],
            ],
        )

    def _service_tickets(self, offset):
        """Context tickets that get a document of a service: the first one always, the others
        shifted per service so that tickets have different mixes of services."""
        n_context, count = self.size["context_tickets"], self.size["service_documents"]
        indexes = [0] + [1 + (offset + k) % (n_context - 1) for k in range(count - 1)]
        return [(i, self.context[i]) for i in indexes]

    # ------------------------------------------------------------------ service
    # documents
    def make_credit_notes(self):
        """Draft credit notes of the tickets' invoices (the Refund service's Reverse)."""
        rows = self._service_tickets(0)
        count = len(rows)
        cr = self.cr
        proto = self.proto_credit_note
        days = [date.today()] * count
        customers = [c["customer"] for _i, c in rows]
        products = [c["product"] for _i, c in rows]
        protos = [proto.id] * count
        numbers = self._next_numbers(
            lambda year: proto.sequence_prefix, days, "account_move"
        )
        names = [f"{prefix}{number:05d}" for prefix, number in numbers]
        moves = clone(
            cr, "account_move", protos, name=names, sequence_number=[n for _p, n in numbers],
            partner_id=customers, commercial_partner_id=customers,
            partner_shipping_id=customers, reversed_entry_id=[c["invoice"] for _i, c in rows],
            invoice_partner_display_name=[self.customer_name(c) for c in customers],
            ref=[f"Reversal of bench ticket {i:05d}" for i, _c in rows], date=days,
            invoice_date=days,
        )  # fmt: skip
        self._copy_move_lines(protos, moves, customers, products, names)
        self.links += [
            ("account.move", m, i) for m, (i, _c) in zip(moves, rows, strict=True)
        ]
        self.progress(f"{count} draft credit notes")

    def make_returns(self):
        """Done returns of the tickets' deliveries (the Returns service)."""
        cr = self.cr
        rows = self._service_tickets(1)
        count = len(rows)
        proto = self.proto_return
        in_type = proto.picking_type_id
        stamps = [datetime.now().replace(microsecond=0)] * count
        names = [
            f"{prefix}{number:05d}"
            for prefix, number in self._next_numbers(
                lambda year: in_type.sequence_id.prefix,
                [date.today()] * count,
                "stock_picking",
            )
        ]
        picks = clone(
            cr, "stock_picking", [proto.id] * count, name=names,
            origin=[f"Return of {c['picking_name']}" for _i, c in rows],
            partner_id=[c["customer"] for _i, c in rows],
            return_id=[c["picking"] for _i, c in rows],
            group_id=[None] * count, sale_id=[None] * count, date_done=stamps,
        )  # fmt: skip
        moves, _p, _ = clone_children(
            cr, "stock_move", "picking_id", [proto.id] * count, picks,
            product_id=lambda i, row: rows[i][1]["product"],
            name=lambda i, row: self.product_label[rows[i][1]["product"]],
            origin_returned_move_id=lambda i, row: rows[i][1]["move"],
            partner_id=lambda i, row: rows[i][1]["customer"], group_id=lambda i, row: None,
            sale_line_id=lambda i, row: None, to_refund=lambda i, row: False,
            reference=lambda i, row: names[i],
        )  # fmt: skip
        clone_children(
            cr, "stock_move_line", "move_id", proto.move_ids.ids * count, moves,
            picking_id=lambda i, row: picks[i], product_id=lambda i, row: rows[i][1]["product"],
            lot_id=lambda i, row: rows[i][1]["lot"], reference=lambda i, row: names[i],
        )  # fmt: skip
        self.env["stock.picking.type"].invalidate_model()
        in_type.sequence_id.write(
            {"number_next": int(names[-1][len(in_type.sequence_id.prefix) :]) + 1}
        )
        self.links += [
            ("stock.picking", p, i) for p, (i, _c) in zip(picks, rows, strict=True)
        ]
        self.progress(f"{count} done returns")

    def make_repairs(self):
        rows = self._service_tickets(2)
        repairs = self.env["repair.order"]
        for start in range(0, len(rows), 500):
            repairs |= repairs.create(
                [
                    {
                        "product_id": c["product"],
                        "lot_id": c["lot"],
                        "partner_id": c["customer"],
                        "internal_notes": f"<p>Bench ticket {i:05d}</p>",
                    }
                    for i, c in rows[start : start + 500]
                ]
            )
        self.links += [
            ("repair.order", r, i) for r, (i, _c) in zip(repairs.ids, rows, strict=True)
        ]
        self.progress(f"{len(repairs)} draft repair orders")

    def make_coupons(self):
        rows = self._service_tickets(3)
        program = self.env["loyalty.program"].create(
            {"name": "Bench Goodwill Coupons", "program_type": "coupons"}
        )
        cards = self.env["loyalty.card"].create(
            [
                {"program_id": program.id, "partner_id": c["customer"], "points": 1}
                for _i, c in rows
            ]
        )
        self.links += [
            ("loyalty.card", r, i) for r, (i, _c) in zip(cards.ids, rows, strict=True)
        ]
        self.progress(f"{len(cards)} coupons")

    def make_tasks(self):
        rows = self._service_tickets(4)
        tasks = self.env["project.task"]
        for start in range(0, len(rows), 500):
            tasks |= tasks.create(
                [
                    {
                        "name": f"Intervention for bench ticket {i:05d}",
                        "project_id": self.fsm_project.id,
                        "partner_id": c["customer"],
                    }
                    for i, c in rows[start : start + 500]
                ]
            )
        self.links += [
            ("project.task", r, i) for r, (i, _c) in zip(tasks.ids, rows, strict=True)
        ]
        self.progress(f"{len(tasks)} tasks")

    def save_links(self):
        self.cr.execute(
            "CREATE TABLE bench_link (model varchar, res_id int, ticket_id int)"
        )
        self.cr.execute(
            "INSERT INTO bench_link SELECT * FROM unnest(%s::varchar[], %s::int4[], %s::int4[])",
            [
                [model for model, _r, _i in self.links],
                [res_id for _m, res_id, _i in self.links],
                [self.tickets[i].id for _m, _r, i in self.links],
            ],
        )
        params = self.env["ir.config_parameter"]
        params.set_param("bench.fsm_project", self.fsm_project.id)
        params.set_param("bench.team", self.teams[0].id)


# =========================================================================== link
def link(env):
    """With this addon installed: the tickets' context, the team's services, and the
    documents' tickets, through SQL then ``modified()`` so that what depends on them follows."""
    progress = Progress()
    cr = env.cr
    params = env["ir.config_parameter"]
    tickets = env["helpdesk.ticket"]
    cr.execute(
        "UPDATE helpdesk_ticket t SET product_id = c.product_id,"
        " lot_id = c.lot_id FROM bench_ticket_context c WHERE t.id = c.ticket_id RETURNING t.id"
    )
    tickets = tickets.browse([row[0] for row in cr.fetchall()])
    # The ticket's orders: helpdesk_mgmt_sale's many2many (18.0.1.2).
    cr.execute(
        "INSERT INTO helpdesk_ticket_sale_order_rel (helpdesk_ticket_id, sale_order_id)"
        " SELECT ticket_id, sale_order_id FROM bench_ticket_context"
        " WHERE sale_order_id IS NOT NULL ON CONFLICT DO NOTHING"
    )
    tickets.modified(["sale_order_ids", "product_id", "lot_id"])
    env.flush_all()
    progress(f"{len(tickets)} tickets with their order, product and lot")

    team = env["helpdesk.ticket.team"].browse(int(params.get_param("bench.team")))
    project = env["project.project"].browse(int(params.get_param("bench.fsm_project")))
    if "is_fsm" in project._fields:
        project.is_fsm = True
    switches = {
        name: True
        for name in ("use_credit_notes", "use_coupons", "use_product_returns",
                     "use_product_repairs", "use_fsm")
        if name in team._fields
    }  # fmt: skip
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
