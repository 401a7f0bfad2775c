from collections import defaultdict

from markupsafe import Markup

from odoo import Command, api, fields, models
from odoo.exceptions import AccessError, ValidationError
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

    _inherit = "stock.return.picking"

    helpdesk_ticket_id = fields.Many2one(
        comodel_name="helpdesk.ticket",
        string="Helpdesk Ticket",
        readonly=True,
    )
    helpdesk_partner_id = fields.Many2one(related="helpdesk_ticket_id.commercial_partner_id")
    helpdesk_company_id = fields.Many2one(
        related="helpdesk_ticket_id.company_id", string="Ticket Company"
    )
    helpdesk_product_id = fields.Many2one(related="helpdesk_ticket_id.product_id")
    helpdesk_lot_id = fields.Many2one(related="helpdesk_ticket_id.lot_id")
    helpdesk_sale_order_id = fields.Many2one(
        comodel_name="sale.order",
        string="Sales Order",
        compute="_compute_helpdesk_sale_order_id",
        store=True,
        readonly=False,
        precompute=True,
        domain="[('partner_id.commercial_partner_id', '=', helpdesk_partner_id),"
        " ('company_id', '=', helpdesk_company_id)]",
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
        domain="[('usage', '=', 'internal'), ('company_id', '=', company_id)]",
        help="Where the returned goods go.",
    )

    @api.depends("helpdesk_ticket_id")
    def _compute_helpdesk_sale_order_id(self):
        for wizard in self:
            wizard.helpdesk_sale_order_id = wizard.helpdesk_ticket_id.sudo().sale_order_id

    @api.depends("helpdesk_ticket_id", "helpdesk_sale_order_id")
    def _compute_suitable_picking_ids(self):
        for wizard in self:
            if wizard.helpdesk_ticket_id:
                wizard.suitable_picking_ids = self.env["stock.picking"].search(
                    wizard._get_helpdesk_picking_domain(), order="date_done desc, id desc"
                )
            else:
                wizard.suitable_picking_ids = False

    @api.depends("suitable_picking_ids")
    def _compute_picking_id(self):
        for wizard in self:
            if not wizard.helpdesk_ticket_id:
                wizard.picking_id = wizard.picking_id  # opened from the delivery: stock's default
                continue
            suitable = wizard.suitable_picking_ids
            chosen = wizard.picking_id & suitable
            wizard.picking_id = suitable if len(suitable) == 1 and not chosen else chosen

    @api.depends("picking_id")
    def _compute_return_location_id(self):
        for wizard in self:
            # Stock's own destination (_prepare_picking_default_values), shown to be changed.
            picking = wizard.picking_id
            return_type = picking.picking_type_id.return_picking_type_id
            if return_type.code == "incoming":
                wizard.return_location_id = return_type.default_location_dest_id
            else:
                wizard.return_location_id = picking.location_id

    @api.depends("picking_id")
    def _compute_moves_locations(self):
        without_delivery = self.filtered(lambda w: w.helpdesk_ticket_id and not w.picking_id)
        # Stock's compute raises on an empty picking: a ticket's wizard waits for the choice.
        without_delivery.product_return_moves = [Command.clear()]
        for wizard in self - without_delivery:
            if wizard.helpdesk_ticket_id:
                wizard._check_helpdesk_picking()
        return super(StockReturnPicking, self - without_delivery)._compute_moves_locations()

    def _get_helpdesk_picking_domain(self, ticket=None, sale_order=None):
        """Done deliveries of the ticket's customer and company, narrowed by the chosen order
        and the ticket's product and lot."""
        if ticket is None:
            self.ensure_one()
            ticket, sale_order = self.helpdesk_ticket_id, self.helpdesk_sale_order_id
        ticket = ticket.sudo()
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
        ticket = self.helpdesk_ticket_id.sudo()
        if not ticket:
            return values
        lot = ticket.lot_id if ticket.lot_id.product_id == stock_move.product_id else None
        if lot and lot in stock_move.move_line_ids.lot_id:
            values["lot_id"] = lot.id
            values["quantity"] = self._get_returnable_quantity(stock_move, lot)
        elif lot or (ticket.product_id and ticket.product_id != stock_move.product_id):
            # Not what the ticket is about: listed, to be returned only on purpose.
            values["quantity"] = 0
        else:
            values["quantity"] = self._get_returnable_quantity(stock_move)
        return values

    @api.model
    def _get_returnable_quantity(self, move, lot=None):
        """Delivered by the move (of this lot), minus its returns: validated ones by what
        came back, open ones by what they expect. In the product's unit."""
        uom = move.product_id.uom_id

        def done_quantity(stock_move):
            lines = stock_move.move_line_ids
            if lot:
                lines = lines.filtered(lambda ml: ml.lot_id == lot)
                return sum(lines.mapped("quantity_product_uom"))
            return stock_move.product_uom._compute_quantity(stock_move.quantity, uom)

        if move.state != "done":
            return 0.0
        returnable = done_quantity(move)
        for returned in move.returned_move_ids:
            if returned.state == "cancel":
                continue
            if returned.state == "done" or lot:
                returnable -= done_quantity(returned)
            else:
                returnable -= returned.product_qty
        return max(float_round(returnable, precision_rounding=uom.rounding), 0.0)

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("helpdesk_ticket_id"):
                ticket = self.env["helpdesk.ticket"].browse(vals["helpdesk_ticket_id"])
                self._check_helpdesk_access()
                ticket._check_after_sales_service("use_product_returns")
                if "picking_id" not in vals:
                    # Preselected here rather than precomputed: stock's lines, precomputed
                    # from a precomputed delivery, would lose their moves.
                    sale_order = self.env["sale.order"].browse(
                        vals.get("helpdesk_sale_order_id", ticket.sudo().sale_order_id.id)
                    )
                    suitable = self.env["stock.picking"].search(
                        self._get_helpdesk_picking_domain(ticket, sale_order), limit=2
                    )
                    vals["picking_id"] = suitable.id if len(suitable) == 1 else False
        return super().create(vals_list)

    @api.constrains("helpdesk_ticket_id", "picking_id", "return_location_id")
    def _check_helpdesk_context(self):
        for wizard in self.filtered("helpdesk_ticket_id"):
            if wizard.picking_id:
                wizard._check_helpdesk_picking()
            wizard._check_helpdesk_return_location()

    @api.model
    def _check_helpdesk_access(self):
        if not self.env.user.has_group("stock.group_stock_user"):
            raise AccessError(self.env._("Returns need Inventory rights."))

    def _check_helpdesk_picking(self):
        self.ensure_one()
        _ = self.env._
        ticket = self.helpdesk_ticket_id.sudo()
        # sudo: name the faulty transfer even when the agent may not read it (another company).
        picking = self.picking_id.sudo()
        if not picking:
            raise ValidationError(_("Choose the delivery to return."))
        if picking.picking_type_code != "outgoing":
            raise ValidationError(
                _("%(picking)s is not a delivery to a customer.", picking=picking.display_name)
            )
        if picking.state != "done":
            raise ValidationError(
                _(
                    "Delivery %(picking)s is not done: only delivered goods can be returned.",
                    picking=picking.display_name,
                )
            )
        if picking.company_id != ticket.company_id:
            raise ValidationError(
                _(
                    "Delivery %(picking)s belongs to %(company)s, not to the ticket's "
                    "company %(ticket_company)s.",
                    picking=picking.display_name,
                    company=picking.company_id.display_name,
                    ticket_company=ticket.company_id.display_name,
                )
            )
        if picking.partner_id.commercial_partner_id != ticket.commercial_partner_id:
            raise ValidationError(
                _(
                    "Delivery %(picking)s was not delivered to the ticket's customer %(customer)s.",
                    picking=picking.display_name,
                    customer=ticket.commercial_partner_id.display_name,
                )
            )

    def _check_helpdesk_return_location(self):
        self.ensure_one()
        _ = self.env._
        location = self.return_location_id.sudo()
        if not location:
            return  # stock's own destination
        if location.usage != "internal":
            raise ValidationError(
                _(
                    "Return location %(location)s cannot hold stock: choose an internal location.",
                    location=location.display_name,
                )
            )
        company = self.picking_id.company_id or self.helpdesk_ticket_id.sudo().company_id
        if location.company_id != company:
            raise ValidationError(
                _(
                    "Return location %(location)s belongs to %(location_company)s, not to "
                    "%(company)s.",
                    location=location.display_name,
                    location_company=location.company_id.display_name or _("no company"),
                    company=company.display_name,
                )
            )

    def _check_helpdesk_lines(self):
        """What is asked can still come back from this delivery: checked when the return
        is created, so returns made meanwhile count too."""
        self.ensure_one()
        _ = self.env._
        picking = self.picking_id
        per_move = defaultdict(float)
        for line in self.product_return_moves:
            rounding = line.product_id.uom_id.rounding
            if float_compare(line.quantity, 0, precision_rounding=rounding) < 0:
                raise ValidationError(
                    _(
                        "The quantity of %(product)s to return cannot be negative.",
                        product=line.product_id.display_name,
                    )
                )
            if float_is_zero(line.quantity, precision_rounding=rounding):
                continue
            move = line.move_id
            if not move or move.picking_id != picking or move.product_id != line.product_id:
                raise ValidationError(
                    _(
                        "%(product)s was not delivered in %(picking)s: only delivered goods "
                        "can be returned from a ticket.",
                        product=line.product_id.display_name,
                        picking=picking.display_name,
                    )
                )
            if move in per_move:
                raise ValidationError(
                    _(
                        "%(product)s of %(picking)s is listed twice: return it on one line.",
                        product=line.product_id.display_name,
                        picking=picking.display_name,
                    )
                )
            if line.lot_id and line.lot_id not in move.move_line_ids.lot_id:
                raise ValidationError(
                    _(
                        "Lot/serial number %(lot)s of %(product)s was not delivered to the "
                        "customer in %(picking)s.",
                        lot=line.lot_id.display_name,
                        product=line.product_id.display_name,
                        picking=picking.display_name,
                    )
                )
            per_move[move] += line.quantity
            returnable = line._get_returnable_quantity()
            if float_compare(line.quantity, returnable, precision_rounding=rounding) > 0:
                raise ValidationError(
                    _(
                        "Only %(returnable)s %(uom)s of %(product)s can still be returned from "
                        "%(picking)s (delivered, minus earlier and open returns), not "
                        "%(quantity)s.",
                        returnable=returnable,
                        uom=line.product_id.uom_id.display_name,
                        product=(
                            f"{line.product_id.display_name} ({line.lot_id.display_name})"
                            if line.lot_id
                            else line.product_id.display_name
                        ),
                        picking=picking.display_name,
                        quantity=line.quantity,
                    )
                )
        if not per_move:
            raise ValidationError(_("Enter a quantity to return on at least one line."))

    def _prepare_picking_default_values(self):
        values = super()._prepare_picking_default_values()
        if self.helpdesk_ticket_id:
            # Stock's own flow keeps stock's destination: the field is only offered from tickets.
            values["helpdesk_ticket_id"] = self.helpdesk_ticket_id.id
            if self.return_location_id:
                values["location_dest_id"] = self.return_location_id.id
        return values

    def _create_return(self):
        ticket = self.helpdesk_ticket_id
        if not ticket:
            return super()._create_return()
        # Checked again at the last moment: the ticket, delivery or stock may have changed.
        self._check_helpdesk_access()
        ticket._check_after_sales_service("use_product_returns")
        self._check_helpdesk_picking()
        self._check_helpdesk_return_location()
        self._check_helpdesk_lines()
        # The ticket's default_* keys must not leak into the transfers created below.
        wizard = self.with_context(clean_context(self.env.context))
        new_picking = super(StockReturnPicking, wizard)._create_return()
        wizard._assign_helpdesk_lots(new_picking)
        wizard._post_helpdesk_links(
            new_picking, self.env._("Return %(link)s created from this ticket.")
        )
        return new_picking

    def _assign_helpdesk_lots(self, new_picking):
        """Stock reserves whichever delivered serial comes first: bring back the ticket's."""
        for line in self.product_return_moves.filtered(lambda line: line.lot_id and line.quantity):
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

    def _post_helpdesk_links(self, pickings, ticket_message):
        ticket = self.helpdesk_ticket_id
        for picking in pickings:
            ticket.message_post(
                body=Markup(ticket_message) % {"link": picking._get_html_link()},
                subtype_xmlid="mail.mt_note",
            )
            picking.message_post(
                body=Markup(self.env._("Created from helpdesk ticket %(link)s."))
                % {"link": ticket._get_html_link()},
                subtype_xmlid="mail.mt_note",
            )

    def action_create_returns(self):
        if not self.helpdesk_ticket_id:
            return super().action_create_returns()
        # Opens the return without the ticket's default_* keys in its context.
        wizard = self.with_context(clean_context(self.env.context))
        return super(StockReturnPicking, wizard).action_create_returns()

    def action_create_exchanges(self):
        self.ensure_one()
        ticket = self.helpdesk_ticket_id
        if not ticket:
            return super().action_create_exchanges()
        Picking = self.env["stock.picking"]
        group = self.picking_id.group_id
        last_picking = Picking.search([], order="id desc", limit=1)
        wizard = self.with_context(clean_context(self.env.context))
        action = super(StockReturnPicking, wizard).action_create_exchanges()
        # The replacement: the transfers the procurement just created for the delivery's group.
        replacements = Picking.search(
            [
                ("id", ">", last_picking.id),
                ("group_id", "=", group.id),
                ("helpdesk_ticket_id", "=", False),
                ("return_id", "=", False),
            ]
        )
        replacements.helpdesk_ticket_id = ticket
        wizard._post_helpdesk_links(
            replacements, self.env._("Replacement delivery %(link)s created from this ticket.")
        )
        return action
