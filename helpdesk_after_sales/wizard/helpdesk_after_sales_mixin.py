from contextlib import contextmanager

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import AccessError, ValidationError
from odoo.fields import Command
from odoo.tools.misc import clean_context, format_date

from ..models.helpdesk_after_sales_reason import AFTER_SALES_SERVICES


class AfterSalesApprovalRequired(Exception):
    """Raised in the envelope's savepoint when the documents just created go beyond
    the team's limit: they are rolled back, and the button asks for approval instead
    (_run_after_sales_button)."""

    def __init__(self, summary, amount=0.0):
        super().__init__(summary)
        self.summary = summary
        self.amount = amount


def get_replay_values(record, skipped=()):
    """The values that create a record like `record` again: its stored fields the user
    sets (not those computed from others), x2many lines included, JSON-ready."""
    values = {}
    for name, field in record._fields.items():
        if (
            name in skipped
            or name in models.MAGIC_COLUMNS
            or not field.store
            or (field.compute and field.readonly)
        ):
            continue
        value = record[name]
        if field.type == "many2one":
            values[name] = value.id
        elif field.type == "many2many":
            values[name] = [Command.set(value.ids)]
        elif field.type == "one2many":
            values[name] = [
                Command.create(get_replay_values(line, {field.inverse_name}))
                for line in value
            ]
        elif field.type in ("date", "datetime"):
            values[name] = field.to_string(value)
        else:
            values[name] = field.convert_to_write(value, record)
    return values


