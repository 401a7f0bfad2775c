import base64
import binascii

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import format_datetime

WORKSHEET_SIGNATURE_FIELDS = (
    "worksheet_signature",
    "worksheet_signed_by",
    "worksheet_signed_on",
)
# Project sharing: what a portal user may read of a task besides project's own fields
# (the worksheet of a task they follow: answers and signature). Nothing of the addon is
# portal-writable: answers are the technician's, the signature is written only by the
# portal's sign route (as superuser, after its checks), and the template and the ticket
# are back-office choices. Neither the template nor the ticket is readable: a many2one
# is read with its name as superuser, and the ticket's name is not the task
# collaborator's to see (the portal page links the ticket only to who may read it).
WORKSHEET_PORTAL_FIELDS = {
    "allow_worksheets",
    "worksheet_answer_ids",
    *WORKSHEET_SIGNATURE_FIELDS,
}
# The fields a write can change a task's worksheet template through: the template
# itself, and the project it is computed from.
WORKSHEET_TEMPLATE_TRIGGERS = {"worksheet_template_id", "project_id"}


class ProjectTask(models.Model):
    _name = "project.task"
    _inherit = ["project.task", "helpdesk.after.sales.document"]

    helpdesk_ticket_id = fields.Many2one(
        help="The helpdesk ticket this intervention was planned from.",
    )
    helpdesk_reason_id = fields.Many2one(
        help="Why this task was planned from its helpdesk ticket.",
    )

    # --- Worksheets
    allow_worksheets = fields.Boolean(related="project_id.allow_worksheets")
    worksheet_template_id = fields.Many2one(
        comodel_name="worksheet.template",
        string="Worksheet Template",
        compute="_compute_worksheet_template_id",
        store=True,
        readonly=False,
        check_company=True,
        tracking=True,
        help=(
            "The questions of this task's worksheet. Changing it keeps the answers to "
            "the questions both templates share."
        ),
    )
    worksheet_answer_ids = fields.One2many(
        comodel_name="worksheet.answer",
        inverse_name="task_id",
        string="Worksheet",
        copy=False,
    )
    worksheet_signature = fields.Image(
        string="Customer Signature",
        copy=False,
        attachment=True,
        max_width=1024,
        max_height=1024,
    )
    worksheet_signed_by = fields.Char(string="Signed By", copy=False)
    worksheet_signed_on = fields.Datetime(string="Signed On", copy=False)

    @property
    def SELF_READABLE_FIELDS(self):
        return super().SELF_READABLE_FIELDS | WORKSHEET_PORTAL_FIELDS

    @api.depends("project_id")
    def _compute_worksheet_template_id(self):
        for task in self:
            project = task.project_id
            if not project.allow_worksheets:
                task.worksheet_template_id = False
            else:
                task.worksheet_template_id = (
                    task.worksheet_template_id or project.worksheet_template_id
                )

    @api.constrains("worksheet_template_id", "project_id", "company_id")
    def _check_worksheet_template(self):
        for task in self.filtered("worksheet_template_id"):
            if not task.project_id.allow_worksheets:
                raise ValidationError(
                    self.env._(
                        "Project %(project)s of task %(task)s does not use "
                        "worksheets: no worksheet template can be chosen.",
                        project=task.project_id.display_name or self.env._("(none)"),
                        task=task.display_name,
                    )
                )
        # Odoo's company check of the field (project.task has no _check_company_auto);
        # a task of no company may use any template.
        self.filtered("company_id")._check_company(["worksheet_template_id"])

    @api.constrains("state")
    def _check_worksheet_done(self):
        self._check_worksheet_required_answers(done_only=True)

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._check_worksheet_signature_vals(vals)
        tasks = super().create(vals_list)
        # Only tasks of projects with worksheets have a template. A portal
        # collaborator's tasks come back from project's create as superuser, which
        # creates their answer lines as it created the tasks.
        worksheet_tasks = tasks.filtered("allow_worksheets")
        worksheet_tasks.filtered("worksheet_template_id")._sync_worksheet_answers()
        return tasks

    def write(self, vals):
        self._check_worksheet_signature_vals(vals)
        if "worksheet_answer_ids" in vals:
            self._check_worksheet_editable()
        if not WORKSHEET_TEMPLATE_TRIGGERS & vals.keys():
            return super().write(vals)
        # The fields the user may not write are refused first, as project refuses them
        # (a portal collaborator may write neither trigger), before the templates are
        # read.
        self.check_field_access_rights("write", list(vals))
        if "worksheet_template_id" in vals:
            self.filtered(
                lambda task: task.worksheet_template_id.id
                != vals["worksheet_template_id"]
            )._check_worksheet_editable()
        templates = {task: task.worksheet_template_id for task in self}
        result = super().write(vals)
        changed = self.filtered(
            lambda task: task.worksheet_template_id != templates[task]
        )
        changed._check_worksheet_editable()
        changed._sync_worksheet_answers()
        return result

    def action_print_worksheet(self):
        return self.env.ref(
            "helpdesk_after_sales.action_report_worksheet"
        ).report_action(self)

    def action_clear_worksheet_signature(self):
        if not self.env.user.has_group("project.group_project_manager"):
            raise AccessError(
                self.env._(
                    "Only project managers can clear the signature of a worksheet."
                )
            )
        for task in self.filtered("worksheet_signature"):
            task.message_post(
                body=self.env._(
                    "Worksheet signature of %(name)s (signed on %(date)s) cleared: "
                    "the worksheet can be edited again.",
                    name=task.worksheet_signed_by,
                    date=format_datetime(self.env, task.worksheet_signed_on),
                ),
                subtype_xmlid="mail.mt_note",
            )
            task.write(dict.fromkeys(WORKSHEET_SIGNATURE_FIELDS, False))
        return True

    # --- Worksheet helpers
    def _check_worksheet_signature_vals(self, vals):
        """The signature is the customer's: it is written by the portal's sign route
        (as superuser, after its own checks) and only cleared by a project manager."""
        if self.env.su or not WORKSHEET_SIGNATURE_FIELDS & vals.keys():
            return
        clearing = not any(vals.get(field) for field in WORKSHEET_SIGNATURE_FIELDS)
        if not (clearing and self.env.user.has_group("project.group_project_manager")):
            raise AccessError(
                self.env._(
                    "The worksheet signature is given by the customer on the portal; "
                    "only a project manager may clear it."
                )
            )

    def _check_worksheet_editable(self):
        for task in self.filtered("worksheet_signature"):
            raise UserError(
                self.env._(
                    "The worksheet of %(task)s was signed by %(name)s: a project "
                    "manager must clear the signature before it can be changed.",
                    task=task.display_name,
                    name=task.worksheet_signed_by,
                )
            )

    def _check_worksheet_required_answers(self, done_only=False):
        tasks = self.filtered(lambda t: t.state == "1_done") if done_only else self
        for task in tasks:
            missing = task.worksheet_answer_ids.filtered(
                lambda a: a.required and not a.is_answered
            )
            if missing:
                raise ValidationError(
                    self.env._(
                        "Answer the required questions of the worksheet of %(task)s "
                        "first: %(questions)s.",
                        task=task.display_name,
                        questions=", ".join(missing.mapped("name")),
                    )
                )

    def _sync_worksheet_answers(self):
        """One answer line per question of the task's template: lines of questions the
        template does not have are removed, answers to questions it keeps stay."""
        obsolete = self.env["worksheet.answer"]
        vals_list = []
        for task in self:
            questions = task.worksheet_template_id.question_ids
            obsolete |= task.worksheet_answer_ids.filtered(
                lambda a, questions=questions: a.question_id not in questions
            )
            answered = task.worksheet_answer_ids.question_id
            vals_list += [
                task._prepare_worksheet_answer_vals(question)
                for question in questions - answered
            ]
        obsolete.unlink()
        self.env["worksheet.answer"].create(vals_list)

    def _prepare_worksheet_answer_vals(self, question):
        self.ensure_one()
        return {"task_id": self.id, "question_id": question.id}

    def _sign_worksheet(self, name, signature, author):
        """Store the customer's signature, after the checks of a signature request, and
        post the signed PDF as `author` (a partner). Called by the portal's sign route
        on the task it checked access to (as superuser)."""
        self.ensure_one()
        _ = self.env._
        name = (name or "").strip()
        self._check_worksheet_signable(name, signature)
        self.write(
            {
                "worksheet_signature": signature,
                "worksheet_signed_by": name,
                "worksheet_signed_on": fields.Datetime.now(),
            }
        )
        report = self.env["ir.actions.report"]
        pdf = report._render_qweb_pdf(
            "helpdesk_after_sales.action_report_worksheet", self.ids
        )[0]
        return self.message_post(
            author_id=author.id,
            body=_("Worksheet signed by %(name)s.", name=name),
            attachments=[(_("Worksheet - %(task)s.pdf", task=self.name), pdf)],
            message_type="comment",
            subtype_xmlid="mail.mt_comment",
        )

    def _check_worksheet_signable(self, name, signature):
        """The checks of a signature request: a complete worksheet, not yet signed, a
        name and a PNG signature."""
        _ = self.env._
        if not self.worksheet_answer_ids:
            raise UserError(
                _("Task %(task)s has no worksheet to sign.", task=self.display_name)
            )
        if self.state == "1_canceled":
            raise UserError(_("Task %(task)s is cancelled.", task=self.display_name))
        if self.worksheet_signature:
            raise UserError(
                _(
                    "The worksheet of %(task)s is already signed by %(name)s.",
                    task=self.display_name,
                    name=self.worksheet_signed_by,
                )
            )
        self._check_worksheet_required_answers()
        if not name:
            raise UserError(_("Enter your name to sign the worksheet."))
        if not signature:
            raise UserError(_("Draw or type your signature to sign the worksheet."))
        try:
            image = base64.b64decode(signature, validate=True)
        except (TypeError, ValueError, binascii.Error):
            image = b""
        if not image.startswith(b"\x89PNG"):
            raise UserError(_("The signature is not a PNG image."))

    def _get_report_base_filename(self):
        # The file name of the portal's PDF download (the task's report is its
        # worksheet).
        self.ensure_one()
        return self.env._("Worksheet - %(task)s", task=self.name)

    def _is_worksheet_signable(self):
        """A worksheet waits for the customer's signature once its required questions
        are answered (what the portal offers; the sign route checks again)."""
        self.ensure_one()
        return bool(
            self.worksheet_answer_ids
            and self.state != "1_canceled"
            and not self.worksheet_signature
            and all(a.is_answered for a in self.worksheet_answer_ids if a.required)
        )
