from odoo import fields, models


class StockMove(models.Model):
    _inherit = "stock.move"

    helpdesk_warranty_end_date = fields.Date(
        string="Kept Warranty End",
        copy=False,
        readonly=True,
        help="An exchange's replacement whose company keeps the warranty end: its "
        "warranty ends then, instead of counting from its delivery.",
    )
    # Not stored: let the tickets group deliveries by customer and order in SQL (joins).
    picking_commercial_partner_id = fields.Many2one(
        related="picking_id.commercial_partner_id", string="Delivered To"
    )
    picking_sale_id = fields.Many2one(
        related="picking_id.sale_id", string="Delivered Order"
    )

    def _action_done(self, cancel_backorder=False):
        moves = super()._action_done(cancel_backorder=cancel_backorder)
        moves._recompute_helpdesk_warranty()
        return moves

    def _recompute_helpdesk_warranty(self):
        """The warranty of the tickets about what these moves delivered: a delivery is
        no field of the ticket, so no @api.depends can say it."""
        deliveries = self.filtered(
            lambda move: move.state == "done" and move.picking_code == "outgoing"
        )
        if not deliveries:
            return
        Ticket = self.env["helpdesk.ticket"]
        # sudo: the stored warranty of every ticket concerned (archived ones too),
        # whoever validates the delivery.
        tickets = (
            Ticket.sudo()
            .with_context(active_test=False)
            .search(
                [
                    ("product_id", "in", deliveries.product_id.ids),
                    (
                        "commercial_partner_id",
                        "in",
                        deliveries.picking_id.commercial_partner_id.ids,
                    ),
                ]
            )
        )
        names = ["warranty_start_date", "warranty_end_date"]
        for name in names:
            self.env.add_to_compute(Ticket._fields[name], tickets)
        # What depends on the dates (the state, not stored) follows too.
        tickets.modified(names)
