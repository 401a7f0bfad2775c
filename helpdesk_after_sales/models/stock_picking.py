from odoo import api, fields, models


class StockPicking(models.Model):
    _name = "stock.picking"
    _inherit = ["stock.picking", "helpdesk.after.sales.document"]

    helpdesk_ticket_id = fields.Many2one(
        help=(
            "The helpdesk ticket this return, or its replacement delivery, was created "
            "from."
        ),
    )
    helpdesk_reason_id = fields.Many2one(
        help="Why this transfer was created from its helpdesk ticket.",
    )
    # Not stored: lets the tickets group deliveries by customer in SQL (one join).
    commercial_partner_id = fields.Many2one(
        related="partner_id.commercial_partner_id",
        string="Commercial Entity",
    )

    @api.model_create_multi
    def create(self, vals_list):
        context = self.env.context
        ticket = (
            self.env["helpdesk.ticket"]
            .browse(context.get("helpdesk_exchange_ticket_id"))
            .with_user(context.get("helpdesk_exchange_uid") or self.env.uid)
        )
        if not ticket:
            return super().create(vals_list)
        # A ticket's exchange (stock.return.picking): the transfers its procurement
        # creates are the replacement; the return itself is linked by the wizard.
        for vals in vals_list:
            if not vals.get("return_id"):
                vals["helpdesk_ticket_id"] = ticket.id
        pickings = super().create(vals_list)
        for picking in pickings.filtered("helpdesk_ticket_id"):
            ticket._post_after_sales_links(
                picking.with_user(ticket.env.user),
                self.env._("Replacement delivery %(link)s created from this ticket."),
                self.env._("Created from helpdesk ticket %(link)s."),
            )
        return pickings
