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

    # --- Portal: Report a problem
    def _get_helpdesk_problem_lines(self, user):
        """The lines `user` may report a problem about from the portal: products
        delivered on this confirmed order, when he is its customer (not a holder of its
        link) and its company takes such reports (after_sales_portal_team_id)."""
        self.ensure_one()
        lines = self.env["sale.order.line"]
        if (
            user._is_public()
            or self.state != "sale"
            or not self.company_id.after_sales_portal_team_id
            or self.partner_id.commercial_partner_id != user.commercial_partner_id
        ):
            return lines
        return self.order_line.filtered(
            lambda line: not line.display_type
            and line.product_id.type == "consu"
            and line.qty_delivered > 0
        )
