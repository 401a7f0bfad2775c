"""The benchmark's data: ``click-odoo -d DB bench_data.py populate SCALE | link``.

``populate`` (helpdesk_mgmt template): a hundredth of the full volume made by Odoo's
own flows, the ticket of each service's document written down in ``bench_link``, then
copied ``100 × SCALE − 1`` times by Odoo's ``populate_models`` (``odoo-bin populate``):
copy ``s`` of a document belongs to copy ``s`` of its customer, order and ticket.
``link`` (this addon installed): the tickets get their order, product and lot, the team
its services, and each document its ticket, for each service whose
``helpdesk_ticket_id`` field exists: the same data, with the addon.
"""

import random
import sys
import time
from pathlib import Path

from odoo.fields import Command
from odoo.tools import SQL, mute_logger
from odoo.tools.populate import Many2manyModelWrapper, populate_models

with mute_logger("odoo.tests.common"):  # which complains when imported outside tests
    from odoo.addons.base.tests.common import DISABLED_MAIL_CONTEXT

sys.path.insert(0, str(Path(__file__).parent))
from common import (  # noqa: E402  (a script run by click-odoo, beside common.py)
    BIG_CUSTOMER_DELIVERIES,
    BIG_CUSTOMER_INVOICES,
    SEED_SHARE,
    factor,
    say,
    sizes,
)

TIERS = (49.0, 129.0, 399.0, 899.0)  # list prices
LINKED_MODELS = ("account.move", "stock.picking", "repair.order", "loyalty.card",
                 "project.task")  # fmt: skip
# Copied in this order: a many2one follows the copies of a model copied before it.
# populate_models also copies their copy=True one2many and many2many (order lines,
# stock moves, journal items, their taxes); products, teams and users are not copied.
POPULATED = ("res.partner", "stock.lot", "sale.order", "stock.picking",
             "stock.move.line", "account.move", "helpdesk.ticket", "repair.order",
             "loyalty.card", "project.task")  # fmt: skip
STARTED = time.time()


def progress(msg):
    say(f"  {time.time() - STARTED:5.0f}s  {msg}", "bench")


