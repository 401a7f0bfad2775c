from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError


class HelpdeskTicket(models.Model):
    _inherit = "helpdesk.ticket"

    # The team's After-Sales switches, on the ticket so that each service button of the form
    # is hidden by a one-line `invisible="not use_..."`.
    use_credit_notes = fields.Boolean(related="team_id.use_credit_notes")
    use_coupons = fields.Boolean(related="team_id.use_coupons")
    use_product_returns = fields.Boolean(related="team_id.use_product_returns")
    use_product_repairs = fields.Boolean(related="team_id.use_product_repairs")
    use_fsm = fields.Boolean(related="team_id.use_fsm")

    sale_order_id = fields.Many2one(
        comodel_name="sale.order",
        string="Sales Order",
        compute="_compute_sale_order_id",
        store=True,
        readonly=False,
        index="btree_not_null",
        tracking=True,
        domain="[('partner_id.commercial_partner_id', '=', commercial_partner_id),"
        " ('company_id', '=', company_id)]",
        help="The customer's order this ticket is about.",
    )
    product_id = fields.Many2one(
        comodel_name="product.product",
        string="Product",
        compute="_compute_product_id",
        store=True,
        readonly=False,
        index="btree_not_null",
        tracking=True,
        domain="[('helpdesk_sale_order_ids', '=', sale_order_id)] if sale_order_id"
        " else [('company_id', 'in', [company_id, False])]",
        help="The product the ticket is about.",
    )
    suitable_product_ids = fields.Many2many(
        comodel_name="product.product",
        compute="_compute_suitable_product_ids",
        compute_sudo=True,
    )
    product_tracking = fields.Selection(related="product_id.tracking")
    lot_id = fields.Many2one(
        comodel_name="stock.lot",
        string="Lot/Serial Number",
        compute="_compute_lot_id",
        store=True,
        readonly=False,
        index="btree_not_null",
        tracking=True,
        domain="[('product_id', '=', product_id), ('company_id', 'in', [company_id, False])]",
    )

    credit_note_ids = fields.One2many(
        comodel_name="account.move",
        inverse_name="helpdesk_ticket_id",
        string="Credit Notes",
        groups="account.group_account_invoice",
    )
    credit_notes_count = fields.Integer(
        string="Credit Notes Count",
        compute="_compute_credit_notes_count",
        groups="account.group_account_invoice",
    )

    @api.depends("commercial_partner_id", "company_id")
    def _compute_sale_order_id(self):
        for ticket in self:
            if not ticket._is_ticket_order(ticket.sale_order_id):
                ticket.sale_order_id = False

    @api.depends("sale_order_id")
    def _compute_product_id(self):
        for ticket in self:
            if ticket.product_id and ticket.product_id not in ticket.suitable_product_ids:
                ticket.product_id = False

    @api.depends("product_id")
    def _compute_lot_id(self):
        for ticket in self:
            if ticket.lot_id.product_id != ticket.product_id:
                ticket.lot_id = False

    @api.depends("sale_order_id.order_line.product_id")
    def _compute_suitable_product_ids(self):
        # One query for all the tickets' orders, not one per order's lines.
        product_ids = dict(
            self.env["sale.order.line"]._read_group(
                [("order_id", "in", self.sale_order_id.ids), ("product_id", "!=", False)],
                ["order_id"],
                ["product_id:array_agg"],
            )
        )
        for ticket in self:
            ticket.suitable_product_ids = self.env["product.product"].browse(
                dict.fromkeys(product_ids.get(ticket.sale_order_id, ()))
            )

    @api.depends("credit_note_ids")
    def _compute_credit_notes_count(self):
        counts = dict(
            self.env["account.move"]._read_group(
                [("helpdesk_ticket_id", "in", self._origin.ids)],
                ["helpdesk_ticket_id"],
                ["__count"],
            )
        )
        for ticket in self:
            ticket.credit_notes_count = counts.get(ticket._origin, 0)

    def _is_ticket_order(self, order):
        """An order may back the ticket if it was sold to the ticket's customer, in its company."""
        self.ensure_one()
        order = order.sudo()  # the agent needs no Sales rights to check whose order it is
        return not order or (
            order.partner_id.commercial_partner_id == self.commercial_partner_id
            and order.company_id == self.company_id
        )

    @api.constrains("sale_order_id", "product_id", "lot_id", "partner_id", "company_id")
    def _check_after_sales_context(self):
        # sudo: agents need neither Sales nor Inventory rights to have the context checked.
        for ticket in self.sudo():
            if not ticket._is_ticket_order(ticket.sale_order_id):
                raise ValidationError(
                    self.env._(
                        "Sales order %(order)s was not sold to the customer of ticket "
                        "%(ticket)s in its company.",
                        order=ticket.sale_order_id.display_name,
                        ticket=ticket.display_name,
                    )
                )
            if (
                ticket.sale_order_id
                and ticket.product_id
                and ticket.product_id not in ticket.suitable_product_ids
            ):
                raise ValidationError(
                    self.env._(
                        "Product %(product)s is not on sales order %(order)s.",
                        product=ticket.product_id.display_name,
                        order=ticket.sale_order_id.display_name,
                    )
                )
            if ticket.lot_id and ticket.lot_id.product_id != ticket.product_id:
                raise ValidationError(
                    self.env._(
                        "Lot/serial number %(lot)s is not one of product %(product)s.",
                        lot=ticket.lot_id.display_name,
                        product=ticket.product_id.display_name or self.env._("(none)"),
                    )
                )

    def _check_after_sales_service(self, flag):
        """A service may only be used from a ticket the user can read, of a team offering it,
        about a known customer: the same rules as the buttons, for RPC calls too."""
        self.ensure_one()
        self.check_access("read")
        if not self[flag]:
            raise UserError(
                self.env._(
                    "The team of ticket %(ticket)s does not offer %(service)s.",
                    ticket=self.display_name,
                    service=self._fields[flag]._description_string(self.env),
                )
            )
        if not self.partner_id:
            raise UserError(
                self.env._(
                    "Ticket %(ticket)s has no customer: set its contact first.",
                    ticket=self.display_name,
                )
            )

    def action_refund(self):
        self.ensure_one()
        if not self.env.user.has_group("account.group_account_invoice"):
            raise AccessError(self.env._("Refunds need Billing rights (Invoicing)."))
        self._check_after_sales_service("use_credit_notes")
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Refund"),
            "res_model": "account.move.reversal",
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
            "context": {"default_helpdesk_ticket_id": self.id},
        }

    def action_view_credit_notes(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "account.action_move_out_refund_type"
        )
        credit_notes = self.credit_note_ids
        if len(credit_notes) == 1:
            action.update(views=[(False, "form")], res_id=credit_notes.id)
        else:
            action["domain"] = [("id", "in", credit_notes.ids)]
        action["context"] = {"default_move_type": "out_refund", "create": False}
        return action
