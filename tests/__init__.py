from . import test_refund
from . import test_team_settings
from . import test_ticket_context
from . import test_ticket_queries
from . import test_translations
from . import test_ui
