from odoo import fields, models


class HelpdeskAfterSalesDocument(models.AbstractModel):
    """What every document an after-sales service creates (credit note, coupon,
    return, repair order, task) shares: the ticket it was created from, which the
    ticket's smart buttons count, and the reason the agent gave."""

    _name = "helpdesk.after.sales.document"
    _description = "Helpdesk After-Sales Document"

    helpdesk_ticket_id = fields.Many2one(
        comodel_name="helpdesk.ticket",
        string="Helpdesk Ticket",
        # The ticket's counts group by it; most documents have none.
        index="btree_not_null",
        copy=False,
        readonly=True,
    )
    helpdesk_reason_id = fields.Many2one(
        comodel_name="helpdesk.after.sales.reason",
        string="After-Sales Reason",
        index="btree_not_null",
        copy=False,
        readonly=True,
        # A reason in use is archived, not deleted: the report groups by it.
        ondelete="restrict",
    )
