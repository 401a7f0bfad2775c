import pytz
from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.osv.expression import FALSE_DOMAIN, OR
from odoo.tools.misc import clean_context, format_date


class HelpdeskTicket(models.Model):
    _inherit = "helpdesk.ticket"

    # The team's After-Sales switches, on the ticket so that each service button of the
    # form is hidden by a one-line `invisible="not use_..."`.
    use_credit_notes = fields.Boolean(related="team_id.use_credit_notes")
    use_coupons = fields.Boolean(related="team_id.use_coupons")
    use_product_returns = fields.Boolean(related="team_id.use_product_returns")
    # Its own label: "Repairs" is the label of repair_ids.
    use_product_repairs = fields.Boolean(
        related="team_id.use_product_repairs", string="Team Offers Repairs"
    )
    use_fsm = fields.Boolean(related="team_id.use_fsm")

    # The ticket's orders are helpdesk_mgmt_sale's and its product helpdesk_product's:
    # this addon keeps the orders its customer's, and the product one of theirs.
    sale_order_ids = fields.Many2many(
        compute="_compute_sale_order_ids",
        store=True,
        readonly=False,
        tracking=True,
        domain="[('partner_id.commercial_partner_id', '=', commercial_partner_id),"
        " ('company_id', '=', company_id)]",
        help="The customer's orders this ticket is about.",
    )
    product_id = fields.Many2one(
        compute="_compute_product_id",
        store=True,
        readonly=False,
        index="btree_not_null",
        tracking=True,
        domain="[('ticket_active', '=', True),"
        " ('helpdesk_sale_order_ids', 'in', sale_order_ids)] if sale_order_ids"
        " else [('ticket_active', '=', True),"
        " ('company_id', 'in', [company_id, False])]",
        help="The product the ticket is about: one of its orders' when it has orders.",
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
        check_company=True,
        domain="[('product_id', '=', product_id)]",
    )

    credit_note_ids = fields.One2many(
        comodel_name="account.move",
        inverse_name="helpdesk_ticket_id",
        string="Credit Notes",
        groups="account.group_account_invoice",
    )
    credit_notes_count = fields.Integer(
        compute="_compute_credit_notes_count",
        groups="account.group_account_invoice",
    )

    # --- Coupons
    coupon_ids = fields.One2many(
        comodel_name="loyalty.card",
        inverse_name="helpdesk_ticket_id",
        string="Generated Coupons",
        groups="sales_team.group_sale_salesman",
    )
    coupons_count = fields.Integer(
        compute="_compute_coupons_count",
        groups="sales_team.group_sale_salesman",
    )

    # --- Returns
    picking_ids = fields.One2many(
        comodel_name="stock.picking",
        inverse_name="helpdesk_ticket_id",
        string="Return Transfers",
        groups="stock.group_stock_user",
        help="The returns created from this ticket, and their replacement deliveries.",
    )
    pickings_count = fields.Integer(
        string="Returns Count",
        compute="_compute_pickings_count",
        groups="stock.group_stock_user",
    )
    has_partner_deliveries = fields.Boolean(
        string="Customer Has Deliveries",
        compute="_compute_has_partner_deliveries",
        groups="stock.group_stock_user",
        help=(
            "The customer received at least one delivery of the ticket's company: "
            "something to return."
        ),
    )

    # --- Repairs
    repair_ids = fields.One2many(
        comodel_name="repair.order",
        inverse_name="helpdesk_ticket_id",
        string="Repairs",
    )
    repairs_count = fields.Integer(compute="_compute_repairs_count")

    # --- Field Service
    fsm_task_ids = fields.One2many(
        comodel_name="project.task",
        inverse_name="helpdesk_ticket_id",
        string="Field Service Tasks",
        groups="project.group_project_user",
    )
    fsm_task_count = fields.Integer(
        string="Tasks Count",
        compute="_compute_fsm_task_count",
        groups="project.group_project_user",
    )

    # --- Warranty
    # The dates are stored: they change only with the ticket, its product's warranty
    # or a delivery (stock.move's _recompute_helpdesk_warranty). The state is not: it
    # changes with the calendar, and is searched through the stored end date.
    warranty_start_date = fields.Date(
        compute="_compute_warranty_dates",
        store=True,
        help="When the ticket's unit was delivered to the customer: the latest done "
        "delivery of its lot, else of its product on the ticket's orders (or to the "
        "customer, without order).",
    )
    warranty_end_date = fields.Date(
        compute="_compute_warranty_dates",
        store=True,
        help="The last day of the product's warranty, counted from its delivery (or "
        "kept from the unit it replaced, see the company's settings).",
    )
    warranty_state = fields.Selection(
        selection=[
            ("none", "No Warranty"),
            ("unknown", "Unknown"),
            ("active", "Under Warranty"),
            ("expired", "Expired"),
        ],
        compute="_compute_warranty_state",
        search="_search_warranty_state",
        help="No Warranty: the product has none. Unknown: no done delivery of it to "
        "the customer was found.",
    )
    warranty_label = fields.Char(
        string="Warranty Status", compute="_compute_warranty_state"
    )
    # --- Approvals
    after_sales_approval_ids = fields.One2many(
        comodel_name="helpdesk.after.sales.approval",
        inverse_name="helpdesk_ticket_id",
        string="Approval Requests",
        groups="helpdesk_mgmt.group_helpdesk_user_own",
    )
    after_sales_approval_count = fields.Integer(
        string="Pending Approvals",
        compute="_compute_after_sales_approval_count",
        groups="helpdesk_mgmt.group_helpdesk_user_own",
    )

    # --- After-Sales report: the ticket's documents, as the report's rules let the user
    # see them.
    after_sales_report_ids = fields.One2many(
        comodel_name="helpdesk.after.sales.report",
        inverse_name="ticket_id",
        string="After-Sales Documents",
        groups="helpdesk_mgmt.group_helpdesk_user_own",
    )

    @api.depends("commercial_partner_id", "company_id")
    def _compute_sale_order_ids(self):
        for ticket in self:
            ticket.sale_order_ids = (
                ticket.sale_order_ids - ticket._get_foreign_sale_orders()
            )

    @api.depends("sale_order_ids")
    def _compute_product_id(self):
        for ticket in self:
            if not ticket._is_suitable_product(ticket.product_id):
                ticket.product_id = False

    @api.depends("product_id")
    def _compute_lot_id(self):
        for ticket in self:
            if ticket.lot_id.product_id != ticket.product_id:
                ticket.lot_id = False

    @api.depends("sale_order_ids.order_line.product_id")
    def _compute_suitable_product_ids(self):
        # One query for all the tickets' orders, not one per order's lines.
        product_ids = {
            order.id: ids
            for order, ids in self.env["sale.order.line"]._read_group(
                [
                    ("order_id", "in", self.sale_order_ids._origin.ids),
                    ("product_id", "!=", False),
                ],
                ["order_id"],
                ["product_id:array_agg"],
            )
        }
        for ticket in self:
            ticket.suitable_product_ids = self.env["product.product"].browse(
                dict.fromkeys(
                    product_id
                    for order in ticket.sale_order_ids._origin
                    for product_id in product_ids.get(order.id, ())
                )
            )

    @api.depends("credit_note_ids")
    def _compute_credit_notes_count(self):
        counts = self._count_after_sales_documents("account.move")
        for ticket in self:
            ticket.credit_notes_count = counts.get(ticket._origin, 0)

    def _get_foreign_sale_orders(self):
        """The ticket's orders that were not sold to its customer, in its company."""
        self.ensure_one()
        return self._get_after_sales_orders().filtered(
            lambda order: order.partner_id.commercial_partner_id
            != self.commercial_partner_id
            or order.company_id != self.company_id
        )

    def _is_suitable_product(self, product):
        """A ticket with orders is about one of their products; without, about any."""
        self.ensure_one()
        # _origin: a form's new ticket holds new records for the saved products.
        return (
            not product
            or not self.sale_order_ids
            or product._origin in self.suitable_product_ids._origin
        )

    def _get_after_sales_sale_order(self):
        """The order a service starts from: the ticket's order when it has only one;
        with several, the agent chooses among them; none without a ticket."""
        orders = self._get_after_sales_orders()
        return orders if len(orders) == 1 else orders.browse()

    def _get_after_sales_orders(self):
        """The ticket's orders, as its form shows them."""
        # sudo: agents need no Sales rights to read (and check) the ticket's orders.
        return self.sale_order_ids.sudo()

    @api.constrains(
        "sale_order_ids", "product_id", "lot_id", "partner_id", "company_id"
    )
    def _check_after_sales_context(self):
        # sudo: agents need neither Sales nor Inventory rights to have the context
        # checked.
        for ticket in self.sudo():
            foreign = ticket._get_foreign_sale_orders()
            if foreign:
                raise ValidationError(
                    self.env._(
                        "Sales order %(order)s was not sold to the customer of ticket "
                        "%(ticket)s in its company.",
                        order=foreign[0].display_name,
                        ticket=ticket.display_name,
                    )
                )
            if not ticket._is_suitable_product(ticket.product_id):
                raise ValidationError(
                    self.env._(
                        "Product %(product)s is on none of the sales orders of ticket "
                        "%(ticket)s (%(orders)s).",
                        product=ticket.product_id.display_name,
                        ticket=ticket.display_name,
                        orders=", ".join(ticket.sale_order_ids.mapped("display_name")),
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
        """A service may only be used from a ticket the user can read, of a team
        offering it, about a known customer: the same rules as the buttons, for RPC
        calls too."""
        self.ensure_one()
        self.check_access("read")
        if not self[flag]:
            # The service's name is the team's label: the ticket's may differ.
            raise UserError(
                self.env._(
                    "The team of ticket %(ticket)s does not offer %(service)s.",
                    ticket=self.display_name,
                    # The service's name is the team's label: the ticket's may differ.
                    service=self.team_id._fields[flag]._description_string(self.env),
                )
            )
        if not self.partner_id:
            raise UserError(
                self.env._(
                    "Ticket %(ticket)s has no customer: set its contact first.",
                    ticket=self.display_name,
                )
            )

    def _count_after_sales_documents(self, model_name):
        """{ticket: how many `model_name` documents were created from it}: one grouped
        query for a whole page of tickets (a form's new-record ticket counts its saved
        one)."""
        return dict(
            self.env[model_name]._read_group(
                [("helpdesk_ticket_id", "in", self._origin.ids)],
                ["helpdesk_ticket_id"],
                ["__count"],
            )
        )

    def _get_after_sales_wizard_action(self, name, res_model):
        """A service button's dialog: the service's wizard, opened on this ticket, once
        its gate lets the user in (helpdesk.after.sales.mixin)."""
        self.ensure_one()
        self.env[res_model]._check_after_sales_ticket(self)
        return {
            "type": "ir.actions.act_window",
            "name": name,
            "res_model": res_model,
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
            "context": {
                "default_helpdesk_ticket_id": self.id,
                # The team was read for the service's switch: the dialog's reason
                # field takes its setting from here (helpdesk.after.sales.mixin).
                "helpdesk_reason_required": self.team_id.after_sales_reason_required,
            },
        }

    def _get_after_sales_documents_action(
        self, xmlid, documents, list_views=None, context=None
    ):
        """A smart button's window: the document's form when there is one, else their
        list."""
        action = self.env["ir.actions.act_window"]._for_xml_id(xmlid)
        if len(documents) == 1:
            action.update(
                views=[(False, "form")], view_mode="form", res_id=documents.id
            )
        elif list_views:
            action["views"] = list_views
        action["domain"] = [("id", "in", documents.ids)]
        action["context"] = context or {"create": False}
        return action

    def _post_after_sales_links(self, document, ticket_body, document_body, **values):
        """Link a document created from the ticket both ways: a note in each chatter.
        The bodies are translated texts with a %(link)s placeholder for the other
        record; `values` fill the ticket's body's other placeholders (or its link)."""
        self.ensure_one()
        self.message_post(
            body=Markup(ticket_body) % {"link": document._get_html_link(), **values},
            subtype_xmlid="mail.mt_note",
        )
        document.message_post(
            body=Markup(document_body) % {"link": self._get_html_link()},
            subtype_xmlid="mail.mt_note",
        )

    def action_refund(self):
        return self._get_after_sales_wizard_action(
            self.env._("Refund"), "account.move.reversal"
        )

    def action_view_credit_notes(self):
        self.ensure_one()
        return self._get_after_sales_documents_action(
            "account.action_move_out_refund_type",
            self.credit_note_ids,
            context={"default_move_type": "out_refund", "create": False},
        )

    @api.depends("coupon_ids")
    def _compute_coupons_count(self):
        counts = self._count_after_sales_documents("loyalty.card")
        for ticket in self:
            ticket.coupons_count = counts.get(ticket._origin, 0)

    def action_generate_coupon(self):
        return self._get_after_sales_wizard_action(
            self.env._("Generate a Coupon"), "helpdesk.coupon.generate"
        )

    def action_view_coupons(self):
        self.ensure_one()
        list_view = self.env.ref("helpdesk_after_sales.loyalty_card_view_list_helpdesk")
        return self._get_after_sales_documents_action(
            "loyalty.loyalty_card_action",
            self.coupon_ids,
            list_views=[(list_view.id, "list"), (False, "form")],
        )

    @api.depends("picking_ids")
    def _compute_pickings_count(self):
        counts = self._count_after_sales_documents("stock.picking")
        for ticket in self:
            ticket.pickings_count = counts.get(ticket._origin, 0)

    @api.depends("commercial_partner_id", "company_id")
    def _compute_has_partner_deliveries(self):
        # One grouped query for the whole page of tickets, not one search per ticket.
        delivered = {
            (partner, company)
            for partner, company in self.env["stock.picking"]._read_group(
                self._get_partner_deliveries_domain(
                    self.commercial_partner_id, self.company_id
                ),
                ["commercial_partner_id", "company_id"],
            )
        }
        for ticket in self:
            ticket.has_partner_deliveries = (
                ticket.commercial_partner_id,
                ticket.company_id,
            ) in delivered

    @api.model
    def _get_partner_deliveries_domain(self, partners, companies):
        """Done deliveries to these customers (commercial entities), these companies."""
        return [
            ("picking_type_code", "=", "outgoing"),
            ("state", "=", "done"),
            ("commercial_partner_id", "in", partners.ids),
            ("company_id", "in", companies.ids),
        ]

    def action_return(self):
        action = self._get_after_sales_wizard_action(
            self.env._("Return"), "stock.return.picking"
        )
        if not self.has_partner_deliveries:
            raise UserError(
                self.env._(
                    "%(customer)s has received no delivery from %(company)s: there is "
                    "nothing to return.",
                    customer=self.commercial_partner_id.display_name,
                    company=self.company_id.display_name,
                )
            )
        return action

    def action_view_pickings(self):
        self.ensure_one()
        return self._get_after_sales_documents_action(
            "stock.action_picking_tree_all", self.picking_ids
        )

    @api.depends("repair_ids")
    def _compute_repairs_count(self):
        counts = {}
        # Every agent may read repairs (security/); other readers of a ticket
        # (followers, portal) may not, and count none.
        if self.env["repair.order"].has_access("read"):
            counts = self._count_after_sales_documents("repair.order")
        for ticket in self:
            ticket.repairs_count = counts.get(ticket._origin, 0)

    def action_repair(self):
        """Repair's own form, prefilled with what the ticket knows."""
        self.ensure_one()
        self._check_after_sales_service("use_product_repairs")
        self.env["repair.order"].check_access("create")
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Repair"),
            "res_model": "repair.order",
            "view_mode": "form",
            # ormcached, where env.ref() would query the view for each click
            "views": [
                (
                    self.env["ir.model.data"]._xmlid_to_res_id(
                        "repair.view_repair_order_form"
                    ),
                    "form",
                )
            ],
            "target": "current",
            "context": self._get_repair_context(),
        }

    def _get_repair_context(self):
        """The new repair's defaults: what the ticket knows."""
        product = self.product_id
        context = clean_context(self.env.context)
        # default_repair_*: repair.order's own keys (see its default_get), which do not
        # leak into the part lines.
        context.update(
            default_repair_helpdesk_ticket_id=self.id,
            default_company_id=self.company_id.id,
            default_partner_id=self.partner_id.id,
            default_repair_product_id=product.id,
            default_repair_lot_id=(
                self.lot_id.id if product.tracking in ("serial", "lot") else False
            ),
            default_user_id=self.env.user.id,
            default_schedule_date=fields.Datetime.to_string(fields.Datetime.now()),
            default_internal_notes=self.description,
            # The agent can still change it.
            default_under_warranty=self.warranty_state == "active",
        )
        picking = self._get_repair_return()
        if picking:
            # repair's own key: a default_picking_id would leak into the parts' moves.
            context["default_repair_picking_id"] = picking.id
        return context

    def _get_repair_return(self):
        """The ticket's most recent done return of its product, received from its
        customer."""
        self.ensure_one()
        if not self.product_id:
            return self.env["stock.picking"]
        return self.env["stock.picking"].search(
            [
                ("helpdesk_ticket_id", "=", self.id),
                ("state", "=", "done"),
                ("picking_type_code", "=", "incoming"),
                # The customer's contacts, by a join (child_of costs a query of its
                # own).
                (
                    "partner_id.commercial_partner_id",
                    "=",
                    self.commercial_partner_id.id,
                ),
                ("company_id", "=", self.company_id.id),
                ("move_ids.product_id", "=", self.product_id.id),
            ],
            order="date_done desc, id desc",
            limit=1,
        )

    def action_view_repairs(self):
        self.ensure_one()
        return self._get_after_sales_documents_action(
            "repair.action_repair_order_tree",
            self.repair_ids,
            context={
                "default_repair_helpdesk_ticket_id": self.id,
                "default_partner_id": self.partner_id.id,
            },
        )

    @api.depends("fsm_task_ids")
    def _compute_fsm_task_count(self):
        counts = self._count_after_sales_documents("project.task")
        for ticket in self:
            ticket.fsm_task_count = counts.get(ticket._origin, 0)

    def action_plan_intervention(self):
        return self._get_after_sales_wizard_action(
            self.env._("Create a Field Service task"), "helpdesk.create.fsm.task"
        )

    def action_view_fsm_tasks(self):
        self.ensure_one()
        return self._get_after_sales_documents_action(
            "project.action_view_all_task", self.fsm_task_ids
        )

    # --- Warranty
    @api.depends(
        "product_id.warranty",
        "product_id.warranty_type",
        "lot_id",
        "sale_order_ids",
        "commercial_partner_id",
        "company_id",
    )
    def _compute_warranty_dates(self):
        # Stored, hence computed as superuser: the agent may not read Inventory.
        delivered = self._get_warranty_deliveries()
        for ticket in self:
            date_done, kept_end = delivered.get(ticket, (False, False))
            template = ticket.product_id.product_tmpl_id
            start = ticket._get_warranty_delivery_day(date_done)
            ticket.warranty_start_date = start
            ticket.warranty_end_date = start and (
                kept_end or template._get_warranty_end_date(start)
            )

    @api.depends("warranty_end_date", "product_id.warranty")
    @api.depends_context("lang", "tz")
    def _compute_warranty_state(self):
        today = fields.Date.context_today(self)
        _ = self.env._
        for ticket in self:
            end = ticket.warranty_end_date
            if not ticket.product_id:
                state, label = False, False
            elif end:
                state = "active" if end >= today else "expired"
                label = (
                    _("Under warranty until %(date)s", date=format_date(self.env, end))
                    if state == "active"
                    else _(
                        "Warranty expired on %(date)s", date=format_date(self.env, end)
                    )
                )
            elif ticket.product_id.warranty <= 0:
                state, label = "none", _("No warranty")
            else:
                state = "unknown"
                label = _("Warranty unknown: no delivery to the customer found")
            ticket.warranty_state = state
            ticket.warranty_label = label

    def _search_warranty_state(self, operator, value):
        if operator not in ("=", "!=", "in", "not in"):
            raise UserError(
                self.env._("The warranty status can only be searched for values.")
            )
        states = {value} if isinstance(value, str) or not value else set(value)
        today = fields.Date.context_today(self)
        domains = {
            "active": [("warranty_end_date", ">=", today)],
            "expired": [("warranty_end_date", "<", today)],
            "none": [("product_id.warranty", "<=", 0)],
            "unknown": [
                ("product_id.warranty", ">", 0),
                ("warranty_end_date", "=", False),
            ],
            False: [("product_id", "=", False)],
        }
        chosen = [domains[state] for state in states if state in domains]
        domain = OR(chosen) if chosen else FALSE_DOMAIN
        if operator in ("!=", "not in"):
            # The complement, tickets without end date included (a negated date
            # comparison would leave them out).
            return [("id", "not in", self._search(domain))]
        return domain

    def _get_warranty_delivery_day(self, date_done):
        """The day the customer received a delivery done at `date_done` (UTC): in the
        customer's time zone."""
        self.ensure_one()
        if not date_done:
            return False
        tz = pytz.timezone(self.commercial_partner_id.tz or "UTC")
        return pytz.utc.localize(date_done).astimezone(tz).date()

    def _get_warranty_deliveries(self):
        """{ticket: (date, kept warranty end)} of the delivery its warranty counts from:
        the latest done delivery to its customer, in its company, of its lot, else of
        its product on its orders (or on any, without order). Two grouped queries for a
        whole page of tickets."""
        tickets = self.filtered(
            lambda t: t.product_id.warranty > 0 and t.commercial_partner_id
        )
        if not tickets:
            return {}
        deliveries = [
            "&",
            ("state", "=", "done"),
            (
                "picking_id",
                "any",
                self._get_partner_deliveries_domain(
                    tickets.commercial_partner_id, tickets.company_id
                ),
            ),
        ]
        with_lot = tickets.filtered(
            lambda t: t.lot_id and t.lot_id.product_id == t.product_id
        )
        latest = {}
        if with_lot:
            for lot, partner, company, kept_end, date in self.env[
                "stock.move.line"
            ]._read_group(
                [("lot_id", "in", with_lot.lot_id._origin.ids), *deliveries],
                [
                    "lot_id",
                    "picking_commercial_partner_id",
                    "company_id",
                    "helpdesk_warranty_end_date:day",
                ],
                ["date:max"],
            ):
                self._keep_latest(latest, (lot, partner, company), date, kept_end)
        without_lot = tickets - with_lot
        if without_lot:
            for product, partner, company, order, kept_end, date in self.env[
                "stock.move"
            ]._read_group(
                [("product_id", "in", without_lot.product_id._origin.ids), *deliveries],
                [
                    "product_id",
                    "picking_commercial_partner_id",
                    "company_id",
                    "picking_sale_id",
                    "helpdesk_warranty_end_date:day",
                ],
                ["date:max"],
            ):
                key = (product, partner, company)
                self._keep_latest(latest, (*key, order), date, kept_end)
                self._keep_latest(latest, key, date, kept_end)
        result = {}
        for ticket in tickets:
            key = (ticket.commercial_partner_id, ticket.company_id)
            if ticket in with_lot:
                found = [latest.get((ticket.lot_id._origin, *key))]
            elif ticket.sale_order_ids:
                found = [
                    latest.get((ticket.product_id._origin, *key, order))
                    for order in ticket.sale_order_ids._origin
                ]
            else:
                found = [latest.get((ticket.product_id._origin, *key))]
            found = [delivery for delivery in found if delivery]
            if found:
                result[ticket] = max(found, key=lambda delivery: delivery[0])
        return result

    @api.model
    def _keep_latest(self, latest, key, date, kept_end):
        """latest[key]: the (date, kept end) of the latest delivery."""
        if key not in latest or latest[key][0] < date:
            latest[key] = (date, kept_end or False)

    # --- Portal
    def _get_portal_after_sales_domain(self):
        """The ticket's documents of `model_name` that belong to its customer in its
        company: a document linked to it for another customer never shows."""
        self.ensure_one()
        return [
            ("helpdesk_ticket_id", "=", self.id),
            ("partner_id.commercial_partner_id", "=", self.commercial_partner_id.id),
            # A coupon's company is its program's, which may be shared (none).
            ("company_id", "in", [self.company_id.id, False]),
        ]

    def _get_portal_after_sales_documents(self):
        """{kind: documents} for the ticket's portal page: posted credit notes, coupons,
        returns not cancelled, repairs. Call it on the ticket as the portal's access
        check returns it (sudo'ed once the visitor may read the ticket or holds its
        token): what the ticket's access grants is exactly these documents. Each kind
        comes in one query with the fields its section shows."""
        self.ensure_one()
        domain = self._get_portal_after_sales_domain()
        return {
            "credit_notes": self.env["account.move"].search_fetch(
                domain + [("move_type", "=", "out_refund"), ("state", "=", "posted")],
                # The link to the invoice page needs the type and the token.
                ["name", "move_type", "access_token", "invoice_date"]
                + ["amount_total", "currency_id", "payment_state"],
                order="invoice_date desc, id desc",
            ),
            "coupons": self.env["loyalty.card"].search_fetch(
                domain,
                ["code", "program_id", "expiration_date"],
                order="id desc",
            ),
            "returns": self._get_portal_returns(),
            "repairs": self.env["repair.order"].search_fetch(
                domain,
                ["name", "product_id", "under_warranty", "state"],
                order="id desc",
            ),
        }

    def _get_portal_returns(self):
        """The ticket's returns the customer ships or shipped (not cancelled ones)."""
        return self.env["stock.picking"].search_fetch(
            self._get_portal_after_sales_domain()
            + [("return_id", "!=", False), ("state", "!=", "cancel")],
            ["name", "state", "scheduled_date", "date_done"],
            order="scheduled_date desc, id desc",
        )

    @api.model
    def _get_portal_open_after_sales_count(self):
        """How many after-sales documents the portal user still has to act on: returns
        to ship and coupons not used yet, on the tickets he may read."""
        if not self.has_access("read"):
            return 0
        tickets = self._search([])
        partner = self.env.user.commercial_partner_id
        customer = [
            ("helpdesk_ticket_id", "in", tickets),
            ("partner_id.commercial_partner_id", "=", partner.id),
        ]
        # sudo: portal users read neither transfers nor coupons; both are counted only
        # on the tickets they may read (the subquery above is under their rules).
        returns = (
            self.env["stock.picking"]
            .sudo()
            .search_count(
                customer
                + [("return_id", "!=", False), ("state", "not in", ("done", "cancel"))]
            )
        )
        coupons = (
            self.env["loyalty.card"]
            .sudo()
            .search(
                customer
                + [
                    "|",
                    ("expiration_date", "=", False),
                    ("expiration_date", ">=", fields.Date.context_today(self)),
                ]
            )
        )
        return returns + len(coupons.filtered(lambda card: not card.is_used))

    # --- Approvals
    @api.depends("after_sales_approval_ids.state")
    def _compute_after_sales_approval_count(self):
        counts = dict(
            self.env["helpdesk.after.sales.approval"]._read_group(
                [
                    ("helpdesk_ticket_id", "in", self._origin.ids),
                    ("state", "=", "pending"),
                ],
                ["helpdesk_ticket_id"],
                ["__count"],
            )
        )
        for ticket in self:
            ticket.after_sales_approval_count = counts.get(ticket._origin, 0)

    def action_view_after_sales_approvals(self):
        self.ensure_one()
        return self._get_after_sales_documents_action(
            "helpdesk_after_sales.helpdesk_after_sales_approval_action",
            self.after_sales_approval_ids,
        )
