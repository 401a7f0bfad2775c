from . import account_move
from . import helpdesk_ticket_team
from . import helpdesk_ticket
from . import product_product
from . import project_project
from . import project_task
from . import stock_picking
from . import repair_order
