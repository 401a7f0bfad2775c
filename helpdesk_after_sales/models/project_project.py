from odoo import api, fields, models
from odoo.exceptions import ValidationError


class ProjectProject(models.Model):
    _inherit = "project.project"

    is_fsm = fields.Boolean(
        string="Field Service",
        tracking=True,
        help="Onsite interventions: tasks planned from helpdesk tickets, followed by the "
        "customer on the portal.",
    )

    @api.onchange("is_fsm")
    def _onchange_is_fsm(self):
        if self.is_fsm:
            self.privacy_visibility = "portal"

    @api.constrains("is_fsm", "company_id", "active")
    def _check_fsm_teams(self):
        # sudo: project managers need no helpdesk rights to learn which teams plan into it.
        teams = self.env["helpdesk.ticket.team"].sudo().search([("fsm_project_id", "in", self.ids)])
        for team in teams:
            project = team.fsm_project_id
            if not project.is_fsm or not project.active or not team._is_fsm_project(project):
                raise ValidationError(
                    self.env._(
                        "Project %(project)s is the Field Service project of helpdesk team "
                        "%(team)s: choose another project for the team first.",
                        project=project.display_name,
                        team=team.display_name,
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("is_fsm") and "default_privacy_visibility" not in self.env.context:
                # Field service tasks are followed by the customer on the portal.
                vals.setdefault("privacy_visibility", "portal")
        return super().create(vals_list)

    def write(self, vals):
        if vals.get("is_fsm") and "privacy_visibility" not in vals:
            switched = self.filtered(lambda project: not project.is_fsm)
            if switched:
                super(ProjectProject, switched).write({"privacy_visibility": "portal"})
        return super().write(vals)
