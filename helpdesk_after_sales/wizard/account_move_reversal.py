from odoo import api, fields, models, tools
from odoo.exceptions import UserError


class AccountMoveReversal(models.TransientModel):
    """Account's reversal wizard, opened from a helpdesk ticket: it picks the customer's
    invoices from the ticket's context and links the credit notes to the ticket."""

    _name = "account.move.reversal"
    _inherit = ["account.move.reversal", "helpdesk.after.sales.mixin"]
    _after_sales_service = "use_credit_notes"

    # The ticket of the wizard's company (account's _check_company_auto).
    helpdesk_ticket_id = fields.Many2one(check_company=True)

    helpdesk_partner_id = fields.Many2one(
        related="helpdesk_ticket_id.commercial_partner_id"
    )
    helpdesk_ticket_order_ids = fields.Many2many(
        related="helpdesk_ticket_id.sale_order_ids", string="Ticket's Sales Orders"
    )
    helpdesk_sale_order_id = fields.Many2one(
        comodel_name="sale.order",
        string="Sales Order",
        compute="_compute_helpdesk_context",
        store=True,
        readonly=False,
        # Among the ticket's orders when it has some, else any order of its customer.
        domain="[('id', 'in', helpdesk_ticket_order_ids)] if helpdesk_ticket_order_ids"
        " else [('partner_id.commercial_partner_id', '=', helpdesk_partner_id),"
        " ('company_id', '=', company_id)]",
        help="Only the invoices of this order can be refunded.",
    )
    helpdesk_product_id = fields.Many2one(
        comodel_name="product.product",
        string="Product",
        compute="_compute_helpdesk_context",
        store=True,
        readonly=False,
        help="Only the invoices including this product can be refunded.",
    )
    helpdesk_lot_id = fields.Many2one(
        comodel_name="stock.lot",
        string="Lot/Serial Number",
        compute="_compute_helpdesk_context",
        store=True,
        readonly=False,
        check_company=True,
        domain="[('product_id', '=', helpdesk_product_id)]",
    )
    helpdesk_product_tracking = fields.Selection(related="helpdesk_product_id.tracking")
    suitable_move_ids = fields.Many2many(
        comodel_name="account.move",
        compute="_compute_suitable_move_ids",
    )
    move_ids = fields.Many2many(
        string="Invoices to Refund",
        compute="_compute_move_ids",
        store=True,
        readonly=False,
        check_company=True,
    )
    reason = fields.Char(compute="_compute_reason", store=True, readonly=False)

    @api.model
    def default_get(self, fields_list):
        res = super().default_get(fields_list)
        ticket = self.env["helpdesk.ticket"].browse(res.get("helpdesk_ticket_id"))
        if ticket:
            # account's default (the active invoices) is empty from a ticket: let
            # _compute_move_ids preselect the only matching invoice instead.
            res.pop("move_ids", None)
            if "company_id" in fields_list:
                res["company_id"] = ticket.company_id.id
        return res

    @api.depends("helpdesk_ticket_id")
    def _compute_helpdesk_context(self):
        for wizard in self:
            ticket = wizard.helpdesk_ticket_id
            wizard.helpdesk_sale_order_id = ticket._get_after_sales_sale_order()
            wizard.helpdesk_product_id = ticket.product_id
            wizard.helpdesk_lot_id = ticket.lot_id

    @api.depends(
        "helpdesk_ticket_id",
        "helpdesk_sale_order_id",
        "helpdesk_product_id",
        "helpdesk_lot_id",
        "company_id",
    )
    def _compute_suitable_move_ids(self):
        for wizard in self:
            if wizard.helpdesk_ticket_id:
                wizard.suitable_move_ids = self.env["account.move"].search(
                    wizard._helpdesk_invoice_domain()
                )
            else:
                wizard.suitable_move_ids = False

    @api.depends("suitable_move_ids")
    def _compute_move_ids(self):
        self._preselect_after_sales("move_ids", "suitable_move_ids")

    @api.depends("helpdesk_ticket_id")
    def _compute_reason(self):
        for wizard in self:
            wizard.reason = wizard.reason or wizard.helpdesk_ticket_id.display_name

    @api.depends("helpdesk_ticket_id")
    def _compute_journal_id(self):
        res = super()._compute_journal_id()
        for wizard in self.filtered(
            lambda w: w.helpdesk_ticket_id and not w.journal_id
        ):
            # Until an invoice is chosen: the company's sales journal, so the form can
            # load.
            wizard.journal_id = wizard._helpdesk_sale_journal(wizard.company_id)
        return res

    @api.model
    def _helpdesk_sale_journal(self, company):
        return self.env["account.journal"].search(
            [
                *self.env["account.journal"]._check_company_domain(company),
                ("type", "=", "sale"),
            ],
            limit=1,
        )

    def _helpdesk_invoice_domain(self):
        """Posted customer invoices of the ticket's customer and company, not yet fully
        reversed, narrowed by the chosen order, product and lot: one indexed search."""
        self.ensure_one()
        ticket = self.helpdesk_ticket_id
        domain = [
            ("move_type", "=", "out_invoice"),
            ("state", "=", "posted"),
            ("payment_state", "!=", "reversed"),
            ("commercial_partner_id", "=", ticket.commercial_partner_id.id),
            ("company_id", "=", ticket.company_id.id),
        ]
        if self.helpdesk_sale_order_id:
            domain.append(
                (
                    "invoice_line_ids.sale_line_ids.order_id",
                    "=",
                    self.helpdesk_sale_order_id.id,
                )
            )
        if self.helpdesk_product_id:
            domain.append(
                ("invoice_line_ids.product_id", "=", self.helpdesk_product_id.id)
            )
        if self.helpdesk_lot_id:
            domain.append(
                (
                    "invoice_line_ids.sale_line_ids.move_ids.move_line_ids.lot_id",
                    "=",
                    self.helpdesk_lot_id.id,
                )
            )
        return domain

    @api.model_create_multi
    def create(self, vals_list):
        self._check_after_sales_create_vals(vals_list)
        for vals in vals_list:
            if vals.get("helpdesk_ticket_id"):
                ticket = self.env["helpdesk.ticket"].browse(vals["helpdesk_ticket_id"])
                vals.setdefault("company_id", ticket.company_id.id)
                if not vals.get("journal_id"):
                    # A required column that the form fills by onchange; an RPC call may
                    # not.
                    journal = self._helpdesk_sale_journal(ticket.company_id)
                    if not journal:
                        raise UserError(
                            self.env._(
                                "%(company)s has no sales journal to issue credit "
                                "notes in.",
                                company=ticket.company_id.display_name,
                            )
                        )
                    vals["journal_id"] = journal.id
        return super().create(vals_list)

    def _check_after_sales_values(self):
        """The chosen invoices can be refunded from the ticket: checked when the
        credit notes are issued, so that reversals made meanwhile count too. Their
        company is checked by check_company (move_ids)."""
        self.ensure_one()
        _ = self.env._
        # No invoice: refused by account's _check_journal_type.
        for move in self.move_ids:
            self._check_after_sales_rules(
                [
                    (
                        move.move_type == "out_invoice",
                        _("%(move)s is not a customer invoice."),
                    ),
                    (
                        move.state == "posted",
                        _(
                            "Invoice %(move)s is not posted: only posted invoices "
                            "can be refunded."
                        ),
                    ),
                    (
                        self._is_after_sales_customer(move.commercial_partner_id),
                        _(
                            "Invoice %(move)s was not issued to the ticket's "
                            "customer %(customer)s."
                        ),
                    ),
                    (
                        move.payment_state != "reversed",
                        _("Invoice %(move)s has already been fully reversed."),
                    ),
                ],
                move=move.display_name,
                customer=self.helpdesk_partner_id.display_name,
            )

    def _prepare_default_reversal(self, move):
        values = super()._prepare_default_reversal(move)
        if self.helpdesk_ticket_id:
            values["helpdesk_ticket_id"] = self.helpdesk_ticket_id.id
            values["helpdesk_reason_id"] = self.helpdesk_reason_id.id
            values["helpdesk_approval_id"] = self.helpdesk_approval_id.id
        return values

    def refund_moves(self):
        return self._run_after_sales_button("refund_moves", super().refund_moves)

    def modify_moves(self):
        return self._run_after_sales_button("modify_moves", super().modify_moves)

    def reverse_moves(self, is_modify=False):
        self.ensure_one()
        if not self.helpdesk_ticket_id:
            return super().reverse_moves(is_modify=is_modify)
        with self._after_sales_envelope() as wizard:
            action = super(AccountMoveReversal, wizard).reverse_moves(
                is_modify=is_modify
            )
            self._post_after_sales_links(
                wizard._get_helpdesk_credit_notes(is_modify),
                self.env._("Credit note %(link)s issued from this ticket."),
                self.env._("Issued from helpdesk ticket %(link)s."),
            )
        return action

    def _get_helpdesk_credit_notes(self, is_modify):
        """The credit notes reverse_moves just issued: core keeps them on the wizard,
        or with is_modify the new invoices instead, and then each invoice's latest
        reversal is the one just made."""
        if not is_modify:
            return self.new_move_ids
        return self.env["account.move"].union(
            *(move.reversal_move_ids.sorted("id")[-1:] for move in self.move_ids)
        )

    def _get_after_sales_limit_excess(self):
        """The ticket's credit notes, those issued before and the ones just made
        (not cancelled), untaxed, in the company's currency: above the team's limit,
        they need approval. Untaxed: the tax comes back from the tax authority, so the
        limit holds the same for customers taxed differently."""
        ticket = self.helpdesk_ticket_id
        limit = ticket.team_id.refund_approval_amount
        if not limit:
            return None
        # sudo: every credit note of the ticket counts, whatever the agent may read.
        [(untaxed,)] = (
            self.env["account.move"]
            .sudo()
            ._read_group(
                [
                    ("helpdesk_ticket_id", "=", ticket.id),
                    ("move_type", "=", "out_refund"),
                    ("state", "!=", "cancel"),
                ],
                aggregates=["amount_untaxed_signed:sum"],
            )
        )
        total = -(untaxed or 0.0)
        currency = ticket.company_id.currency_id
        if currency.compare_amounts(total, limit) <= 0:
            return None
        return (
            self.env._(
                "The credit notes of the ticket would total %(total)s untaxed, above "
                "the team's limit of %(limit)s",
                total=tools.format_amount(self.env, total, currency),
                limit=tools.format_amount(self.env, limit, currency),
            ),
            total,
        )
