from markupsafe import Markup

from odoo import api, fields, models


class LoyaltyCard(models.Model):
    _name = "loyalty.card"
    _inherit = ["loyalty.card", "helpdesk.after.sales.document"]

    helpdesk_ticket_id = fields.Many2one(
        help="The helpdesk ticket this coupon was generated from.",
    )
    helpdesk_reason_id = fields.Many2one(
        help="Why this coupon was generated from its helpdesk ticket.",
    )
    helpdesk_approval_id = fields.Many2one(
        comodel_name="helpdesk.after.sales.approval",
        string="After-Sales Approval",
        index="btree_not_null",
        copy=False,
        readonly=True,
        ondelete="restrict",
        help="The approval request, above the team's limit, it was generated for.",
    )
    is_used = fields.Boolean(string="Used", compute="_compute_is_used")

    @api.depends("use_count")
    def _compute_is_used(self):
        for card in self:
            card.is_used = bool(card.use_count)

    def _message_post_after_hook(self, message, msg_vals):
        super()._message_post_after_hook(message, msg_vals)
        # The coupon e-mail is sent from the card, whose template renders it: the ticket
        # keeps a copy in its chatter, where the agent follows the customer's case.
        if message.message_type != "comment" or not message.partner_ids:
            return
        if message.subtype_id != self.env.ref("mail.mt_comment"):
            return
        for card in self.filtered("helpdesk_ticket_id"):
            # sudo: grants the sender (maybe no helpdesk rights) this e-mail's note.
            card.helpdesk_ticket_id.sudo().message_post(
                body=Markup(
                    self.env._(
                        "Coupon %(link)s sent by e-mail to %(recipients)s: %(subject)s"
                    )
                )
                % {
                    "link": card._get_html_link(title=card.code),
                    "recipients": ", ".join(message.partner_ids.mapped("display_name")),
                    "subject": message.subject or "",
                }
                + Markup("<br/>")
                + (message.body or ""),
                subtype_xmlid="mail.mt_note",
                author_id=message.author_id.id,
            )
