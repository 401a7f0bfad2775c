from datetime import timedelta

from dateutil.relativedelta import relativedelta
from freezegun import freeze_time

from odoo import fields
from odoo.fields import Command
from odoo.tests import HttpCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestWarrantyUi(HttpCase):
    """The warranty badge on the ticket form (tour), and on the customer's ticket
    page."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer = cls.env["res.partner"].create(
            {"name": "Tour Warranty Customer", "is_company": True}
        )
        cls.kettle = cls.env["product.product"].create(
            {
                "name": "Tour Warranty Kettle",
                "is_storable": True,
                "warranty": 2,
                "warranty_type": "year",
            }
        )
        cls.toaster = cls.env["product.product"].create(
            {"name": "Tour Warranty Toaster", "type": "consu"}
        )
        warehouse = cls.env["stock.warehouse"].search(
            [("company_id", "=", cls.env.company.id)], limit=1
        )
        cls.env["stock.quant"]._update_available_quantity(
            cls.kettle, warehouse.lot_stock_id, 1
        )
        cls.delivered_on = fields.Date.today() - timedelta(days=30)
        order = cls.env["sale.order"].create(
            {
                "partner_id": cls.customer.id,
                "order_line": [Command.create({"product_id": cls.kettle.id})],
            }
        )
        order.action_confirm()
        with freeze_time(f"{cls.delivered_on} 12:00:00"):
            order.picking_ids.move_ids.picked = True
            order.picking_ids.button_validate()
        cls.ticket = cls.env["helpdesk.ticket"].create(
            {
                "name": "Kettle stopped heating",
                "description": "No heat",
                "partner_id": cls.customer.id,
                "product_id": cls.kettle.id,
            }
        )
        cls.end = cls.delivered_on + relativedelta(years=2)

    def test_badge_on_ticket_form(self):
        self.assertEqual(self.ticket.warranty_state, "active")
        self.start_tour(
            f"/odoo/action-helpdesk_mgmt.helpdesk_ticket_action/{self.ticket.id}",
            "helpdesk_after_sales_warranty",
            login="admin",
        )
        self.assertEqual(self.ticket.product_id, self.kettle)
        self.assertEqual(self.ticket.warranty_end_date, self.end)

    def test_customer_sees_warranty_on_ticket_page(self):
        portal = new_test_user(
            self.env,
            login="portal_warranty",
            password="portal_warranty",
            groups="base.group_portal",
        )
        portal.partner_id.parent_id = self.customer
        self.authenticate("portal_warranty", "portal_warranty")
        response = self.url_open(f"/my/ticket/{self.ticket.id}", allow_redirects=False)
        self.assertEqual(response.status_code, 200)
        self.assertIn('id="ticket_warranty"', response.text)
        self.assertIn("Tour Warranty Kettle", response.text)
        self.assertIn(
            f"Under warranty until {self.end.strftime('%m/%d/%Y')}", response.text
        )
        self.assertIn("text-bg-success", response.text)
        self.ticket.product_id = self.toaster
        response = self.url_open(f"/my/ticket/{self.ticket.id}", allow_redirects=False)
        self.assertIn("No warranty", response.text)
