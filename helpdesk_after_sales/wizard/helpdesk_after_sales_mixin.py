from contextlib import contextmanager

from odoo import api, fields, models
from odoo.exceptions import AccessError
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
        string="Helpdesk Ticket",
        readonly=True,
        ondelete="cascade",
    )

    @api.model
    def _get_after_sales_rights_error(self):
        """The message shown when the access rights refuse the wizard: which rights
        the service needs. None: Odoo's own message."""
        return None

    @api.model
    def _check_after_sales_access(self):
        """The wizard's access rights (ir.model.access) say who may use the service:
        checked here only to answer with the service's own message."""
        model = self.browse()
        if model.has_access("create"):
            return
        message = self._get_after_sales_rights_error()
        if not message:
            model.check_access("create")
        raise AccessError(message)

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

    def _post_after_sales_links(self, documents, ticket_body, document_body, **values):
        """A note in the ticket's chatter and one in each document's, linking them."""
        self.ensure_one()
        for document in documents:
            self.helpdesk_ticket_id._post_after_sales_links(
                document, ticket_body, document_body, **values
            )

    @contextmanager
    def _after_sales_envelope(self):
        """Check the ticket's gate and the wizard's values, then create the service's
        documents with the wizard given: all or nothing. Its context is cleaned of the
        ticket's default_* keys, which must not leak into the documents."""
        self.ensure_one()
        self._check_after_sales_ticket()
        self._check_after_sales_values()
        with self.env.cr.savepoint():
            yield self.with_env(self.env(context=clean_context(self.env.context)))

    def _check_after_sales_values(self):
        """The wizard's own business rules, checked when its button is clicked."""
        self.ensure_one()
