from odoo import fields, models

# What changes a done delivery's date, lot or customer for the warranty.
WARRANTY_FIELDS = {"lot_id", "date", "quantity", "picking_id", "move_id"}


class StockMoveLine(models.Model):
    _inherit = "stock.move.line"

    # Not stored: let the tickets group a lot's deliveries by customer in SQL (joins).
    picking_commercial_partner_id = fields.Many2one(
        related="picking_id.commercial_partner_id", string="Delivered To"
    )
    helpdesk_warranty_end_date = fields.Date(
        related="move_id.helpdesk_warranty_end_date"
    )

    def write(self, vals):
        # A done delivery corrected afterwards (its lot, date or quantity): the warranty
        # of the tickets about it follows.
        done = (
            self.filtered(lambda line: line.state == "done")
            if WARRANTY_FIELDS & vals.keys()
            else self.browse()
        )
        res = super().write(vals)
        done.move_id._recompute_helpdesk_warranty()
        return res
