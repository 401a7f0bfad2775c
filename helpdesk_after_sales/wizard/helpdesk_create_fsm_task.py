from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.fields import Command


class HelpdeskCreateFsmTask(models.TransientModel):
    """Plan Intervention: a task of a field-service project for the ticket's customer,
    who follows it on the portal."""

    _name = "helpdesk.create.fsm.task"
    _inherit = ["helpdesk.after.sales.mixin"]
    _description = "Create a Field Service task"
    _after_sales_service = "use_fsm"
    # The project and the template are the ticket's company's, or shared (Odoo's
    # company check).
    _check_company_auto = True

    helpdesk_ticket_id = fields.Many2one(required=True)
    company_id = fields.Many2one(related="helpdesk_ticket_id.company_id")
    commercial_partner_id = fields.Many2one(
        related="helpdesk_ticket_id.commercial_partner_id"
    )
    name = fields.Char(
        string="Title",
        compute="_compute_name",
        store=True,
        readonly=False,
    )
    project_id = fields.Many2one(
        comodel_name="project.project",
        string="Project",
        compute="_compute_project_id",
        store=True,
        readonly=False,
        check_company=True,
        domain="[('is_fsm', '=', True)]",
        help=(
            "Field service project of the task: by default the Field Service project "
            "of the ticket's team."
        ),
    )
    partner_id = fields.Many2one(
        comodel_name="res.partner",
        string="Customer",
        compute="_compute_partner_id",
        store=True,
        readonly=False,
        domain="[('commercial_partner_id', '=', commercial_partner_id)]",
        help=(
            "The contact who follows the task on the portal: the ticket's customer, or "
            "another contact of the same company."
        ),
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
        help=(
            "The worksheet the technician fills on site: by default the project's "
            "template."
        ),
    )

    @api.depends("helpdesk_ticket_id")
    def _compute_name(self):
        for wizard in self:
            wizard.name = wizard.helpdesk_ticket_id.name

    @api.depends("helpdesk_ticket_id")
    def _compute_project_id(self):
        for wizard in self:
            wizard.project_id = wizard.helpdesk_ticket_id.team_id.fsm_project_id

    @api.depends("helpdesk_ticket_id")
    def _compute_partner_id(self):
        for wizard in self:
            wizard.partner_id = wizard.helpdesk_ticket_id.partner_id

    @api.depends("project_id")
    def _compute_worksheet_template_id(self):
        for wizard in self:
            project = wizard.project_id
            wizard.worksheet_template_id = (
                project.allow_worksheets and project.worksheet_template_id
            )

    @api.model_create_multi
    def create(self, vals_list):
        self._check_after_sales_create_vals(vals_list)
        return super().create(vals_list)

    def action_generate_task(self):
        self._create_task()
        return True

    def action_generate_and_view_task(self):
        task = self._create_task()
        return {
            "type": "ir.actions.act_window",
            "name": task.display_name,
            "res_model": "project.task",
            "res_id": task.id,
            "views": [(False, "form")],
            "target": "current",
        }

    def _check_after_sales_values(self):
        self.ensure_one()
        _ = self.env._
        if not (self.name or "").strip():
            raise ValidationError(_("Give the field service task a title."))
        self._check_fsm_project()
        if not self._is_after_sales_customer(self.partner_id):
            # The customer follows the task on the portal: never another customer's
            # contact.
            raise ValidationError(
                _(
                    "The customer of the task must be a contact of %(customer)s, the "
                    "ticket's customer.",
                    customer=self.commercial_partner_id.display_name,
                )
            )
        if self.worksheet_template_id and not self.allow_worksheets:
            raise ValidationError(
                _(
                    "Project %(project)s does not use worksheets: no worksheet "
                    "template can be chosen.",
                    project=self.project_id.display_name,
                )
            )

    def _check_fsm_project(self):
        _ = self.env._
        project = self.project_id
        if not project:
            error = _("Choose the Field Service project of the task.")
        elif not project.is_fsm:
            error = _("Project %(project)s is not a Field Service project.")
        elif not project.active:
            error = _("Project %(project)s is archived.")
        else:
            return
        raise ValidationError(error % {"project": project.display_name})

    def _prepare_task_vals(self):
        self.ensure_one()
        ticket = self.helpdesk_ticket_id
        vals = {
            "name": self.name.strip(),
            "project_id": self.project_id.id,
            "partner_id": self.partner_id.id,
            "description": ticket.description,
            "helpdesk_ticket_id": ticket.id,
            "helpdesk_reason_id": self.helpdesk_reason_id.id,
            # Unassigned until dispatched to a technician: not the agent who planned it,
            # whom project would assign by default.
            "user_ids": [Command.clear()],
        }
        if self.project_id.allow_worksheets:
            vals["worksheet_template_id"] = self.worksheet_template_id.id
        return vals

    def _create_task(self):
        with self._after_sales_envelope() as wizard:
            task = wizard.env["project.task"].create(wizard._prepare_task_vals())
            # The portal shows a task to the followers of it (project's portal task
            # rule).
            task.message_subscribe(partner_ids=self.partner_id.ids)
            self._post_after_sales_links(
                task,
                self.env._("Field service task %(link)s planned from this ticket."),
                self.env._("Planned from helpdesk ticket %(link)s."),
            )
        return task
