from odoo import api, fields, models
from odoo.exceptions import AccessError, ValidationError

# What a repair of a ticket must agree with the ticket on (see
# _check_helpdesk_repair_values).
HELPDESK_CHECKED_FIELDS = (
    "company_id",
    "partner_id",
    "product_id",
    "lot_id",
    "picking_id",
)


class RepairOrder(models.Model):
    """Repair orders sent to the workshop from a helpdesk ticket.

    Helpdesk agents without Inventory rights create, read and edit (while draft) the
    repairs of the tickets they can read: ACLs and record rules in security/, the checks
    below keep everything else (confirming, starting, ending, parts) with repair users.
    """

    _name = "repair.order"
    _inherit = ["repair.order", "helpdesk.after.sales.document"]

    helpdesk_ticket_id = fields.Many2one(
        readonly=False,
        tracking=True,
        check_company=True,
        help="The helpdesk ticket this repair was sent from.",
    )
    helpdesk_reason_id = fields.Many2one(
        readonly=False,
        tracking=True,
        domain="[('use_product_repairs', '=', True)]",
        help="Why this repair was sent from its helpdesk ticket.",
    )
    helpdesk_reason_required = fields.Boolean(
        related="helpdesk_ticket_id.team_id.after_sales_reason_required"
    )

    @api.model
    def default_get(self, fields_list):
        # The ticket's Repair button passes its product, lot and ticket under repair's
        # own keys, as repair does for its return (default_repair_picking_id): plain
        # default_product_id, default_lot_id and default_helpdesk_ticket_id would also
        # prefill the repair's part lines and the records its buttons create (moves,
        # move lines, pickings).
        res = super().default_get(fields_list)
        for field_name in ("helpdesk_ticket_id", "product_id", "lot_id"):
            key = f"default_repair_{field_name}"
            if (
                field_name in fields_list
                and not res.get(field_name)
                and key in self.env.context
            ):
                res[field_name] = self.env.context[key]
        return res

    @api.model_create_multi
    def create(self, vals_list):
        # Before super(): core silently drops a lot of another product, and a bad return
        # would be half-used by the computes.
        for vals in vals_list:
            ticket = self.env["helpdesk.ticket"].browse(vals.get("helpdesk_ticket_id"))
            if not self._is_repair_user():
                self._check_helpdesk_agent_create(vals, ticket)
            if ticket:
                ticket._check_after_sales_service("use_product_repairs")
                self._check_helpdesk_repair_values(
                    ticket, **self._get_helpdesk_checked(vals)
                )
        repairs = super().create(vals_list)
        repairs.filtered("helpdesk_ticket_id")._post_helpdesk_links()
        return repairs

    def write(self, vals):
        for repair in self:
            if not self._is_repair_user():
                repair._check_helpdesk_agent_write(vals)
            ticket = (
                self.env["helpdesk.ticket"].browse(vals["helpdesk_ticket_id"])
                if "helpdesk_ticket_id" in vals
                else repair.helpdesk_ticket_id
            )
            if ticket and ticket != repair.helpdesk_ticket_id:
                ticket._check_after_sales_service("use_product_repairs")
            if ticket and (
                ticket != repair.helpdesk_ticket_id
                or vals.keys() & set(HELPDESK_CHECKED_FIELDS)
            ):
                self._check_helpdesk_repair_values(
                    ticket, **repair._get_helpdesk_checked(vals)
                )
        relinked = (
            self.filtered(
                lambda r: r.helpdesk_ticket_id.id != vals["helpdesk_ticket_id"]
            )
            if vals.get("helpdesk_ticket_id")
            else self.browse()
        )
        res = super().write(vals)
        relinked._post_helpdesk_links()
        return res

    @api.constrains("helpdesk_reason_id", "helpdesk_ticket_id")
    def _check_helpdesk_reason(self):
        """The reason its team asks for, one for repairs (as the services' windows)."""
        _ = self.env._
        for repair in self.filtered("helpdesk_ticket_id"):
            reason = repair.helpdesk_reason_id
            team = repair.helpdesk_ticket_id.team_id
            if not reason and team.after_sales_reason_required:
                raise ValidationError(
                    _(
                        "Team %(team)s asks for a reason: choose why you do this.",
                        team=team.display_name,
                    )
                )
            if reason and not (reason.active and reason.use_product_repairs):
                raise ValidationError(
                    _(
                        "Reason %(reason)s is not one for %(service)s: choose another.",
                        reason=reason.display_name,
                        service=reason._fields[
                            "use_product_repairs"
                        ]._description_string(self.env),
                    )
                )

    def action_validate(self):
        self._check_repair_rights()
        return super().action_validate()

    def action_repair_start(self):
        self._check_repair_rights()
        return super().action_repair_start()

    def action_repair_end(self):
        self._check_repair_rights()
        return super().action_repair_end()

    # --- Helpdesk agents without repair rights
    def _is_repair_user(self):
        return self.env.su or self.env.user.has_group("stock.group_stock_user")

    def _check_repair_rights(self):
        if not self._is_repair_user():
            raise AccessError(
                self.env._(
                    "Only repair users (Inventory rights) can confirm, start or end a "
                    "repair."
                )
            )

    def _check_helpdesk_agent_create(self, vals, ticket):
        """What an agent without repair rights may create: a draft repair without parts,
        of a ticket they can read (the record rules would hide any other from them at
        once)."""
        if not ticket:
            raise AccessError(
                self.env._(
                    "Without repair rights, you can only create a repair from a "
                    "helpdesk ticket."
                )
            )
        ticket.check_access("read")
        self._check_helpdesk_agent_vals(vals)

    def _check_helpdesk_agent_vals(self, vals):
        if vals.get("state", "draft") != "draft":
            raise AccessError(
                self.env._(
                    "Only repair users (Inventory rights) can change a repair's status."
                )
            )
        if vals.get("move_ids"):
            raise AccessError(
                self.env._(
                    "Only repair users (Inventory rights) can add parts to a repair."
                )
            )

    def _check_helpdesk_agent_write(self, vals):
        self.ensure_one()
        if self.state != "draft":
            raise AccessError(
                self.env._(
                    "Repair %(repair)s is no longer a draft: only repair users "
                    "(Inventory rights) can change it.",
                    repair=self.display_name,
                )
            )
        self._check_helpdesk_agent_vals(vals)
        # Another ticket is checked as any (readable, team offering repairs) by write().
        if "helpdesk_ticket_id" in vals and not vals["helpdesk_ticket_id"]:
            raise AccessError(
                self.env._(
                    "Without repair rights, you cannot unlink repair %(repair)s from "
                    "its helpdesk ticket.",
                    repair=self.display_name,
                )
            )

    # --- Consistency with the ticket
    def _get_helpdesk_checked(self, vals):
        """The values of the checked fields once `vals` is saved, on this repair or a
        new one (no repair)."""
        values = {}
        for name in HELPDESK_CHECKED_FIELDS:
            comodel = self.env[self._fields[name].comodel_name]
            if name in vals:
                values[name] = comodel.browse(vals[name])
            elif name == "lot_id" and "product_id" in vals:
                values[name] = (
                    comodel  # core's compute clears the lot of the former product
                )
            else:
                values[name] = self[name] if self else comodel
        if not self and not values["company_id"]:
            values["company_id"] = self.env["res.company"].browse(
                self.env.context.get("default_company_id") or self.env.company.id
            )
        return values

    @api.model
    def _check_helpdesk_repair_values(
        self, ticket, company_id, partner_id, product_id, lot_id, picking_id
    ):
        """A ticket's repair: for the ticket's customer (in the ticket's company:
        check_company on helpdesk_ticket_id)."""
        _ = self.env._
        # sudo: name the ticket, the return and the lot even to an agent without
        # Inventory rights.
        ticket, picking, lot = ticket.sudo(), picking_id.sudo(), lot_id.sudo()
        company, partner, product = company_id, partner_id, product_id
        customer = ticket.commercial_partner_id
        if partner and partner.commercial_partner_id != customer:
            raise ValidationError(
                _(
                    "%(partner)s is not the customer of ticket %(ticket)s "
                    "(%(customer)s).",
                    partner=partner.display_name,
                    ticket=ticket.display_name,
                    customer=customer.display_name,
                )
            )
        if lot and lot.product_id != product:
            raise ValidationError(
                _(
                    "Lot/serial number %(lot)s is not one of product %(product)s.",
                    lot=lot.display_name,
                    product=product.display_name or _("(none)"),
                )
            )
        if picking:
            self._check_helpdesk_repair_return(picking, customer, company, product)

    @api.model
    def _check_helpdesk_repair_return(self, picking, customer, company, product):
        """The return a repair starts from: the customer's goods, received in the
        repair's company, with the repaired product."""
        _ = self.env._
        if picking.partner_id.commercial_partner_id != customer:
            raise ValidationError(
                _(
                    "Return %(picking)s was not received from the ticket's customer "
                    "%(customer)s.",
                    picking=picking.display_name,
                    customer=customer.display_name,
                )
            )
        if picking.picking_type_code != "incoming" or picking.company_id != company:
            raise ValidationError(
                _(
                    "%(picking)s is not a receipt of %(customer)s's goods in "
                    "%(company)s.",
                    picking=picking.display_name,
                    customer=customer.display_name,
                    company=company.display_name,
                )
            )
        if product and product not in picking.move_ids.product_id:
            raise ValidationError(
                _(
                    "Return %(picking)s does not include product %(product)s.",
                    picking=picking.display_name,
                    product=product.display_name,
                )
            )

    def _post_helpdesk_links(self):
        for repair in self:
            # sudo: a repair user may link a ticket they can read but not write to; the
            # note is the only thing written on it.
            repair.helpdesk_ticket_id.sudo()._post_after_sales_links(
                repair,
                self.env._("Repair %(link)s sent from this ticket."),
                self.env._("Sent from helpdesk ticket %(link)s."),
            )
