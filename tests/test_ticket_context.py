from odoo.exceptions import ValidationError
from odoo.tests import Form, tagged

from .common import AfterSalesCase


@tagged("post_install", "-at_install")
class TestTicketContext(AfterSalesCase):
    def _ticket_as_agent(self):
        return self.ticket.with_user(self.agent)

    def test_order_product_lot_accepted(self):
        ticket = self._ticket_as_agent()
        ticket.write(
            {
                "sale_order_id": self.order.id,
                "product_id": self.serial_product.id,
                "lot_id": self.lot.id,
            }
        )
        self.assertEqual(ticket.sale_order_id, self.order)
        self.assertEqual(
            ticket.suitable_product_ids, self.product | self.serial_product
        )
        self.assertEqual(ticket.product_tracking, "serial")
        self.assertEqual(ticket.lot_id, self.lot)

    def test_order_of_another_customer_rejected(self):
        foreign_order = self._create_order(self.other_customer, [self.product])
        with self.assertRaisesRegex(ValidationError, foreign_order.name):
            self._ticket_as_agent().write({"sale_order_id": foreign_order.id})
        self.env.clear()  # forget the failed write, as a new request would
        self.assertFalse(self.ticket.sale_order_id)

    def test_order_of_another_company_rejected(self):
        order = self.env["sale.order"].create(
            {"partner_id": self.contact.id, "company_id": self.other_company.id}
        )
        with self.assertRaises(ValidationError):
            self._ticket_as_agent().write({"sale_order_id": order.id})

    def test_product_not_on_order_rejected(self):
        with self.assertRaisesRegex(ValidationError, "Toaster"):
            self._ticket_as_agent().write(
                {"sale_order_id": self.order.id, "product_id": self.other_product.id}
            )
        self.env.clear()  # forget the failed write, as a new request would
        self.assertFalse(self.ticket.product_id)

    def test_product_without_order_free(self):
        self._ticket_as_agent().write({"product_id": self.other_product.id})
        self.assertEqual(self.ticket.product_id, self.other_product)

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

    def test_customer_change_clears_foreign_order(self):
        ticket = self._ticket_as_agent()
        ticket.write({"sale_order_id": self.order.id, "product_id": self.product.id})
        ticket.write({"partner_id": self.customer.id})  # same commercial entity: kept
        self.assertEqual(ticket.sale_order_id, self.order)
        ticket.write({"partner_id": self.other_customer.id})
        self.assertFalse(ticket.sale_order_id)
        self.assertFalse(ticket.product_id, "the product came from the cleared order")

    def test_order_change_clears_product_not_on_it(self):
        second_order = self._create_order(self.contact, [self.serial_product])
        with Form(self._ticket_as_agent()) as ticket_form:
            ticket_form.sale_order_id = self.order
            ticket_form.product_id = self.product
            ticket_form.sale_order_id = second_order
            self.assertFalse(ticket_form.product_id)
            ticket_form.product_id = self.serial_product
            self.assertFalse(ticket_form._get_modifier("lot_id", "invisible"))
            ticket_form.lot_id = self.lot
            ticket_form.product_id = self.env["product.product"]
            self.assertFalse(ticket_form.lot_id)
            self.assertTrue(ticket_form._get_modifier("lot_id", "invisible"))
        self.assertEqual(self.ticket.sale_order_id, second_order)
