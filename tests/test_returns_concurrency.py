import logging
import uuid

from odoo import api
from odoo.exceptions import UserError, ValidationError
from odoo.fields import Command
from odoo.tests import new_test_user, tagged
from odoo.tools import SQL

from .concurrency import ConcurrencyCase

_logger = logging.getLogger(__name__)


@tagged("post_install", "-at_install")
class TestReturnsConcurrency(ConcurrencyCase):
    """Agents returning the last unit of the same delivery at once, each from their
    own ticket of the same customer, in their own transaction and thread. What they
    return from is committed (a test's own transaction is invisible to the others),
    built by Odoo's flows, and removed afterwards."""

    AGENTS = 4

    # ------------------------------------------------------------------ data
    def _create_data(self, env):
        tag = uuid.uuid4().hex[:6]
        last_bus_id = env.execute_query(SQL("SELECT max(id) FROM bus_bus"))[0][0]
        agents = env["res.users"]
        for index in range(self.AGENTS):
            agents |= new_test_user(
                env,
                login=f"return_race_{tag}_{index}",
                name=f"Return Race Agent {index}",
                groups="helpdesk_mgmt.group_helpdesk_user,stock.group_stock_user",
            )
        customer = env["res.partner"].create(
            {"name": f"Return Race Customer {tag}", "is_company": True}
        )
        product = env["product.product"].create(
            {
                "name": f"Return Race Kettle {tag}",
                "type": "consu",
                "is_storable": True,
                "list_price": 50.0,
            }
        )
        warehouse = env["stock.warehouse"].search(
            [("company_id", "=", env.company.id)], limit=1
        )
        env["stock.quant"]._update_available_quantity(
            product, warehouse.lot_stock_id, 10
        )
        tickets = self._race_tickets(
            env,
            f"Return Race {tag}",
            "use_product_returns",
            agents,
            customer,
            "Kettle leaks",
        )
        # Three kettles sold and delivered.
        order = env["sale.order"].create(
            {
                "partner_id": customer.id,
                "order_line": [
                    Command.create({"product_id": product.id, "product_uom_qty": 3})
                ],
            }
        )
        order.action_confirm()
        delivery = order.picking_ids
        self._validate(delivery)
        # Two are on their way back, from the first ticket: one is left. That return
        # is open, its goods picked (at the counter, not validated): the order's
        # delivery status is partial already, and stock's unreserving of the
        # delivery's open returns (_create_return) skips picked moves. So the agents'
        # returns write no row another one writes: only the lock can make them
        # conflict, not the order or the earlier return.
        wizard = (
            env["stock.return.picking"]
            .with_user(agents[0])
            .create({"helpdesk_ticket_id": tickets[0].id, "picking_id": delivery.id})
        )
        wizard.product_return_moves.quantity = 2
        wizard._create_return().move_ids.picked = True
        return {
            "agents": agents.ids,
            "customer": customer.id,
            "product": product.id,
            "team": tickets.team_id.id,
            "tickets": tickets.ids,
            "order": order.id,
            "delivery": delivery.id,
            "last_bus_id": last_bus_id or 0,
        }

    @staticmethod
    def _validate(pickings):
        pickings.action_assign()
        pickings.move_ids.picked = True
        pickings.button_validate()
        assert set(pickings.mapped("state")) == {"done"}, pickings.mapped("state")

    def _delete_data(self, env, data):
        """Everything the data and the agents created. Done moves cannot be unlinked
        through the ORM: the stock documents go by SQL, children first."""
        cr = env.cr
        cr.execute(
            SQL(
                "SELECT id, picking_id FROM stock_move WHERE product_id = %s",
                data["product"],
            )
        )
        rows = cr.fetchall()
        move_ids = tuple(row[0] for row in rows) or (0,)
        picking_ids = tuple({row[1] for row in rows if row[1]}) or (0,)
        order = env["sale.order"].browse(data["order"])
        group_ids = tuple(order.procurement_group_id.ids) or (0,)
        wizards = env["stock.return.picking"].search(
            [("picking_id", "in", picking_ids)]
        )
        wizards.unlink()
        if "stock.valuation.layer" in env:  # stock_account, when installed
            cr.execute(
                SQL(
                    "DELETE FROM stock_valuation_layer WHERE product_id = %s",
                    data["product"],
                )
            )
        for query in (
            SQL("DELETE FROM stock_move_line WHERE move_id IN %s", move_ids),
            SQL("DELETE FROM stock_move WHERE id IN %s", move_ids),
            SQL("DELETE FROM stock_quant WHERE product_id = %s", data["product"]),
            SQL("DELETE FROM stock_picking WHERE id IN %s", picking_ids),
            SQL("DELETE FROM procurement_group WHERE id IN %s", group_ids),
            SQL("DELETE FROM sale_order WHERE id = %s", data["order"]),
        ):
            cr.execute(query)
        for model, ids in (
            ("stock.picking", picking_ids),
            ("sale.order", (data["order"],)),
            ("procurement.group", group_ids),
        ):
            for table in ("mail_message", "mail_followers", "mail_activity"):
                column = "model" if table == "mail_message" else "res_model"
                cr.execute(
                    SQL(
                        "DELETE FROM %s WHERE %s = %s AND res_id IN %s",
                        SQL.identifier(table),
                        SQL.identifier(column),
                        model,
                        ids,
                    )
                )
        env.invalidate_all()
        env["helpdesk.ticket"].browse(data["tickets"]).unlink()
        env["helpdesk.ticket.team"].browse(data["team"]).unlink()
        env["product.product"].browse(data["product"]).product_tmpl_id.unlink()
        users = env["res.users"].browse(data["agents"])
        partners = users.partner_id
        users.unlink()
        (partners | env["res.partner"].browse(data["customer"])).unlink()
        # The browser notifications of the chatter posts and deletions above: Odoo's
        # queue, which its cron would empty later.
        cr.execute(SQL("DELETE FROM bus_bus WHERE id > %s", data["last_bus_id"]))

    def _count_rows(self, env):
        """{table: rows} of every table of the database."""
        tables = env.execute_query(
            SQL(
                "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"
                " ORDER BY tablename"
            )
        )
        return {
            table: env.execute_query(
                SQL("SELECT count(*) FROM %s", SQL.identifier(table))
            )[0][0]
            for (table,) in tables
        }

    def _check_nothing_left(self, counts_before):
        counts_after = self._committed(self._count_rows)
        self.assertEqual(
            {
                table: (count, counts_after.get(table))
                for table, count in counts_before.items()
                if counts_after.get(table) != count
            },
            {},
            "rows left by the test (rows before, after)",
        )
        self.assertEqual(counts_after.keys(), counts_before.keys())

    def setUp(self):
        super().setUp()
        counts_before = self._committed(self._count_rows)
        # Last in, first out: the rows are counted once the data is deleted.
        self.addCleanup(self._check_nothing_left, counts_before)
        self.data = self._committed(self._create_data)
        self.addCleanup(self._committed, lambda env: self._delete_data(env, self.data))

    # ------------------------------------------------------------------ threads
    def _open_wizard(self, uid, ticket_id):
        """The ticket's Return dialog, saved by the agent: its own request."""

        def save(env):
            wizard = env["stock.return.picking"].create(
                {"helpdesk_ticket_id": ticket_id, "picking_id": self.data["delivery"]}
            )
            return wizard.id

        with self.registry.cursor() as cr:
            wizard_id = save(api.Environment(cr, uid, {}))
            # Committed: the save, as its request ends.
            cr.commit()  # pylint: disable=invalid-commit
        return wizard_id

    def _click(self, wizard_id, button):
        def call(env, barrier):
            wizard = env["stock.return.picking"].browse(wizard_id)
            # The wizard as its request reads it: this transaction's snapshot is
            # taken before any agent clicks.
            self.assertEqual(wizard.product_return_moves.quantity, 1)
            if barrier:
                barrier.wait()
            return getattr(wizard, button)()["res_id"]

        return call

    def _returns(self):
        """The delivery's returns, not cancelled, and what is left to return."""

        def read(env):
            delivery = env["stock.picking"].browse(self.data["delivery"])
            Wizard = env["stock.return.picking"]
            return (
                delivery.return_ids.filtered(lambda p: p.state != "cancel").ids,
                Wizard._get_returnable_quantity(delivery.move_ids),
            )

        return self._committed(read)

    def _race(self, button):
        before, returnable = self._returns()
        self.assertEqual(len(before), 1, "two of three kettles on their way back")
        self.assertEqual(returnable, 1)
        calls = [
            (uid, self._click(self._open_wizard(uid, ticket_id), button))
            for uid, ticket_id in zip(
                self.data["agents"], self.data["tickets"], strict=True
            )
        ]
        results, retried = self._at_once(calls)
        returned = [result for result in results if isinstance(result, int)]
        refused = [result for result in results if not isinstance(result, int)]
        after, returnable = self._returns()
        _logger.info(
            "%s agents at once (%s): %s returned, %s refused, %s retried after a "
            "serialization failure; returns of the delivery %s → %s",
            self.AGENTS,
            button,
            len(returned),
            len(refused),
            len(retried),
            len(before),
            len(after),
        )
        self.assertEqual(len(returned), 1, results)
        self.assertEqual(len(refused), self.AGENTS - 1, results)
        product = self._committed(
            lambda env: env["product.product"].browse(self.data["product"]).name
        )
        for error in refused:
            self.assertIsInstance(error, (UserError, ValidationError), results)
            self.assertIn(
                f"Only 0.0 Units of {product} can still be returned", str(error)
            )
        self.assertEqual(sorted(after), sorted(before + returned))
        self.assertEqual(returnable, 0)
        self.assertLessEqual(len(retried), self.AGENTS - 1)
        return returned[0]

    # ------------------------------------------------------------------ tests
    def test_agents_return_the_last_unit(self):
        self._race("action_create_returns")

    def test_agents_exchange_the_last_unit(self):
        """Return for Exchange goes through the same return: one replacement."""
        returned_id = self._race("action_create_exchanges")

        def replacements(env):
            tickets = env["helpdesk.ticket"].browse(self.data["tickets"])
            returned = env["stock.picking"].browse(returned_id)
            return [
                (picking.helpdesk_ticket_id.id, picking.move_ids.product_uom_qty)
                for picking in tickets.picking_ids
                if picking.picking_type_code == "outgoing"
            ], returned.helpdesk_ticket_id.id

        replacements, ticket_id = self._committed(replacements)
        self.assertEqual(
            replacements, [(ticket_id, 1.0)], "one replacement, on the winner's ticket"
        )
