from . import account_move_reversal
from . import stock_picking_return
