from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    warranty_exchange_keeps_end = fields.Boolean(
        related="company_id.warranty_exchange_keeps_end", readonly=False
    )
