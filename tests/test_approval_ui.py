from odoo.fields import Command
from odoo.tests import HttpCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestApprovalTour(HttpCase):
    def test_refund_above_the_limit_approved_by_the_leader(self):
        groups = "helpdesk_mgmt.group_helpdesk_user,account.group_account_invoice"
        agent = new_test_user(self.env, login="tour_limit_agent", groups=groups)
        leader = new_test_user(self.env, login="tour_limit_leader", groups=groups)
        customer = self.env["res.partner"].create({"name": "Tour Customer"})
        self.env["helpdesk.after.sales.reason"].create({"name": "Defective on arrival"})
        team = self.env["helpdesk.ticket.team"].create(
            {
                "name": "Tour Limits",
                "use_credit_notes": True,
                "user_ids": [Command.set((agent | leader).ids)],
                "user_id": leader.id,
                "after_sales_reason_required": True,
                "refund_approval_amount": 100,
            }
        )
        ticket = self.env["helpdesk.ticket"].create(
            {
                "name": "Espresso machine does not heat",
                "description": "Cold",
                "team_id": team.id,
                "partner_id": customer.id,
            }
        )
        invoice = self.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": customer.id,
                "ref": "ESPRESSO",
                "invoice_line_ids": [
                    Command.create(
                        {
                            "name": "Espresso machine",
                            "quantity": 1,
                            "price_unit": 400.0,
                            "tax_ids": [Command.clear()],
                        }
                    )
                ],
            }
        )
        invoice.action_post()
        url = f"/odoo/action-helpdesk_mgmt.helpdesk_ticket_action/{ticket.id}"
        self.start_tour(url, "helpdesk_after_sales_approval_request", login=agent.login)
        approval = ticket.after_sales_approval_ids
        self.assertEqual(approval.state, "pending")
        self.assertEqual(approval.requested_by_id, agent)
        self.assertFalse(ticket.credit_note_ids)
        self.start_tour(
            url, "helpdesk_after_sales_approval_approve", login=leader.login
        )
        self.assertEqual(approval.state, "approved")
        self.assertEqual(approval.approved_by_id, leader)
        credit_note = ticket.credit_note_ids
        self.assertEqual(credit_note.reversed_entry_id, invoice)
        self.assertEqual(credit_note.helpdesk_approval_id, approval)
        self.assertEqual(credit_note.helpdesk_reason_id.name, "Defective on arrival")
