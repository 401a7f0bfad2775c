from lxml import etree

from odoo.exceptions import ValidationError
from odoo.fields import Command
from odoo.tests import Form, new_test_user, tagged

from .common import AfterSalesCase


@tagged("post_install", "-at_install")
class TestTicketContext(AfterSalesCase):
    """The ticket's orders (helpdesk_mgmt_sale's field), product (helpdesk_product's)
    and lot, with this addon's rules, as agents set them."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.sales_agent = new_test_user(
            cls.env,
            login="as_sales_agent",
            name="Sales Agent",
            groups="helpdesk_mgmt.group_helpdesk_user,"
            "sales_team.group_sale_salesman_all_leads",
        )
        cls.team.user_ids = [Command.link(cls.sales_agent.id)]

    def _ticket_as_agent(self):
        return self.ticket.with_user(self.agent)

    def test_order_product_lot_accepted(self):
        ticket = self._ticket_as_agent()
        ticket.write(
            {
                "sale_order_ids": [Command.set(self.order.ids)],
                "product_id": self.serial_product.id,
                "lot_id": self.lot.id,
            }
        )
        self.assertEqual(ticket.sale_order_ids, self.order)
        self.assertEqual(
            ticket.suitable_product_ids, self.product | self.serial_product
        )
        self.assertEqual(ticket.product_tracking, "serial")
        self.assertEqual(ticket.lot_id, self.lot)

    def test_several_orders_accepted(self):
        second = self._create_order(self.customer, [self.other_product])
        ticket = self._ticket_as_agent()
        ticket.write(
            {
                "sale_order_ids": [Command.set((self.order | second).ids)],
                "product_id": self.other_product.id,
            }
        )
        self.assertEqual(ticket.sale_order_ids, self.order | second)
        self.assertEqual(
            ticket.suitable_product_ids,
            self.product | self.serial_product | self.other_product,
        )
        self.assertEqual(second.ticket_ids, self.ticket, "helpdesk_mgmt_sale's side")

    def test_order_of_another_customer_rejected(self):
        foreign_order = self._create_order(self.other_customer, [self.product])
        # The relation is written at once: the savepoint undoes it, as a failed request.
        with (
            self.assertRaisesRegex(ValidationError, foreign_order.name),
            self.env.cr.savepoint(),
        ):
            self._ticket_as_agent().write(
                {"sale_order_ids": [Command.set((self.order | foreign_order).ids)]}
            )
        self.env.clear()  # forget the failed write, as a new request would
        self.assertFalse(self.ticket.sale_order_ids)

    def test_order_of_another_company_rejected(self):
        order = self.env["sale.order"].create(
            {"partner_id": self.contact.id, "company_id": self.other_company.id}
        )
        with self.assertRaisesRegex(ValidationError, order.name):
            self._ticket_as_agent().write({"sale_order_ids": [Command.link(order.id)]})

    def test_order_side_link_checked(self):
        """helpdesk_mgmt_sale links tickets from the order too: the same rule."""
        foreign_order = self._create_order(self.other_customer, [self.product])
        with (
            self.assertRaisesRegex(ValidationError, foreign_order.name) as error,
            self.env.cr.savepoint(),
        ):
            foreign_order.with_user(self.sales_agent).write(
                {"ticket_ids": [Command.link(self.ticket.id)]}
            )
        # A salesperson may not read the ticket: the message does not name it.
        self.assertNotIn(self.ticket.name, str(error.exception))
        self.env.clear()
        self.assertFalse(self.ticket.sale_order_ids)
        self.order.with_user(self.sales_agent).write(
            {"ticket_ids": [Command.link(self.ticket.id)]}
        )
        self.assertEqual(self.ticket.sale_order_ids, self.order)
        with self.assertRaisesRegex(ValidationError, self.order.name):
            self.order.with_user(self.sales_agent).write(
                {"partner_id": self.other_customer.id}
            )

    def test_product_not_on_orders_rejected(self):
        second = self._create_order(self.contact, [self.serial_product])
        with (
            self.assertRaisesRegex(ValidationError, "Toaster"),
            self.env.cr.savepoint(),
        ):
            self._ticket_as_agent().write(
                {
                    "sale_order_ids": [Command.set((self.order | second).ids)],
                    "product_id": self.other_product.id,
                }
            )
        self.env.clear()  # forget the failed write, as a new request would
        self.assertFalse(self.ticket.product_id)

    def test_product_without_order_free(self):
        self._ticket_as_agent().write({"product_id": self.other_product.id})
        self.assertEqual(self.ticket.product_id, self.other_product)
        self._ticket_as_agent().write({"partner_id": self.other_customer.id})
        self.assertEqual(self.ticket.product_id, self.other_product, "still suitable")

    def test_lot_of_another_product_rejected(self):
        other_lot = self.env["stock.lot"].create(
            {"name": "K-001", "product_id": self.product.id}
        )
        with self.assertRaisesRegex(ValidationError, "K-001"):
            self._ticket_as_agent().write(
                {"product_id": self.serial_product.id, "lot_id": other_lot.id}
            )
        self.env.clear()  # forget the failed write, as a new request would
        with self.assertRaisesRegex(ValidationError, "SN-001"):
            self._ticket_as_agent().write({"lot_id": self.lot.id})

    def test_customer_change_clears_foreign_orders(self):
        ticket = self._ticket_as_agent()
        elm_order = self._create_order(self.other_customer, [self.other_product])
        ticket.write(
            {
                "sale_order_ids": [Command.set(self.order.ids)],
                "product_id": self.product.id,
            }
        )
        ticket.write({"partner_id": self.customer.id})  # same commercial entity: kept
        self.assertEqual(ticket.sale_order_ids, self.order)
        self.assertEqual(ticket.product_id, self.product)
        ticket.write({"partner_id": self.other_customer.id})
        self.assertFalse(ticket.sale_order_ids)
        self.assertEqual(ticket.product_id, self.product, "without orders: any product")
        ticket.write({"sale_order_ids": [Command.link(elm_order.id)]})
        self.assertEqual(ticket.sale_order_ids, elm_order)
        self.assertFalse(ticket.product_id, "the kettle is not on the new customer's")

    def test_order_change_clears_product_not_on_them(self):
        second_order = self._create_order(self.contact, [self.serial_product])
        with Form(self.ticket.with_user(self.sales_agent)) as ticket_form:
            self.assertFalse(ticket_form._get_modifier("sale_order_ids", "invisible"))
            self.assertEqual(
                self._choices(ticket_form, "sale_order_ids"),
                self.order | second_order,
                "the customer's orders, in the ticket's company",
            )
            ticket_form.sale_order_ids.add(self.order)
            self.assertEqual(
                self._choices(ticket_form, "product_id"),
                self.product | self.serial_product,
                "the order's products",
            )
            ticket_form.product_id = self.product
            ticket_form.sale_order_ids.add(second_order)
            self.assertEqual(ticket_form.product_id, self.product, "still on one")
            ticket_form.sale_order_ids.remove(id=self.order.id)
            self.assertFalse(ticket_form.product_id)
            ticket_form.product_id = self.serial_product
            self.assertFalse(ticket_form._get_modifier("lot_id", "invisible"))
            ticket_form.lot_id = self.lot
            ticket_form.product_id = self.env["product.product"]
            self.assertFalse(ticket_form.lot_id)
            self.assertTrue(ticket_form._get_modifier("lot_id", "invisible"))
        self.assertEqual(self.ticket.sale_order_ids, second_order)

    def test_product_choices_without_order(self):
        self.product.ticket_active = False  # helpdesk_product's switch still applies
        with Form(self.ticket.with_user(self.sales_agent)) as ticket_form:
            choices = self._choices(ticket_form, "product_id")
        self.assertIn(self.other_product, choices)
        self.assertIn(self.serial_product, choices)
        self.assertNotIn(self.product, choices)

    def test_one_product_and_one_orders_field(self):
        """helpdesk_product's product and helpdesk_mgmt_sale's orders are the only ones:
        no second field of either, wherever their own views put them."""
        arch = etree.fromstring(
            self.env["helpdesk.ticket"]
            .with_user(self.sales_agent)
            .get_views([(False, "form")])["views"]["form"]["arch"]
        )

        def shown(name):
            # Odoo adds a hidden copy of a field that another one's domain uses.
            return [
                node
                for node in arch.iter("field")
                if node.get("name") == name and node.get("invisible") != "True"
            ]

        self.assertEqual(len(shown("product_id")), 1)
        self.assertEqual(len(shown("sale_order_ids")), 1)
        self.assertEqual(
            shown("sale_order_ids")[0].getnext().get("name"),
            "product_id",
            "together with the product, where this addon's own order field was",
        )
        self.assertFalse(shown("sale_order_id"))
        self.assertNotIn("sale_order_id", self.env["helpdesk.ticket"]._fields)
