from odoo.exceptions import AccessError, ValidationError
from odoo.fields import Command
from odoo.tests import Form, new_test_user, tagged

from .test_approval import ApprovalCase


@tagged("post_install", "-at_install")
class TestAfterSalesReasons(ApprovalCase):
    """Each service's window asks why, offers the reasons of its service only, and
    the document it creates keeps the reason."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.field_agent = new_test_user(
            cls.env,
            login="as_reason_field_agent",
            groups="helpdesk_mgmt.group_helpdesk_user,project.group_project_user,"
            "stock.group_stock_user",
        )
        cls.team.write(
            {
                "user_ids": [Command.link(cls.field_agent.id)],
                "after_sales_reason_required": True,
            }
        )
        cls.late = cls.env["helpdesk.after.sales.reason"].create(
            {
                "name": "Late delivery",
                "use_product_returns": False,
                "use_product_repairs": False,
                "use_fsm": False,
            }
        )

    def test_reason_required_by_the_team(self):
        wizard = self._refund_wizard(self.invoice_kettle)
        wizard.helpdesk_reason_id = False
        with self.assertRaisesRegex(ValidationError, "asks for a reason"):
            wizard.refund_moves()
        self.assertFalse(self.ticket.credit_note_ids)
        self.team.after_sales_reason_required = False
        wizard.refund_moves()
        self.assertEqual(len(self.ticket.credit_note_ids), 1)
        self.assertFalse(self.ticket.credit_note_ids.helpdesk_reason_id)

    def test_reason_shown_required_in_the_window(self):
        action = self.ticket.with_user(self.requester).action_refund()
        form = Form(
            self.env[action["res_model"]]
            .with_user(self.requester)
            .with_context(**action["context"])
        )
        self.assertTrue(form._get_modifier("helpdesk_reason_id", "required"))
        choices = self._choices(form, "helpdesk_reason_id")
        self.assertIn(self.defective, choices)
        self.assertIn(self.late, choices)
        self.assertNotIn(self.goodwill, choices, "a coupons-only reason")
        self.assertTrue(all(choices.mapped("use_credit_notes")))

    def test_reason_required_from_the_button_or_the_team(self):
        """The window's hint comes with the ticket's button, which read the team: no
        query of its own; opened without it, or with another ticket's, it is the
        team's setting."""
        Wizard = self.env["account.move.reversal"].with_user(self.requester)
        context = self.ticket.with_user(self.requester).action_refund()["context"]
        self.assertIs(context["helpdesk_reason_required"], True)
        self.env.invalidate_all()
        wizard = Wizard.with_context(**context).new(
            {"helpdesk_ticket_id": self.ticket.id}
        )
        with self.assertQueryCount(0):
            self.assertIs(wizard.helpdesk_reason_required, True)
        other = self.ticket.copy()
        for context in (
            {"default_helpdesk_ticket_id": self.ticket.id},
            {"default_helpdesk_ticket_id": other.id, "helpdesk_reason_required": False},
        ):
            wizard = Wizard.with_context(**context).new(
                {"helpdesk_ticket_id": self.ticket.id}
            )
            self.assertIs(wizard.helpdesk_reason_required, True, context)
        self.team.after_sales_reason_required = False
        context = self.ticket.with_user(self.requester).action_refund()["context"]
        self.assertIs(context["helpdesk_reason_required"], False)
        wizard = Wizard.with_context(**context).new(
            {"helpdesk_ticket_id": self.ticket.id}
        )
        self.assertIs(wizard.helpdesk_reason_required, False)

    def test_reason_of_another_service(self):
        wizard = self._refund_wizard(self.invoice_kettle)
        wizard.helpdesk_reason_id = self.goodwill  # coupons only
        with self.assertRaisesRegex(ValidationError, "not one for Refunds"):
            wizard.refund_moves()
        self.assertFalse(self.ticket.credit_note_ids)

    def test_archived_reason(self):
        wizard = self._refund_wizard(self.invoice_kettle)
        self.defective.action_archive()
        with self.assertRaisesRegex(ValidationError, "not one for Refunds"):
            wizard.refund_moves()

    def test_coupon_keeps_its_reason(self):
        self._coupon(reason=self.late)
        self.assertEqual(self.ticket.coupon_ids.helpdesk_reason_id, self.late)

    def test_task_keeps_its_reason(self):
        Plan = self.env["helpdesk.create.fsm.task"].with_user(self.field_agent)
        wizard = Plan.create(
            {"helpdesk_ticket_id": self.ticket.id, "helpdesk_reason_id": self.late.id}
        )
        with self.assertRaisesRegex(ValidationError, "not one for Field Service"):
            wizard.action_generate_task()
        wizard.helpdesk_reason_id = self.defective
        wizard.action_generate_task()
        self.assertEqual(self.ticket.fsm_task_ids.helpdesk_reason_id, self.defective)

    def test_repair_keeps_its_reason(self):
        Repair = self.env["repair.order"].with_user(self.requester)
        values = {
            "helpdesk_ticket_id": self.ticket.id,
            "partner_id": self.contact.id,
            "product_id": self.product.id,
        }
        with self.assertRaisesRegex(ValidationError, "asks for a reason"):
            Repair.create(values)
        with self.assertRaisesRegex(ValidationError, "not one for Repairs"):
            Repair.create({**values, "helpdesk_reason_id": self.late.id})
        repair = Repair.create({**values, "helpdesk_reason_id": self.defective.id})
        self.assertEqual(repair.helpdesk_reason_id, self.defective)
        with self.assertRaisesRegex(ValidationError, "asks for a reason"):
            repair.helpdesk_reason_id = False

    def test_return_keeps_its_reason(self):
        stock = (
            self.env["stock.warehouse"]
            .search([("company_id", "=", self.company.id)], limit=1)
            .lot_stock_id
        )
        self.env["stock.quant"]._update_available_quantity(self.product, stock, 5)
        order = self._create_order(self.contact, [self.product])
        delivery = order.picking_ids
        delivery.action_assign()
        delivery.move_ids.picked = True
        delivery.button_validate()
        wizard = (
            self.env["stock.return.picking"]
            .with_user(self.field_agent)
            .create(
                {
                    "helpdesk_ticket_id": self.ticket.id,
                    "picking_id": delivery.id,
                    "helpdesk_reason_id": self.late.id,
                }
            )
        )
        wizard.product_return_moves.quantity = 1
        with self.assertRaisesRegex(ValidationError, "not one for Returns"):
            wizard.action_create_returns()
        wizard.helpdesk_reason_id = self.defective
        action = wizard.action_create_returns()
        returned = self.env["stock.picking"].browse(action["res_id"])
        self.assertEqual(returned.helpdesk_reason_id, self.defective)

    def test_only_managers_edit_reasons(self):
        Reason = self.env["helpdesk.after.sales.reason"]
        with self.assertRaises(AccessError):
            Reason.with_user(self.leader).create({"name": "Because"})
        with self.assertRaises(AccessError):
            self.defective.with_user(self.leader).name = "Broken"
        self.assertEqual(
            self.defective.with_user(self.leader).name, "Defective on arrival"
        )
        Reason.with_user(self.manager).create({"name": "Because"})
