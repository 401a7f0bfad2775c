from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.fields import Command, Date
from odoo.tests import Form, new_test_user, tagged
from odoo.tools import SQL

from .common import AfterSalesCase


@tagged("post_install", "-at_install")
class TestRefund(AfterSalesCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.billing_agent = new_test_user(
            cls.env,
            login="as_billing_agent",
            name="Billing Agent",
            groups="helpdesk_mgmt.group_helpdesk_user,account.group_account_invoice",
            company_ids=[Command.set((cls.company | cls.other_company).ids)],
        )
        cls.sale_journal = cls.env["account.journal"].search(
            [
                *cls.env["account.journal"]._check_company_domain(cls.company),
                ("type", "=", "sale"),
            ],
            limit=1,
        )
        assert cls.sale_journal, "the test company needs a chart of accounts"
        cls.order_kettle = cls._create_order(cls.contact, [cls.product])
        cls.order_espresso = cls._create_order(cls.contact, [cls.serial_product])
        cls.invoice_kettle = cls._create_invoice(
            cls.contact, cls.product, cls.order_kettle.order_line, ref="KETTLE"
        )
        cls.invoice_espresso = cls._create_invoice(
            cls.contact,
            cls.serial_product,
            cls.order_espresso.order_line,
            ref="ESPRESSO",
        )

    def _refund_form(self, ticket=None, user=None):
        ticket = (ticket or self.ticket).with_user(user or self.billing_agent)
        action = ticket.action_refund()
        self.assertEqual(action["res_model"], "account.move.reversal")
        return Form(
            self.env[action["res_model"]]
            .with_user(user or self.billing_agent)
            .with_context(**action["context"])
        )

    def _credit_notes(self):
        return self.env["account.move"].search([("move_type", "=", "out_refund")])

    # ------------------------------------------------------------------ happy paths
    def test_refund_prefilled_from_ticket(self):
        self.ticket.write(
            {
                "sale_order_ids": [Command.set(self.order_kettle.ids)],
                "product_id": self.product.id,
            }
        )
        refund = self._refund_form()
        self.assertEqual(refund.helpdesk_sale_order_id, self.order_kettle)
        self.assertEqual(refund.helpdesk_product_id, self.product)
        self.assertEqual(
            refund.move_ids[:], self.invoice_kettle, "the one match is preselected"
        )
        self.assertEqual(refund.reason, self.ticket.display_name)
        self.assertEqual(refund.journal_id, self.invoice_kettle.journal_id)
        # The agent's today (their time zone), not the test runner's.
        self.assertEqual(refund.date, Date.context_today(refund._record))
        self.assertTrue(
            refund._get_modifier("helpdesk_lot_id", "invisible"),
            "kettles have no serial",
        )
        wizard = refund.save()
        action = wizard.refund_moves()
        credit_note = self.ticket.credit_note_ids
        self.assertEqual(len(credit_note), 1)
        self.assertEqual(action["res_id"], credit_note.id)
        self.assertEqual(credit_note.move_type, "out_refund")
        self.assertEqual(
            credit_note.state,
            "draft",
            "Reverse leaves a draft to edit (partial refunds)",
        )
        self.assertEqual(credit_note.reversed_entry_id, self.invoice_kettle)
        self.assertIn(self.ticket.display_name, credit_note.ref)
        self.assertEqual(
            self.ticket.with_user(self.billing_agent).credit_notes_count, 1
        )
        ticket_log = self.ticket.message_ids.filtered(
            lambda m: f'data-oe-id="{credit_note.id}"' in m.body
        )
        self.assertTrue(ticket_log, "the ticket's chatter links to the credit note")
        self.assertTrue(
            credit_note.message_ids.filtered(
                lambda m: f'data-oe-id="{self.ticket.id}"' in m.body
            ),
            "the credit note's chatter links back to the ticket",
        )
        view = self.ticket.with_user(self.billing_agent).action_view_credit_notes()
        self.assertEqual(view["res_id"], credit_note.id)

    def test_reverse_and_create_invoice(self):
        refund = self._refund_form()
        refund.helpdesk_product_id = self.serial_product
        self.assertEqual(refund.move_ids[:], self.invoice_espresso)
        other_journal = self.sale_journal.copy({"name": "Refunds", "code": "RFND"})
        refund.journal_id = other_journal
        refund.reason = "Broken on arrival"
        refund.save().modify_moves()
        credit_note = self.ticket.credit_note_ids
        self.assertEqual(len(credit_note), 1)
        self.assertEqual(credit_note.state, "posted")
        self.assertEqual(credit_note.journal_id, other_journal)
        self.assertIn("Broken on arrival", credit_note.ref)
        self.assertEqual(self.invoice_espresso.payment_state, "reversed")
        new_invoice = self.env["account.move"].search(
            [
                ("move_type", "=", "out_invoice"),
                ("state", "=", "draft"),
                ("partner_id", "=", self.contact.id),
            ]
        )
        self.assertEqual(len(new_invoice), 1, "a draft copy of the invoice to correct")
        self.assertEqual(new_invoice.invoice_line_ids.product_id, self.serial_product)
        self.assertFalse(
            new_invoice.helpdesk_ticket_id, "only credit notes count on the ticket"
        )
        self.assertEqual(self.ticket.credit_notes_count, 1)

    def test_refund_several_invoices(self):
        refund = self._refund_form()
        self.assertEqual(
            refund.suitable_move_ids[:], self.invoice_kettle | self.invoice_espresso
        )
        self.assertFalse(refund.move_ids[:], "two matches: the agent chooses")
        refund.move_ids.add(self.invoice_kettle)
        refund.move_ids.add(self.invoice_espresso)
        refund.save().refund_moves()
        self.assertEqual(self.ticket.credit_notes_count, 2)
        self.assertEqual(
            self.ticket.credit_note_ids.reversed_entry_id,
            self.invoice_kettle | self.invoice_espresso,
        )
        view = self.ticket.with_user(self.billing_agent).action_view_credit_notes()
        self.assertEqual(
            view["domain"], [("id", "in", self.ticket.credit_note_ids.ids)]
        )

    def test_invoice_choices_narrowed_by_order_product_lot(self):
        # A delivery of the serial number, so that the lot leads to its invoice.
        stock = self.env.ref("stock.warehouse0").lot_stock_id
        self.env["stock.quant"]._update_available_quantity(
            self.serial_product, stock, 1, lot_id=self.lot
        )
        order = self._create_order(self.contact, [self.serial_product])
        order.picking_ids.move_ids.picked = True
        order.picking_ids.button_validate()
        self.assertEqual(order.picking_ids.move_line_ids.lot_id, self.lot)
        invoice_lot = self._create_invoice(
            self.contact, self.serial_product, order.order_line
        )
        self._create_invoice(
            self.contact, self.product, post=False
        )  # draft: never offered
        self._create_invoice(
            self.other_customer, self.product
        )  # not the ticket's customer
        refund = self._refund_form()
        self.assertEqual(
            refund.suitable_move_ids[:],
            self.invoice_kettle | self.invoice_espresso | invoice_lot,
        )
        refund.helpdesk_sale_order_id = self.order_kettle
        self.assertEqual(refund.suitable_move_ids[:], self.invoice_kettle)
        refund.helpdesk_sale_order_id = self.env["sale.order"]
        refund.helpdesk_product_id = self.serial_product
        self.assertEqual(
            refund.suitable_move_ids[:], self.invoice_espresso | invoice_lot
        )
        self.assertFalse(refund._get_modifier("helpdesk_lot_id", "invisible"))
        refund.helpdesk_lot_id = self.lot
        self.assertEqual(refund.suitable_move_ids[:], invoice_lot)
        self.assertEqual(refund.move_ids[:], invoice_lot)

    def test_sales_order_from_the_ticket_orders(self):
        """The ticket's one order is preselected; with several the agent chooses among
        them; without, among the customer's orders. Invoices follow the chosen order."""
        self._create_order(self.other_customer, [self.product])  # never offered
        refund = self._refund_form()
        self.assertFalse(refund.helpdesk_sale_order_id)
        self.assertEqual(
            self._choices(refund, "helpdesk_sale_order_id"),
            self.order | self.order_kettle | self.order_espresso,
            "no order on the ticket: any order of its customer",
        )
        self.ticket.sale_order_ids = self.order_kettle
        refund = self._refund_form()
        self.assertEqual(refund.helpdesk_sale_order_id, self.order_kettle)
        self.assertEqual(
            self._choices(refund, "helpdesk_sale_order_id"), self.order_kettle
        )
        self.assertEqual(refund.move_ids[:], self.invoice_kettle)
        self.ticket.sale_order_ids = self.order_kettle | self.order_espresso
        refund = self._refund_form()
        self.assertFalse(refund.helpdesk_sale_order_id, "two orders: the agent chooses")
        self.assertEqual(
            self._choices(refund, "helpdesk_sale_order_id"),
            self.order_kettle | self.order_espresso,
        )
        self.assertEqual(
            refund.suitable_move_ids[:], self.invoice_kettle | self.invoice_espresso
        )
        self.assertFalse(refund.move_ids[:])
        refund.helpdesk_sale_order_id = self.order_espresso
        self.assertEqual(refund.suitable_move_ids[:], self.invoice_espresso)
        self.assertEqual(refund.move_ids[:], self.invoice_espresso)
        refund.save().refund_moves()
        self.assertEqual(
            self.ticket.credit_note_ids.reversed_entry_id, self.invoice_espresso
        )

    def test_invoice_choices_use_an_index(self):
        refund = self.env["account.move.reversal"].create(
            {
                "helpdesk_ticket_id": self.ticket.id,
                "move_ids": [Command.set(self.invoice_kettle.ids)],
            }
        )
        query = self.env["account.move"]._search(refund._helpdesk_invoice_domain())
        self.env.cr.execute("SET LOCAL enable_seqscan = off")
        self.env.cr.execute(SQL("EXPLAIN %s", query.select()))
        plan = "\n".join(row[0] for row in self.env.cr.fetchall())
        self.assertIn("account_move_helpdesk_refundable_idx", plan)

    def test_counts_batched(self):
        tickets = self.ticket | self.ticket.copy() | self.ticket.copy()
        # An invoice is reversed whole once: the third ticket refunds another kettle.
        invoice_kettle_2 = self._create_invoice(self.contact, self.product)
        for ticket, invoices in zip(
            tickets[1:],
            (self.invoice_kettle, invoice_kettle_2 | self.invoice_espresso),
            strict=True,
        ):
            self.env["account.move.reversal"].create(
                {
                    "helpdesk_ticket_id": ticket.id,
                    "move_ids": [Command.set(invoices.ids)],
                }
            ).refund_moves()
        self.env.invalidate_all()
        with self.assertQueryCount(1):
            self.assertEqual(tickets.mapped("credit_notes_count"), [0, 1, 2])

    def test_accounting_reversal_unchanged(self):
        """Reversing from the invoice itself works as in account, with no ticket."""
        reversal = Form(
            self.env["account.move.reversal"]
            .with_user(self.billing_agent)
            .with_context(
                active_model="account.move", active_ids=self.invoice_kettle.ids
            )
        )
        self.assertEqual(reversal.move_ids[:], self.invoice_kettle)
        self.assertTrue(reversal._get_modifier("move_ids", "invisible"))
        reversal.save().refund_moves()
        credit_note = self.invoice_kettle.reversal_move_ids
        self.assertEqual(len(credit_note), 1)
        self.assertFalse(credit_note.helpdesk_ticket_id)
        self.assertFalse(self.ticket.credit_note_ids)

    # ------------------------------------------------------------------ bad input
    def _assert_refund_refused(self, exception, message, **values):
        before = self._credit_notes()
        with self.assertRaisesRegex(exception, message):
            wizard = (
                self.env["account.move.reversal"]
                .with_user(self.billing_agent)
                .create({"helpdesk_ticket_id": self.ticket.id, **values})
            )
            wizard.refund_moves()
        self.env.clear()
        self.assertEqual(self._credit_notes(), before, "nothing created")

    def test_refuses_draft_and_cancelled_invoices(self):
        draft = self._create_invoice(self.contact, self.product, post=False)
        self._assert_refund_refused(
            ValidationError, "not posted", move_ids=[Command.set(draft.ids)]
        )
        cancelled = self._create_invoice(self.contact, self.product, post=False)
        cancelled.button_cancel()
        self._assert_refund_refused(
            ValidationError, "not posted", move_ids=[Command.set(cancelled.ids)]
        )

    def test_refuses_vendor_bill(self):
        bill = self.env["account.move"].create(
            {
                "move_type": "in_invoice",
                "partner_id": self.contact.id,
                "invoice_date": Date.today(),
                "invoice_line_ids": [
                    Command.create({"product_id": self.product.id, "price_unit": 10})
                ],
            }
        )
        bill.action_post()
        # In a sales journal, account's own check refuses it (_check_journal_type).
        self._assert_refund_refused(
            UserError, "same type", move_ids=[Command.set(bill.ids)]
        )
        self._assert_refund_refused(
            ValidationError,
            "not a customer invoice",
            move_ids=[Command.set(bill.ids)],
            journal_id=bill.journal_id.id,
        )

    def test_refuses_invoice_of_another_customer(self):
        foreign = self._create_invoice(self.other_customer, self.product)
        self._assert_refund_refused(
            ValidationError,
            "not issued to the ticket's customer",
            move_ids=[Command.set(foreign.ids)],
        )
        # Mixed with a good one: refused as a whole.
        self._assert_refund_refused(
            ValidationError,
            "not issued",
            move_ids=[Command.set((self.invoice_kettle | foreign).ids)],
        )

    def test_refuses_invoice_of_another_company(self):
        team = self.team.copy(
            {
                "name": "Other desk",
                "company_id": self.other_company.id,
                "fsm_project_id": False,
                "use_fsm": False,
            }
        )
        ticket = self.ticket.copy(
            {"team_id": team.id, "company_id": self.other_company.id}
        )
        self.env["account.journal"].create(
            {
                "name": "Sales",
                "code": "OSAL",
                "type": "sale",
                "company_id": self.other_company.id,
            }
        )
        before = self._credit_notes()
        # Odoo's own check_company message, naming no record of the other company.
        with self.assertRaisesRegex(UserError, "belongs to another company"):
            self.env["account.move.reversal"].with_user(self.billing_agent).create(
                {
                    "helpdesk_ticket_id": ticket.id,
                    "move_ids": [Command.set(self.invoice_kettle.ids)],
                }
            )
        self.env.clear()
        self.assertEqual(self._credit_notes(), before)

    def test_refuses_fully_reversed_invoice(self):
        self.env["account.move.reversal"].create(
            {
                "helpdesk_ticket_id": self.ticket.id,
                "move_ids": [Command.set(self.invoice_kettle.ids)],
            }
        ).modify_moves()
        self.assertEqual(self.invoice_kettle.payment_state, "reversed")
        self._assert_refund_refused(
            ValidationError,
            "already been fully reversed",
            move_ids=[Command.set(self.invoice_kettle.ids)],
        )
        self.assertNotIn(self.invoice_kettle, self._refund_form().suitable_move_ids[:])

    def test_refuses_invoice_reversed_meanwhile(self):
        wizard = (
            self.env["account.move.reversal"]
            .with_user(self.billing_agent)
            .create(
                {
                    "helpdesk_ticket_id": self.ticket.id,
                    "move_ids": [Command.set(self.invoice_kettle.ids)],
                }
            )
        )
        self.env["account.move.reversal"].create(
            {
                "helpdesk_ticket_id": self.ticket.id,
                "move_ids": [Command.set(self.invoice_kettle.ids)],
            }
        ).modify_moves()
        count = self.ticket.credit_notes_count
        with self.assertRaisesRegex(ValidationError, "already been fully reversed"):
            wizard.refund_moves()
        self.assertEqual(self.ticket.credit_notes_count, count)

    def test_refuses_empty_selection(self):
        # account's own check refuses it (_check_journal_type: no invoice's journal).
        self._assert_refund_refused(UserError, "same type")
        refund = self._refund_form()
        self.assertTrue(refund._get_modifier("move_ids", "required"))

    def test_refuses_journal_of_wrong_type(self):
        purchase = self.env["account.journal"].search(
            [
                *self.env["account.journal"]._check_company_domain(self.company),
                ("type", "=", "purchase"),
            ],
            limit=1,
        )
        self._assert_refund_refused(
            UserError,
            "same type",
            move_ids=[Command.set(self.invoice_kettle.ids)],
            journal_id=purchase.id,
        )

    def test_ticket_without_customer(self):
        self.ticket.partner_id = False
        with self.assertRaisesRegex(UserError, "no customer"):
            self.ticket.with_user(self.billing_agent).action_refund()
        self._assert_refund_refused(
            UserError, "no customer", move_ids=[Command.set(self.invoice_kettle.ids)]
        )

    def test_team_without_refunds(self):
        self.team.use_credit_notes = False
        with self.assertRaisesRegex(UserError, "does not offer Refunds"):
            self.ticket.with_user(self.billing_agent).action_refund()

    # ------------------------------------------------------------------ access
    def test_agent_without_billing_rights(self):
        with self.assertRaises(AccessError):
            self.ticket.with_user(self.agent).action_refund()
        with self.assertRaises(AccessError):
            self.env["account.move.reversal"].with_user(self.agent).create(
                {
                    "helpdesk_ticket_id": self.ticket.id,
                    "move_ids": [Command.set(self.invoice_kettle.ids)],
                }
            )
        arch = (
            self.env["helpdesk.ticket"]
            .with_user(self.agent)
            .get_view(view_type="form")["arch"]
        )
        self.assertNotIn("action_refund", arch)
        self.assertNotIn("credit_notes_count", arch)
        arch = (
            self.env["helpdesk.ticket"]
            .with_user(self.billing_agent)
            .get_view(view_type="form")["arch"]
        )
        self.assertIn("action_refund", arch)

    def test_agent_who_cannot_read_the_ticket(self):
        personal_agent = new_test_user(
            self.env,
            login="as_personal_agent",
            groups=(
                "helpdesk_mgmt.group_helpdesk_user_own,account.group_account_invoice"
            ),
        )
        self.ticket.user_id = (
            self.manager
        )  # assigned to someone else, not in the agent's team
        with self.assertRaises(AccessError):
            self.ticket.with_user(personal_agent).action_refund()
        with self.assertRaises(AccessError):
            self.env["account.move.reversal"].with_user(personal_agent).create(
                {
                    "helpdesk_ticket_id": self.ticket.id,
                    "move_ids": [Command.set(self.invoice_kettle.ids)],
                }
            )
        self.assertFalse(self.ticket.credit_note_ids)
