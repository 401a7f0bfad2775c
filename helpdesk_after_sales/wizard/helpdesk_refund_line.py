from odoo import api, fields, models


class HelpdeskRefundLine(models.TransientModel):
    """A product line of the invoices chosen on a ticket's Refund wizard, in its
    Selected lines mode: what is left to credit of it, what came back of it, and the
    quantity to credit."""

    _name = "helpdesk.refund.line"
    _description = "Helpdesk Refund Line"
    _order = "wizard_id, id"

    wizard_id = fields.Many2one(
        comodel_name="account.move.reversal",
        string="Refund",
        required=True,
        ondelete="cascade",
    )
    invoice_line_id = fields.Many2one(
        comodel_name="account.move.line",
        string="Invoice Line",
        required=True,
        ondelete="cascade",
    )
    move_id = fields.Many2one(related="invoice_line_id.move_id", string="Invoice")
    product_id = fields.Many2one(related="invoice_line_id.product_id")
    name = fields.Char(related="invoice_line_id.name", string="Label")
    product_uom_id = fields.Many2one(related="invoice_line_id.product_uom_id")
    currency_id = fields.Many2one(related="invoice_line_id.currency_id")
    price_unit = fields.Float(related="invoice_line_id.price_unit")
    invoiced_quantity = fields.Float(
        related="invoice_line_id.quantity", string="Invoiced"
    )
    refundable_quantity = fields.Float(
        string="Refundable",
        compute="_compute_helpdesk_quantities",
        digits="Product Unit of Measure",
        help="The invoiced quantity minus what the invoice's credit notes, draft or "
        "posted, from any ticket or made in Accounting, already credit of this line.",
    )
    returned_quantity = fields.Float(
        string="Came Back",
        compute="_compute_helpdesk_quantities",
        digits="Product Unit of Measure",
        help="What came back of this line on the ticket's validated returns and is not "
        "credited yet.",
    )
    has_returns = fields.Boolean(
        string="Returned on the Ticket",
        compute="_compute_helpdesk_quantities",
        help="The ticket has validated returns of this product.",
    )
    quantity = fields.Float(
        string="Quantity to Refund",
        compute="_compute_quantity",
        store=True,
        readonly=False,
        precompute=True,
        digits="Product Unit of Measure",
        help="Proposed: what came back on the ticket's validated returns; without "
        "returns of this product, all that is refundable of the ticket's product, "
        "nothing of the others.",
    )
    price_subtotal = fields.Monetary(
        string="Subtotal", compute="_compute_price_subtotal"
    )

    @api.depends("invoice_line_id", "wizard_id.helpdesk_ticket_id")
    def _compute_helpdesk_quantities(self):
        for wizard, lines in self.grouped("wizard_id").items():
            invoice_lines = lines.invoice_line_id._origin
            refundable, returned = wizard._get_helpdesk_refund_quantities(invoice_lines)
            for line in lines:
                invoice_line_id = line.invoice_line_id._origin.id
                line.refundable_quantity = refundable.get(invoice_line_id, 0.0)
                line.has_returns = invoice_line_id in returned
                line.returned_quantity = returned.get(invoice_line_id, 0.0)

    @api.depends("invoice_line_id")
    def _compute_quantity(self):
        for line in self:
            if line.has_returns:
                line.quantity = line.returned_quantity
            elif line.product_id and (
                line.product_id == line.wizard_id.helpdesk_product_id
            ):
                line.quantity = line.refundable_quantity
            else:
                line.quantity = 0.0

    @api.depends("quantity", "invoice_line_id")
    def _compute_price_subtotal(self):
        for line in self:
            line.price_subtotal = line._get_subtotal(line.quantity)

    def _get_subtotal(self, quantity):
        """The invoice line's untaxed subtotal for this quantity of it, unrounded: the
        form shows it in the currency's digits, the restocking fee rounds its sum."""
        self.ensure_one()
        invoice_line = self.invoice_line_id
        if not invoice_line.quantity:
            return 0.0
        return invoice_line.price_subtotal * quantity / invoice_line.quantity
