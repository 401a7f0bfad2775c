from . import test_coupons
from . import test_fsm
from . import test_fsm_portal
from . import test_refund
from . import test_team_settings
from . import test_ticket_context
from . import test_translations
from . import test_ui
