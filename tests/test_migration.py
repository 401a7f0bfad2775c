import importlib.util
from pathlib import Path

from odoo.fields import Command
from odoo.tests import tagged
from odoo.tools.sql import column_exists, create_column

from .common import AfterSalesCase

MIGRATION = Path(__file__).parents[1] / "migrations" / "18.0.1.2.0" / "post-migrate.py"


def migrate(cr, version):
    spec = importlib.util.spec_from_file_location(
        "helpdesk_after_sales_migration_18_0_1_2_0", MIGRATION
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.migrate(cr, version)


@tagged("post_install", "-at_install")
class TestMigration(AfterSalesCase):
    """18.0.1.1 kept one order per ticket in its own column, `sale_order_id`; 18.0.1.2
    uses helpdesk_mgmt_sale's orders, `sale_order_ids`."""

    def _old_column(self, orders):
        """The database as 18.0.1.1 left it: {ticket: order} in the old column."""
        cr = self.env.cr
        self.env.flush_all()
        self.assertFalse(column_exists(cr, "helpdesk_ticket", "sale_order_id"))
        create_column(cr, "helpdesk_ticket", "sale_order_id", "int4")
        for ticket, order in orders.items():
            cr.execute(
                "UPDATE helpdesk_ticket SET sale_order_id = %s WHERE id = %s",
                [order.id, ticket.id],
            )
        # 18.0.1.1 recorded the column's foreign key as the module's constraint.
        cr.execute(
            """
            INSERT INTO ir_model_constraint
                   (name, definition, type, model, module, create_date, write_date)
            SELECT 'helpdesk_ticket_sale_order_id_fkey', 'sale_order', 'f', model.id,
                   module.id, now(), now()
              FROM ir_model model, ir_module_module module
             WHERE model.model = 'helpdesk.ticket'
               AND module.name = 'helpdesk_after_sales'
            """
        )

    def _old_constraint_count(self):
        self.env.cr.execute(
            "SELECT count(*) FROM ir_model_constraint"
            " WHERE name = 'helpdesk_ticket_sale_order_id_fkey'"
        )
        return self.env.cr.fetchone()[0]

    def test_order_carried_into_orders(self):
        second = self._create_order(self.contact, [self.other_product])
        linked = self.ticket.copy()
        # Linked by helpdesk_mgmt_sale already (installed beside the old version).
        linked.sale_order_ids = self.order | second
        plain = self.ticket.copy()
        self._old_column({self.ticket: self.order, linked: self.order})
        self.assertEqual(self._old_constraint_count(), 1)
        migrate(self.env.cr, "18.0.1.1.0")
        migrate(self.env.cr, "18.0.1.1.0")  # run twice: nothing doubled
        self.assertEqual(self._old_constraint_count(), 0, "no key left to uninstall")
        self.env.invalidate_all()
        self.assertEqual(self.ticket.sale_order_ids, self.order)
        self.assertEqual(linked.sale_order_ids, self.order | second, "nothing lost")
        self.assertFalse(plain.sale_order_ids)
        self.env.cr.execute(
            "SELECT helpdesk_ticket_id, count(*) FROM helpdesk_ticket_sale_order_rel"
            " WHERE helpdesk_ticket_id IN %s GROUP BY helpdesk_ticket_id",
            [(self.ticket | linked | plain)._ids],
        )
        self.assertEqual(
            dict(self.env.cr.fetchall()), {self.ticket.id: 1, linked.id: 2}
        )
        # The services read the migrated order as they read the old one.
        self.ticket.write({"product_id": self.product.id})
        self.assertEqual(self.ticket._get_after_sales_sale_order(), self.order)
        self.assertEqual(self.order.ticket_ids, self.ticket | linked)

    def test_nothing_to_carry_on_a_new_database(self):
        self.ticket.sale_order_ids = [Command.set(self.order.ids)]
        migrate(self.env.cr, "18.0.1.1.0")  # no old column: nothing to do
        self.env.invalidate_all()
        self.assertEqual(self.ticket.sale_order_ids, self.order)
