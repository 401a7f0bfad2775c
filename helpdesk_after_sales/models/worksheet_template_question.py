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


def split_options(text):
    """The options of a selection question: one per non-empty line, stripped."""
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


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
        help=(
            "The task cannot be set done, nor the worksheet signed, before it is "
            "answered. A required checkbox must be ticked."
        ),
    )

    @api.constrains("question_type", "selection_options")
    def _check_selection_options(self):
        for question in self.filtered(lambda q: q.question_type == "selection"):
            if not split_options(question.selection_options):
                raise ValidationError(
                    self.env._(
                        "Question %(question)s is a selection: give its options, one "
                        "per line.",
                        question=question.name,
                    )
                )