class Seed:
    """A hundredth of the full volume, by Odoo's own flows (batched)."""

    def __init__(self, env):
        self.env, self.size = env, sizes(1 / SEED_SHARE)
        self.rng = random.Random(11)
        self.stock = env.ref("stock.warehouse0").lot_stock_id
        self.links = []  # (model, res_id, ticket index)

    def run(self):
        for step in ("people", "products", "deliveries", "direct_invoices", "tickets",
                     "documents", "links"):  # fmt: skip
            getattr(self, f"make_{step}")()
        self.env.flush_all()

    def make_people(self):
        env, n = self.env, self.size["customers"]
        self.customers = env["res.partner"].create([
            {"name": f"Bench Customer {i:04d}", "is_company": True,
             "email": f"customer{i:04d}@bench.example.com", "city": "Gothenburg"}
            for i in range(n)
        ]).ids  # fmt: skip
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
        for product in self.products[n_serial:]:
            self._in_stock(product, 10_000)
        progress(f"{n} products, {n_serial} serial-tracked, in stock")

    def _in_stock(self, product, quantity, lot=None):
        quants = self.env["stock.quant"]
        quants._update_available_quantity(product, self.stock, quantity, lot_id=lot)

    def _customers(self, count, big):
        """The first customer gets ``big`` of them, the others the rest at random."""
        chosen = [self.customers[0]] * big
        chosen += self.rng.choices(self.customers[1:], k=count - big)
        self.rng.shuffle(chosen)
        return chosen

    def _validate(self, pickings):
        pickings.action_assign()
        pickings.move_ids.picked = True
        pickings.button_validate()
        assert set(pickings.mapped("state")) == {"done"}, pickings.mapped("state")

    def make_deliveries(self):
        """Orders confirmed, delivered (a serial number per tracked unit) and invoiced,
        an invoice each, its line linked to the order line."""
        env, count = self.env, self.size["deliveries"]
        customers = self._customers(count, BIG_CUSTOMER_DELIVERIES)
        products = self.rng.choices(self.products, k=count)
        # The ticket with its whole context is about a serial number of the first
        # price tier delivered to the big customer: the first product.
        products[customers.index(self.customers[0])] = self.products[0]
        for i, product in enumerate(p for p in products if p.tracking == "serial"):
            vals = {"name": f"SN-{i:06d}", "product_id": product.id}
            self._in_stock(product, 1, env["stock.lot"].create(vals))
        orders = env["sale.order"].create([
            {"partner_id": customer, "order_line": [
                Command.create({"product_id": product.id, "product_uom_qty": 1})]}
            for customer, product in zip(customers, products, strict=True)
        ])  # fmt: skip
        orders.action_confirm()
        self._validate(orders.picking_ids)
        orders._create_invoices(grouped=True).action_post()
        self.deliveries = [
            {"customer": order.partner_id.id, "product": order.order_line.product_id.id,
             "lot": order.picking_ids.move_line_ids.lot_id.id or None,
             "order": order.id, "picking": order.picking_ids.id,
             "invoice": order.invoice_ids.id}
            for order in orders
        ]  # fmt: skip
        progress(f"{count} orders delivered and invoiced")

    def make_direct_invoices(self):
        """Invoices without an order (the rest of the invoices)."""
        count = self.size["invoices"] - self.size["deliveries"]
        big = BIG_CUSTOMER_INVOICES - BIG_CUSTOMER_DELIVERIES
        self.env["account.move"].create([
            {"move_type": "out_invoice", "partner_id": customer,
             "invoice_line_ids": [Command.create(
                 {"product_id": self.rng.choice(self.products.ids), "quantity": 1})]}
            for customer in self._customers(count, big)
        ]).action_post()  # fmt: skip
        progress(f"{count} invoices without order")

    def make_tickets(self):
        """Half of them about a delivered order (the context the addon sets on them
        later), spread over the teams; the first one is the big customer's, about a
        serial number, and the last one the big customer's without order or product."""
        n_tickets, n_context = self.size["tickets"], self.size["context_tickets"]
        big = self.customers[0]
        first = next(d for d in self.deliveries if d["customer"] == big
                     and d["product"] == self.products[0].id)  # fmt: skip
        others = [d for d in self.deliveries if d is not first]
        self.context = [first, *self.rng.sample(others, n_context - 1)]
        customers = self.rng.choices(self.customers, k=n_tickets - 1) + [big]
        vals = []
        for i in range(n_tickets):
            context = self.context[i] if i < n_context else None
            # The measured tickets (first, plain, last) are After-Sales' (services).
            team = 0 if context or i in (n_context, n_tickets - 1) else i % 3
            vals.append({
                "name": f"Bench ticket {i:05d}: "
                + ("the product fails" if context else "a question"),
                "description": f"<p>Ticket {i} of the benchmark.</p>",
                "partner_id": context["customer"] if context else customers[i],
                "team_id": self.teams[team].id,
                "user_id": self.agent.id if i % 4 == 0 else False,
            })  # fmt: skip
        self.tickets = self.env["helpdesk.ticket"].create(vals)
        progress(f"{n_tickets} tickets, {n_context} about a delivered order")

    def _service_tickets(self, offset):
        """Context tickets that get a document of a service: the first one always, the
        others shifted per service so that tickets have different mixes of services."""
        n_context, count = self.size["context_tickets"], self.size["service_documents"]
        indexes = [0] + [1 + (offset + k) % (n_context - 1) for k in range(count - 1)]
        return [(i, self.context[i]) for i in indexes]

    def _linked(self, records, rows):
        self.links += [(records._name, r.id, i) for r, (i, _c) in zip(
            records, rows, strict=True)]  # fmt: skip
        progress(f"{len(records)} {records._name} of tickets")

    def make_documents(self):
        """The services' documents of the tickets: draft credit notes of their invoices
        (Refund's Reverse), done returns of their deliveries, draft repair orders,
        coupons and tasks."""
        rows = self._service_tickets(0)
        invoices = self.env["account.move"].browse([c["invoice"] for _i, c in rows])
        refs = [{"ref": f"Reversal of bench ticket {i:05d}"} for i, _c in rows]
        self._linked(invoices._reverse_moves(refs), rows)
        rows, returns = self._service_tickets(1), self.env["stock.picking"]
        for _i, c in rows:
            wizard = self.env["stock.return.picking"].with_context(
                active_id=c["picking"], active_model="stock.picking"
            ).create({})  # fmt: skip
            wizard.product_return_moves.quantity = 1
            returns += returns.browse(wizard.action_create_returns()["res_id"])
        self._validate(returns)
        self._linked(returns, rows)
        program = self.env["loyalty.program"].create(
            {"name": "Bench Goodwill Coupons", "program_type": "coupons"}
        )
        for offset, (model, make) in enumerate((
            ("repair.order", lambda i, c: {"product_id": c["product"], "lot_id":
             c["lot"], "internal_notes": f"<p>Bench ticket {i:05d}</p>"}),
            ("loyalty.card", lambda i, c: {"program_id": program.id, "points": 1}),
            ("project.task", lambda i, c: {"project_id": self.fsm_project.id,
             "name": f"Intervention for bench ticket {i:05d}"}),
        ), start=2):  # fmt: skip
            rows = self._service_tickets(offset)
            vals = [{**make(i, c), "partner_id": c["customer"]} for i, c in rows]
            self._linked(self.env[model].create(vals), rows)

    def make_links(self):
        """The ticket of each document and the context of the tickets about an order,
        for ``link``; what bench_measure.py opens."""
        models, res_ids, tickets = zip(*self.links, strict=True)
        self.env.cr.execute(
            "CREATE TABLE bench_link (model varchar, res_id int, ticket_id int); "
            "INSERT INTO bench_link SELECT * FROM unnest(%s::varchar[], %s::int[], "
            "%s::int[]); CREATE TABLE bench_ticket_context (ticket_id int, "
            "sale_order_id int, product_id int, lot_id int); INSERT INTO "
            "bench_ticket_context SELECT * FROM unnest(%s::int[], %s::int[], "
            "%s::int[], %s::int[])",
            [list(models), list(res_ids), [self.tickets[i].id for i in tickets],
             self.tickets[: len(self.context)].ids,
             *([c[k] for c in self.context] for k in ("order", "product", "lot"))],
        )  # fmt: skip
        for key, value in (("ticket_full", self.tickets[0]),
                           ("ticket_big_customer", self.tickets[-1]),
                           ("ticket_plain", self.tickets[len(self.context)]),
                           ("agent", self.agent), ("team", self.teams[0]),
                           ("fsm_project", self.fsm_project)):  # fmt: skip
            self.env["ir.config_parameter"].set_param(f"bench.{key}", value.id)


