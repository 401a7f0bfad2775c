from odoo import fields, models
from odoo.tools.sql import create_index

# Created in init() below; Odoo does not know it, so the uninstall hook drops it.
REFUNDABLE_INDEX = "account_move_helpdesk_refundable_idx"


class AccountMove(models.Model):
    _name = "account.move"
    _inherit = ["account.move", "helpdesk.after.sales.document"]

    helpdesk_ticket_id = fields.Many2one(
        help="The helpdesk ticket this credit note was issued from.",
    )
    helpdesk_reason_id = fields.Many2one(
        help="Why this credit note was issued from its helpdesk ticket.",
    )
    helpdesk_approval_id = fields.Many2one(
        comodel_name="helpdesk.after.sales.approval",
        string="After-Sales Approval",
        index="btree_not_null",
        copy=False,
        readonly=True,
        ondelete="restrict",
        help="The approval request, above the team's limit, it was issued for.",
    )

    def init(self):
        res = super().init()
        # The Refund wizard offers a customer's posted invoices of one company: account
        # indexes neither commercial_partner_id nor this combination, so each ticket
        # would scan them all.
        create_index(
            self.env.cr,
            indexname=REFUNDABLE_INDEX,
            tablename=self._table,
            expressions=["commercial_partner_id", "company_id"],
            where="move_type = 'out_invoice' AND state = 'posted'",
        )
        return res
