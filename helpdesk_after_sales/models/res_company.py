from odoo import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    warranty_exchange_keeps_end = fields.Boolean(
        string="Exchange Keeps Warranty End",
        help="A Return for Exchange from a ticket: the replacement keeps the end date "
        "of the returned unit's warranty instead of starting a new warranty from its "
        "own delivery.",
    )
