from dateutil.relativedelta import relativedelta

from odoo import models


class ProductTemplate(models.Model):
    _inherit = "product.template"

    def _get_warranty_end_date(self, start_date):
        """The last day of product_warranty's duration counted from `start_date`; False
        when the product has no warranty. Months and years end on the same day of the
        month, or on the month's last day when it is shorter (31 January + 1 month:
        28 or 29 February)."""
        self.ensure_one()
        if self.warranty <= 0 or not start_date:
            return False
        return start_date + relativedelta(**{f"{self.warranty_type}s": self.warranty})
