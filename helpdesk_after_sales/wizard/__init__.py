from . import account_move_reversal
from . import helpdesk_create_fsm_task
