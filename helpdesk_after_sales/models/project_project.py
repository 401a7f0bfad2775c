from odoo import api, fields, models
from odoo.exceptions import ValidationError


class ProjectProject(models.Model):
    _inherit = "project.project"

    is_fsm = fields.Boolean(
        string="Field Service",
        tracking=True,
        help=(
            "Onsite interventions: tasks planned from helpdesk tickets, followed by "
            "the customer on the portal."
        ),
    )

    # --- Worksheets
    allow_worksheets = fields.Boolean(
        string="Worksheets",
        compute="_compute_allow_worksheets",
        store=True,
        readonly=False,
        help=(
            "Field service tasks carry a worksheet: the technician's answers to a "
            "template's questions, signed by the customer on the portal."
        ),
    )
    worksheet_template_id = fields.Many2one(
        comodel_name="worksheet.template",
        string="Default Worksheet Template",
        compute="_compute_worksheet_template_id",
        store=True,
        readonly=False,
        check_company=True,
        help="The worksheet of the new tasks of this project.",
    )

    @api.onchange("is_fsm")
    def _onchange_is_fsm(self):
        if self.is_fsm:
            self.privacy_visibility = "portal"

    @api.constrains("is_fsm", "company_id", "active")
    def _check_fsm_teams(self):
        # sudo: grants seeing the teams planning into the project (none is named).
        teams = (
            self.env["helpdesk.ticket.team"]
            .sudo()
            .search([("fsm_project_id", "in", self.ids)])
        )
        for team in teams:
            if not team._is_fsm_project(team.fsm_project_id):
                raise ValidationError(
                    self.env._(
                        "Project %(project)s is the Field Service project of a "
                        "helpdesk team: choose another project for the team first.",
                        project=team.fsm_project_id.with_env(self.env).display_name,
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if (
                vals.get("is_fsm")
                and "default_privacy_visibility" not in self.env.context
            ):
                # Field service tasks are followed by the customer on the portal.
                vals.setdefault("privacy_visibility", "portal")
        return super().create(vals_list)

    def write(self, vals):
        if vals.get("is_fsm") and "privacy_visibility" not in vals:
            switched = self.filtered(lambda project: not project.is_fsm)
            if switched:
                super(ProjectProject, switched).write({"privacy_visibility": "portal"})
        return super().write(vals)

    # --- Worksheets
    @api.depends("is_fsm")
    def _compute_allow_worksheets(self):
        for project in self:
            project.allow_worksheets = project.is_fsm and project.allow_worksheets

    @api.depends("allow_worksheets")
    def _compute_worksheet_template_id(self):
        for project in self:
            project.worksheet_template_id = (
                project.allow_worksheets and project.worksheet_template_id
            )

    @api.constrains("allow_worksheets", "is_fsm", "worksheet_template_id", "company_id")
    def _check_worksheets(self):
        for project in self:
            if project.allow_worksheets and not project.is_fsm:
                error = self.env._(
                    "Project %(project)s is not a Field Service project: only field "
                    "service projects use worksheets."
                )
            elif project.worksheet_template_id and not project.allow_worksheets:
                error = self.env._(
                    "Project %(project)s does not use worksheets: switch Worksheets on "
                    "before choosing a worksheet template."
                )
            else:
                continue
            raise ValidationError(error % {"project": project.display_name})
        # Odoo's company check of the field (project.project has no
        # _check_company_auto); a project shared by all companies may use any template.
        self.filtered("company_id")._check_company(["worksheet_template_id"])
