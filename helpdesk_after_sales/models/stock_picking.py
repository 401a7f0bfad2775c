from odoo import fields, models


class StockPicking(models.Model):
    _inherit = "stock.picking"

    helpdesk_ticket_id = fields.Many2one(
        comodel_name="helpdesk.ticket",
        string="Helpdesk Ticket",
        index="btree_not_null",
        copy=False,
        readonly=True,
        help=(
            "The helpdesk ticket this return, or its replacement delivery, was created "
            "from."
        ),
    )
    # Not stored: lets the tickets group deliveries by customer in SQL (one join).
    commercial_partner_id = fields.Many2one(
        related="partner_id.commercial_partner_id",
        string="Commercial Entity",
    )
