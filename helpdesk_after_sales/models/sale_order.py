from odoo import api, models
from odoo.exceptions import ValidationError


class SaleOrder(models.Model):
    _inherit = "sale.order"

    @api.constrains("ticket_ids", "partner_id", "company_id")
    def _check_helpdesk_tickets(self):
        """helpdesk_mgmt_sale links tickets from the order's side too: the ticket's rule
        (its orders are its customer's, in its company) holds from either side."""
        # sudo: a salesperson needs no helpdesk rights to have the order's tickets
        # checked; the message names no ticket, which they may not be able to read.
        for order in self.sudo():
            if any(
                order in ticket._get_foreign_sale_orders()
                for ticket in order.ticket_ids
            ):
                raise ValidationError(
                    self.env._(
                        "Sales order %(order)s was not sold to the customer of each of "
                        "its helpdesk tickets, in the ticket's company.",
                        order=order.display_name,
                    )
                )
