from odoo import fields, models
from odoo.tools.sql import create_index


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
        super().init()
        # The Refund wizard offers a customer's posted invoices of one company: account indexes
        # neither commercial_partner_id nor this combination, so each ticket would scan them all.
        create_index(
            self.env.cr,
            indexname="account_move_helpdesk_refundable_idx",
            tablename="account_move",
            expressions=["commercial_partner_id", "company_id"],
            where="move_type = 'out_invoice' AND state = 'posted'",
        )
