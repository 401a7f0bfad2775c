from odoo import fields, models


class ProjectProject(models.Model):
    _inherit = "project.project"

    is_fsm = fields.Boolean(
        string="Field Service",
        help="Onsite interventions: tasks planned from helpdesk tickets, followed by the "
        "customer on the portal.",
    )
