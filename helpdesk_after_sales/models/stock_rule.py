from odoo import models


class StockRule(models.Model):
    _inherit = "stock.rule"

    def _get_custom_move_fields(self):
        # An exchange's replacement carries the warranty end it keeps (see
        # stock.return.picking's _get_proc_values).
        return super()._get_custom_move_fields() + ["helpdesk_warranty_end_date"]
