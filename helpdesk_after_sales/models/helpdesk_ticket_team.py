from odoo import api, fields, models
from odoo.exceptions import AccessError, ValidationError

AFTER_SALES_FIELDS = (
    "use_credit_notes",
    "use_coupons",
    "use_product_returns",
    "use_product_repairs",
    "use_fsm",
    "fsm_project_id",
    # Compensation under control: reasons, limits, approvers.
    "after_sales_reason_required",
    "refund_approval_amount",
    "coupon_approval_count",
    "approver_ids",
)


class HelpdeskTicketTeam(models.Model):
    _inherit = "helpdesk.ticket.team"

    use_credit_notes = fields.Boolean(
        string="Refunds",
        tracking=True,
        help=(
            "Issue credit notes to refund a customer, or adjust the remaining amount "
            "due."
        ),
    )
    use_coupons = fields.Boolean(
        string="Coupons",
        tracking=True,
        help="Offer discounts and free products through an existing coupon program.",
    )
    use_product_returns = fields.Boolean(
        string="Returns",
        tracking=True,
        help="Initiate a product return from a customer through a reverse transfer.",
    )
    use_product_repairs = fields.Boolean(
        string="Repairs",
        tracking=True,
        help="Create repair orders for broken or faulty products.",
    )
    use_fsm = fields.Boolean(
        string="Field Service",
        tracking=True,
        help="Plan onsite interventions from this team's tickets, as tasks of a Field "
        "Service project.",
    )
    fsm_project_id = fields.Many2one(
        comodel_name="project.project",
        string="Field Service Project",
        tracking=True,
        check_company=True,
        domain="[('is_fsm', '=', True)]",
        help="Where the onsite interventions planned from this team's tickets are "
        "scheduled. Not a project for the tickets themselves: a team's default project "
        "for its tickets, where one can be set, is a separate setting.",
    )

    # --- Compensation under control
    after_sales_reason_required = fields.Boolean(
        string="Reason Required",
        tracking=True,
        help="Agents must give a reason (After-Sales Reasons) for every refund, "
        "coupon, return, repair and intervention of this team's tickets.",
    )
    after_sales_currency_id = fields.Many2one(
        comodel_name="res.currency",
        compute="_compute_after_sales_currency_id",
    )
    refund_approval_amount = fields.Monetary(
        string="Refunds Approved Above",
        currency_field="after_sales_currency_id",
        tracking=True,
        help="When the credit notes of a ticket, untaxed, those already issued and the "
        "new one, would exceed this amount, the agent's refund waits for an approver. "
        "Untaxed: the tax is given back by the tax authority, the untaxed amount is "
        "what the refund costs. In the company's currency. 0: no limit.",
    )
    coupon_approval_count = fields.Integer(
        string="Coupons Approved Above",
        tracking=True,
        help="When a ticket would have more coupons than this, the agent's coupon "
        "waits for an approver. 0: no limit.",
    )
    approver_ids = fields.Many2many(
        comodel_name="res.users",
        relation="helpdesk_ticket_team_after_sales_approver_rel",
        column1="team_id",
        column2="user_id",
        string="Approvers",
        domain="[('share', '=', False)]",
        help="Who approves the refunds and coupons above the limits, and is not held "
        "by them. Empty: the team leader, or without one the helpdesk managers.",
    )

    @api.depends("company_id")
    def _compute_after_sales_currency_id(self):
        for team in self:
            team.after_sales_currency_id = (
                team.company_id.currency_id or self.env.company.currency_id
            )

    @api.constrains("use_fsm", "fsm_project_id", "company_id")
    def _check_fsm_project(self):
        # Odoo's company check of the field first (helpdesk.ticket.team has no
        # _check_company_auto), before the project is read: a team of no company may
        # use any project.
        self.filtered("company_id")._check_company(["fsm_project_id"])
        for team in self:
            if team.use_fsm and not team.fsm_project_id:
                raise ValidationError(
                    self.env._(
                        "Team %(team)s offers Field Service: choose its Field Service "
                        "project.",
                        team=team.display_name,
                    )
                )
            project = team.fsm_project_id
            if not project or team._is_fsm_project(project):
                continue
            if not project.is_fsm:
                error = self.env._(
                    "Project %(project)s is not a Field Service project: switch on its "
                    "Field Service setting first."
                )
            else:
                error = self.env._(
                    "Project %(project)s is archived: choose an active Field Service "
                    "project."
                )
            raise ValidationError(error % {"project": project.display_name})

    @api.constrains("refund_approval_amount", "coupon_approval_count")
    def _check_approval_limits(self):
        for team in self:
            if team.refund_approval_amount < 0 or team.coupon_approval_count < 0:
                raise ValidationError(
                    self.env._(
                        "The approval limits of team %(team)s cannot be negative: 0 "
                        "means no limit.",
                        team=team.display_name,
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        if any(set(AFTER_SALES_FIELDS) & set(vals) for vals in vals_list):
            self._check_after_sales_manager()
        return super().create(vals_list)

    def write(self, vals):
        if set(AFTER_SALES_FIELDS) & set(vals):
            self._check_after_sales_manager()
        return super().write(vals)

    def _check_after_sales_manager(self):
        # The services decide what every agent may hand out (money, coupons, goods):
        # even where a custom rule lets team leaders edit their team, only helpdesk
        # managers switch them.
        if not self.env.su and not self.env.user.has_group(
            "helpdesk_mgmt.group_helpdesk_manager"
        ):
            raise AccessError(
                self.env._(
                    "Only helpdesk managers can change a team's After-Sales services."
                )
            )

    def _is_fsm_project(self, project):
        """Whether the project may take the team's interventions: an active Field
        Service project of the team's company, or shared by all companies."""
        self.ensure_one()
        return bool(
            project.is_fsm
            and project.active
            and (
                not self.company_id
                or project.filtered_domain(
                    project._check_company_domain(self.company_id)
                )
            )
        )

    # --- Approvers
    def _get_after_sales_approvers(self):
        """Who approves the team's requests: its approvers, else its leader, else the
        helpdesk managers of its company (a ticket without team: all of them)."""
        if self.approver_ids:
            return self.approver_ids
        if self.user_id:
            return self.user_id
        # sudo: the group's members, which only administrators may list.
        managers = self.env.ref("helpdesk_mgmt.group_helpdesk_manager").sudo().users
        return managers.filtered(
            lambda user: not self.company_id or self.company_id in user.company_ids
        ).sudo(False)

    def _is_after_sales_approver(self, user=None):
        return (user or self.env.user) in self._get_after_sales_approvers()
