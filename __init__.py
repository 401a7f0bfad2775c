from odoo.tools import SQL
from odoo.tools.sql import drop_index

from . import helpdesk_after_sales
from .helpdesk_after_sales.models.account_move import REFUNDABLE_INDEX
from .helpdesk_after_sales.models.sale_order_line import COUPON_USE_INDEX


# The documents that keep their after-sales reason (ondelete="restrict").
REASON_TABLES = (
    "account_move",
    "loyalty_card",
    "stock_picking",
    "repair_order",
    "project_task",
    "helpdesk_after_sales_approval",
)


def uninstall_hook(env):
    # Odoo drops the addon's columns, not the indexes its init() created.
    drop_index(env.cr, REFUNDABLE_INDEX, "account_move")
    drop_index(env.cr, COUPON_USE_INDEX, "sale_order_line")
    # The reasons are removed with the module's data, before their referencing columns
    # are dropped: the restrict of documents that used one would refuse it.
    for table in REASON_TABLES:
        env.cr.execute(
            SQL(
                "UPDATE %s SET helpdesk_reason_id = NULL "
                "WHERE helpdesk_reason_id IS NOT NULL",
                SQL.identifier(table),
            )
        )
