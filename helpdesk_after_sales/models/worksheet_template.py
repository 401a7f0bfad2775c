from odoo import api, fields, models
from odoo.exceptions import ValidationError


class WorksheetTemplate(models.Model):
    _name = "worksheet.template"
    _description = "Worksheet Template"
    _order = "name, id"
    _check_company_auto = True

    name = fields.Char(required=True)
    company_id = fields.Many2one(
        comodel_name="res.company",
        string="Company",
        default=lambda self: self.env.company,
        help="Leave empty to share the template between companies.",
    )
    active = fields.Boolean(default=True)
    question_ids = fields.One2many(
        comodel_name="worksheet.template.question",
        inverse_name="template_id",
        string="Questions",
        copy=True,
    )
    question_count = fields.Integer(compute="_compute_question_count")

    @api.depends("question_ids")
    def _compute_question_count(self):
        for template in self:
            template.question_count = len(template.question_ids)

    @api.constrains("company_id")
    def _check_company_projects(self):
        # sudo: a template manager may not read every project using the template.
        projects = (
            self.env["project.project"]
            .sudo()
            .search([("worksheet_template_id", "in", self.ids)])
        )
        for project in projects:
            project.worksheet_template_id._check_worksheet_company(project)

    def _check_worksheet_company(self, record):
        """A project or task of a company only uses a template of that company, or a
        shared one (a project shared between companies may use any)."""
        for template in self:
            company = record.company_id
            if template.company_id and company and template.company_id != company:
                raise ValidationError(
                    self.env._(
                        "Worksheet template %(template)s belongs to %(company)s: "
                        "%(record)s cannot use it.",
                        template=template.display_name,
                        company=template.company_id.display_name,
                        record=record.display_name,
                    )
                )
