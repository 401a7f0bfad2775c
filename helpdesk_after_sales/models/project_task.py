from odoo import fields, models


class ProjectTask(models.Model):
    _inherit = "project.task"

    helpdesk_ticket_id = fields.Many2one(
        comodel_name="helpdesk.ticket",
        string="Helpdesk Ticket",
        index="btree_not_null",
        copy=False,
        readonly=True,
        help="The helpdesk ticket this intervention was planned from.",
    )
