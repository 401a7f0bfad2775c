from odoo import models
from odoo.tools.sql import create_index

# Created in init() below; Odoo does not know it, so the uninstall hook drops it.
COUPON_USE_INDEX = "sale_order_line_helpdesk_coupon_idx"


class SaleOrderLine(models.Model):
    _inherit = "sale.order.line"

    def init(self):
        res = super().init()
        # A coupon's use count (sale_loyalty's, shown with the ticket's coupons and on
        # the customer's portal page) counts the order lines holding it: sale_loyalty
        # does not index coupon_id, so each count scanned every order line.
        create_index(
            self.env.cr,
            indexname=COUPON_USE_INDEX,
            tablename=self._table,
            expressions=["coupon_id"],
            where="coupon_id IS NOT NULL",
        )
        return res

    def _get_helpdesk_delivered_lots(self):
        """The lots/serial numbers of this line's product that reached the customer:
        the done moves of the line into a customer location."""
        self.ensure_one()
        moves = self.move_ids.filtered(
            lambda move: move.state == "done"
            and move.location_dest_id.usage == "customer"
        )
        return moves.move_line_ids.lot_id
