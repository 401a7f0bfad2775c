from datetime import timedelta

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.fields import Command, Date
from odoo.tests import Form, new_test_user, tagged

from .test_coupons import CouponsCase


class ApprovalCase(CouponsCase):
    """An agent with Billing and Sales rights, the team leader who approves, reasons,
    a coupons program and two invoices of the customer: a kettle (50) and an espresso
    machine (400), untaxed."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        groups = (
            "helpdesk_mgmt.group_helpdesk_user,account.group_account_invoice,"
            "sales_team.group_sale_salesman"
        )
        cls.requester = new_test_user(
            cls.env, login="as_requester", name="Requesting Agent", groups=groups
        )
        cls.leader = new_test_user(
            cls.env, login="as_leader", name="Team Leader", groups=groups
        )
        cls.other_agent = new_test_user(
            cls.env, login="as_other_agent", name="Other Agent", groups=groups
        )
        cls.team.write(
            {
                "user_ids": [
                    Command.link(user.id)
                    for user in cls.requester | cls.leader | cls.other_agent
                ],
                "user_id": cls.leader.id,
                "refund_approval_amount": 300,
                "coupon_approval_count": 1,
            }
        )
        Reason = cls.env["helpdesk.after.sales.reason"]
        cls.defective = Reason.create({"name": "Defective on arrival"})
        cls.goodwill = Reason.create(
            {
                "name": "Goodwill",
                "use_credit_notes": False,
                "use_product_returns": False,
                "use_product_repairs": False,
                "use_fsm": False,
            }
        )
        cls.invoice_kettle = cls._create_untaxed_invoice(cls.product, 50.0, "KETTLE")
        cls.invoice_espresso = cls._create_untaxed_invoice(
            cls.serial_product, 400.0, "ESPRESSO"
        )

    @classmethod
    def _create_untaxed_invoice(cls, product, price, ref):
        invoice = cls.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": cls.contact.id,
                "ref": ref,
                "invoice_line_ids": [
                    Command.create(
                        {
                            "product_id": product.id,
                            "quantity": 1,
                            "price_unit": price,
                            "tax_ids": [Command.clear()],
                        }
                    )
                ],
            }
        )
        invoice.action_post()
        return invoice

    def _refund_wizard(self, invoices, user=None, helpdesk_reason=None, **values):
        user = user or self.requester
        action = self.ticket.with_user(user).action_refund()
        form = Form(
            self.env[action["res_model"]]
            .with_user(user)
            .with_context(**action["context"])
        )
        form.move_ids.clear()
        for invoice in invoices:
            form.move_ids.add(invoice)
        form.helpdesk_reason_id = helpdesk_reason or self.defective
        for name, value in values.items():
            setattr(form, name, value)
        return form.save()

    def _refund(self, invoices, user=None, **values):
        return self._refund_wizard(invoices, user=user, **values).refund_moves()

    def _coupon(self, user=None, reason=None, **values):
        user = user or self.requester
        action = self.ticket.with_user(user).action_generate_coupon()
        form = Form(
            self.env[action["res_model"]]
            .with_user(user)
            .with_context(**action["context"])
        )
        form.program_id = self.program
        form.helpdesk_reason_id = reason or self.goodwill
        for name, value in values.items():
            setattr(form, name, value)
        return form.save().action_coupon_generate_share()

    def _approvals(self):
        return self.env["helpdesk.after.sales.approval"].search(
            [("helpdesk_ticket_id", "=", self.ticket.id)]
        )

    def _request_espresso_refund(self, **values):
        action = self._refund(self.invoice_espresso, **values)
        self.assertEqual(action["tag"], "display_notification")
        approval = self._approvals()
        self.assertEqual(len(approval), 1)
        return approval


@tagged("post_install", "-at_install")
class TestApprovalLimits(ApprovalCase):
    def test_refund_within_limit(self):
        self._refund(self.invoice_kettle)
        credit_note = self.ticket.credit_note_ids
        self.assertEqual(credit_note.reversed_entry_id, self.invoice_kettle)
        self.assertEqual(credit_note.helpdesk_reason_id, self.defective)
        self.assertFalse(credit_note.helpdesk_approval_id)
        self.assertFalse(self._approvals())

    def test_refund_above_limit_waits_for_approval(self):
        approval = self._request_espresso_refund()
        self.assertFalse(self.ticket.credit_note_ids, "no credit note until approved")
        self.assertEqual(approval.state, "pending")
        self.assertEqual(approval.service, "refund")
        self.assertEqual(approval.requested_by_id, self.requester)
        self.assertEqual(approval.amount, 400.0)
        self.assertEqual(approval.helpdesk_reason_id, self.defective)
        self.assertIn("300", approval.limit_summary)
        self.assertEqual(approval.activity_ids.user_id, self.leader)
        self.assertTrue(
            self.ticket.message_ids.filtered(
                lambda m: f'data-oe-id="{approval.id}"' in (m.body or "")
            ),
            "the ticket's chatter links the request",
        )
        self.assertEqual(
            self.ticket.with_user(self.requester).after_sales_approval_count, 1
        )

    def test_issued_credit_notes_count(self):
        """Already issued plus this one: 400, then 50 more goes beyond 420."""
        self.team.refund_approval_amount = 420
        self._refund(self.invoice_espresso)
        self.assertEqual(len(self.ticket.credit_note_ids), 1)
        self._refund(self.invoice_kettle)
        self.assertEqual(len(self.ticket.credit_note_ids), 1)
        self.assertEqual(self._approvals().amount, 450.0)

    def test_cancelled_credit_notes_do_not_count(self):
        self.team.refund_approval_amount = 420
        self._refund(self.invoice_espresso)
        self.ticket.credit_note_ids.button_cancel()
        self._refund(self.invoice_kettle)
        self.assertEqual(len(self.ticket.credit_note_ids), 2)
        self.assertFalse(self._approvals())

    def test_limit_is_untaxed(self):
        tax = self.env["account.tax"].create(
            {"name": "VAT 25%", "amount": 25.0, "type_tax_use": "sale"}
        )
        invoice = self.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": self.contact.id,
                "invoice_line_ids": [
                    Command.create(
                        {
                            "product_id": self.product.id,
                            "price_unit": 280.0,
                            "tax_ids": [Command.set(tax.ids)],
                        }
                    )
                ],
            }
        )
        invoice.action_post()
        self.assertEqual(invoice.amount_total, 350.0)
        self._refund(invoice)
        self.assertEqual(self.ticket.credit_note_ids.amount_total, 350.0)
        self.assertFalse(self._approvals(), "280 untaxed is within 300")

    def test_zero_is_no_limit(self):
        self.team.write({"refund_approval_amount": 0, "coupon_approval_count": 0})
        self._refund(self.invoice_espresso)
        self._coupon()
        self._coupon()
        self.assertEqual(len(self.ticket.credit_note_ids), 1)
        self.assertEqual(len(self.ticket.coupon_ids), 2)
        self.assertFalse(self._approvals())

    def test_approver_is_not_held(self):
        self._refund(self.invoice_espresso, user=self.leader)
        self.assertEqual(len(self.ticket.credit_note_ids), 1)
        self.assertFalse(self._approvals())

    def test_default_approvers(self):
        self.assertEqual(self.team._get_after_sales_approvers(), self.leader)
        self.team.user_id = False
        approvers = self.team._get_after_sales_approvers()
        self.assertIn(self.manager, approvers)
        self.assertNotIn(self.requester, approvers)
        self.team.approver_ids = self.other_agent
        self.assertEqual(self.team._get_after_sales_approvers(), self.other_agent)
        approval = self._request_espresso_refund()
        self.assertEqual(approval.activity_ids.user_id, self.other_agent)

    def test_coupon_above_limit(self):
        self._coupon()
        self.assertEqual(len(self.ticket.coupon_ids), 1)
        action = self._coupon(valid_until=Date.today() + timedelta(days=30))
        self.assertEqual(action["tag"], "display_notification")
        self.assertEqual(len(self.ticket.coupon_ids), 1, "the second one waits")
        approval = self._approvals()
        self.assertEqual(approval.service, "coupon")
        self.assertIn("2 coupons", approval.limit_summary)

    def test_only_managers_set_limits(self):
        for values in (
            {"refund_approval_amount": 10000},
            {"coupon_approval_count": 10},
            {"approver_ids": [Command.set(self.requester.ids)]},
            {"after_sales_reason_required": False},
        ):
            with self.assertRaises(AccessError):
                self.team.with_user(self.leader).write(values)
        self.team.with_user(self.manager).refund_approval_amount = 500
        self.assertEqual(self.team.refund_approval_amount, 500)
        with self.assertRaises(ValidationError):
            self.team.with_user(self.manager).coupon_approval_count = -1

    def test_team_form_shows_limits_to_managers_only(self):
        form = Form(self.team.with_user(self.manager))
        self.assertIn("refund_approval_amount", form._view["fields"])
        self.assertIn("approver_ids", form._view["fields"])
        leader_view = self.team.with_user(self.leader).get_views([(False, "form")])
        self.assertNotIn(
            "refund_approval_amount", leader_view["models"]["helpdesk.ticket.team"]
        )


@tagged("post_install", "-at_install")
class TestApprovalDecisions(ApprovalCase):
    def test_approve_creates_what_was_asked(self):
        other_journal = self.invoice_espresso.journal_id.copy(
            {"name": "Refunds", "code": "RFND"}
        )
        yesterday = Date.context_today(self.requester) - timedelta(days=1)
        approval = self._request_espresso_refund(
            date=yesterday, journal_id=other_journal, reason="Cold water"
        )
        action = approval.with_user(self.leader).action_approve()
        credit_note = self.ticket.credit_note_ids
        self.assertEqual(len(credit_note), 1)
        self.assertEqual(action["res_id"], credit_note.id)
        self.assertEqual(credit_note.reversed_entry_id, self.invoice_espresso)
        self.assertEqual(credit_note.date, yesterday)
        self.assertEqual(credit_note.journal_id, other_journal)
        self.assertIn("Cold water", credit_note.ref)
        self.assertEqual(credit_note.amount_untaxed, 400.0)
        self.assertEqual(credit_note.state, "draft", "Reverse, as the agent asked")
        self.assertEqual(credit_note.helpdesk_reason_id, self.defective)
        self.assertEqual(credit_note.helpdesk_approval_id, approval)
        self.assertEqual(approval.state, "approved")
        self.assertEqual(approval.approved_by_id, self.leader)
        self.assertEqual(approval.move_ids, credit_note)
        self.assertFalse(approval.activity_ids, "the to-dos are closed")
        told = approval.message_ids.filtered(
            lambda m: self.requester.partner_id in m.partner_ids
        )
        self.assertIn("Approved by Team Leader", told.body)
        self.assertEqual(self.ticket.after_sales_approval_count, 0)

    def test_approve_reverse_and_create_invoice(self):
        action = self._refund_wizard(self.invoice_espresso).modify_moves()
        self.assertEqual(action["tag"], "display_notification")
        self._approvals().with_user(self.leader).action_approve()
        credit_note = self.ticket.credit_note_ids
        self.assertEqual(credit_note.state, "posted")
        self.assertEqual(self.invoice_espresso.payment_state, "reversed")

    def test_approve_coupon(self):
        self._coupon()
        valid_until = Date.today() + timedelta(days=30)
        self._coupon(valid_until=valid_until, partner_id=self.customer)
        approval = self._approvals()
        action = approval.with_user(self.leader).action_approve()
        coupon = approval.coupon_ids
        self.assertEqual(len(coupon), 1)
        self.assertEqual(coupon.program_id, self.program)
        self.assertEqual(coupon.expiration_date, valid_until)
        self.assertEqual(coupon.partner_id, self.customer)
        self.assertEqual(coupon.helpdesk_reason_id, self.goodwill)
        self.assertEqual(coupon.helpdesk_ticket_id, self.ticket)
        self.assertEqual(action["res_model"], "helpdesk.coupon.generate")
        self.assertEqual(len(self.ticket.coupon_ids), 2)

    def test_non_approver_cannot_approve(self):
        approval = self._request_espresso_refund()
        for user in (self.other_agent, self.requester):
            with self.assertRaises(AccessError):
                approval.with_user(user).action_approve()
            with self.assertRaises(AccessError):
                approval.with_user(user).action_refuse()
            self.assertFalse(approval.with_user(user).can_decide)
        with self.assertRaisesRegex(AccessError, "You asked for this request"):
            approval.with_user(self.requester).action_approve()
        self.env.invalidate_all()
        self.assertEqual(approval.state, "pending")
        self.assertFalse(self.ticket.credit_note_ids)

    def test_requester_who_is_approver(self):
        approval = self._request_espresso_refund()
        self.team.approver_ids = self.requester | self.leader
        approval.with_user(self.requester).action_approve()
        self.assertEqual(approval.approved_by_id, self.requester)
        self.assertEqual(len(self.ticket.credit_note_ids), 1)

    def test_approve_twice(self):
        approval = self._request_espresso_refund()
        approval.with_user(self.leader).action_approve()
        self.team.approver_ids = self.leader | self.manager
        with self.assertRaisesRegex(UserError, "already approved"):
            approval.with_user(self.manager).action_approve()
        with self.assertRaises(UserError):
            approval.with_user(self.leader).action_refuse()
        self.assertEqual(len(self.ticket.credit_note_ids), 1)

    def test_request_of_another_company(self):
        other_team = self.env["helpdesk.ticket.team"].create(
            {
                "name": "Other After-Sales",
                "company_id": self.other_company.id,
                "use_credit_notes": True,
                "approver_ids": [Command.set(self.leader.ids)],
            }
        )
        other_ticket = self.env["helpdesk.ticket"].create(
            {
                "name": "Other kettle",
                "description": "Leaks",
                "team_id": other_team.id,
                "partner_id": self.contact.id,
                "company_id": self.other_company.id,
            }
        )
        approval = self.env["helpdesk.after.sales.approval"].create(
            {
                "helpdesk_ticket_id": other_ticket.id,
                "service": "refund",
                "requested_by_id": self.requester.id,
                "wizard_model": "account.move.reversal",
                "wizard_action": "refund_moves",
                "wizard_values": {},
            }
        )
        self.assertNotIn(self.other_company, self.leader.company_ids)
        with self.assertRaises(AccessError):
            approval.with_user(self.leader).action_approve()
        self.assertEqual(approval.state, "pending")

    def test_refuse(self):
        approval = self._request_espresso_refund()
        action = approval.with_user(self.leader).action_refuse()
        form = Form(
            self.env[action["res_model"]]
            .with_user(self.leader)
            .with_context(**action["context"])
        )
        form.reason = "Send it to the workshop first"
        form.save().action_refuse()
        self.assertEqual(approval.state, "refused")
        self.assertEqual(approval.refused_by_id, self.leader)
        self.assertEqual(approval.refusal_reason, "Send it to the workshop first")
        self.assertFalse(approval.activity_ids)
        told = approval.message_ids.filtered(
            lambda m: self.requester.partner_id in m.partner_ids
        )
        self.assertIn("Send it to the workshop first", told.body)
        self.assertFalse(self.ticket.credit_note_ids)
        with self.assertRaisesRegex(UserError, "already refused"):
            approval.with_user(self.leader).action_approve()

    def test_refuse_without_reason(self):
        approval = self._request_espresso_refund()
        Refuse = self.env["helpdesk.after.sales.approval.refuse"].with_user(self.leader)
        wizard = Refuse.create({"approval_id": approval.id, "reason": "  \n "})
        with self.assertRaisesRegex(ValidationError, "Say why"):
            wizard.action_refuse()
        self.env.invalidate_all()
        self.assertEqual(approval.state, "pending")
        with self.assertRaises(AccessError):
            Refuse.with_user(self.requester).create(
                {"approval_id": approval.id, "reason": "Mine"}
            ).action_refuse()

    def test_invoice_reversed_meanwhile(self):
        approval = self._request_espresso_refund()
        self.invoice_espresso._reverse_moves(cancel=True)
        self.assertEqual(self.invoice_espresso.payment_state, "reversed")
        with self.assertRaisesRegex(ValidationError, "already been fully reversed"):
            approval.with_user(self.leader).action_approve()
        self.env.invalidate_all()
        self.assertEqual(approval.state, "pending")
        self.assertFalse(self.ticket.credit_note_ids)
        self.assertTrue(approval.activity_ids, "still to decide")

    def test_program_archived_meanwhile(self):
        self._coupon()
        self._coupon()
        approval = self._approvals()
        self.program.action_archive()
        with self.assertRaisesRegex(ValidationError, "archived"):
            approval.with_user(self.leader).action_approve()
        self.env.invalidate_all()
        self.assertEqual(approval.state, "pending")
        self.assertEqual(len(self.ticket.coupon_ids), 1)

    def test_stored_values_checked_as_the_approver(self):
        """The approver runs the wizard's checks with their own rights: without
        Billing rights, no credit note."""
        approval = self._request_espresso_refund()
        self.team.approver_ids = self.manager
        with self.assertRaises(AccessError):
            approval.with_user(self.manager).action_approve()
        self.env.invalidate_all()
        self.assertEqual(approval.state, "pending")


@tagged("post_install", "-at_install")
class TestApprovalForgery(ApprovalCase):
    def test_requests_are_not_created_by_rpc(self):
        other_ticket = self.ticket.copy({"partner_id": self.other_customer.id})
        with self.assertRaises(AccessError):
            self.env["helpdesk.after.sales.approval"].with_user(self.requester).create(
                {
                    "helpdesk_ticket_id": self.ticket.id,
                    "service": "refund",
                    "wizard_model": "account.move.reversal",
                    "wizard_action": "refund_moves",
                    "wizard_values": {"helpdesk_ticket_id": other_ticket.id},
                }
            )

    def test_requests_are_not_written_by_rpc(self):
        approval = self._request_espresso_refund()
        for user in (self.requester, self.leader, self.manager):
            with self.assertRaises(AccessError):
                approval.with_user(user).write({"state": "approved"})

    def test_wizard_cannot_claim_a_request(self):
        """A refund of another invoice, or above the limit, linked by RPC to a pending
        request: refused, for its requester as for its approver."""
        approval = self._request_espresso_refund()
        for user in (self.requester, self.leader):
            wizard = self._refund_wizard(self.invoice_kettle, user=user)
            wizard.sudo().helpdesk_approval_id = approval
            with self.assertRaisesRegex(AccessError, "Approve button"):
                wizard.with_user(user).refund_moves()
        self.assertFalse(self.ticket.credit_note_ids)

    def test_stored_values_of_another_ticket(self):
        """The request is always carried out on its own ticket: the invoice of
        another customer in its stored values is refused by the wizard's checks."""
        other_invoice = self.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": self.other_customer.id,
                "invoice_line_ids": [
                    Command.create({"name": "Blender", "price_unit": 500.0})
                ],
            }
        )
        other_invoice.action_post()
        other_ticket = self.ticket.copy({"partner_id": self.other_customer.id})
        approval = self._request_espresso_refund()
        approval.wizard_values = {
            **approval.wizard_values,
            "helpdesk_ticket_id": other_ticket.id,
            "move_ids": [Command.set(other_invoice.ids)],
        }
        with self.assertRaisesRegex(ValidationError, "was not issued to the ticket"):
            approval.with_user(self.leader).action_approve()
        self.assertFalse(other_ticket.credit_note_ids)
