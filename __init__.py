from . import helpdesk_after_sales
from .helpdesk_after_sales.indexes import uninstall_hook
