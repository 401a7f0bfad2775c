from odoo import api, fields, models
from odoo.exceptions import ValidationError


class WorksheetTemplate(models.Model):
    _name = "worksheet.template"
    _description = "Worksheet Template"
    _order = "name, id"

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
        """The reverse of the projects' company check: a template in use stays in the
        company of its projects."""
        for template in self.filtered("company_id"):
            # sudo: grants counting other companies' projects using it (none is named).
            if (
                self.env["project.project"]
                .sudo()
                .search_count(
                    [
                        ("worksheet_template_id", "=", template.id),
                        ("company_id", "not in", [False, template.company_id.id]),
                    ],
                    limit=1,
                )
            ):
                raise ValidationError(
                    self.env._(
                        "Worksheet template %(template)s is used by projects of "
                        "another company: it cannot move to %(company)s.",
                        template=template.display_name,
                        company=template.company_id.display_name,
                    )
                )
