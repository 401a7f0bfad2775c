from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError

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
    can_decide = fields.Boolean(
        compute="_compute_can_decide",
        help="Pending, and the user is one of its team's approvers.",
    )
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

    @api.depends("helpdesk_ticket_id", "service")
    def _compute_display_name(self):
        services = dict(self._fields["service"]._description_selection(self.env))
        for approval in self:
            approval.display_name = self.env._(
                "%(service)s for %(ticket)s",
                service=services.get(approval.service, ""),
                ticket=approval.helpdesk_ticket_id.display_name,
            )

    @api.depends_context("uid")
    @api.depends("state", "team_id")
    def _compute_can_decide(self):
        for approval in self:
            approval.can_decide = (
                approval.state == "pending"
                and approval.team_id._is_after_sales_approver()
            )

    def action_approve(self):
        """Create the document the agent asked for, as the approver, through the
        same wizard and its checks: if the data changed meanwhile (an invoice
        reversed, a program archived), its error, and the request stays pending."""
        self._check_after_sales_decision()
        # All or nothing: a refused document leaves the request pending.
        with self.env.cr.savepoint():
            # sudo: nobody writes requests (no write access): the approver's
            # decision, checked above. Written first: a second approver waits for
            # this one, then is told it is approved.
            self.sudo().write(
                {
                    "state": "approved",
                    "approved_by_id": self.env.uid,
                    "decision_date": fields.Datetime.now(),
                }
            )
            self.sudo().flush_recordset()
            action = self._carry_out_after_sales_request()
        documents = self.sudo()._get_after_sales_documents()
        self._post_after_sales_decision(
            self.env._(
                "Approved by %(user)s: %(documents)s.",
                user=self.env.user.name,
                documents=", ".join(
                    name
                    for records in documents
                    for name in records.mapped("display_name")
                ),
            )
        )
        return action

    def action_refuse(self):
        """The refusal's reason first, in a small window."""
        self._check_after_sales_decision()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Refuse"),
            "res_model": "helpdesk.after.sales.approval.refuse",
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
            "context": {"default_approval_id": self.id},
        }

    def action_view_ticket(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "helpdesk.ticket",
            "res_id": self.helpdesk_ticket_id.id,
            "views": [(False, "form")],
        }

    def _refuse(self, reason):
        self._check_after_sales_decision()
        reason = (reason or "").strip()
        if not reason:
            raise ValidationError(
                self.env._("Say why the request is refused: its requester reads it.")
            )
        # sudo: the approver's decision, checked above (see action_approve).
        self.sudo().write(
            {
                "state": "refused",
                "refused_by_id": self.env.uid,
                "decision_date": fields.Datetime.now(),
                "refusal_reason": reason,
            }
        )
        self._post_after_sales_decision(
            self.env._(
                "Refused by %(user)s: %(reason)s",
                user=self.env.user.name,
                reason=reason,
            )
        )

    # --- Decisions
    def _check_after_sales_decision(self):
        """Only a pending request, of a ticket the user can read, by one of its
        team's approvers; its requester only if an approver too."""
        self.ensure_one()
        _ = self.env._
        # Another company's request, or one of a ticket the user cannot read.
        self.check_access("read")
        if self.state != "pending":
            user = self.approved_by_id or self.refused_by_id
            raise UserError(
                _(
                    "This request was already %(state)s by %(user)s.",
                    state=dict(self._fields["state"]._description_selection(self.env))[
                        self.state
                    ].lower(),
                    user=user.name,
                )
            )
        if self.team_id._is_after_sales_approver():
            return
        if self.requested_by_id == self.env.user:
            raise AccessError(
                _(
                    "You asked for this request: an approver of team %(team)s decides "
                    "it.",
                    team=self.team_id.display_name,
                )
            )
        raise AccessError(
            _(
                "Only the approvers of team %(team)s can decide this request.",
                team=self.team_id.display_name,
            )
        )

    def _carry_out_after_sales_request(self):
        """The agent's window again, with its stored values, as the approver: its
        checks, then its button."""
        wizard = self.env[self.wizard_model].create(
            {
                **(self.wizard_values or {}),
                # Its own ticket, whatever the stored values say.
                "helpdesk_ticket_id": self.helpdesk_ticket_id.id,
                "helpdesk_approval_id": self.id,
            }
        )
        return getattr(wizard, self.wizard_action)()

    def _post_after_sales_decision(self, message):
        """Tell the requester (a message on the request, which notifies them), log it
        on the ticket, and close the approvers' to-dos."""
        self.message_post(
            body=message,
            partner_ids=self.requested_by_id.partner_id.ids,
            subtype_xmlid="mail.mt_comment",
        )
        self.helpdesk_ticket_id.message_post(
            body=Markup(self.env._("%(link)s: %(message)s"))
            % {"link": self._get_html_link(), "message": message},
            subtype_xmlid="mail.mt_note",
        )
        # sudo: the decision closes every approver's to-do, not only the user's.
        self.sudo().activity_unlink(["mail.mail_activity_data_todo"])

    def _notify_after_sales_approvers(self):
        """A to-do for each approver of the ticket's team: who they are."""
        self.ensure_one()
        approvers = self.team_id._get_after_sales_approvers()
        for approver in approvers:
            # sudo: the agent asks; the to-dos are the approvers'.
            self.sudo().activity_schedule(
                "mail.mail_activity_data_todo",
                user_id=approver.id,
                summary=self.env._("Approve or refuse"),
                note=self.limit_summary,
            )
        return approvers

    def _get_after_sales_documents(self):
        """What the request created once approved: its credit notes, its coupons."""
        self.ensure_one()
        return [
            documents for documents in (self.move_ids, self.coupon_ids) if documents
        ]
