from odoo import fields, models

from ..indexes import create_indexes


class AccountMove(models.Model):
    _inherit = "account.move"

    helpdesk_ticket_id = fields.Many2one(
        comodel_name="helpdesk.ticket",
        string="Helpdesk Ticket",
        index="btree_not_null",
        copy=False,
        readonly=True,
        help="The helpdesk ticket this credit note was issued from.",
    )

    def init(self):
        res = super().init()
        create_indexes(self.env.cr, self._table)
        return res
