from odoo import api, fields, models
from odoo.exceptions import ValidationError


class ResCompany(models.Model):
    _inherit = "res.company"

    warranty_exchange_keeps_end = fields.Boolean(
        string="Exchange Keeps Warranty End",
        help="A Return for Exchange from a ticket: the replacement keeps the end date "
        "of the returned unit's warranty instead of starting a new warranty from its "
        "own delivery.",
    )

    after_sales_portal_team_id = fields.Many2one(
        comodel_name="helpdesk.ticket.team",
        string="After-Sales Portal Team",
        domain="[('company_id', 'in', [id, False])]",
        help=(
            "The team that receives the problems customers report from their orders "
            "on the portal. Without one, the portal offers no Report a problem."
        ),
    )

    @api.constrains("after_sales_portal_team_id")
    def _check_after_sales_portal_team(self):
        for company in self:
            team_company = company.after_sales_portal_team_id.company_id
            if team_company and team_company != company:
                raise ValidationError(
                    self.env._(
                        "The after-sales portal team of %(company)s must be one of "
                        "its own teams.",
                        company=company.display_name,
                    )
                )
