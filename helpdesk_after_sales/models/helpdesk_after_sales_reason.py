from odoo import fields, models

# The five services of a ticket: the key names each (the approvals' service, the
# report's), the value is the team's switch offering it (helpdesk.ticket.team's use_*),
# which a reason also carries to say that it applies to the service.
AFTER_SALES_SERVICES = {
    "refund": "use_credit_notes",
    "coupon": "use_coupons",
    "return": "use_product_returns",
    "repair": "use_product_repairs",
    "fsm": "use_fsm",
}
AFTER_SALES_SERVICE_SELECTION = [
    ("refund", "Refund"),
    ("coupon", "Coupon"),
    ("return", "Return"),
    ("repair", "Repair"),
    ("fsm", "Field Service"),
]


class HelpdeskAfterSalesReason(models.Model):
    """Why an agent refunds, gives a coupon, takes goods back, repairs or sends a
    technician: chosen in each service's window and kept on the document it creates."""

    _name = "helpdesk.after.sales.reason"
    _description = "After-Sales Reason"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    # The services it applies to: the same switches as the team's, so that a service's
    # wizard finds its reasons by its own switch (_after_sales_service).
    use_credit_notes = fields.Boolean(string="Refunds", default=True)
    use_coupons = fields.Boolean(string="Coupons", default=True)
    use_product_returns = fields.Boolean(string="Returns", default=True)
    use_product_repairs = fields.Boolean(string="Repairs", default=True)
    use_fsm = fields.Boolean(string="Field Service", default=True)
