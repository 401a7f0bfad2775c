from odoo import api, fields, models
from odoo.exceptions import ValidationError

QUESTION_TYPES = [
    ("text", "Text"),
    ("textarea", "Multi-line Text"),
    ("checkbox", "Checkbox"),
    ("number", "Number"),
    ("date", "Date"),
    ("selection", "Selection"),
]


class WorksheetTemplateQuestion(models.Model):
    _name = "worksheet.template.question"
    _description = "Worksheet Question"
    _order = "template_id, sequence, id"

    template_id = fields.Many2one(
        comodel_name="worksheet.template",
        string="Template",
        required=True,
        ondelete="cascade",
        index=True,
    )
    sequence = fields.Integer(default=10)
    name = fields.Char(string="Question", required=True)
    question_type = fields.Selection(
        selection=QUESTION_TYPES,
        string="Type",
        required=True,
        default="text",
    )
    selection_options = fields.Text(
        string="Options",
        help="The answers to choose from, one per line.",
    )
    required = fields.Boolean(
        help="The task cannot be set done, nor the worksheet signed, before it is answered. "
        "A required checkbox must be ticked.",
    )

    @api.constrains("question_type", "selection_options")
    def _check_selection_options(self):
        for question in self:
            if question.question_type == "selection" and not question._get_options():
                raise ValidationError(
                    self.env._(
                        "Question %(question)s is a selection: give its options, one per line.",
                        question=question.name,
                    )
                )

    def _get_options(self):
        """The options of a selection question, one per non-empty line."""
        self.ensure_one()
        lines = (self.selection_options or "").splitlines()
        return [line.strip() for line in lines if line.strip()]
