from odoo import models


class SaleOrderLine(models.Model):
    _inherit = "sale.order.line"

    def _get_helpdesk_delivered_lots(self):
        """The lots/serial numbers of this line's product that reached the customer:
        the done moves of the line into a customer location."""
        self.ensure_one()
        moves = self.move_ids.filtered(
            lambda move: move.state == "done"
            and move.location_dest_id.usage == "customer"
        )
        return moves.move_line_ids.lot_id
