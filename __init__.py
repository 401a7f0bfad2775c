from odoo.tools.sql import drop_index

from . import helpdesk_after_sales
from .helpdesk_after_sales.models.account_move import REFUNDABLE_INDEX


def uninstall_hook(env):
    # Odoo drops the addon's columns, not the index its init() created.
    drop_index(env.cr, REFUNDABLE_INDEX, "account_move")
