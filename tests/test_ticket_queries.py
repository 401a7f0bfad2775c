from odoo.exceptions import UserError
from odoo.tests import new_test_user, tagged

from .common import AfterSalesCase


@tagged("post_install", "-at_install")
class TestTicketQueries(AfterSalesCase):
    """What the ticket form costs in queries (scripts/bench.py: the same at volume)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.order_two = cls._create_order(
            cls.contact, [cls.serial_product, cls.other_product]
        )
        cls.tickets = cls.ticket | cls.ticket.copy() | cls.ticket.copy()
        cls.tickets[0].sale_order_ids = cls.order
        cls.tickets[1].sale_order_ids = cls.order_two
        cls.tickets[2].sale_order_ids = cls.order | cls.order_two

    def test_suitable_products_batched(self):
        """The products of the tickets' orders: one grouped query for all tickets."""
        self.tickets.mapped("sale_order_ids")
        self.env.invalidate_all(flush=True)
        # The tickets and their orders, read with the page.
        self.tickets.mapped("sale_order_ids")
        # Reading a many2many filters archived products: known products, as in a form's
        # cache.
        (self.product | self.serial_product | self.other_product).mapped("active")
        with self.assertQueryCount(1):
            self.assertEqual(
                [set(t.suitable_product_ids.ids) for t in self.tickets],
                [
                    {self.product.id, self.serial_product.id},
                    {self.serial_product.id, self.other_product.id},
                    {
                        self.product.id,
                        self.serial_product.id,
                        self.other_product.id,
                    },
                ],
            )

    def test_order_products_searched_as_agent(self):
        """The form's product choice once an order is set: a subquery on the order
        lines, for an agent without Sales rights, and no read of the order lines by the
        form."""
        products = self.env["product.product"].with_user(self.agent)
        self.assertFalse(self.agent.has_group("sales_team.group_sale_salesman"))
        domain = self.env["helpdesk.ticket"]._fields["product_id"].domain
        self.assertIn("helpdesk_sale_order_ids", domain)
        products.search(
            [("helpdesk_sale_order_ids", "=", self.order_two.id)]
        )  # warm caches
        with self.assertQueryCount(1):
            found = products.search(
                [("helpdesk_sale_order_ids", "=", self.order_two.id)]
            )
        self.assertEqual(found, self.serial_product | self.other_product)
        self.assertEqual(
            products.search(
                [("helpdesk_sale_order_ids", "in", (self.order | self.order_two).ids)]
            ),
            self.product | self.serial_product | self.other_product,
        )
        with self.assertRaisesRegex(UserError, "orders they are on"):
            products.search([("helpdesk_sale_order_ids", "ilike", self.order.name)])
        self.env.invalidate_all()  # a new request: the orders were made in this one
        self.assertEqual(
            self.serial_product.helpdesk_sale_order_ids, self.order | self.order_two
        )

    def test_ticket_form_reads_no_order_line(self):
        """Opening a ticket with its orders, product and lot reads the ticket, the
        orders' names, the product's display (product, template, attribute values) and
        the lot's: never the orders' lines."""
        ticket = self.tickets[1]
        ticket.write({"product_id": self.serial_product.id, "lot_id": self.lot.id})
        sales_agent = new_test_user(
            self.env,
            login="as_query_sales_agent",
            groups="helpdesk_mgmt.group_helpdesk_user,"
            "sales_team.group_sale_salesman_all_leads",
        )
        agent_ticket = ticket.with_user(sales_agent)
        arch = agent_ticket.get_views([(False, "form")])["views"]["form"]["arch"]
        self.assertIn('name="product_id"', arch)
        self.assertNotIn("suitable_product_ids", arch)
        spec = {
            name: {"fields": {"display_name": {}}}
            if ticket._fields[name].type in ("many2one", "many2many")
            else {}
            for name in ("sale_order_ids", "product_id", "lot_id", "product_tracking")
        }
        agent_ticket.web_read(spec)  # warm the caches a running server has
        self.env.invalidate_all(flush=True)
        with self.assertQueryCount(7):
            values = agent_ticket.web_read(spec)[0]
        self.assertEqual(
            [order["display_name"] for order in values["sale_order_ids"]],
            [self.order_two.name],
        )
        self.assertEqual(values["lot_id"]["display_name"], "SN-001")

    def test_orders_hidden_from_agents_who_cannot_read_them(self):
        """An agent without Sales, Billing or Inventory rights cannot read orders: the
        form leaves them out, and reads only their ids for the product's choice."""
        self.assertFalse(
            self.env["sale.order"].with_user(self.agent).has_access("read")
        )
        ticket = self.tickets[1].with_user(self.agent)
        views = ticket.get_views([(False, "form")])["views"]["form"]
        arch = views["arch"]
        self.assertIn('name="sale_order_ids"', arch)
        self.assertIn('invisible="True"', arch.split('name="sale_order_ids"')[1][:200])
        values = ticket.web_read({"sale_order_ids": {}, "product_id": {}})[0]
        self.assertEqual(values["sale_order_ids"], self.order_two.ids)
