import re
from datetime import date

from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import format_date

from .worksheet_template_question import QUESTION_TYPES, split_options

ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
CHECKBOX_VALUES = ("1", "0")


class WorksheetAnswer(models.Model):
    """One question of a task's worksheet and its answer. The question's label, type and
    options are copied from the template when the line is created, so that a filled or
    signed worksheet does not change when a manager edits the template afterwards."""

    _name = "worksheet.answer"
    _description = "Worksheet Answer"
    _order = "task_id, sequence, id"

    task_id = fields.Many2one(
        comodel_name="project.task",
        string="Task",
        required=True,
        ondelete="cascade",
        index=True,
    )
    company_id = fields.Many2one(related="task_id.company_id", store=True)
    question_id = fields.Many2one(
        comodel_name="worksheet.template.question",
        string="Template Question",
        ondelete="set null",
        readonly=True,
    )
    sequence = fields.Integer(compute="_compute_question", store=True, readonly=False)
    name = fields.Char(
        string="Question", compute="_compute_question", store=True, readonly=False
    )
    question_type = fields.Selection(
        selection=QUESTION_TYPES,
        string="Type",
        compute="_compute_question",
        store=True,
        readonly=False,
    )
    selection_options = fields.Text(
        string="Options", compute="_compute_question", store=True, readonly=False
    )
    required = fields.Boolean(compute="_compute_question", store=True, readonly=False)
    value = fields.Text(string="Answer")
    # Typed editors of `value` for the task form; the server checks `value` whatever the
    # client.
    value_checkbox = fields.Boolean(
        string="Checked",
        compute="_compute_typed_value",
        inverse="_inverse_value_checkbox",
    )
    value_date = fields.Date(
        string="Date", compute="_compute_typed_value", inverse="_inverse_value_date"
    )
    display_value = fields.Char(string="Answer Shown", compute="_compute_display_value")
    is_answered = fields.Boolean(compute="_compute_is_answered")

    @api.depends("question_id")
    def _compute_question(self):
        for answer in self:
            # Without question (deleted from the template): the copy stays as it is.
            question = answer.question_id or answer
            answer.sequence = question.sequence
            answer.name = question.name
            answer.question_type = question.question_type
            answer.selection_options = question.selection_options
            answer.required = question.required

    @api.depends("value", "question_type")
    def _compute_typed_value(self):
        for answer in self:
            answer.value_checkbox = (
                answer.question_type == "checkbox" and answer.value == "1"
            )
            answer.value_date = (
                answer.question_type == "date"
                and answer._is_iso_date(answer.value)
                and fields.Date.to_date(answer.value)
            )

    def _inverse_value_checkbox(self):
        for answer in self.filtered(lambda a: a.question_type == "checkbox"):
            answer.value = "1" if answer.value_checkbox else "0"

    def _inverse_value_date(self):
        for answer in self.filtered(lambda a: a.question_type == "date"):
            answer.value = (
                fields.Date.to_string(answer.value_date) if answer.value_date else False
            )

    @api.depends("value", "question_type")
    @api.depends_context("lang")
    def _compute_display_value(self):
        for answer in self:
            value = (answer.value or "").strip()
            if answer.question_type == "checkbox":
                answer.display_value = (
                    self.env._("Yes")
                    if value == "1"
                    else self.env._("No")
                    if value
                    else ""
                )
            elif answer.question_type == "date" and answer._is_iso_date(value):
                answer.display_value = format_date(self.env, value)
            else:
                answer.display_value = value

    @api.depends("value", "question_type")
    def _compute_is_answered(self):
        for answer in self:
            value = (answer.value or "").strip()
            # A checkbox is answered when ticked: "required" means "must be checked".
            answer.is_answered = (
                value == "1" if answer.question_type == "checkbox" else bool(value)
            )

    @api.constrains("value", "question_type", "selection_options")
    def _check_value(self):
        for answer in self:
            answer._check_value_type()

    @api.model_create_multi
    def create(self, vals_list):
        tasks = self.env["project.task"].browse(
            {vals["task_id"] for vals in vals_list if vals.get("task_id")}
        )
        tasks._check_worksheet_editable()
        return super().create(vals_list)

    def write(self, vals):
        self.task_id._check_worksheet_editable()
        if "task_id" in vals:
            self.env["project.task"].browse(vals["task_id"])._check_worksheet_editable()
        result = super().write(vals)
        if {"value", "required", "question_type"} & set(vals):
            # A done task keeps its required answers.
            self.task_id._check_worksheet_required_answers(done_only=True)
        return result

    @api.ondelete(at_uninstall=False)
    def _unlink_except_signed(self):
        self.task_id._check_worksheet_editable()

    def _check_value_type(self):
        """The answer must fit its question's type, else a ValidationError says so."""
        self.ensure_one()
        value = (self.value or "").strip()
        if not value:
            return
        _ = self.env._
        error = False
        if self.question_type == "number":
            try:
                float(value)
            except ValueError:
                error = _("a number, such as 12 or 3.5")
        elif self.question_type == "date":
            if not self._is_iso_date(value):
                error = _("a date written YYYY-MM-DD, such as 2024-05-31")
        elif self.question_type == "checkbox":
            if value not in CHECKBOX_VALUES:
                error = _("1 (checked) or 0 (not checked)")
        elif self.question_type == "selection":
            options = split_options(self.selection_options)
            if value not in options:
                error = _("one of: %(options)s", options=", ".join(options))
        if error:
            raise ValidationError(
                _(
                    "The answer %(value)s to %(question)s must be %(expected)s.",
                    value=repr(value),
                    question=self.name,
                    expected=error,
                )
            )

    @staticmethod
    def _is_iso_date(value):
        if not value or not ISO_DATE.match(value):
            return False
        try:
            date.fromisoformat(value)
        except ValueError:
            return False
        return True
