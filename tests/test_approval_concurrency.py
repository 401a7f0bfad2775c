import uuid

from psycopg2.errors import SerializationFailure

from odoo import api
from odoo.exceptions import UserError
from odoo.fields import Command
from odoo.tests import TransactionCase, new_test_user, tagged
from odoo.tools import mute_logger


@tagged("post_install", "-at_install")
class TestApprovalConcurrency(TransactionCase):
    """Two approvers approve the same coupon request at once: one coupon, the other
    approver is told it is already approved. The data is committed through its own
    cursors (each approver's request is its own transaction: hence the commits),
    and removed after."""

    def _setup_committed(self):
        suffix = uuid.uuid4().hex[:8]
        with self.registry.cursor() as cr:
            env = api.Environment(cr, api.SUPERUSER_ID, {"tracking_disable": True})
            groups = "helpdesk_mgmt.group_helpdesk_user,sales_team.group_sale_salesman"
            approvers = [
                new_test_user(env, login=f"race_approver_{n}_{suffix}", groups=groups)
                for n in (1, 2)
            ]
            requester = new_test_user(
                env, login=f"race_requester_{suffix}", groups=groups
            )
            customer = env["res.partner"].create({"name": f"Race {suffix}"})
            program = (
                env["loyalty.program"]
                .with_context(default_program_type="coupons")
                .create({"name": f"Race {suffix}"})
            )
            team = env["helpdesk.ticket.team"].create(
                {
                    "name": f"Race {suffix}",
                    "use_coupons": True,
                    "approver_ids": [Command.set([a.id for a in approvers])],
                }
            )
            ticket = env["helpdesk.ticket"].create(
                {
                    "name": "Race",
                    "description": "Race",
                    "team_id": team.id,
                    "partner_id": customer.id,
                }
            )
            approval = env["helpdesk.after.sales.approval"].create(
                {
                    "helpdesk_ticket_id": ticket.id,
                    "service": "coupon",
                    "requested_by_id": requester.id,
                    "wizard_model": "helpdesk.coupon.generate",
                    "wizard_action": "action_coupon_generate_share",
                    "wizard_values": {
                        "program_id": program.id,
                        "partner_id": customer.id,
                    },
                }
            )
            cr.commit()  # pylint: disable=invalid-commit
            ids = {
                "approvers": [a.id for a in approvers],
                "users": [a.id for a in approvers] + [requester.id],
                "program": program.id,
                "team": team.id,
                "ticket": ticket.id,
                "approval": approval.id,
            }
        self.addCleanup(self._cleanup_committed, ids)
        return ids

    def _cleanup_committed(self, ids):
        with self.registry.cursor() as cr:
            env = api.Environment(cr, api.SUPERUSER_ID, {"active_test": False})
            env["loyalty.card"].search(
                [("helpdesk_ticket_id", "=", ids["ticket"])]
            ).unlink()
            env["helpdesk.after.sales.approval"].browse(ids["approval"]).unlink()
            env["helpdesk.ticket"].browse(ids["ticket"]).unlink()
            env["helpdesk.ticket.team"].browse(ids["team"]).unlink()
            env["loyalty.program"].browse(ids["program"]).active = False
            env["res.users"].browse(ids["users"]).active = False
            cr.commit()  # pylint: disable=invalid-commit

    def _env(self, cr, uid):
        # A lock held elsewhere fails the test instead of hanging it.
        cr.execute("SET LOCAL lock_timeout = '20s'")
        return api.Environment(cr, uid, {})

    @mute_logger("odoo.sql_db")
    def test_two_approvers_at_once(self):
        """The second approver's transaction started before the first committed (it
        read the request as pending): its approval fails on the request's row, as
        Odoo's RPC layer then retries it (odoo.service.model.retrying), and the
        retry is told the request is already approved."""
        ids = self._setup_committed()
        first, second = ids["approvers"]
        Approval = "helpdesk.after.sales.approval"
        with self.registry.cursor() as cr_second:
            env_second = self._env(cr_second, second)
            approval_second = env_second[Approval].browse(ids["approval"])
            self.assertEqual(approval_second.state, "pending")
            with self.registry.cursor() as cr_first:
                env_first = self._env(cr_first, first)
                env_first[Approval].browse(ids["approval"]).action_approve()
                cr_first.commit()  # pylint: disable=invalid-commit
            with self.assertRaises(SerializationFailure):
                approval_second.action_approve()
            cr_second.rollback()
            env_second = self._env(cr_second, second)
            with self.assertRaisesRegex(UserError, "already approved"):
                env_second[Approval].browse(ids["approval"]).action_approve()
            cr_second.rollback()
        with self.registry.cursor() as cr:
            env = api.Environment(cr, api.SUPERUSER_ID, {"active_test": False})
            coupons = env["loyalty.card"].search(
                [("helpdesk_ticket_id", "=", ids["ticket"])]
            )
            self.assertEqual(len(coupons), 1)
            approval = env[Approval].browse(ids["approval"])
            self.assertEqual(approval.state, "approved")
            self.assertEqual(approval.approved_by_id.id, first)
            self.assertEqual(coupons.helpdesk_approval_id, approval)
