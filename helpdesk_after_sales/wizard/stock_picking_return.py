from collections import defaultdict

from odoo import Command, api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import SQL, frozendict
from odoo.tools.float_utils import float_compare, float_is_zero, float_round
from odoo.tools.misc import clean_context


class StockReturnPickingLine(models.TransientModel):
    _inherit = "stock.return.picking.line"

    lot_id = fields.Many2one(
        comodel_name="stock.lot",
        string="Lot/Serial Number",
        help="The ticket's lot or serial number: exactly this one comes back.",
    )

    def _get_returnable_quantity(self):
        """What the delivered move (of this lot, if any) may still bring back."""
        self.ensure_one()
        return self.wizard_id._get_returnable_quantity(self.move_id, self.lot_id)


class StockReturnPicking(models.TransientModel):
    """Stock's return wizard, opened from a helpdesk ticket: it offers the customer's
    deliveries, proposes what is left to return and links the return to the ticket."""

    _name = "stock.return.picking"
    _inherit = ["stock.return.picking", "helpdesk.after.sales.mixin"]
    _after_sales_service = "use_product_returns"
    # The return location is of the delivery's company (Odoo's _check_company). The
    # delivery's company, none until one is chosen, is checked with its other rules.
    _check_company_auto = True
    helpdesk_partner_id = fields.Many2one(
        related="helpdesk_ticket_id.commercial_partner_id"
    )
    helpdesk_company_id = fields.Many2one(
        related="helpdesk_ticket_id.company_id", string="Ticket Company"
    )
    helpdesk_product_id = fields.Many2one(related="helpdesk_ticket_id.product_id")
    helpdesk_lot_id = fields.Many2one(related="helpdesk_ticket_id.lot_id")
    helpdesk_ticket_order_ids = fields.Many2many(
        related="helpdesk_ticket_id.sale_order_ids", string="Ticket's Sales Orders"
    )
    helpdesk_sale_order_id = fields.Many2one(
        comodel_name="sale.order",
        string="Sales Order",
        compute="_compute_helpdesk_sale_order_id",
        store=True,
        readonly=False,
        precompute=True,
        # Among the ticket's orders when it has some, else any order of its customer.
        domain="[('id', 'in', helpdesk_ticket_order_ids)] if helpdesk_ticket_order_ids"
        " else [('partner_id.commercial_partner_id', '=', helpdesk_partner_id),"
        " ('company_id', '=', helpdesk_company_id)]",
        help="Only the deliveries of this order can be returned.",
    )
    suitable_picking_ids = fields.Many2many(
        comodel_name="stock.picking",
        string="Suitable Deliveries",
        compute="_compute_suitable_picking_ids",
    )
    picking_id = fields.Many2one(
        string="Delivery to Return",
        compute="_compute_picking_id",
        store=True,
        readonly=False,
        precompute=True,
    )
    return_location_id = fields.Many2one(
        comodel_name="stock.location",
        string="Return Location",
        compute="_compute_return_location_id",
        store=True,
        readonly=False,
        precompute=True,
        check_company=True,
        domain="[('usage', '=', 'internal'), ('company_id', '=', company_id)]",
        help="Where the returned goods go.",
    )

    @api.depends("helpdesk_ticket_id")
    def _compute_helpdesk_sale_order_id(self):
        for wizard in self:
            wizard.helpdesk_sale_order_id = (
                wizard.helpdesk_ticket_id._get_after_sales_sale_order()
            )

    @api.depends("helpdesk_ticket_id", "helpdesk_sale_order_id")
    def _compute_suitable_picking_ids(self):
        for wizard in self:
            if wizard.helpdesk_ticket_id:
                # With what the form and a preselected delivery read of them: one query.
                wizard.suitable_picking_ids = self.env["stock.picking"].search_fetch(
                    wizard._get_helpdesk_picking_domain(),
                    self._get_helpdesk_picking_fields(),
                    order="date_done desc, id desc",
                )
            else:
                wizard.suitable_picking_ids = False

    @api.depends("suitable_picking_ids")
    def _compute_picking_id(self):
        self._preselect_after_sales("picking_id", "suitable_picking_ids")

    @api.depends("picking_id")
    def _compute_return_location_id(self):
        # The deliveries' operation types and their return types: what is read of
        # them below, in one query.
        types = self.picking_id.picking_type_id
        if types:
            Type = self.env["stock.picking.type"]
            return_types = Type._search([("id", "in", types.ids)])
            Type.search_fetch(
                [
                    "|",
                    ("id", "in", types.ids),
                    ("id", "in", return_types.subselect("return_picking_type_id")),
                ],
                ["return_picking_type_id", "code", "default_location_dest_id"],
            )
        for wizard in self:
            # Stock's own destination (_prepare_picking_default_values), shown to be
            # changed.
            picking = wizard.picking_id
            return_type = picking.picking_type_id.return_picking_type_id
            if return_type.code == "incoming":
                wizard.return_location_id = return_type.default_location_dest_id
            else:
                wizard.return_location_id = picking.location_id

    def _compute_helpdesk_warranty_warning(self):
        # The lines first: they read the delivered products with the ticket's in one
        # query each (_compute_moves_locations), which the warning, first in the
        # form, would otherwise read again on their own.
        self.filtered("helpdesk_ticket_id").mapped("product_return_moves")
        return super()._compute_helpdesk_warranty_warning()

    @api.depends("picking_id")
    def _compute_moves_locations(self):
        without_delivery = self.filtered(
            lambda w: w.helpdesk_ticket_id and not w.picking_id
        )
        # Stock's compute raises on an empty picking: a ticket's wizard waits for the
        # choice.
        without_delivery.product_return_moves = [Command.clear()]
        wizards = self - without_delivery
        proposals = {}
        for wizard in wizards.filtered("helpdesk_ticket_id"):
            picking = wizard.picking_id._origin
            if picking not in wizard.suitable_picking_ids._origin:
                # Chosen by hand: the proposed ones fit.
                wizard._check_helpdesk_picking()
            # All the lines at once, for
            # _prepare_stock_return_picking_line_vals_from_move.
            moves = picking.move_ids
            for move, proposal in wizard._get_helpdesk_proposals(moves).items():
                proposals[wizard.id, move.id] = proposal
            # What the form shows of the locations (the return location, the lines'
            # moves) and of the products: one query each rather than one per field.
            (
                wizard.return_location_id | moves.location_id | moves.location_dest_id
            ).fetch(["complete_name", "name"])
            (wizard.helpdesk_product_id | moves.product_id).fetch(
                ["product_template_attribute_value_ids"]
            )
        if proposals:
            wizards = wizards.with_context(
                helpdesk_return_proposals=frozendict(proposals)
            )
        return super(StockReturnPicking, wizards)._compute_moves_locations()

    @api.model
    def _get_helpdesk_picking_fields(self):
        """What the wizard reads of the suitable deliveries: the form shows their name,
        the preselected one gives its company, type and locations, and its origin names
        its moves."""
        return [
            "name",
            "origin",
            "state",
            "company_id",
            "picking_type_id",
            "location_id",
            "location_dest_id",
        ]

    def _get_helpdesk_picking_domain(self, ticket=None, sale_order=None):
        """Done deliveries of the ticket's customer and company, narrowed by the chosen
        order and the ticket's product and lot."""
        if ticket is None:
            self.ensure_one()
            ticket, sale_order = self.helpdesk_ticket_id, self.helpdesk_sale_order_id
        domain = self.env["helpdesk.ticket"]._get_partner_deliveries_domain(
            ticket.commercial_partner_id, ticket.company_id
        )
        if sale_order:
            domain.append(("sale_id", "=", sale_order.id))
        if ticket.product_id:
            domain.append(("move_ids.product_id", "=", ticket.product_id.id))
        if ticket.lot_id:
            domain.append(("move_line_ids.lot_id", "=", ticket.lot_id.id))
        return domain

    def _prepare_stock_return_picking_line_vals_from_move(self, stock_move):
        values = super()._prepare_stock_return_picking_line_vals_from_move(stock_move)
        if not self.helpdesk_ticket_id:
            return values
        proposals = self.env.context.get("helpdesk_return_proposals") or {}
        proposal = proposals.get((self.id, stock_move.id))
        if proposal is None:
            proposal = self._get_helpdesk_proposals(stock_move)[stock_move]
        lot, values["quantity"] = proposal
        if lot:
            values["lot_id"] = lot
        return values

    def _get_helpdesk_proposals(self, moves):
        """{move: (lot id, quantity)}: what the ticket's return proposes of each
        delivered move. The ticket's lot, when the move delivered it, with what is left
        of it; nothing of what the ticket is not about (listed, to be returned only on
        purpose); else what is left of the move."""
        self.ensure_one()
        ticket = self.helpdesk_ticket_id
        lot, product = ticket.lot_id, ticket.product_id
        quantities = self._get_returnable_quantities(moves, lot)
        proposals = {}
        for move in moves:
            if lot and lot.product_id == move.product_id:
                # Absent: the move delivered other serials of the product.
                proposals[move] = (
                    (lot.id, quantities[move]) if move in quantities else (False, 0.0)
                )
            elif product and product != move.product_id:
                proposals[move] = (False, 0.0)
            else:
                proposals[move] = (False, quantities[move])
        return proposals

    @api.model
    def _get_returnable_quantity(self, move, lot=None):
        """What the delivered move (of this lot) may still bring back."""
        return self._get_returnable_quantities(move, lot).get(move._origin, 0.0)

    @api.model
    def _get_returnable_quantities(self, moves, lot=None):
        """{move: quantity}: delivered by each move, minus its returns: validated ones
        by what came back, open ones by what they expect; in the product's unit. The
        moves of the lot's product count that lot only, and are left out when they did
        not deliver it. Two queries for all the moves: their returns, the lot's move
        lines."""
        moves = moves._origin
        returns = self._get_move_returns(moves)
        lot_moves = moves.filtered(
            lambda move: lot and move.product_id == lot.product_id
        )
        by_lot = self._get_lot_quantities(lot, lot_moves, returns)
        quantities = {}
        for move in moves:
            if move in lot_moves and move not in by_lot:
                continue
            if move in lot_moves:
                # Open returns of a serial hold it already: they count as returned.
                returnable = by_lot[move] - sum(
                    by_lot.get(r, 0.0) for r in returns[move]
                )
            else:
                returnable = self._get_returnable_quantity_left(move, returns[move])
            rounding = move.product_id.uom_id.rounding
            quantities[move] = (
                max(float_round(returnable, precision_rounding=rounding), 0.0)
                if move.state == "done"
                else 0.0
            )
        return quantities

    @api.model
    def _get_helpdesk_move_fields(self):
        """What the wizard reads of the delivered moves and their returns: their
        returnable quantities; stock's lines (state, scrapped, product); the names
        of the lines' moves (picking, product, locations)."""
        return [
            "origin_returned_move_id",
            "state",
            "quantity",
            "product_uom",
            "product_qty",
            "product_id",
            "scrapped",
            "picking_id",
            "location_id",
            "location_dest_id",
        ]

    @api.model
    def _get_move_returns(self, moves):
        """{move: its returns, not cancelled}"""
        Move = self.env["stock.move"]
        # The moves and their returns, with what is read of them, in one query.
        fetched = Move.search_fetch(
            [
                "|",
                ("id", "in", moves.ids),
                ("origin_returned_move_id", "in", moves.ids),
            ],
            self._get_helpdesk_move_fields(),
        )
        returns = defaultdict(lambda: Move)
        for returned in fetched:
            if returned.origin_returned_move_id in moves and returned.state != "cancel":
                returns[returned.origin_returned_move_id] |= returned
        return returns

    @api.model
    def _get_lot_quantities(self, lot, moves, returns):
        """{move: quantity of the lot}: the moves' and their returns', one query."""
        if not moves:
            return {}
        lot_returns = moves.browse().union(*(returns[move] for move in moves))
        return dict(
            self.env["stock.move.line"]._read_group(
                [("lot_id", "=", lot.id), ("move_id", "in", (moves | lot_returns).ids)],
                ["move_id"],
                ["quantity_product_uom:sum"],
            )
        )

    @api.model
    def _get_returnable_quantity_left(self, move, returns):
        """What the move delivered minus its returns: validated ones by what came back,
        open ones by what they expect; in the product's unit."""
        uom = move.product_id.uom_id
        returnable = move.product_uom._compute_quantity(move.quantity, uom)
        for returned in returns:
            if returned.state == "done":
                returnable -= returned.product_uom._compute_quantity(
                    returned.quantity, uom
                )
            else:
                returnable -= returned.product_qty
        return returnable

    @api.model_create_multi
    def create(self, vals_list):
        self._check_after_sales_create_vals(vals_list)
        for vals in vals_list:
            if vals.get("helpdesk_ticket_id"):
                ticket = self.env["helpdesk.ticket"].browse(vals["helpdesk_ticket_id"])
                if "picking_id" not in vals:
                    # Preselected here rather than precomputed: stock's lines,
                    # precomputed from a precomputed delivery, would lose their moves.
                    sale_order = (
                        self.env["sale.order"].browse(vals["helpdesk_sale_order_id"])
                        if "helpdesk_sale_order_id" in vals
                        else ticket._get_after_sales_sale_order()
                    )
                    suitable = self.env["stock.picking"].search(
                        self._get_helpdesk_picking_domain(ticket, sale_order), limit=2
                    )
                    vals["picking_id"] = suitable.id if len(suitable) == 1 else False
        return super().create(vals_list)

    @api.model
    def _get_view(self, view_id=None, view_type="form", **options):
        arch, view = super()._get_view(view_id, view_type, **options)
        # OCA's rma, where installed, offers "Create RMAs" instead of the return: the
        # delivery's own flow. A ticket's return is the return itself, checked and
        # linked to the ticket (_create_return), which rma's RMAs would bypass.
        for node in arch.xpath("//field[@name='create_rma']"):
            invisible = node.get("invisible")
            node.set(
                "invisible",
                f"helpdesk_ticket_id or ({invisible})"
                if invisible
                else "helpdesk_ticket_id",
            )
        return arch, view

    @api.constrains("helpdesk_ticket_id", "picking_id")
    def _check_helpdesk_rma(self):
        """rma's own button would create the RMAs from the wizard's values: refused
        on save, as it bypasses _create_return (create_rma is rma's field, when
        installed)."""
        if "create_rma" not in self._fields:
            return
        if any(wizard.helpdesk_ticket_id and wizard.create_rma for wizard in self):
            raise ValidationError(
                self.env._(
                    "A return from a ticket does not create RMAs: create them "
                    "from the delivery."
                )
            )

    def _check_helpdesk_picking(self):
        """The delivery returned is one of the ticket's customer's, in its company."""
        self.ensure_one()
        _ = self.env._
        picking = self.picking_id
        if not picking:
            raise ValidationError(_("Choose the delivery to return."))
        self._check_after_sales_rules(
            [
                (
                    picking.picking_type_code == "outgoing",
                    _("%(picking)s is not a delivery to a customer."),
                ),
                (
                    picking.state == "done",
                    _(
                        "Delivery %(picking)s is not done: only delivered goods can "
                        "be returned."
                    ),
                ),
                (
                    self._is_after_sales_company(picking.company_id),
                    _("Delivery %(picking)s belongs to another company."),
                ),
                (
                    self._is_after_sales_customer(picking.partner_id),
                    _(
                        "Delivery %(picking)s was not delivered to the ticket's "
                        "customer %(customer)s."
                    ),
                ),
            ],
            picking=picking.display_name,
            customer=self.helpdesk_partner_id.display_name,
        )

    def _check_helpdesk_return_location(self):
        """The return goes to stock (its company: check_company)."""
        self.ensure_one()
        location = self.return_location_id
        if location and location.usage != "internal":
            raise ValidationError(
                self.env._(
                    "Return location %(location)s cannot hold stock: choose an "
                    "internal location.",
                    location=location.display_name,
                )
            )

    def _check_helpdesk_lines(self):
        """What is asked can still come back from this delivery: checked when the return
        is created, so returns made meanwhile count too."""
        self.ensure_one()
        moves = self.env["stock.move"]
        for line in self.product_return_moves:
            rounding = line.product_id.uom_id.rounding
            if float_compare(line.quantity, 0, precision_rounding=rounding) < 0:
                raise ValidationError(
                    self.env._(
                        "The quantity of %(product)s to return cannot be negative.",
                        product=line.product_id.display_name,
                    )
                )
            if float_is_zero(line.quantity, precision_rounding=rounding):
                continue
            self._check_helpdesk_line_move(line, moves)
            self._check_helpdesk_line_quantity(line)
            moves |= line.move_id
        if not moves:
            raise ValidationError(
                self.env._("Enter a quantity to return on at least one line.")
            )

    def _check_helpdesk_line_move(self, line, checked_moves):
        """The line returns a move of the delivery, of its lot, and only once."""
        _ = self.env._
        picking, move = self.picking_id, line.move_id
        values = {
            "product": line.product_id.display_name,
            "picking": picking.display_name,
            "lot": line.lot_id.display_name,
        }
        if not move or move.picking_id != picking or move.product_id != line.product_id:
            message = _(
                "%(product)s was not delivered in %(picking)s: only delivered goods "
                "can be returned from a ticket."
            )
        elif move in checked_moves:
            message = _(
                "%(product)s of %(picking)s is listed twice: return it on one line."
            )
        elif line.lot_id and line.lot_id not in move.move_line_ids.lot_id:
            message = _(
                "Lot/serial number %(lot)s of %(product)s was not delivered to the "
                "customer in %(picking)s."
            )
        else:
            return
        raise ValidationError(message % values)

    def _check_helpdesk_line_quantity(self, line):
        """The line asks no more than the move can still bring back."""
        returnable = line._get_returnable_quantity()
        rounding = line.product_id.uom_id.rounding
        if float_compare(line.quantity, returnable, precision_rounding=rounding) > 0:
            raise ValidationError(
                self.env._(
                    "Only %(returnable)s %(uom)s of %(product)s can still be returned "
                    "from %(picking)s (delivered, minus earlier and open returns), not "
                    "%(quantity)s.",
                    returnable=returnable,
                    uom=line.product_id.uom_id.display_name,
                    product=(
                        f"{line.product_id.display_name} ({line.lot_id.display_name})"
                        if line.lot_id
                        else line.product_id.display_name
                    ),
                    picking=self.picking_id.display_name,
                    quantity=line.quantity,
                )
            )

    def _prepare_picking_default_values(self):
        values = super()._prepare_picking_default_values()
        if self.helpdesk_ticket_id:
            # Stock's own flow keeps stock's destination: the field is only offered from
            # tickets.
            values["helpdesk_ticket_id"] = self.helpdesk_ticket_id.id
            values["helpdesk_reason_id"] = self.helpdesk_reason_id.id
            if self.return_location_id:
                values["location_dest_id"] = self.return_location_id.id
        return values

    def _lock_after_sales_documents(self):
        """One ticket's return of a delivery at a time: the delivery's row is updated
        (to its own write date) until the transaction ends. A second return of it,
        from another ticket or agent, waits there; when the first commits, PostgreSQL
        (repeatable read) refuses the second's update as a serialization failure, and
        Odoo retries its request, which then counts the first return and refuses with
        what is left. A lock without an update (FOR UPDATE) would not do: the second
        would go on with what it read before the first return existed. NOWAIT would
        refuse the second even when enough is left for both: waiting and retrying
        gives every agent the usual answer. Stock's own flow, without a ticket, checks
        no quantities and takes no lock."""
        self.ensure_one()
        if self.picking_id:
            self.env.cr.execute(
                SQL(
                    "UPDATE stock_picking SET write_date = write_date WHERE id = %s",
                    self.picking_id._origin.id,
                ),
                # Expected when another return committed first: the request is
                # retried, there is no error to log.
                log_exceptions=False,
            )

    def _check_after_sales_values(self):
        """The delivery, destination and quantities of the return: checked when it is
        created, so that returns made meanwhile count too."""
        self._check_helpdesk_picking()
        self._check_helpdesk_return_location()
        self._check_helpdesk_lines()

    def _create_return(self):
        if not self.helpdesk_ticket_id:
            return super()._create_return()
        with self._after_sales_envelope() as wizard:
            new_picking = super(StockReturnPicking, wizard)._create_return()
            wizard._assign_helpdesk_lots(new_picking)
            self._post_after_sales_links(
                new_picking,
                self.env._("Return %(link)s created from this ticket."),
                self.env._("Created from helpdesk ticket %(link)s."),
            )
        return new_picking

    def _assign_helpdesk_lots(self, new_picking):
        """Stock reserves whichever delivered serial comes first: bring back the
        ticket's."""
        for line in self.product_return_moves.filtered(
            lambda line: line.lot_id and line.quantity
        ):
            return_move = new_picking.move_ids.filtered(
                lambda move, line=line: move.origin_returned_move_id == line.move_id
            )
            return_move.move_line_ids.unlink()
            self.env["stock.move.line"].create(
                {
                    **return_move._prepare_move_line_vals(quantity=line.quantity),
                    "lot_id": line.lot_id.id,
                }
            )

    def action_create_returns(self):
        if not self.helpdesk_ticket_id:
            return super().action_create_returns()
        # Opens the return without the ticket's default_* keys in its context.
        wizard = self.with_env(self.env(context=clean_context(self.env.context)))
        return super(StockReturnPicking, wizard).action_create_returns()

    def _get_proc_values(self, line):
        values = super()._get_proc_values(line)
        ticket = self.helpdesk_ticket_id
        if (
            ticket.company_id.warranty_exchange_keeps_end
            and ticket.warranty_end_date
            and line.product_id == ticket.product_id
            and line.lot_id == ticket.lot_id
        ):
            # The replacement of the ticket's unit keeps its warranty's end
            # (stock.rule's _get_custom_move_fields gives it to the replacement's move).
            values["helpdesk_warranty_end_date"] = ticket.warranty_end_date
        return values

    def action_create_exchanges(self):
        self.ensure_one()
        if not self.helpdesk_ticket_id:
            return super().action_create_exchanges()
        # The replacement is created by stock's procurement, not by this wizard: the
        # transfers it creates carry the ticket (stock.picking's create), and only they.
        context = dict(
            clean_context(self.env.context),
            helpdesk_exchange_ticket_id=self.helpdesk_ticket_id.id,
            # The procurement creates them as superuser: the links are the agent's.
            helpdesk_exchange_uid=self.env.uid,
        )
        wizard = self.with_env(self.env(context=context))
        return super(StockReturnPicking, wizard).action_create_exchanges()
