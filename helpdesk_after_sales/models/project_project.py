from odoo import api, fields, models
from odoo.exceptions import ValidationError


class ProjectProject(models.Model):
    _inherit = "project.project"

    is_fsm = fields.Boolean(
        string="Field Service",
        help="Onsite interventions: tasks planned from helpdesk tickets, followed by the "
        "customer on the portal.",
    )

    # --- Worksheets
    allow_worksheets = fields.Boolean(
        string="Worksheets",
        compute="_compute_allow_worksheets",
        store=True,
        readonly=False,
        help="Field service tasks carry a worksheet: the technician's answers to a template's "
        "questions, signed by the customer on the portal.",
    )
    worksheet_template_id = fields.Many2one(
        comodel_name="worksheet.template",
        string="Default Worksheet Template",
        compute="_compute_worksheet_template_id",
        store=True,
        readonly=False,
        domain="[('company_id', 'in', [company_id, False])]",
        help="The worksheet of the new tasks of this project.",
    )

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
                raise ValidationError(
                    self.env._(
                        "Project %(project)s is not a Field Service project: "
                        "only field service projects use worksheets.",
                        project=project.display_name,
                    )
                )
            if project.worksheet_template_id and not project.allow_worksheets:
                raise ValidationError(
                    self.env._(
                        "Project %(project)s does not use worksheets: switch Worksheets on "
                        "before choosing a worksheet template.",
                        project=project.display_name,
                    )
                )
            # sudo: name the template's company even when the user may not read that company's.
            project.worksheet_template_id.sudo()._check_worksheet_company(project)