# ---------------------------------------------------------------- populate
def populate(env, scale):
    """The seed, then ``factor(scale)`` copies of it by Odoo's populate; the links
    follow: copy ``s`` of row ``r`` is ``r + last × s``, ``last`` being the table's
    highest id before (populate's ``copy_id``)."""
    Seed(env).run()
    env.cr.commit()  # populate rolls back when the role may not skip foreign keys
    progress("seed made through Odoo's flows")
    cr, copies, last = env.cr, factor(scale), {}
    for name in (*LINKED_MODELS, "helpdesk.ticket", "sale.order", "stock.lot"):
        cr.execute(SQL("SELECT max(id) FROM %s", SQL.identifier(env[name]._table)))
        last[name] = cr.fetchone()[0]
    # Which order lines an invoice line bills: a copy=False many2many, which
    # populate_models takes as a model of its own (the command line cannot).
    billed = Many2manyModelWrapper(env, env["sale.order.line"]._fields["invoice_lines"])
    populate_models({**{env[n]: copies for n in POPULATED}, billed: copies}, ord("_"))
    env.invalidate_all()
    progress(f"{copies} copies made by populate")
    cr.execute(
        "INSERT INTO bench_link SELECT l.model, l.res_id + d.last * s, l.ticket_id + "
        "%s * s FROM bench_link l JOIN unnest(%s::varchar[], %s::int[]) AS d(model, "
        "last) USING (model), generate_series(1, %s) s; INSERT INTO "
        "bench_ticket_context SELECT ticket_id + %s * s, sale_order_id + %s * s, "
        "product_id, lot_id + %s * s FROM bench_ticket_context, "
        "generate_series(1, %s) s",
        [last["helpdesk.ticket"], list(last), list(last.values()), copies,
         last["helpdesk.ticket"], last["sale.order"], last["stock.lot"], copies],
    )  # fmt: skip
    # Populate suffixes the numbers (HT00100_, HT00100_1...): the ticket list, sorted
    # by number, would show 80 copies of one ticket. Numbered as if made one by one,
    # those about an order first: the list's first page shows tickets without one,
    # as helpdesk_mgmt's database has no order, product or lot on any.
    cr.execute(
        "UPDATE helpdesk_ticket t SET number = 'HT' || lpad(n::text, 6, '0') FROM "
        "(SELECT id, row_number() OVER (ORDER BY id IN (SELECT ticket_id FROM "
        "bench_ticket_context) DESC, id) AS n FROM helpdesk_ticket) r WHERE r.id = t.id"
    )
    # And the journal entries (INV/2026/00012_3): Odoo numbers the next entry after the
    # journal's last name, which it cannot read with a suffix: posting would collide.
    cr.execute(
        "UPDATE account_move m SET sequence_number = r.n, name = m.sequence_prefix "
        "|| CASE WHEN r.n < 100000 THEN lpad(r.n::text, 5, '0') ELSE r.n::text END "
        "FROM (SELECT id, row_number() OVER (PARTITION BY journal_id, sequence_prefix "
        "ORDER BY date, id) AS n FROM account_move WHERE name != '/' AND "
        "sequence_prefix IS NOT NULL) r WHERE r.id = m.id"
    )


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
        populate(ENV, float(sys.argv[2]))
    else:
        link(ENV)
