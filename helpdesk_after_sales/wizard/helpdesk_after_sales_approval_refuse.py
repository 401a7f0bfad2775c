from odoo import fields, models


class HelpdeskAfterSalesApprovalRefuse(models.TransientModel):
    """Why an approver refuses a request: told to its requester."""

    _name = "helpdesk.after.sales.approval.refuse"
    _description = "Refuse an After-Sales Approval Request"

    approval_id = fields.Many2one(
        comodel_name="helpdesk.after.sales.approval",
        string="Request",
        required=True,
        readonly=True,
        ondelete="cascade",
    )
    reason = fields.Text(required=True)

    def action_refuse(self):
        self.ensure_one()
        self.approval_id._refuse(self.reason)
        return True
