from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    warranty_exchange_keeps_end = fields.Boolean(
        related="company_id.warranty_exchange_keeps_end", readonly=False
    )
    after_sales_portal_team_id = fields.Many2one(
        related="company_id.after_sales_portal_team_id",
        readonly=False,
        domain="[('company_id', 'in', [company_id, False])]",
    )
