from odoo import api, models


class SaleOrder(models.Model):
    _inherit = "sale.order"

    @api.constrains("ticket_ids", "partner_id", "company_id")
    def _check_helpdesk_tickets(self):
        # helpdesk_mgmt_sale links tickets from the order's side too: the same rule as on
        # the ticket, whichever side the link is made from. sudo: a salesperson needs no
        # helpdesk rights to have the order's tickets checked.
        self.sudo().ticket_ids._check_after_sales_context()
