from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools.misc import clean_context


class HelpdeskCouponGenerate(models.TransientModel):
    """One coupon of a coupons program for the ticket's customer, sent by e-mail or
    shared as a link: the goodwill gesture of the ticket's Coupon button."""

    _name = "helpdesk.coupon.generate"
    _inherit = ["helpdesk.after.sales.mixin"]
    _description = "Generate a Coupon"
    _after_sales_service = "use_coupons"
    # The program is the ticket's company's, or shared (Odoo's company check).
    _check_company_auto = True

    helpdesk_ticket_id = fields.Many2one(required=True, readonly=False)
    company_id = fields.Many2one(related="helpdesk_ticket_id.company_id")
    commercial_partner_id = fields.Many2one(
        related="helpdesk_ticket_id.commercial_partner_id"
    )
    partner_id = fields.Many2one(
        comodel_name="res.partner",
        string="Customer",
        compute="_compute_partner_id",
        store=True,
        readonly=False,
        domain="[('commercial_partner_id', '=', commercial_partner_id)]",
        help="The ticket's customer, or another contact of the same company.",
    )
    program_id = fields.Many2one(
        comodel_name="loyalty.program",
        string="Coupon Program",
        compute="_compute_program_id",
        store=True,
        readonly=False,
        check_company=True,
        domain="[('program_type', '=', 'coupons')]",
    )
    valid_until = fields.Date(
        help=(
            "Last day the coupon can be used. Leave empty for a coupon that never "
            "expires."
        ),
    )
    coupon_id = fields.Many2one(
        comodel_name="loyalty.card", string="Coupon", readonly=True
    )
    coupon_code = fields.Char(related="coupon_id.code", string="Coupon Code")
    can_share_link = fields.Boolean(compute="_compute_share_link")
    share_link = fields.Char(compute="_compute_share_link")

    @api.depends("helpdesk_ticket_id")
    def _compute_partner_id(self):
        for wizard in self:
            wizard.partner_id = wizard.helpdesk_ticket_id.partner_id

    @api.depends("company_id")
    def _compute_program_id(self):
        for wizard in self:
            program_company = wizard.program_id.company_id
            if wizard.program_id and (
                not program_company or program_company == wizard.company_id
            ):
                continue
            programs = self.env["loyalty.program"].search(
                [
                    ("program_type", "=", "coupons"),
                    ("company_id", "in", [wizard.company_id.id, False]),
                ],
                limit=2,
            )
            # Preselected when there is no choice to make.
            wizard.program_id = programs if len(programs) == 1 else False

    @api.depends("coupon_id.code", "program_id", "company_id")
    def _compute_share_link(self):
        can_share_link = self._can_share_link()
        for wizard in self:
            website = wizard._get_share_website() if can_share_link else False
            wizard.can_share_link = bool(website)
            wizard.share_link = (
                wizard._get_share_link(website)
                if website and wizard.coupon_id
                else False
            )

    @api.model_create_multi
    def create(self, vals_list):
        self._check_after_sales_create_vals(vals_list)
        return super().create(vals_list)

    def action_coupon_generate_send(self):
        self.ensure_one()
        return self._run_after_sales_button(
            "action_coupon_generate_send", self._send_coupon
        )

    def action_coupon_generate_share(self):
        self.ensure_one()
        return self._run_after_sales_button(
            "action_coupon_generate_share", self._share_coupon
        )

    def _send_coupon(self):
        """One coupon, then Odoo's composer with the program's coupon e-mail, addressed
        to the customer and the ticket's followers: the only e-mail the customer gets
        for it."""
        self.ensure_one()
        coupon = self._generate_coupon()
        template = coupon._get_default_template() or self.env.ref(
            "loyalty.mail_template_loyalty_card", raise_if_not_found=False
        )
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Send the Coupon"),
            "res_model": "mail.compose.message",
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
            "context": {
                "default_model": coupon._name,
                "default_res_ids": coupon.ids,
                "default_template_id": template.id if template else False,
                "default_composition_mode": "comment",
                "default_email_layout_xmlid": "mail.mail_notification_light",
                "default_partner_ids": self._get_mail_recipients().ids,
                "force_email": True,
            },
        }

    def _share_coupon(self):
        """One coupon, then this wizard again as the Share Coupons window: Odoo's own
        (coupon.share) is for Sales Administrators only."""
        self.ensure_one()
        self._generate_coupon()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Share Coupons"),
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "views": [
                (
                    self.env.ref(
                        "helpdesk_after_sales.helpdesk_coupon_generate_view_form_share"
                    ).id,
                    "form",
                )
            ],
            "target": "new",
        }

    def _check_after_sales_values(self):
        """Everything a coupon from this wizard needs, when it is generated (a program
        may have been archived meanwhile)."""
        self.ensure_one()
        _ = self.env._
        if self.coupon_id:
            raise UserError(
                _(
                    "Coupon %(code)s was already generated from this window: open it "
                    "from the ticket's Coupons button.",
                    code=self.coupon_id.code,
                )
            )
        if not self.program_id:
            raise UserError(_("Choose the coupon program."))
        ticket = self.helpdesk_ticket_id
        if not self._is_after_sales_customer(self.partner_id):
            raise ValidationError(
                _(
                    "A coupon from ticket %(ticket)s can only be given to its "
                    "customer %(customer)s, not to %(partner)s.",
                    ticket=ticket.display_name,
                    customer=ticket.commercial_partner_id.display_name,
                    partner=self.partner_id.display_name or _("(none)"),
                )
            )
        if self.valid_until and self.valid_until < fields.Date.context_today(self):
            raise ValidationError(
                _(
                    "The coupon cannot expire in the past (%(date)s): choose a later "
                    "date, or none for a coupon that never expires.",
                    date=fields.Date.to_string(self.valid_until),
                )
            )
        self._check_coupon_program()

    def _check_coupon_program(self):
        _ = self.env._
        program = self.program_id
        if program.program_type != "coupons":
            error = _(
                "%(program)s is not a coupon program: a ticket hands out coupons only."
            )
        elif not program.active:
            error = _("Coupon program %(program)s is archived.")
        elif not program.reward_ids:
            error = _(
                "Coupon program %(program)s has no reward: its coupon would give "
                "nothing."
            )
        else:
            return
        raise ValidationError(error % {"program": program.display_name})

    def _prepare_coupon_vals(self):
        self.ensure_one()
        program = self.program_id
        return {
            "program_id": program.id,
            "partner_id": self.partner_id.id,
            # Enough for any reward of the program, each claimable once.
            "points": max(program.reward_ids.mapped("required_points")),
            "expiration_date": self.valid_until,
            "helpdesk_ticket_id": self.helpdesk_ticket_id.id,
            "helpdesk_reason_id": self.helpdesk_reason_id.id,
            "helpdesk_approval_id": self.helpdesk_approval_id.id,
        }

    def _generate_coupon(self):
        with self._after_sales_envelope() as wizard:
            vals = wizard._prepare_coupon_vals()
            # sudo: grants a Sales User this one card, checked above (an admin right).
            # loyalty_no_mail: no "at creation" e-mail, the agent sends the coupon (Send
            # by Email) or shares it.
            coupon = (
                self.env["loyalty.card"]
                .sudo()
                .with_context(clean_context(self.env.context), loyalty_no_mail=True)
                .create(vals)
            )
            self.env["loyalty.history"].create(
                {
                    "card_id": coupon.id,
                    "description": self.helpdesk_ticket_id.display_name,
                    "issued": vals["points"],
                }
            )
            coupon = coupon.sudo(False)
            self.coupon_id = coupon
            self._post_after_sales_links(
                coupon,
                self.env._("Coupon %(link)s (%(program)s) generated from this ticket."),
                self.env._("Generated from helpdesk ticket %(link)s."),
                link=coupon._get_html_link(title=coupon.code),
                program=coupon.program_id.display_name,
            )
        return coupon

    def _get_mail_recipients(self):
        """The customer and the ticket's followers, not the sender."""
        self.ensure_one()
        ticket = self.helpdesk_ticket_id
        return (self.partner_id | ticket.message_partner_ids) - self.env.user.partner_id

    @api.model
    def _can_share_link(self):
        """The /coupon/<code> link belongs to eCommerce (website_sale_loyalty, with its
        coupon.share wizard): an optional module, used when installed."""
        return "coupon.share" in self.env

    def _get_share_website(self):
        """The program's website, else one of the ticket's company (eCommerce is per
        website)."""
        self.ensure_one()
        return self.program_id.website_id or self.env["website"].search(
            [("company_id", "=", self.company_id.id)], limit=1
        )

    def _get_share_link(self, website):
        self.ensure_one()
        coupon = self.coupon_id
        # coupon.share is for Sales Administrators: this unsaved one is never created,
        # only its link computed (new() checks no access right).
        share = self.env["coupon.share"].new(
            {
                "program_id": coupon.program_id.id,
                "coupon_id": coupon.id,
                "website_id": website.id,
                "redirect": "/shop/cart",
            }
        )
        return share.share_link

    def _get_after_sales_limit_excess(self):
        """The ticket's coupons, with the one just made: beyond the team's number,
        they need approval."""
        ticket = self.helpdesk_ticket_id
        limit = ticket.team_id.coupon_approval_count
        if not limit:
            return None
        # sudo: every coupon of the ticket counts, archived or of another user's.
        count = (
            self.env["loyalty.card"]
            .sudo()
            .with_context(active_test=False)
            .search_count([("helpdesk_ticket_id", "=", ticket.id)])
        )
        if count <= limit:
            return None
        return (
            self.env._(
                "The ticket would have %(count)s coupons, above the team's limit of "
                "%(limit)s",
                count=count,
                limit=limit,
            ),
            0.0,
        )
