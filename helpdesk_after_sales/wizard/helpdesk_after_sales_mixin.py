from contextlib import contextmanager

from odoo import api, fields, models
from odoo.exceptions import AccessError, ValidationError
from odoo.tools.misc import clean_context


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
    helpdesk_reason_required = fields.Boolean(
        related="helpdesk_ticket_id.team_id.after_sales_reason_required"
    )
    # The request this wizard carries out, once approved
    # (helpdesk.after.sales.approval's action_approve): its documents link to it.
    helpdesk_approval_id = fields.Many2one(
        comodel_name="helpdesk.after.sales.approval",
        readonly=True,
        ondelete="cascade",
    )

    @api.model
    def _get_after_sales_rights_error(self):
        """Deprecated: the message shown when the access rights refuse the wizard.
        None (the default): Odoo's own AccessError, in the user's language."""
        return None

    @api.model
    def _check_after_sales_access(self):
        """The wizard's access rights (ir.model.access) say who may use the service:
        Odoo's own AccessError, before the dialog opens."""
        model = self.browse()
        message = (
            not model.has_access("create") and self._get_after_sales_rights_error()
        )
        if message:
            raise AccessError(message)
        model.check_access("create")

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
        """Check the wizard's values (its ticket's gate was checked when it was saved),
        then create the service's documents with the wizard given: all or nothing. Its
        context is cleaned of the ticket's default_* keys, which must not leak into the
        documents."""
        self.ensure_one()
        self._check_after_sales_values()
        with self.env.cr.savepoint():
            yield self.with_env(self.env(context=clean_context(self.env.context)))

    def _check_after_sales_values(self):
        """The wizard's own business rules, checked when its button is clicked."""
        self.ensure_one()
