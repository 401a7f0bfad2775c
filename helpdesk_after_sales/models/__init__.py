from . import helpdesk_ticket_team
from . import helpdesk_ticket
