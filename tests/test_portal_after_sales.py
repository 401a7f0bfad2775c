import re

from odoo.exceptions import ValidationError
from odoo.fields import Command
from odoo.tests import new_test_user, tagged
from odoo.tools import mute_logger

from .test_fsm_portal import FsmPortalCase


class AfterSalesPortalCase(FsmPortalCase):
    """Customer A (main company) with a delivered order and a ticket holding a document
    of each kind; customer B (other company) with a ticket of his own."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.stock_agent = new_test_user(
            cls.env,
            login="as_portal_stock_agent",
            groups="helpdesk_mgmt.group_helpdesk_user,stock.group_stock_user",
        )
        cls.team.user_ids = [Command.link(cls.stock_agent.id)]
        cls.company.after_sales_portal_team_id = cls.team
        warehouse = cls.env["stock.warehouse"].search(
            [("company_id", "=", cls.company.id)], limit=1
        )
        Quant = cls.env["stock.quant"]
        Quant._update_available_quantity(cls.product, warehouse.lot_stock_id, 10)
        Quant._update_available_quantity(
            cls.serial_product, warehouse.lot_stock_id, 1, lot_id=cls.lot
        )
        # SN-002 exists but was never delivered.
        cls.lot_2 = cls.env["stock.lot"].create(
            {"name": "SN-002", "product_id": cls.serial_product.id}
        )
        # Eight kettles and the espresso machine SN-001, delivered to customer A.
        cls.delivered = cls.env["sale.order"].create(
            {
                "partner_id": cls.portal_a.partner_id.id,
                "order_line": [
                    Command.create(
                        {"product_id": cls.product.id, "product_uom_qty": 8}
                    ),
                    Command.create(
                        {"product_id": cls.serial_product.id, "product_uom_qty": 1}
                    ),
                ],
            }
        )
        cls.delivered.action_confirm()
        cls.delivery = cls.delivered.picking_ids
        cls._validate(cls.delivery)
        cls.kettle_line = cls.delivered.order_line.filtered(
            lambda line: line.product_id == cls.product
        )
        cls.espresso_line = cls.delivered.order_line - cls.kettle_line
        # The common order (AfterSalesCase): confirmed, nothing delivered yet.
        cls.undelivered_line = cls.order.order_line[:1]
        cls.ticket.sale_order_ids = [Command.set(cls.delivered.ids)]
        # Customer B's confirmed order, in the other company.
        cls.order_b = cls.env["sale.order"].create(
            {
                "partner_id": cls.portal_b.partner_id.id,
                "company_id": cls.other_company.id,
                "order_line": [
                    Command.create({"product_id": cls.other_product.id}),
                ],
            }
        )
        cls.order_b.action_confirm()
        cls.program = cls.env["loyalty.program"].create(
            {
                "name": "Apology Coupons",
                "program_type": "coupons",
                "reward_ids": [
                    Command.create({"reward_type": "discount", "discount": 10})
                ],
            }
        )

    @classmethod
    def _validate(cls, pickings):
        pickings.action_assign()
        pickings.move_ids.picked = True
        pickings.button_validate()
        assert set(pickings.mapped("state")) == {"done"}, pickings.mapped("state")

    @classmethod
    def _credit_note(cls, ticket, partner, post=True, price=20.0):
        move = cls.env["account.move"].create(
            {
                "move_type": "out_refund",
                "partner_id": partner.id,
                "company_id": ticket.company_id.id,
                "helpdesk_ticket_id": ticket.id,
                "invoice_line_ids": [
                    Command.create(
                        {"name": "Refund", "quantity": 1, "price_unit": price}
                    )
                ],
            }
        )
        if post:
            move.action_post()
        return move

    @classmethod
    def _coupon(cls, ticket, code, program=None, **values):
        return cls.env["loyalty.card"].create(
            {
                "program_id": (program or cls.program).id,
                "partner_id": ticket.partner_id.id,
                "code": code,
                "points": 1,
                "helpdesk_ticket_id": ticket.id,
                **values,
            }
        )

    @classmethod
    def _return(cls, quantity=1):
        """A return of `quantity` kettles of the delivery, from ticket A, as the
        agent: ready to ship."""
        wizard = (
            cls.env["stock.return.picking"]
            .with_user(cls.stock_agent)
            .create(
                {"helpdesk_ticket_id": cls.ticket.id, "picking_id": cls.delivery.id}
            )
        )
        for line in wizard.product_return_moves:
            line.quantity = quantity if line.product_id == cls.product else 0
        return cls.env["stock.picking"].browse(wizard.action_create_returns()["res_id"])

    @classmethod
    def _repair(cls, ticket, **values):
        return cls.env["repair.order"].create(
            {
                "helpdesk_ticket_id": ticket.id,
                "partner_id": ticket.partner_id.id,
                "product_id": cls.product.id,
                "company_id": ticket.company_id.id,
                **values,
            }
        )

    def _get(self, url):
        return self.url_open(url, allow_redirects=False)

    def _assert_refused(self, url):
        response = self._get(url)
        self.assertEqual(response.status_code, 303, url)
        self.assertTrue(response.headers["Location"].endswith("/my"), url)


@tagged("post_install", "-at_install")
class TestPortalTicketDocuments(AfterSalesPortalCase):
    """The after-sales sections of the portal ticket page."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.credit_note = cls._credit_note(cls.ticket, cls.portal_a.partner_id)
        cls.draft_credit_note = cls._credit_note(
            cls.ticket, cls.portal_a.partner_id, post=False, price=99.0
        )
        # Linked to ticket A by mistake, but another customer's: never shown on it.
        cls.foreign_credit_note = cls._credit_note(
            cls.ticket, cls.other_customer, price=77.0
        )
        cls.coupon = cls._coupon(cls.ticket, "OAK-SORRY-10")
        cls.return_ready = cls._return()
        cls.return_done = cls._return()
        cls._validate(cls.return_done)
        # A return prepared by hand and not confirmed yet: waiting.
        cls.return_waiting = cls.return_ready.copy(
            {"helpdesk_ticket_id": cls.ticket.id, "return_id": cls.delivery.id}
        )
        assert cls.return_waiting.state == "draft", cls.return_waiting.state
        cls.repair = cls._repair(cls.ticket, under_warranty=True)

    def test_ticket_page_shows_each_kind(self):
        self.authenticate("portal_oak", "portal_oak")
        response = self._get(f"/my/ticket/{self.ticket.id}")
        self.assertEqual(response.status_code, 200)
        page = response.text
        for section in (
            "ticket_credit_notes",
            "ticket_coupons",
            "ticket_returns",
            "ticket_repairs",
            "ticket_fsm_tasks",
        ):
            self.assertIn(f'id="{section}"', page)
        # Credit note: number, link with its token, amount, payment status.
        self.assertIn(self.credit_note.name, page)
        self.assertIn(
            f"/my/invoices/{self.credit_note.id}?access_token="
            f"{self.credit_note.access_token}",
            page,
        )
        self.assertIn("20.00", page)
        self.assertIn("Not Paid", page)
        self.assertNotIn("99.00", page, "a draft credit note is not shown")
        self.assertNotIn("77.00", page, "another customer's credit note is not shown")
        # Coupon: code, program, not used.
        self.assertIn("OAK-SORRY-10", page)
        self.assertIn("Apology Coupons", page)
        self.assertIn("Not used", page)
        # Returns: each state, the slip of the ready one only.
        for picking in self.return_ready | self.return_done | self.return_waiting:
            self.assertIn(picking.name, page)
        self.assertIn("Ready to ship", page)
        self.assertIn("Waiting", page)
        self.assertEqual(
            re.findall(r"/my/ticket/\d+/return/(\d+)", page),
            [str(self.return_ready.id)],
        )
        # Repair: reference, product, state, warranty.
        section = page[page.index('id="ticket_repairs"') :]
        self.assertIn(self.repair.name, section)
        self.assertIn("Kettle", section)
        self.assertIn("New", section)
        self.assertIn("Yes", section)

    def test_sections_hidden_without_documents(self):
        self.authenticate("portal_birch", "portal_birch")
        page = self._get(f"/my/ticket/{self.ticket_b.id}").text
        for section in (
            "ticket_credit_notes",
            "ticket_coupons",
            "ticket_returns",
            "ticket_repairs",
        ):
            self.assertNotIn(f'id="{section}"', page)
        self.assertNotIn("OAK-SORRY-10", page)
        self.assertNotIn(self.credit_note.name, page)
        # One coupon of his own: its section alone appears.
        program_b = self.env["loyalty.program"].create(
            {
                "name": "Birch Coupons",
                "program_type": "coupons",
                "company_id": self.other_company.id,
            }
        )
        self._coupon(self.ticket_b, "BIRCH-5", program=program_b)
        page = self._get(f"/my/ticket/{self.ticket_b.id}").text
        self.assertIn('id="ticket_coupons"', page)
        self.assertIn("BIRCH-5", page)
        self.assertNotIn('id="ticket_credit_notes"', page)
        self.assertNotIn("OAK-SORRY-10", page)

    def test_other_customer_sees_none_of_them(self):
        self.authenticate("portal_birch", "portal_birch")
        ticket_url = f"/my/ticket/{self.ticket.id}"
        slip_url = f"{ticket_url}/return/{self.return_ready.id}"
        for url in (
            ticket_url,
            f"{ticket_url}?access_token={self.ticket_b._portal_ensure_token()}",
            f"{ticket_url}?access_token=guessed",
            slip_url,
            f"{slip_url}?access_token={self.ticket_b._portal_ensure_token()}",
        ):
            with self.subTest(url=url):
                self._assert_refused(url)
        # His own ticket's address with A's return: not one of his ticket's returns.
        with mute_logger("odoo.http"):
            response = self._get(
                f"/my/ticket/{self.ticket_b.id}/return/{self.return_ready.id}"
            )
        self.assertEqual(response.status_code, 404)

    def test_ticket_token_shows_documents(self):
        """The ticket's link grants its after-sales documents to a visitor."""
        self.authenticate(None, None)
        token = self.ticket._portal_ensure_token()
        self._assert_refused(f"/my/ticket/{self.ticket.id}")
        page = self._get(f"/my/ticket/{self.ticket.id}?access_token={token}").text
        self.assertIn("OAK-SORRY-10", page)
        self.assertIn(self.credit_note.name, page)
        # The credit note's link opens Odoo's own invoice page.
        response = self._get(self.credit_note.get_portal_url())
        self.assertEqual(response.status_code, 200)
        self.assertIn(self.credit_note.name, response.text)
        slip = self._get(
            f"/my/ticket/{self.ticket.id}/return/{self.return_ready.id}"
            f"?access_token={token}"
        )
        self.assertEqual(slip.status_code, 200)
        self.assertIn(self.return_ready.name, slip.text)

    def test_return_slip(self):
        self.authenticate("portal_oak", "portal_oak")
        base = f"/my/ticket/{self.ticket.id}/return"
        response = self._get(f"{base}/{self.return_ready.id}")
        self.assertEqual(response.status_code, 200)
        # Under --test-enable the PDF report renders its HTML (ir_actions_report).
        self.assertIn(self.return_ready.name, response.text)
        self.assertIn("Kettle", response.text)
        with mute_logger("odoo.http"):
            for picking in self.return_done | self.return_waiting | self.delivery:
                with self.subTest(picking=picking.name):
                    response = self._get(f"{base}/{picking.id}")
                    self.assertEqual(response.status_code, 404)

    def test_home_counter(self):
        """Returns to ship (ready or waiting) and coupons not used yet."""
        self._coupon(self.ticket, "OAK-USED", points=1)
        used = self.env["loyalty.card"].search([("code", "=", "OAK-USED")])
        self.env["sale.order"].create(
            {
                "partner_id": self.portal_a.partner_id.id,
                "order_line": [
                    Command.create(
                        {
                            "product_id": self.product.id,
                            "name": "10% off",
                            "coupon_id": used.id,
                            "is_reward_line": True,
                            "reward_id": self.program.reward_ids.id,
                        }
                    )
                ],
            }
        )
        self.assertTrue(used.is_used)
        self._coupon(self.ticket, "OAK-EXPIRED", expiration_date="2020-01-01")
        self.authenticate("portal_oak", "portal_oak")
        counters = self.make_jsonrpc_request(
            "/my/counters", {"counters": ["after_sales_count"]}
        )
        self.assertEqual(counters["after_sales_count"], 3, "2 returns, 1 coupon")
        self.authenticate("portal_birch", "portal_birch")
        counters = self.make_jsonrpc_request(
            "/my/counters", {"counters": ["after_sales_count"]}
        )
        self.assertEqual(counters["after_sales_count"], 0)