class HelpdeskAfterSalesMixin(models.AbstractModel):
    """What every service wizard of a ticket shares: its ticket, the team's switch
    for the service, the customer and company it serves, the links posted in both
    chatters, and the all-or-nothing creation of the service's documents."""

    _name = "helpdesk.after.sales.mixin"
    _description = "Helpdesk After-Sales Service"

    # The ticket's related switch (helpdesk.ticket's use_*) that offers the service.
    _after_sales_service = None

    helpdesk_ticket_id = fields.Many2one(
        comodel_name="helpdesk.ticket",
        readonly=True,
        ondelete="cascade",
    )
    helpdesk_warranty_warning = fields.Char(
        string="Warranty Warning",
        compute="_compute_helpdesk_warranty_warning",
        help="The ticket's product is out of warranty: for information, the service "
        "stays possible.",
    )

    @api.depends("helpdesk_ticket_id")
    def _compute_helpdesk_warranty_warning(self):
        for wizard in self:
            # sudo: the ticket's warranty and product's name, as the ticket's form
            # shows them (the web client's many2one names are read as superuser),
            # without record rule checks of their own (a query of the companies).
            ticket = wizard.helpdesk_ticket_id.sudo()
            product = ticket.product_id
            if ticket.warranty_state == "expired":
                warning = self.env._(
                    "Out of warranty: the warranty of %(product)s expired on %(date)s.",
                    product=product.display_name,
                    date=format_date(self.env, ticket.warranty_end_date),
                )
            elif ticket.warranty_state == "none":
                warning = self.env._(
                    "Out of warranty: %(product)s has no warranty.",
                    product=product.display_name,
                )
            else:
                warning = False
            wizard.helpdesk_warranty_warning = warning

    helpdesk_reason_id = fields.Many2one(
        comodel_name="helpdesk.after.sales.reason",
        string="Reason",
        # The reasons of the wizard's service: they carry the team's switches.
        domain=lambda self: (
            [(self._after_sales_service, "=", True)]
            if self._after_sales_service
            else []
        ),
    )
    # The team's after_sales_reason_required, with its label and help.
    helpdesk_reason_required = fields.Boolean(
        string="Reason Required",
        compute="_compute_helpdesk_reason_required",
        help="Agents must give a reason (After-Sales Reasons) for every refund, "
        "coupon, return, repair and intervention of this team's tickets.",
    )
    # The request this wizard carries out, once approved
    # (helpdesk.after.sales.approval's action_approve): its documents link to it.
    helpdesk_approval_id = fields.Many2one(
        comodel_name="helpdesk.after.sales.approval",
        readonly=True,
        ondelete="cascade",
    )

    @api.depends("helpdesk_ticket_id.team_id.after_sales_reason_required")
    @api.depends_context("default_helpdesk_ticket_id", "helpdesk_reason_required")
    def _compute_helpdesk_reason_required(self):
        # The ticket's button read the team with the service's switch and gives its
        # setting (_get_after_sales_wizard_action): the dialog it opens does not read
        # the team again. Only the form's hint: _check_after_sales_reason reads the
        # team when the wizard's button is clicked.
        context = self.env.context
        given = context.get("helpdesk_reason_required")
        for wizard in self:
            ticket = wizard.helpdesk_ticket_id
            if given is not None and ticket.id == context.get(
                "default_helpdesk_ticket_id"
            ):
                wizard.helpdesk_reason_required = given
            else:
                wizard.helpdesk_reason_required = (
                    ticket.team_id.after_sales_reason_required
                )

    @api.model
    def _check_after_sales_access(self):
        """The wizard's access rights (ir.model.access) say who may use the service:
        Odoo's own AccessError, before the dialog opens."""
        self.browse().check_access("create")

    def _check_after_sales_ticket(self, ticket=None):
        """The ticket's button gate, for RPC calls too: the wizard's rights, a ticket
        the user can read, of a team offering the service, about a known customer."""
        ticket = self.helpdesk_ticket_id if ticket is None else ticket
        self._check_after_sales_access()
        ticket._check_after_sales_service(self._after_sales_service)

    @api.model
    def _check_after_sales_create_vals(self, vals_list):
        for vals in vals_list:
            if vals.get("helpdesk_ticket_id"):
                ticket = self.env["helpdesk.ticket"].browse(vals["helpdesk_ticket_id"])
                self._check_after_sales_ticket(ticket)

    def write(self, vals):
        # The ticket's gate, as on create: for RPC calls that change the ticket.
        self._check_after_sales_create_vals([vals])
        return super().write(vals)

    def _is_after_sales_customer(self, partner):
        """Whether the partner is a contact of the ticket's customer."""
        self.ensure_one()
        return bool(partner) and (
            partner.commercial_partner_id
            == self.helpdesk_ticket_id.commercial_partner_id
        )

    def _is_after_sales_company(self, company, shared=False):
        """Whether a record of this company may serve the ticket; `shared`: a record
        of no company serves every company."""
        self.ensure_one()
        return company == self.helpdesk_ticket_id.company_id or (shared and not company)

    def _preselect_after_sales(self, field_name, suitable_field_name):
        """A ticket's wizard chooses `field_name` among its suitable records: what is
        chosen of them, else the only suitable one. Opened elsewhere, core's default
        stays. The saved records (_origin), not the new ones a new wizard's fields
        hold: those would compute their stored fields again."""
        for wizard in self:
            if not wizard.helpdesk_ticket_id:
                wizard[field_name] = wizard[field_name]
                continue
            suitable = wizard[suitable_field_name]._origin
            chosen = wizard[field_name]._origin & suitable
            wizard[field_name] = (
                suitable if len(suitable) == 1 and not chosen else chosen
            )

    @api.model
    def _check_after_sales_rules(self, rules, **values):
        """Raise the message of the first broken rule: `rules` are (kept, message)
        pairs in the order they are checked, `values` fill the messages."""
        for kept, message in rules:
            if not kept:
                raise ValidationError(message % values)

    def _post_after_sales_links(self, documents, ticket_body, document_body, **values):
        """A note in the ticket's chatter and one in each document's, linking them."""
        self.ensure_one()
        for document in documents:
            self.helpdesk_ticket_id._post_after_sales_links(
                document, ticket_body, document_body, **values
            )

    @contextmanager
    def _after_sales_envelope(self):
        """Lock what the service counts from, check the wizard's values (its ticket's
        gate was checked when it was saved), then create the service's documents with
        the wizard given: all or nothing. Its context is cleaned of the ticket's
        default_* keys, which must not leak into the documents."""
        self.ensure_one()
        self._lock_after_sales_documents()
        self._check_after_sales_reason()
        self._check_after_sales_approval_link()
        self._check_after_sales_values()
        with self.env.cr.savepoint():
            yield self.with_env(self.env(context=clean_context(self.env.context)))
            # After the documents: what they add to the ticket is what is limited.
            self._check_after_sales_limit()

    def _lock_after_sales_documents(self):
        """Serialize two agents acting on the same documents at once, before the
        checks count what is left of them: nothing to lock by default."""

    def _check_after_sales_values(self):
        """The wizard's own business rules, checked when its button is clicked."""
        self.ensure_one()

    # --- Reasons
    def _check_after_sales_reason(self):
        """A reason when the team asks for one; an active one, of this service."""
        self.ensure_one()
        _ = self.env._
        reason = self.helpdesk_reason_id
        team = self.helpdesk_ticket_id.team_id
        if not reason:
            if team.after_sales_reason_required:
                raise ValidationError(
                    _(
                        "Team %(team)s asks for a reason: choose why you do this.",
                        team=team.display_name,
                    )
                )
            return
        if not reason.active or not reason[self._after_sales_service]:
            raise ValidationError(
                _(
                    "Reason %(reason)s is not one for %(service)s: choose another.",
                    reason=reason.display_name,
                    service=reason._fields[
                        self._after_sales_service
                    ]._description_string(self.env),
                )
            )

    # --- Limits and approval
    def _get_after_sales_service_key(self):
        return next(
            key
            for key, flag in AFTER_SALES_SERVICES.items()
            if flag == self._after_sales_service
        )

    def _get_after_sales_limit_excess(self):
        """Once the documents are created (in the envelope's savepoint): nothing when
        the ticket stays within the team's limit, else (why, amount)."""
        return ()

    def _check_after_sales_limit(self):
        if self.helpdesk_approval_id:
            return  # carried out by its approver: checked by _check_..._approval_link
        if self.helpdesk_ticket_id.team_id._is_after_sales_approver():
            return  # an approver's click is their approval
        excess = self._get_after_sales_limit_excess()
        if excess:
            raise AfterSalesApprovalRequired(*excess)

    def _run_after_sales_button(self, action_name, button):
        """Run a button of the wizard: its action, or the approval request made
        instead when the documents would go beyond the team's limit."""
        try:
            return button()
        except AfterSalesApprovalRequired as excess:
            return self._request_after_sales_approval(action_name, excess)

    def _get_after_sales_replay_values(self):
        """The wizard's values, for its approver to create the same documents."""
        return get_replay_values(self, {"helpdesk_approval_id"})

    def _request_after_sales_approval(self, action_name, excess):
        """A request instead of the documents: filed, posted on the ticket, given to
        the approvers; the window closes with a notice."""
        self.ensure_one()
        ticket = self.helpdesk_ticket_id
        approval = self._create_after_sales_approval(action_name, excess)
        approvers = approval._notify_after_sales_approvers()
        message = self.env._(
            "%(why)s: your request waits for %(approvers)s.",
            why=excess.summary,
            approvers=", ".join(approvers.mapped("name")),
        )
        ticket.message_post(
            body=Markup(self.env._("%(link)s: %(message)s"))
            % {"link": approval._get_html_link(), "message": message},
            subtype_xmlid="mail.mt_note",
        )
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": self.env._("Approval requested"),
                "message": message,
                "type": "warning",
                "next": {"type": "ir.actions.act_window_close"},
            },
        }

    def _create_after_sales_approval(self, action_name, excess):
        # sudo: agents have no create access on requests (never forged by RPC): this
        # one holds exactly the values of their wizard, checked by its button.
        return (
            self.env["helpdesk.after.sales.approval"]
            .sudo()
            .create(
                {
                    "helpdesk_ticket_id": self.helpdesk_ticket_id.id,
                    "service": self._get_after_sales_service_key(),
                    "requested_by_id": self.env.uid,
                    "amount": excess.amount,
                    "limit_summary": excess.summary,
                    "helpdesk_reason_id": self.helpdesk_reason_id.id,
                    "wizard_model": self._name,
                    "wizard_action": action_name,
                    "wizard_values": self._get_after_sales_replay_values(),
                }
            )
            .sudo(False)
        )

    def _check_after_sales_approval_link(self):
        """A wizard carrying out a request: created by its approve button, by the
        approver who just approved it, once (never by RPC to pass a limit)."""
        approval = self.helpdesk_approval_id
        if not approval:
            return
        # sudo: its documents, whatever the approver may read of them.
        if (
            approval.state != "approved"
            or approval.approved_by_id != self.env.user
            or approval.helpdesk_ticket_id != self.helpdesk_ticket_id
            or approval.wizard_model != self._name
            or approval.sudo()._get_after_sales_documents()
        ):
            raise AccessError(
                self.env._("An approval request is carried out by its Approve button.")
            )
