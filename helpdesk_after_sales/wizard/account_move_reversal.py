from collections import defaultdict

from markupsafe import Markup

from odoo import Command, api, fields, models, tools
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL, float_compare, float_is_zero, formatLang


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

    # Refund by invoice line
    helpdesk_refund_scope = fields.Selection(
        selection=[("invoice", "Whole invoices"), ("lines", "Selected lines")],
        string="Refund",
        required=True,
        default="invoice",
        help="Whole invoices: reverse each chosen invoice entirely. Selected lines: "
        "credit only the quantities set on the chosen invoices' lines.",
    )
    helpdesk_line_ids = fields.One2many(
        comodel_name="helpdesk.refund.line",
        inverse_name="wizard_id",
        string="Lines to Refund",
        compute="_compute_helpdesk_line_ids",
        store=True,
        readonly=False,
    )
    helpdesk_restocking_fee_percent = fields.Float(
        related="helpdesk_ticket_id.team_id.restocking_fee_percent"
    )
    waive_restocking_fee = fields.Boolean(
        help="Credit the goods that came back without the team's restocking fee: "
        "recorded on the ticket with your name.",
    )

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
                # With what the form shows of them and account's computations
                # (journal, currency, amount due) read in the same query.
                wizard.suitable_move_ids = self.env["account.move"].search_fetch(
                    wizard._helpdesk_invoice_domain(),
                    [
                        "name",
                        "ref",
                        "state",
                        "move_type",
                        "partner_id",
                        "journal_id",
                        "company_id",
                        "currency_id",
                        "amount_residual",
                    ],
                )
            else:
                wizard.suitable_move_ids = False

    @api.depends("suitable_move_ids")
    def _compute_move_ids(self):
        self._preselect_after_sales("move_ids", "suitable_move_ids")

    @api.depends("helpdesk_refund_scope", "move_ids")
    def _compute_helpdesk_line_ids(self):
        """One line per product line of the chosen invoices; the lines of invoices
        still chosen are kept as the agent left them (quantities, removed lines)."""
        for wizard in self:
            if wizard.helpdesk_refund_scope != "lines" or not wizard.helpdesk_ticket_id:
                wizard.helpdesk_line_ids = [Command.clear()]
                continue
            invoices = wizard.move_ids._origin
            lines = wizard.helpdesk_line_ids
            dropped = lines.filtered(
                lambda line, invoices=invoices: line.invoice_line_id.move_id._origin
                not in invoices
            )
            shown = (lines - dropped).invoice_line_id._origin.move_id
            new_lines = self._get_helpdesk_product_lines(invoices - shown)
            wizard.helpdesk_line_ids = [Command.unlink(line.id) for line in dropped] + [
                Command.create({"invoice_line_id": invoice_line.id})
                for invoice_line in new_lines
            ]

    @api.model
    def _get_helpdesk_product_lines(self, invoices):
        """The product lines of these invoices in their order, invoice by invoice, with
        the fields the wizard's rows show and its arithmetic uses: one query for any
        number of lines."""
        if not invoices:
            return self.env["account.move.line"]
        return self.env["account.move.line"].search_fetch(
            [("move_id", "in", invoices.ids), ("display_type", "=", "product")],
            [
                "move_id",
                "sequence",
                "display_type",
                "product_id",
                "name",
                "product_uom_id",
                "currency_id",
                "price_unit",
                "quantity",
                "price_subtotal",
            ],
            order="move_id, sequence, id",
        )

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
        if self.helpdesk_refund_scope == "lines":
            self._check_helpdesk_refund_lines()
        else:
            self._check_helpdesk_nothing_credited()

    def _prepare_default_reversal(self, move):
        values = super()._prepare_default_reversal(move)
        if self.helpdesk_ticket_id:
            values["helpdesk_ticket_id"] = self.helpdesk_ticket_id.id
            if self.helpdesk_refund_scope == "lines":
                # Only these lines: account's copy of the invoice takes them instead
                # of all of its lines, and computes the taxes and the amount due.
                values["line_ids"] = self._prepare_helpdesk_credit_lines_vals(move)
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
        self._check_helpdesk_refund_scope("invoice")
        return self._reverse_helpdesk_moves(is_modify=is_modify)

    def action_refund_lines(self):
        """Reverse (Selected lines): a draft credit note per invoice."""
        self.ensure_one()
        self._check_helpdesk_refund_scope("lines")
        # Above the team's limit, an approval request instead (#19), as refund_moves.
        return self._run_after_sales_button(
            "action_refund_lines", self._reverse_helpdesk_moves
        )

    def action_refund_lines_and_post(self):
        """Reverse and Post (Selected lines): the credit notes, posted."""
        self.ensure_one()
        self._check_helpdesk_refund_scope("lines")
        return self._run_after_sales_button(
            "action_refund_lines_and_post",
            lambda: self._reverse_helpdesk_moves(post=True),
        )

    def _reverse_helpdesk_moves(self, is_modify=False, post=False):
        """Core's reversal of the chosen invoices, from the ticket: all or nothing,
        with the invoices locked so that two refunds of them never both pass."""
        with self._after_sales_envelope() as wizard:
            waived_fees = wizard._get_helpdesk_waived_fees()
            if wizard.helpdesk_refund_scope == "lines":
                wizard._narrow_helpdesk_invoices()
            action = super(AccountMoveReversal, wizard).reverse_moves(
                is_modify=is_modify
            )
            credit_notes = wizard._get_helpdesk_credit_notes(is_modify)
            if post:
                credit_notes.action_post()
            self._post_after_sales_links(
                credit_notes,
                self.env._("Credit note %(link)s issued from this ticket."),
                self.env._("Issued from helpdesk ticket %(link)s."),
            )
            wizard._log_helpdesk_waived_fees(credit_notes, waived_fees)
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

    # ------------------------------------------------------------------
    # Refund by invoice line: what is left to credit, and one refund at a time
    # ------------------------------------------------------------------

    def _check_helpdesk_refund_scope(self, scope):
        """Each mode has its own buttons: an RPC call of the other mode's is refused."""
        if self.helpdesk_ticket_id and self.helpdesk_refund_scope != scope:
            if scope == "invoice":
                message = self.env._(
                    "Refund is set to Selected lines: use its Reverse or Reverse and "
                    "Post buttons, which credit the quantities set on the lines."
                )
            else:
                message = self.env._(
                    "Refund is set to Whole invoices: choose Selected lines to credit "
                    "some lines only."
                )
            raise UserError(message)

    def _lock_after_sales_documents(self):
        """Lock the chosen invoices until the transaction ends, by updating their rows:
        a second refund of them waits, then fails to serialize if this one committed
        (PostgreSQL's repeatable read), and Odoo retries it on what this one credited.
        A lock alone would not do: the waiting refund would go on with what it read
        before this one's credit notes existed."""
        if self.move_ids:
            self.env.cr.execute(
                SQL(
                    "UPDATE account_move SET write_date = write_date WHERE id IN ("
                    "SELECT id FROM account_move WHERE id IN %s ORDER BY id "
                    "FOR NO KEY UPDATE)",
                    tuple(self.move_ids._origin.ids),
                ),
                # Expected when another refund committed first: Odoo retries the
                # request, no error to log.
                log_exceptions=False,
            )

    def _get_helpdesk_refundable_quantities(self, invoice_lines):
        """{invoice line id: what is left to credit of it, in its unit}, for every
        product line of these lines' invoices."""
        rows = self._get_helpdesk_quantity_rows(invoice_lines.move_id)
        return self._compute_helpdesk_refundable(rows)

    def _get_helpdesk_refund_quantities(self, invoice_lines):
        """({invoice line id: what is left to credit of it}, {invoice line id: what
        came back of it and is not credited yet}): from one query."""
        rows = self._get_helpdesk_quantity_rows(invoice_lines.move_id, returns=True)
        refundable = self._compute_helpdesk_refundable(rows)
        returned = self._get_helpdesk_returned_quantities(
            invoice_lines, refundable, self._get_helpdesk_returns_left(rows)
        )
        return refundable, returned

    @api.model
    def _compute_helpdesk_refundable(self, rows):
        """{invoice line id: what is left to credit of it, in its unit}.

        A credit note line credits an invoice line when its credit note reverses
        that invoice (reversed_entry_id), is not cancelled, and has the same product
        and the same sales order lines: so the credit notes of this wizard, of
        account's own reversal and those edited or made by hand in Accounting from
        the invoice count alike. Invoice lines alike (same product and order lines)
        share what is credited, in their order on the invoice."""
        invoiced = []
        credited = defaultdict(list)
        for kind, line_id, invoice_id, sequence, product, unit, orders, qty in rows:
            key = (invoice_id, product, frozenset(orders or ()))
            if kind == "invoiced":
                invoiced.append(((invoice_id, sequence, line_id), key, unit, qty))
            elif kind == "credited":
                credited[key].append((qty, unit))
        refundable = {}
        for (_invoice_id, _sequence, line_id), key, unit_id, quantity in sorted(
            invoiced, key=lambda line: line[0]
        ):
            unit = self.env["uom.uom"].browse(unit_id)
            pool = self._sum_helpdesk_quantities(credited[key], unit)
            taken = max(min(pool, quantity), 0.0)
            credited[key] = [(pool - taken, unit_id)]
            refundable[line_id] = quantity - taken
        return refundable

    def _get_helpdesk_quantity_rows(self, invoices, returns=False):
        """What the refund's arithmetic needs, in one query for any number of lines,
        as rows (kind, invoice line id, invoice id, sequence, product id, unit id,
        sales order line ids, quantity):

        - "invoiced": each product line of these invoices;
        - "credited": what their credit notes credit, summed by invoice, product, unit
          and order lines; every credit note counts, whoever may read it;
        - with returns, "returned": what came back on the ticket's validated returns,
          and "ticket_credited": what the ticket's credit notes credit, both summed by
          product and unit, for the invoices' products; read without Inventory or
          Accounting rights, as they all count."""
        if not invoices:
            return []
        # The credit notes this transaction made count too.
        self.env["account.move"].flush_model()
        self.env["account.move.line"].flush_model()
        query = SQL(
            """
            SELECT 'invoiced', line.id, line.move_id, COALESCE(line.sequence, 0),
                   line.product_id, line.product_uom_id,
                   ARRAY(SELECT rel.order_line_id
                           FROM sale_order_line_invoice_rel rel
                          WHERE rel.invoice_line_id = line.id
                       ORDER BY rel.order_line_id),
                   line.quantity
              FROM account_move_line line
             WHERE line.move_id IN %(invoices)s
               AND line.display_type = 'product'
             UNION ALL
            SELECT 'credited', NULL, credit_note.reversed_entry_id, NULL,
                   line.product_id, line.product_uom_id,
                   ARRAY(SELECT rel.order_line_id
                           FROM sale_order_line_invoice_rel rel
                          WHERE rel.invoice_line_id = line.id
                       ORDER BY rel.order_line_id),
                   SUM(line.quantity)
              FROM account_move_line line
              JOIN account_move credit_note ON credit_note.id = line.move_id
             WHERE credit_note.reversed_entry_id IN %(invoices)s
               AND credit_note.move_type = 'out_refund'
               AND credit_note.state != 'cancel'
               AND line.display_type = 'product'
          GROUP BY 3, 5, 6, 7
            """,
            invoices=tuple(invoices.ids),
        )
        ticket = self.helpdesk_ticket_id
        if returns and ticket:
            self.env["stock.move"].flush_model()
            products = SQL(
                """
                SELECT line.product_id FROM account_move_line line
                 WHERE line.move_id IN %s AND line.display_type = 'product'
                """,
                tuple(invoices.ids),
            )
            query = SQL(
                """
                %(query)s
                 UNION ALL
                SELECT 'returned', NULL, NULL, NULL, move.product_id,
                       move.product_uom, NULL, SUM(move.quantity)
                  FROM stock_move move
                  JOIN stock_picking picking ON picking.id = move.picking_id
                  JOIN stock_picking_type picking_type
                    ON picking_type.id = picking.picking_type_id
                 WHERE picking.helpdesk_ticket_id = %(ticket)s
                   AND picking_type.code = 'incoming'
                   AND move.state = 'done'
                   AND move.product_id IN (%(products)s)
              GROUP BY 5, 6
                 UNION ALL
                SELECT 'ticket_credited', NULL, NULL, NULL, line.product_id,
                       line.product_uom_id, NULL, SUM(line.quantity)
                  FROM account_move_line line
                  JOIN account_move credit_note ON credit_note.id = line.move_id
                 WHERE credit_note.helpdesk_ticket_id = %(ticket)s
                   AND credit_note.move_type = 'out_refund'
                   AND line.parent_state != 'cancel'
                   AND line.display_type = 'product'
                   AND line.product_id IN (%(products)s)
              GROUP BY 5, 6
                """,
                query=query,
                ticket=ticket.id,
                products=products,
            )
        return self.env.execute_query(query)

    @api.model
    def _sort_helpdesk_invoice_lines(self, invoice_lines):
        """Invoice lines in their invoice's order, invoice by invoice."""
        return invoice_lines.sorted(
            lambda line: (line.move_id.id, line.sequence, line.id)
        )

    @api.model
    def _sum_helpdesk_quantities(self, quantities, unit):
        """The sum of [(quantity, unit id)] in this unit: as they are between the same
        unit, or without units (lines without product)."""
        total = 0.0
        for quantity, unit_id in quantities:
            if unit_id and unit and unit_id != unit.id:
                quantity = (
                    self.env["uom.uom"]
                    .browse(unit_id)
                    ._compute_quantity(
                        quantity, unit, round=False, raise_if_failure=False
                    )
                )
            total += quantity
        return total

    def _get_helpdesk_returned_quantities(self, invoice_lines, refundable, left):
        """{invoice line id: what came back of it on the ticket's validated returns
        and is not credited yet, in its unit}, for the lines of the products that came
        back only. What came back of a product, less what the ticket's credit notes
        credit of it (left), goes to its lines in their order, as much as each may
        still be credited."""
        returned = {}
        for line in self._sort_helpdesk_invoice_lines(invoice_lines):
            if line.product_id.id not in left:
                continue
            unit = line.product_uom_id
            available = self._sum_helpdesk_quantities(left[line.product_id.id], unit)
            quantity = min(max(available, 0.0), refundable.get(line.id, 0.0))
            returned[line.id] = quantity
            left[line.product_id.id] = [(available - quantity, unit.id)]
        return returned

    @api.model
    def _get_helpdesk_returns_left(self, rows):
        """{product id: [(quantity, unit id)]}: what came back of the products on the
        ticket's validated returns, and (negative) what the ticket's credit notes
        credit of them; only the products that came back."""
        left = defaultdict(list)
        for kind, *_ids, product_id, unit_id, _orders, quantity in rows:
            if kind == "returned":
                left[product_id].append((quantity, unit_id))
        for kind, *_ids, product_id, unit_id, _orders, quantity in rows:
            if kind == "ticket_credited" and product_id in left:
                left[product_id].append((-quantity, unit_id))
        return left

    def _check_helpdesk_refund_lines(self):
        """Selected lines: quantities from 0 to what is left to credit of each line
        of the chosen invoices, at least one of them more than 0."""
        _ = self.env._
        digits = self.env["decimal.precision"].precision_get("Product Unit of Measure")
        lines = self.helpdesk_line_ids
        if any(float_compare(line.quantity, 0.0, digits) < 0 for line in lines):
            raise ValidationError(_("A quantity to refund cannot be negative."))
        lines = lines.filtered(lambda line: not float_is_zero(line.quantity, digits))
        if not lines:
            raise ValidationError(_("Set a quantity to refund on at least one line."))
        # sudo: a line of an invoice the agent may not read is refused unnamed.
        for line in lines.sudo():
            if line.invoice_line_id.move_id not in self.move_ids._origin:
                raise ValidationError(
                    _(
                        "A line to refund is not a line of the chosen invoices: choose "
                        "its invoice in Invoices to Refund first."
                    )
                )
        quantities = defaultdict(float)
        for line in lines:
            quantities[line.invoice_line_id] += line.quantity
        self._check_helpdesk_refundable(quantities, digits)

    def _check_helpdesk_refundable(self, quantities, digits):
        """{invoice line of the chosen invoices: quantity}: product lines, each credited
        no more than what is left of it."""
        _ = self.env._
        invoice_lines = self.env["account.move.line"].concat(*quantities)
        refundable = self._get_helpdesk_refundable_quantities(invoice_lines)
        for invoice_line, quantity in quantities.items():
            invoice = invoice_line.move_id.display_name
            if invoice_line.display_type != "product":
                raise ValidationError(
                    _(
                        "%(line)s on invoice %(invoice)s is a section or a note: only "
                        "product lines can be refunded.",
                        line=invoice_line.name,
                        invoice=invoice,
                    )
                )
            left = refundable.get(invoice_line.id, 0.0)
            if float_compare(quantity, left, digits) > 0:
                raise ValidationError(
                    _(
                        "Only %(left)s of %(line)s on invoice %(invoice)s is left to "
                        "refund, not %(quantity)s: its credit notes credit the rest.",
                        left=formatLang(self.env, left, digits=digits),
                        quantity=formatLang(self.env, quantity, digits=digits),
                        line=invoice_line.product_id.display_name or invoice_line.name,
                        invoice=invoice,
                    )
                )

    def _check_helpdesk_nothing_credited(self):
        """Whole invoices: none of their lines is credited yet, else the whole-invoice
        reversal would credit some of it twice."""
        invoice_lines = self.move_ids.invoice_line_ids.filtered(
            lambda line: line.display_type == "product"
        )
        digits = self.env["decimal.precision"].precision_get("Product Unit of Measure")
        refundable = self._get_helpdesk_refundable_quantities(invoice_lines)
        for line in invoice_lines:
            if float_compare(refundable[line.id], line.quantity, digits) < 0:
                raise ValidationError(
                    self.env._(
                        "Invoice %(move)s already has credit notes for some of its "
                        "lines: refund what is left of it with Refund: Selected lines.",
                        move=line.move_id.display_name,
                    )
                )

    def _narrow_helpdesk_invoices(self):
        """Reverse only the chosen invoices that have a quantity to credit; their lines
        stay as they are (not computed again from the invoices)."""
        digits = self.env["decimal.precision"].precision_get("Product Unit of Measure")
        invoices = self.helpdesk_line_ids.filtered(
            lambda line: not float_is_zero(line.quantity, digits)
        ).invoice_line_id.move_id
        with self.env.protecting([self._fields["helpdesk_line_ids"]], self):
            self.move_ids = self.move_ids & invoices

    def _prepare_helpdesk_credit_lines_vals(self, move):
        """The credit note's lines for this invoice: a copy of each line to credit with
        its quantity (its sales order lines, taxes, accounts and analytics, as
        account's copy does), and the restocking fee unless it is waived."""
        quantities = defaultdict(float)
        for line in self.helpdesk_line_ids:
            if line.invoice_line_id.move_id == move and line.quantity:
                quantities[line.invoice_line_id] += line.quantity
        invoice_lines = self.env["account.move.line"].concat(*quantities)
        vals_list = invoice_lines.with_context(include_business_fields=True).copy_data()
        commands = []
        for invoice_line, vals in zip(invoice_lines, vals_list, strict=True):
            vals.pop("move_id", None)
            vals["quantity"] = quantities[invoice_line]
            commands.append(Command.create(vals))
        fee = self._get_helpdesk_restocking_fee(move)
        if fee and not self.waive_restocking_fee:
            commands.append(
                Command.create(
                    {
                        "display_type": "product",
                        # Its account and taxes: the product's, as on any line.
                        "product_id": (
                            self.helpdesk_ticket_id.team_id.restocking_fee_product_id.id
                        ),
                        "quantity": 1.0,
                        "price_unit": -fee,
                    }
                )
            )
        return commands

    def _get_helpdesk_restocking_fee(self, move):
        """The team's restocking fee on what this refund credits of the invoice's goods
        that came back on the ticket's returns: its percentage of their untaxed
        subtotal, in the invoice's currency (0 without fee)."""
        team = self.helpdesk_ticket_id.team_id
        if not (team.restocking_fee_percent and team.restocking_fee_product_id):
            return 0.0
        base = sum(
            line._get_subtotal(min(line.quantity, line.returned_quantity))
            for line in self.helpdesk_line_ids
            if line.has_returns and line.invoice_line_id.move_id == move
        )
        return move.currency_id.round(base * team.restocking_fee_percent / 100)

    def _get_helpdesk_waived_fees(self):
        """{invoice: the restocking fee the agent waives on its refund}."""
        if self.helpdesk_refund_scope != "lines" or not self.waive_restocking_fee:
            return {}
        return {move: self._get_helpdesk_restocking_fee(move) for move in self.move_ids}

    def _log_helpdesk_waived_fees(self, credit_notes, waived_fees):
        """A note on the ticket for each waived fee, with the agent's name."""
        for credit_note in credit_notes:
            fee = waived_fees.get(credit_note.reversed_entry_id)
            if not fee:
                continue
            self.helpdesk_ticket_id.message_post(
                body=Markup(
                    self.env._(
                        "Restocking fee of %(fee)s waived by %(agent)s on credit note "
                        "%(link)s."
                    )
                )
                % {
                    "fee": formatLang(
                        self.env, fee, currency_obj=credit_note.currency_id
                    ),
                    "agent": self.env.user.name,
                    "link": credit_note._get_html_link(),
                },
                subtype_xmlid="mail.mt_note",
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