@tagged("post_install", "-at_install")
class TestPortalTicketQueries(AfterSalesPortalCase):
    def _page_queries(self, url):
        """The queries of one hot request of the page (warmed up twice)."""
        for _warm in range(2):
            self._get(url)
        count = self.cr.sql_log_count
        response = self._get(url)
        self.assertEqual(response.status_code, 200)
        return self.cr.sql_log_count - count, response.text

    def _add_documents(self, count):
        for _index in range(count):
            code = f"OAK-Q-{self.env['loyalty.card'].search_count([])}"
            self._credit_note(self.ticket, self.portal_a.partner_id)
            self._coupon(self.ticket, code)
            self._return()
            self._repair(self.ticket)

    def test_ticket_page_queries(self):
        """The after-sales sections cost a fixed number of queries, whatever the number
        of documents. Each section's search reads the fields it shows; with documents,
        a section adds one query per other model it shows: the credit notes' currency,
        the coupons' program and order lines (used or not). The returns add none, the
        task is shown without documents too, and the repairs' products are named in
        one batch with the warranty badge's product (three queries: variant, template,
        attribute values), which the page shows anyway."""
        self.ticket.product_id = self.serial_product  # the repairs are the kettle
        self.authenticate("portal_oak", "portal_oak")
        url = f"/my/ticket/{self.ticket.id}"
        empty, _page = self._page_queries(url)
        self._add_documents(1)
        one, _page = self._page_queries(url)
        self._add_documents(4)
        five, page = self._page_queries(url)
        self.assertEqual(page.count("OAK-Q-"), 5)
        self.assertEqual(page.count("/return/"), 5)
        self.assertIn(self.serial_product.display_name, page)
        self.assertLessEqual(five - empty, 1 + 2, f"{empty} without documents, {five}")
        self.assertEqual(five, one, "as many queries for 5 documents of each as for 1")


