from odoo import fields, models
from odoo.exceptions import UserError


class ProductProduct(models.Model):
    _inherit = "product.product"

    helpdesk_sale_order_ids = fields.Many2many(
        comodel_name="sale.order",
        string="Sold in Orders",
        compute="_compute_helpdesk_sale_order_ids",
        search="_search_helpdesk_sale_order_ids",
        help=(
            "The sales orders this product is on: a ticket's product choices once its "
            "order is set."
        ),
    )

    def _get_helpdesk_sale_lines(self):
        # sudo: agents without Sales rights choose among an order's products too.
        return self.env["sale.order.line"].sudo()

    def _compute_helpdesk_sale_order_ids(self):
        order_ids = dict(
            self._get_helpdesk_sale_lines()._read_group(
                [("product_id", "in", self.ids)], ["product_id"], ["order_id:array_agg"]
            )
        )
        for product in self:
            product.helpdesk_sale_order_ids = self.env["sale.order"].browse(
                set(order_ids.get(product._origin, ()))
            )

    def _search_helpdesk_sale_order_ids(self, operator, value):
        # The ticket form's product domain: a subquery, so that the form itself needs no
        # query to offer an order's products.
        if operator not in ("=", "in"):
            raise UserError(
                self.env._("Products can only be searched by the orders they are on.")
            )
        lines = self._get_helpdesk_sale_lines()._search([("order_id", operator, value)])
        return [("id", "in", lines.subselect("product_id"))]
