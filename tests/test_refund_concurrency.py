import logging
import uuid

from odoo.exceptions import UserError, ValidationError
from odoo.fields import Command
from odoo.tests import new_test_user, tagged

from .concurrency import ConcurrencyCase

_logger = logging.getLogger(__name__)


@tagged("post_install", "-at_install")
class TestRefundConcurrency(ConcurrencyCase):
    """Agents refunding the same invoice at once, each in their own transaction and
    thread, from their own ticket. What they act on is committed (a test's own
    transaction is invisible to the others) in a journal of its own, and removed
    afterwards."""

    AGENTS = 8

    def _create_data(self, env):
        tag = uuid.uuid4().hex[:6]
        agents = env["res.users"]
        for index in range(self.AGENTS):
            agents |= new_test_user(
                env,
                login=f"race_{tag}_{index}",
                groups="helpdesk_mgmt.group_helpdesk_user,account.group_account_invoice",
            )
        customer = env["res.partner"].create({"name": f"Race Customer {tag}"})
        product = env["product.product"].create(
            {"name": f"Race Kettle {tag}", "type": "consu", "list_price": 50.0}
        )
        journal = env["account.journal"].create(
            {"name": f"Race {tag}", "code": f"R{tag[:4]}", "type": "sale"}
        )
        tickets = self._race_tickets(
            env, f"Race {tag}", "use_credit_notes", agents, customer, "Refund"
        )
        invoices = env["account.move"].create(
            [
                {
                    "move_type": "out_invoice",
                    "partner_id": customer.id,
                    "journal_id": journal.id,
                    "invoice_line_ids": [
                        Command.create(
                            {
                                "product_id": product.id,
                                "quantity": quantity,
                                "price_unit": 50.0,
                                "tax_ids": [Command.clear()],
                            }
                        )
                    ],
                }
                for quantity in (3, 1)
            ]
        )
        invoices.action_post()
        # Two of the three kettles of the first invoice are credited already.
        env["account.move.reversal"].create(
            {
                "helpdesk_ticket_id": tickets[0].id,
                "move_ids": [Command.set(invoices[0].ids)],
                "helpdesk_refund_scope": "lines",
                "helpdesk_line_ids": [
                    Command.create(
                        {
                            "invoice_line_id": invoices[0].invoice_line_ids.id,
                            "quantity": 2,
                        }
                    )
                ],
            }
        ).action_refund_lines()
        return {
            "agents": agents.ids,
            "tickets": tickets.ids,
            "invoices": invoices.ids,
            "journal": journal.id,
            "team": tickets.team_id.id,
            "customer": customer.id,
            "product": product.id,
        }

    def _delete_data(self, env, data):
        # The customer's invoices and credit notes (these in the company's first
        # sales journal, as the wizard's RPC creation chooses).
        moves = env["account.move"].search(
            [("commercial_partner_id", "=", data["customer"])], order="id desc"
        )
        moves.filtered(lambda move: move.state != "draft").button_draft()
        moves.with_context(force_delete=True).unlink()
        env["account.journal"].browse(data["journal"]).unlink()
        env["helpdesk.ticket"].browse(data["tickets"]).unlink()
        env["helpdesk.ticket.team"].browse(data["team"]).unlink()
        env["product.product"].browse(data["product"]).unlink()
        users = env["res.users"].browse(data["agents"])
        partners = users.partner_id
        users.unlink()
        (partners | env["res.partner"].browse(data["customer"])).unlink()

    def setUp(self):
        super().setUp()
        self.data = self._committed(self._create_data)
        self.addCleanup(self._committed, lambda env: self._delete_data(env, self.data))

    def _credit_notes(self, invoice_id):
        def read(env):
            return (
                env["account.move"]
                .search(
                    [
                        ("reversed_entry_id", "=", invoice_id),
                        ("state", "!=", "cancel"),
                    ]
                )
                .ids
            )

        return self._committed(read)

    def test_eight_agents_credit_the_last_unit(self):
        invoice_id = self.data["invoices"][0]
        before = self._credit_notes(invoice_id)
        self.assertEqual(len(before), 1, "two of three kettles credited")

        def refund(ticket_id):
            def call(env, barrier):
                invoice = env["account.move"].browse(invoice_id)
                wizard = env["account.move.reversal"].create(
                    {
                        "helpdesk_ticket_id": ticket_id,
                        "move_ids": [Command.set(invoice.ids)],
                        "helpdesk_refund_scope": "lines",
                        "helpdesk_line_ids": [
                            Command.create(
                                {
                                    "invoice_line_id": invoice.invoice_line_ids.id,
                                    "quantity": 1,
                                }
                            )
                        ],
                    }
                )
                if barrier:
                    barrier.wait()
                wizard.action_refund_lines()
                return wizard.new_move_ids.id

            return call

        results, retried = self._at_once(
            [
                (agent, refund(ticket))
                for agent, ticket in zip(
                    self.data["agents"], self.data["tickets"], strict=True
                )
            ]
        )
        credited = [result for result in results if isinstance(result, int)]
        errors_ = [result for result in results if not isinstance(result, int)]
        self.assertEqual(len(credited), 1, results)
        self.assertEqual(len(errors_), self.AGENTS - 1, results)
        for error in errors_:
            self.assertIsInstance(error, ValidationError, results)
            self.assertIn("Only 0.00 of", str(error))
        after = self._credit_notes(invoice_id)
        self.assertEqual(sorted(after), sorted(before + credited))
        self.assertLessEqual(len(retried), self.AGENTS - 1)
        _logger.info(
            "%s agents at once: 1 credit note, %s refused, %s retried after a "
            "serialization failure",
            self.AGENTS,
            len(errors_),
            len(retried),
        )

    def test_two_agents_reverse_the_whole_invoice(self):
        invoice_id = self.data["invoices"][1]

        def reverse(ticket_id):
            def call(env, barrier):
                wizard = env["account.move.reversal"].create(
                    {
                        "helpdesk_ticket_id": ticket_id,
                        "move_ids": [Command.set([invoice_id])],
                    }
                )
                if barrier:
                    barrier.wait()
                wizard.refund_moves()
                return wizard.new_move_ids.id

            return call

        results, _retried = self._at_once(
            [
                (agent, reverse(ticket))
                for agent, ticket in zip(
                    self.data["agents"][:2], self.data["tickets"][:2], strict=True
                )
            ]
        )
        credited = [result for result in results if isinstance(result, int)]
        self.assertEqual(len(credited), 1, results)
        error = next(result for result in results if not isinstance(result, int))
        self.assertIsInstance(error, (UserError, ValidationError), results)
        self.assertIn("already has credit notes", str(error))
        self.assertEqual(self._credit_notes(invoice_id), credited)
