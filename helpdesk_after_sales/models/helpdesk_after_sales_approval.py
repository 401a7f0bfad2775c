from odoo import fields, models

from .helpdesk_after_sales_reason import AFTER_SALES_SERVICE_SELECTION


class HelpdeskAfterSalesApproval(models.Model):
    """An agent's refund or coupon above the team's limit, waiting for an approver:
    the service's window's values, to create exactly that document once approved."""

    _name = "helpdesk.after.sales.approval"
    _description = "After-Sales Approval Request"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "id desc"
    _check_company_auto = True
    # Whoever may read a request may discuss it: nobody writes requests by hand (no
    # write access), they are decided by their buttons.
    _mail_post_access = "read"

    helpdesk_ticket_id = fields.Many2one(
        comodel_name="helpdesk.ticket",
        string="Helpdesk Ticket",
        required=True,
        readonly=True,
        index=True,
        ondelete="cascade",
        check_company=True,
    )
    company_id = fields.Many2one(
        related="helpdesk_ticket_id.company_id", store=True, index=True
    )
    team_id = fields.Many2one(related="helpdesk_ticket_id.team_id")
    service = fields.Selection(
        selection=AFTER_SALES_SERVICE_SELECTION, required=True, readonly=True
    )
    requested_by_id = fields.Many2one(
        comodel_name="res.users",
        string="Requested By",
        required=True,
        readonly=True,
        default=lambda self: self.env.user,
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    amount = fields.Monetary(
        readonly=True,
        help="Refunds: the untaxed total of the ticket's credit notes, those already "
        "issued and this one, in the company's currency.",
    )
    limit_summary = fields.Char(
        string="Why",
        readonly=True,
        help="The team's limit this request goes beyond.",
    )
    helpdesk_reason_id = fields.Many2one(
        comodel_name="helpdesk.after.sales.reason",
        string="Reason",
        readonly=True,
        ondelete="restrict",
    )
    # What the service's window held, to create the same document once approved:
    # the wizard's model, its button and its values (helpdesk.after.sales.mixin's
    # _get_after_sales_replay_values).
    wizard_model = fields.Char(required=True, readonly=True)
    wizard_action = fields.Char(required=True, readonly=True)
    wizard_values = fields.Json(readonly=True)
    state = fields.Selection(
        selection=[
            ("pending", "Pending"),
            ("approved", "Approved"),
            ("refused", "Refused"),
        ],
        required=True,
        readonly=True,
        default="pending",
        tracking=True,
    )
    approved_by_id = fields.Many2one(
        comodel_name="res.users", string="Approved By", readonly=True
    )
    refused_by_id = fields.Many2one(
        comodel_name="res.users", string="Refused By", readonly=True
    )
    decision_date = fields.Datetime(readonly=True)
    refusal_reason = fields.Text(readonly=True)
    # The documents created once approved.
    move_ids = fields.One2many(
        comodel_name="account.move",
        inverse_name="helpdesk_approval_id",
        string="Credit Notes",
        groups="account.group_account_invoice",
    )
    coupon_ids = fields.One2many(
        comodel_name="loyalty.card",
        inverse_name="helpdesk_approval_id",
        string="Coupons",
        groups="sales_team.group_sale_salesman",
    )
