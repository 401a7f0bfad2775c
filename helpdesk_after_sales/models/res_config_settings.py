from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    after_sales_portal_team_id = fields.Many2one(
        related="company_id.after_sales_portal_team_id",
        readonly=False,
        domain="[('company_id', 'in', [company_id, False])]",
    )