@tagged("post_install", "-at_install")
class TestPortalReportProblem(AfterSalesPortalCase):
    """Report a problem from the order's portal page."""

    def _tickets(self):
        return self.env["helpdesk.ticket"].search_count([])

    def _form_url(self, line, order=None):
        return f"/my/orders/{(order or self.delivered).id}/problem?line_id={line.id}"

    def _csrf(self, line):
        """The form's CSRF token, read from the form as a browser would."""
        page = self._get(self._form_url(line))
        self.assertEqual(page.status_code, 200)
        return re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)

    def _submit(self, line, order=None, csrf=True, files=None, **data):
        order = order or self.delivered
        data.setdefault("line_id", line.id)
        data.setdefault("description", "It stopped heating after a week.")
        if csrf is True:
            csrf = self._csrf(self.kettle_line)
        if csrf:
            data["csrf_token"] = csrf
        return self.url_open(
            f"/my/orders/{order.id}/problem/submit",
            data=data,
            files=files,
            allow_redirects=False,
        )

    def _assert_refused_submit(self, status, text, line=None, **kwargs):
        before = self._tickets()
        with mute_logger("odoo.http"):
            response = self._submit(line or self.kettle_line, **kwargs)
        self.assertEqual(response.status_code, status, response.text[:300])
        self.assertIn(text, response.text)
        self.assertEqual(self._tickets(), before, "nothing created")
        return response

    def test_order_page_offers_delivered_lines(self):
        self.authenticate("portal_oak", "portal_oak")
        page = self._get(f"/my/orders/{self.delivered.id}").text
        for line in self.kettle_line | self.espresso_line:
            self.assertIn(self._form_url(line), page)
        page = self._get(f"/my/orders/{self.order.id}").text
        self.assertNotIn("o_helpdesk_report_problem", page, "nothing delivered yet")
        # Not offered when the company names no team.
        self.company.after_sales_portal_team_id = False
        page = self._get(f"/my/orders/{self.delivered.id}").text
        self.assertNotIn("o_helpdesk_report_problem", page)

    def test_order_link_offers_nothing(self):
        """The order's link shows the order to another customer, no Report a problem."""
        self.authenticate("portal_birch", "portal_birch")
        token = self.delivered._portal_ensure_token()
        page = self._get(f"/my/orders/{self.delivered.id}?access_token={token}")
        self.assertEqual(page.status_code, 200)
        self.assertNotIn("o_helpdesk_report_problem", page.text)

    def test_form_offers_delivered_lots(self):
        self.authenticate("portal_oak", "portal_oak")
        page = self._get(self._form_url(self.espresso_line)).text
        self.assertIn("Espresso Machine", page)
        self.assertIn('name="lot_id"', page)
        self.assertIn("SN-001", page)
        self.assertNotIn("SN-002", page, "not delivered")
        page = self._get(self._form_url(self.kettle_line)).text
        self.assertNotIn('name="lot_id"', page, "the kettle is not tracked")

    def test_report_problem_end_to_end(self):
        self.authenticate("portal_oak", "portal_oak")
        before = self._tickets()
        response = self._submit(
            self.espresso_line,
            lot_id=self.lot.id,
            description="The steam wand <b>leaks</b>.",
            files=[
                ("attachments", ("leak.jpg", b"\xff\xd8\xff picture", "image/jpeg")),
                ("attachments", ("receipt.txt", b"bought in May", "text/plain")),
            ],
        )
        self.assertEqual(response.status_code, 303, response.text[:300])
        self.assertEqual(self._tickets(), before + 1)
        ticket = self.env["helpdesk.ticket"].search([], order="id desc", limit=1)
        self.assertTrue(
            response.headers["Location"].endswith(f"/my/ticket/{ticket.id}")
        )
        self.assertEqual(ticket.sale_order_ids, self.delivered)
        self.assertEqual(ticket.product_id, self.serial_product)
        self.assertEqual(ticket.lot_id, self.lot)
        self.assertEqual(ticket.team_id, self.team)
        self.assertEqual(ticket.company_id, self.company)
        self.assertEqual(ticket.partner_id, self.portal_a.partner_id)
        self.assertIn(self.portal_a.partner_id, ticket.message_partner_ids)
        self.assertIn("&lt;b&gt;leaks&lt;/b&gt;", ticket.description, "escaped text")
        self.assertEqual(ticket.stage_id, self.team._get_applicable_stages()[:1])
        attachments = self.env["ir.attachment"].search(
            [("res_model", "=", "helpdesk.ticket"), ("res_id", "=", ticket.id)]
        )
        self.assertEqual(
            sorted(attachments.mapped("name")), ["leak.jpg", "receipt.txt"]
        )
        self.assertEqual(
            attachments.filtered(lambda a: a.name == "receipt.txt").raw,
            b"bought in May",
        )
        page = self._get(f"/my/ticket/{ticket.id}")
        self.assertEqual(page.status_code, 200)
        self.assertIn("Problem with", page.text)
        self.assertIn("receipt.txt", page.text)

    def test_untracked_product_without_lot(self):
        self.authenticate("portal_oak", "portal_oak")
        response = self._submit(self.kettle_line)
        self.assertEqual(response.status_code, 303)
        ticket = self.env["helpdesk.ticket"].search([], order="id desc", limit=1)
        self.assertEqual(ticket.product_id, self.product)
        self.assertFalse(ticket.lot_id)

    def test_refused_other_customers_order(self):
        self.authenticate("portal_birch", "portal_birch")
        csrf = self._csrf_for_birch()
        token = self.delivered._portal_ensure_token()
        for access_token in (None, token):
            with self.subTest(access_token=access_token):
                extra = {"access_token": access_token} if access_token else {}
                self._assert_refused_submit(
                    403, "does not exist or is not yours", csrf=csrf, **extra
                )
        with mute_logger("odoo.http"):
            page = self._get(
                self._form_url(self.kettle_line) + f"&access_token={token}"
            )
        self.assertEqual(page.status_code, 403)
        self.assertNotIn("Kettle", page.text)

    def _csrf_for_birch(self):
        page = self._get(f"/my/orders/{self.order_b.id}")
        self.assertEqual(page.status_code, 200)
        return re.search(r'csrf_token: "([^"]+)"', page.text).group(1)

    def test_refused_line_not_delivered(self):
        self.authenticate("portal_oak", "portal_oak")
        line = self.undelivered_line
        self._assert_refused_submit(
            400, "has not been delivered", line=line, order=self.order
        )
        # A delivered line of another order, posted on this one.
        self._assert_refused_submit(
            400, "has not been delivered", line=self.kettle_line, order=self.order
        )

    def test_refused_lot_not_delivered(self):
        self.authenticate("portal_oak", "portal_oak")
        for lot_id, text in (
            (self.lot_2.id, "was not delivered with this order"),
            ("", "Choose the lot or serial number"),
            ("SN-001", "was not delivered with this order"),
        ):
            with self.subTest(lot_id=lot_id):
                self._assert_refused_submit(
                    400, text, line=self.espresso_line, lot_id=lot_id
                )

    def test_refused_empty_description(self):
        self.authenticate("portal_oak", "portal_oak")
        response = self._assert_refused_submit(
            400, "Describe the problem", description="  \n "
        )
        self.assertIn("o_helpdesk_problem_form", response.text, "the form again")

    def test_refused_csrf(self):
        self.authenticate("portal_oak", "portal_oak")
        self._assert_refused_submit(400, "invalid CSRF token", csrf=None)
        self._assert_refused_submit(
            400, "invalid CSRF token", csrf="0123456789abcdefo9999999999"
        )
        # Another session's token.
        self.authenticate("portal_birch", "portal_birch")
        csrf = self._csrf_for_birch()
        self.authenticate("portal_oak", "portal_oak")
        self._assert_refused_submit(400, "invalid CSRF token", csrf=csrf)

    def test_refused_public_visitor(self):
        self.authenticate(None, None)
        token = self.delivered._portal_ensure_token()
        page = self._get(f"/my/orders/{self.delivered.id}?access_token={token}")
        self.assertNotIn("o_helpdesk_report_problem", page.text)
        csrf = re.search(r'csrf_token: "([^"]+)"', page.text).group(1)
        self._assert_refused_submit(403, "Log in to report a problem", csrf=csrf)

    def test_refused_without_team(self):
        self.company.after_sales_portal_team_id = False
        self.authenticate("portal_oak", "portal_oak")
        csrf = re.search(
            r'csrf_token: "([^"]+)"', self._get(f"/my/orders/{self.delivered.id}").text
        ).group(1)
        self._assert_refused_submit(400, "cannot be reported online", csrf=csrf)

    def test_portal_tour(self):
        """The customer reports a problem from his order and lands on the ticket."""
        before = self._tickets()
        self.start_tour(
            f"/my/orders/{self.delivered.id}",
            "helpdesk_after_sales_portal_problem",
            login="portal_oak",
        )
        self.assertEqual(self._tickets(), before + 1)
        ticket = self.env["helpdesk.ticket"].search([], order="id desc", limit=1)
        self.assertEqual(ticket.product_id, self.product)
        self.assertEqual(ticket.sale_order_ids, self.delivered)
        self.assertIn("The lid does not close", ticket.description)

    def test_company_setting(self):
        """Helpdesk settings choose the team, one of the company's own."""
        self.company.after_sales_portal_team_id = False
        Settings = self.env["res.config.settings"]
        arch = Settings.get_views([(False, "form")])["views"]["form"]["arch"]
        self.assertIn('name="after_sales_portal_team_id"', arch)
        Settings.create({"after_sales_portal_team_id": self.team.id}).execute()
        self.assertEqual(self.company.after_sales_portal_team_id, self.team)
        with self.assertRaises(ValidationError):
            self.company.after_sales_portal_team_id = self.ticket_b.team_id
