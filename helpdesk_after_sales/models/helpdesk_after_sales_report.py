from odoo import api, fields, models, tools
from odoo.tools import SQL

from .helpdesk_after_sales_reason import AFTER_SALES_SERVICE_SELECTION

# Each kind of document has its own number in the report's ids: id = 8 × the source
# row's id + the number, unique and stable from one read to the next (the web client
# searches, then reads the ids it found).
SERVICE_KEYS = {
    "refund": 1,
    "coupon": 2,
    "return": 3,
    "repair": 4,
    "fsm": 5,
}
# A credit note without any product line has one line of its own, numbered apart from
# the lines of the others.
CREDIT_NOTE_WITHOUT_LINES_KEY = 6


class HelpdeskAfterSalesReport(models.Model):
    """What after-sales costs: every document created from a ticket, one line per
    document and product, as a read-only SQL view (Odoo's `sale.report` pattern).

    Amounts are in the company's currency, each company's own, and signed as a cost:
    credit notes by their untaxed amount (the tax is given back to the customer and
    recovered from the state), returns and replacement deliveries by the value of their
    goods at the order's price, coupons by their value when the program states it as a
    fixed amount; repairs and tasks are counted only.
    """

    _name = "helpdesk.after.sales.report"
    _description = "After-Sales Analysis"
    _auto = False
    _rec_name = "name"
    _order = "date desc, id desc"

    # Document
    service = fields.Selection(selection=AFTER_SALES_SERVICE_SELECTION, readonly=True)
    name = fields.Char(string="Reference", readonly=True)
    document_ref = fields.Reference(
        selection=[
            ("account.move", "Credit Note"),
            ("loyalty.card", "Coupon"),
            ("stock.picking", "Transfer"),
            ("repair.order", "Repair Order"),
            ("project.task", "Task"),
        ],
        string="Document",
        readonly=True,
    )
    date = fields.Date(readonly=True)
    state = fields.Selection(
        selection=[
            ("draft", "Draft"),
            ("open", "In Progress"),
            ("done", "Done"),
            ("cancel", "Cancelled"),
        ],
        string="Status",
        readonly=True,
    )
    user_id = fields.Many2one(
        comodel_name="res.users",
        string="Agent",
        readonly=True,
        help="Who created the document, or asked for it when it needed an approval.",
    )
    reason_id = fields.Many2one(
        comodel_name="helpdesk.after.sales.reason", string="Reason", readonly=True
    )
    approved_by_id = fields.Many2one(
        comodel_name="res.users", string="Approved By", readonly=True
    )
    # The people's names again, for the ticket's tab: read with the lines, where their
    # display names would cost two queries each (users, then partners).
    user_name = fields.Char(string="Created by", readonly=True)
    approved_by_name = fields.Char(string="Approved by", readonly=True)
    company_id = fields.Many2one(comodel_name="res.company", readonly=True)
    currency_id = fields.Many2one(comodel_name="res.currency", readonly=True)

    # Ticket
    ticket_id = fields.Many2one(
        comodel_name="helpdesk.ticket", string="Ticket", readonly=True
    )
    team_id = fields.Many2one(
        comodel_name="helpdesk.ticket.team", string="Team", readonly=True
    )

    # Product
    product_id = fields.Many2one(
        comodel_name="product.product", string="Product", readonly=True
    )
    categ_id = fields.Many2one(
        comodel_name="product.category", string="Product Category", readonly=True
    )

    # Measures
    amount = fields.Monetary(
        readonly=True,
        help="In the company's currency, as a cost: a credit note's untaxed amount, "
        "the goods of a return at the order's price, a coupon's fixed value; none for "
        "repairs, tasks and coupons of a percentage or a product.",
    )
    # A number per document, the same on each of its lines: the measure counts the
    # distinct ones, the documents, whatever the grouping.
    document_count = fields.Integer(
        string="Documents", aggregator="count_distinct", readonly=True
    )

    def fetch(self, field_names):
        """Read lines by id (what the ticket's After-Sales tab does once the one2many
        has found them) also by their tickets, when the cache knows them all.

        The lines' ids are computed (arithmetic on the documents' ids, aggregates):
        PostgreSQL cannot look `id IN (...)` up in the documents' tables and evaluates
        the whole view, every document of every ticket (1 s at 500 000 invoices). The
        condition on the tickets, which it pushes into each branch of the view to the
        index on the documents' `helpdesk_ticket_id`, makes the tab cost the same at
        any volume, and selects no other rows: the cache has each line's ticket from
        the one2many's search by ticket. A line missing from that result, because its
        document moved to another ticket since it was cached or because the rules
        forbid it, is read by id alone as the ORM would: read, or the same error."""
        tickets = self.env.cache.get_until_miss(self, self._fields["ticket_id"])
        if not self or len(tickets) < len(self) or None in tickets:
            return super().fetch(field_names)
        fields = self._determine_fields_to_fetch(field_names, ignore_when_in_cache=True)
        if not any(field.column_type for field in fields):
            return super().fetch(field_names)
        query = self._search(
            [("id", "in", self.ids), ("ticket_id", "in", sorted(set(tickets)))]
        )
        fetched = self._fetch_query(query, fields)
        if fetched != self:
            super(HelpdeskAfterSalesReport, self - fetched).fetch(field_names)

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(
            SQL(
                "CREATE VIEW %s AS (%s)",
                SQL.identifier(self._table),
                self._query(),
            )
        )

    @api.model
    def _query(self):
        """The view. Its `ticket_id` is the documents' own column rather than the
        joined ticket's id (the same value): PostgreSQL pushes a condition on it into
        each branch, a list of tickets included (it infers `=` across a join, never
        `IN`), so that the lines of some tickets are read through the documents'
        index on their ticket, not by evaluating every document (see `fetch`)."""
        documents = SQL(" UNION ALL ").join(
            [
                self._query_credit_notes(),
                self._query_coupons(),
                self._query_returns(),
                self._query_repairs(),
                self._query_tasks(),
            ]
        )
        return SQL(
            """
            SELECT document.id,
                   document.service,
                   document.document_count,
                   document.document_ref,
                   document.name,
                   document.date,
                   document.state,
                   COALESCE(approval.requested_by_id, document.user_id) AS user_id,
                   agent.name AS user_name,
                   document.reason_id,
                   approval.approved_by_id,
                   approver.name AS approved_by_name,
                   company.id AS company_id,
                   company.currency_id,
                   document.ticket_id,
                   ticket.team_id,
                   document.product_id,
                   template.categ_id,
                   document.amount
              FROM (%(documents)s) AS document
              JOIN helpdesk_ticket AS ticket ON ticket.id = document.ticket_id
              JOIN res_company AS company ON company.id = document.company_id
              LEFT JOIN helpdesk_after_sales_approval AS approval
                ON approval.id = document.approval_id
              LEFT JOIN res_users AS agent_user
                ON agent_user.id = COALESCE(approval.requested_by_id, document.user_id)
              LEFT JOIN res_partner AS agent ON agent.id = agent_user.partner_id
              LEFT JOIN res_users AS approver_user
                ON approver_user.id = approval.approved_by_id
              LEFT JOIN res_partner AS approver
                ON approver.id = approver_user.partner_id
              LEFT JOIN product_product AS product ON product.id = document.product_id
              LEFT JOIN product_template AS template
                ON template.id = product.product_tmpl_id
            """,
            documents=documents,
        )

    @api.model
    def _document_keys(self, service, model_name, alias):
        """The columns that name a line's document: its number for the count, its
        reference (`model,id`), its service."""
        return SQL(
            "%(key)s::bigint + 8 * %(alias)s.id AS document_count,"
            " %(model)s || ',' || %(alias)s.id AS document_ref,"
            " %(service)s::varchar AS service",
            key=SERVICE_KEYS[service],
            alias=SQL.identifier(alias),
            model=model_name,
            service=service,
        )

    @api.model
    def _query_credit_notes(self):
        """Credit notes: their product lines' balance in the company's currency, which
        is a cost (a debit of the income account) for a customer credit note. The lines
        of each credit note by its own index (a lateral join), rather than a scan of
        every invoice's lines."""
        return SQL(
            """
            SELECT COALESCE(8 * line.first_id + %(key)s, 8 * move.id + %(alone)s)
                       AS id,
                   %(keys)s,
                   move.name,
                   move.helpdesk_ticket_id AS ticket_id,
                   move.company_id,
                   move.date,
                   CASE move.state
                       WHEN 'posted' THEN 'done'
                       WHEN 'cancel' THEN 'cancel'
                       ELSE 'draft'
                   END AS state,
                   move.create_uid AS user_id,
                   move.helpdesk_reason_id AS reason_id,
                   move.helpdesk_approval_id AS approval_id,
                   line.product_id,
                   line.amount
              FROM account_move AS move
              LEFT JOIN LATERAL (
                  SELECT MIN(id) AS first_id, product_id, SUM(balance) AS amount
                    FROM account_move_line
                   WHERE move_id = move.id AND display_type = 'product'
                   GROUP BY product_id
              ) AS line ON TRUE
             WHERE move.helpdesk_ticket_id IS NOT NULL
            """,
            key=SERVICE_KEYS["refund"],
            alone=CREDIT_NOTE_WITHOUT_LINES_KEY,
            keys=self._document_keys("refund", "account.move", "move"),
        )

    @api.model
    def _query_coupons(self):
        """Coupons, about the ticket's product. Their value is known when their program
        has one reward, a discount of a fixed amount in the company's currency: that
        amount, per order or per point of the coupon (the points it was issued with);
        a percentage or a free product is counted only."""
        return SQL(
            """
            SELECT 8 * card.id + %(key)s AS id,
                   %(keys)s,
                   card.code AS name,
                   card.helpdesk_ticket_id AS ticket_id,
                   company.id AS company_id,
                   card.create_date::date AS date,
                   CASE
                       WHEN NOT card.active THEN 'cancel'
                       WHEN history.used > 0 THEN 'done'
                       WHEN card.expiration_date < CURRENT_DATE THEN 'cancel'
                       ELSE 'open'
                   END AS state,
                   card.create_uid AS user_id,
                   card.helpdesk_reason_id AS reason_id,
                   card.helpdesk_approval_id AS approval_id,
                   ticket.product_id,
                   CASE
                       WHEN program.currency_id != company.currency_id THEN NULL
                       WHEN reward.discount_mode = 'per_order' THEN reward.discount
                       WHEN reward.discount_mode = 'per_point'
                           THEN reward.discount
                               * COALESCE(NULLIF(history.issued, 0), card.points)
                   END AS amount
              FROM loyalty_card AS card
              JOIN helpdesk_ticket AS ticket ON ticket.id = card.helpdesk_ticket_id
              JOIN res_company AS company
                ON company.id = COALESCE(card.company_id, ticket.company_id)
              JOIN loyalty_program AS program ON program.id = card.program_id
              LEFT JOIN LATERAL (
                  SELECT SUM(issued) AS issued, SUM(used) AS used
                    FROM loyalty_history
                   WHERE card_id = card.id
              ) AS history ON TRUE
              LEFT JOIN LATERAL (
                  SELECT MIN(discount) AS discount, MIN(discount_mode) AS discount_mode
                    FROM loyalty_reward
                   WHERE program_id = program.id AND active
                  HAVING COUNT(*) = 1 AND BOOL_AND(reward_type = 'discount')
              ) AS reward ON TRUE
             WHERE card.helpdesk_ticket_id IS NOT NULL
            """,
            key=SERVICE_KEYS["coupon"],
            keys=self._document_keys("coupon", "loyalty.card", "card"),
        )

    @api.model
    def _query_returns(self):
        """Returns, and the replacement deliveries of exchanges: their goods at the
        price of the order line they were sold on (after discount, untaxed), in the
        company's currency at the order's rate; what they move once done, what they
        plan to move before."""
        return SQL(
            """
            SELECT 8 * MIN(move.id) + %(key)s AS id,
                   %(keys)s,
                   picking.name,
                   picking.helpdesk_ticket_id AS ticket_id,
                   picking.company_id,
                   COALESCE(picking.date_done, picking.scheduled_date)::date AS date,
                   CASE
                       WHEN picking.state IN ('draft', 'done', 'cancel')
                           THEN picking.state
                       ELSE 'open'
                   END AS state,
                   picking.create_uid AS user_id,
                   picking.helpdesk_reason_id AS reason_id,
                   NULL::integer AS approval_id,
                   move.product_id,
                   SUM(
                       CASE WHEN move.state = 'done'
                           THEN move.quantity ELSE move.product_uom_qty END
                       / move_uom.factor * line_uom.factor
                       * sale_line.price_reduce_taxexcl
                       / CASE COALESCE(sale.currency_rate, 0)
                           WHEN 0 THEN 1.0 ELSE sale.currency_rate END
                   ) AS amount
              FROM stock_picking AS picking
              JOIN stock_move AS move ON move.picking_id = picking.id
              LEFT JOIN uom_uom AS move_uom ON move_uom.id = move.product_uom
              LEFT JOIN sale_order_line AS sale_line
                ON sale_line.id = move.sale_line_id
              LEFT JOIN uom_uom AS line_uom ON line_uom.id = sale_line.product_uom
              LEFT JOIN sale_order AS sale ON sale.id = sale_line.order_id
             WHERE picking.helpdesk_ticket_id IS NOT NULL
             GROUP BY picking.id, move.product_id
            """,
            key=SERVICE_KEYS["return"],
            keys=self._document_keys("return", "stock.picking", "picking"),
        )

    @api.model
    def _query_repairs(self):
        """Repairs, about their product: counted only (what they cost is the parts'
        and the workshop's time, which the repair order does not value)."""
        return SQL(
            """
            SELECT 8 * repair.id + %(key)s AS id,
                   %(keys)s,
                   repair.name,
                   repair.helpdesk_ticket_id AS ticket_id,
                   repair.company_id,
                   repair.schedule_date::date AS date,
                   CASE
                       WHEN repair.state IN ('draft', 'done', 'cancel')
                           THEN repair.state
                       ELSE 'open'
                   END AS state,
                   repair.create_uid AS user_id,
                   repair.helpdesk_reason_id AS reason_id,
                   NULL::integer AS approval_id,
                   repair.product_id,
                   NULL::numeric AS amount
              FROM repair_order AS repair
             WHERE repair.helpdesk_ticket_id IS NOT NULL
            """,
            key=SERVICE_KEYS["repair"],
            keys=self._document_keys("repair", "repair.order", "repair"),
        )

    @api.model
    def _query_tasks(self):
        """Field service tasks, about the ticket's product: counted only."""
        return SQL(
            """
            SELECT 8 * task.id + %(key)s AS id,
                   %(keys)s,
                   task.name,
                   task.helpdesk_ticket_id AS ticket_id,
                   COALESCE(task.company_id, ticket.company_id) AS company_id,
                   task.create_date::date AS date,
                   CASE task.state
                       WHEN '1_done' THEN 'done'
                       WHEN '1_canceled' THEN 'cancel'
                       ELSE 'open'
                   END AS state,
                   task.create_uid AS user_id,
                   task.helpdesk_reason_id AS reason_id,
                   NULL::integer AS approval_id,
                   ticket.product_id,
                   NULL::numeric AS amount
              FROM project_task AS task
              JOIN helpdesk_ticket AS ticket ON ticket.id = task.helpdesk_ticket_id
             WHERE task.helpdesk_ticket_id IS NOT NULL
            """,
            key=SERVICE_KEYS["fsm"],
            keys=self._document_keys("fsm", "project.task", "task"),
        )
