from . import helpdesk_after_sales_mixin
from . import account_move_reversal
from . import helpdesk_coupon_generate
from . import helpdesk_create_fsm_task
from . import stock_picking_return
from . import helpdesk_after_sales_approval_refuse
