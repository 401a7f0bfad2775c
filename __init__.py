from . import helpdesk_after_sales
