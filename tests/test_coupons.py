import base64
import io
import re
from datetime import timedelta
from unittest.mock import patch

from PIL import Image

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.fields import Command, Date
from odoo.tests import Form, HttpCase, new_test_user, tagged

from odoo.addons.mail.tests.common import MockEmail

from .common import AfterSalesCase


class CouponsCase(AfterSalesCase):
    """A Sales User agent, a coupons program as the Loyalty app creates it, and programs
    of every other kind."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.sales_agent = new_test_user(
            cls.env,
            login="as_sales_agent",
            name="Sales Agent",
            email="sales.agent@example.com",
            groups="helpdesk_mgmt.group_helpdesk_user,sales_team.group_sale_salesman",
            company_ids=[Command.set((cls.company | cls.other_company).ids)],
        )
        cls.team.user_ids = [Command.link(cls.sales_agent.id)]
        cls.contact.email = "oak.contact@example.com"
        cls.program = cls._create_program("Goodwill 15%", "coupons")
        cls.program.reward_ids.discount = 15

    @classmethod
    def _create_program(cls, name, program_type, **values):
        # As the Loyalty app does: the type's rewards and communications come with its
        # default (a program_type value alone brings neither).
        return (
            cls.env["loyalty.program"]
            .with_context(default_program_type=program_type)
            .create({"name": name, **values})
        )

    def _coupon_form(self, ticket=None, user=None, view=None):
        user = user or self.sales_agent
        action = (ticket or self.ticket).with_user(user).action_generate_coupon()
        self.assertEqual(action["res_model"], "helpdesk.coupon.generate")
        return Form(
            self.env[action["res_model"]]
            .with_user(user)
            .with_context(**action["context"]),
            view=view,
        )

    def _new_wizard(self, **values):
        form = self._coupon_form()
        form.program_id = self.program
        for name, value in values.items():
            setattr(form, name, value)
        return form.save()

    def _cards(self):
        return self.env["loyalty.card"].with_context(active_test=False).search([])


@tagged("post_install", "-at_install")
class TestCoupons(CouponsCase, MockEmail):
    # ------------------------------------------------------------------ happy paths
    def test_send_by_email(self):
        follower = self.env["res.partner"].create(
            {"name": "Ticket Follower", "email": "follower@example.com"}
        )
        self.ticket.message_subscribe(follower.ids)
        self.assertTrue(
            self.program.communication_plan_ids.filtered(
                lambda c: c.trigger == "create"
            ),
            "the program would mail each new coupon by itself",
        )
        valid_until = Date.today() + timedelta(days=30)
        with self.mock_mail_gateway():
            wizard = self._new_wizard(valid_until=valid_until)
            self.assertEqual(wizard.partner_id, self.contact)
            action = wizard.action_coupon_generate_send()
            self.env.flush_all()
            self.assertFalse(
                self._new_mails, "no 'at creation' e-mail besides the agent's"
            )
            coupon = self.ticket.coupon_ids
            self.assertEqual(len(coupon), 1)
            self.assertEqual(coupon.program_id, self.program)
            self.assertEqual(coupon.partner_id, self.contact)
            self.assertEqual(coupon.expiration_date, valid_until)
            self.assertEqual(coupon.points, self.program.reward_ids.required_points)
            self.assertEqual(coupon.create_uid, self.sales_agent)

            self.assertEqual(action["res_model"], "mail.compose.message")
            composer = Form(
                self.env["mail.compose.message"]
                .with_user(self.sales_agent)
                .with_context(**action["context"])
            )
            self.assertEqual(
                composer.template_id, self.env.ref("loyalty.mail_template_loyalty_card")
            )
            self.assertEqual(set(composer.partner_ids[:]), {self.contact, follower})
            self.assertIn(coupon.code, composer.body)
            composer.save().action_send_mail()
            self.env.flush_all()

        to_customer = [
            mail for mail in self._mails if self.contact.email in str(mail["email_to"])
        ]
        self.assertEqual(len(to_customer), 1, "exactly one e-mail to the customer")
        mail = to_customer[0]
        self.assertIn(coupon.code, mail["body"])
        self.assertTrue(
            [m for m in self._mails if follower.email in str(m["email_to"])],
            "the ticket's followers get it too",
        )
        # The attached coupon carries its barcode, really drawn (reportlab's PNG
        # renderer).
        (attachment,) = mail["attachments"]
        match = re.search(rb"data:image/png;base64,([A-Za-z0-9+/=]+)", attachment[1])
        self.assertTrue(match, "the coupon's barcode image is in the attachment")
        barcode = Image.open(io.BytesIO(base64.b64decode(match.group(1)))).convert("L")
        self.assertEqual(barcode.size, (600, 100))
        self.assertEqual(barcode.getextrema(), (0, 255), "black bars on white")

        notes = self.ticket.message_ids.mapped("body")
        self.assertTrue(
            [
                body
                for body in notes
                if "sent by e-mail" in body and coupon.code in body
            ],
            "the sent e-mail is logged on the ticket",
        )
        self.assertTrue(
            [body for body in notes if "generated from this ticket" in body],
            "the ticket's chatter links to the coupon",
        )
        self.assertTrue(
            coupon.message_ids.filtered(
                lambda m: f'data-oe-id="{self.ticket.id}"' in m.body
            ),
            "the coupon's chatter links back to the ticket",
        )
        self.assertEqual(self.ticket.with_user(self.sales_agent).coupons_count, 1)
        view = self.ticket.with_user(self.sales_agent).action_view_coupons()
        self.assertEqual(view["res_id"], coupon.id)

    def test_coupon_gives_its_discount_on_an_order(self):
        coupon = self._new_wizard()._generate_coupon()
        order = self._create_order(self.contact, [self.product], confirm=False)
        order.user_id = self.sales_agent  # a Sales User's own order
        order = order.with_user(self.sales_agent)
        status = order._try_apply_code(coupon.code)
        self.assertEqual(list(status), [coupon.sudo()], status)
        order._apply_program_reward(status[coupon], coupon)
        discount = order.order_line.filtered("reward_id")
        self.assertEqual(discount.coupon_id, coupon)
        self.assertAlmostEqual(order.amount_untaxed, 0.85 * self.product.list_price)
        order.action_confirm()
        self.assertTrue(coupon.is_used)
        self.assertEqual(coupon.points, 0)

    def test_share_link(self):
        if not self.env["helpdesk.coupon.generate"]._can_share_link():
            self.skipTest("eCommerce (website_sale_loyalty) is not installed")
        wizard = self._new_wizard()
        action = wizard.action_coupon_generate_share()
        self.assertEqual(
            (action["res_model"], action["res_id"]), (wizard._name, wizard.id)
        )
        self.assertEqual(action["name"], "Share Coupons")
        share = Form(wizard, view=action["views"][0][0])
        code = self.ticket.coupon_ids.code
        self.assertTrue(share.share_link.endswith(f"/coupon/{code}?r=%2Fshop%2Fcart"))
        self.assertFalse(share._get_modifier("share_link", "invisible"))
        self.assertTrue(share._get_modifier("coupon_code", "invisible"))

    def test_share_without_ecommerce(self):
        self.assertEqual(
            self.env["helpdesk.coupon.generate"]._can_share_link(),
            "coupon.share" in self.env,
        )
        wizard = self._new_wizard()
        with patch.object(
            self.registry["helpdesk.coupon.generate"],
            "_can_share_link",
            return_value=False,
        ):
            action = wizard.action_coupon_generate_share()
            share = Form(wizard, view=action["views"][0][0])
            self.assertFalse(share.share_link)
            self.assertEqual(share.coupon_code, self.ticket.coupon_ids.code)
            self.assertTrue(share._get_modifier("share_link", "invisible"))
            self.assertFalse(share._get_modifier("coupon_code", "invisible"))

    def test_program_preselected_when_alone(self):
        programs = self.env["loyalty.program"].search(
            [("program_type", "=", "coupons")]
        )
        (programs - self.program).action_archive()
        self.assertEqual(self._coupon_form().program_id, self.program)

    def test_counts_batched(self):
        tickets = self.ticket | self.ticket.copy() | self.ticket.copy()
        for ticket, count in zip(tickets, (0, 1, 2), strict=True):
            for _i in range(count):
                self._new_wizard_for(ticket)._generate_coupon()
        self.env.invalidate_all()
        with self.assertQueryCount(1):
            self.assertEqual(tickets.mapped("coupons_count"), [0, 1, 2])
        view = tickets[2].action_view_coupons()
        self.assertEqual(view["domain"], [("id", "in", tickets[2].coupon_ids.ids)])

    def _new_wizard_for(self, ticket, user=None, **values):
        return (
            self.env["helpdesk.coupon.generate"]
            .with_user(user or self.sales_agent)
            .create(
                {
                    "helpdesk_ticket_id": ticket.id,
                    "program_id": self.program.id,
                    **values,
                }
            )
        )

    # ------------------------------------------------------------------ bad input
    def _assert_refused(self, exception, message, ticket=None, user=None, **values):
        before = self._cards()
        with self.assertRaisesRegex(exception, message), self.env.cr.savepoint():
            wizard = self._new_wizard_for(ticket or self.ticket, user=user, **values)
            wizard.action_coupon_generate_share()
        self.env.clear()
        self.assertEqual(self._cards(), before, "nothing created")

    def test_refuses_other_program_types(self):
        for program_type in ("loyalty", "gift_card", "ewallet", "promotion"):
            with self.subTest(program_type=program_type):
                program = self._create_program(f"A {program_type}", program_type)
                self._assert_refused(
                    ValidationError, "is not a coupon program", program_id=program.id
                )

    def test_refuses_archived_program(self):
        program = self._create_program("Old goodwill", "coupons", active=False)
        self._assert_refused(ValidationError, "is archived", program_id=program.id)

    def test_refuses_program_archived_meanwhile(self):
        wizard = self._new_wizard()
        self.program.action_archive()
        with self.assertRaisesRegex(ValidationError, "is archived"):
            wizard.action_coupon_generate_send()
        self.assertFalse(self.ticket.coupon_ids)

    def test_refuses_program_of_another_company(self):
        program = self._create_program(
            "Foreign goodwill", "coupons", company_id=self.other_company.id
        )
        # Odoo's company check (check_company), which names no company.
        self._assert_refused(
            UserError, "belongs to another company", program_id=program.id
        )

    def test_refuses_program_without_reward(self):
        program = self.env["loyalty.program"].create(
            {"name": "Bare coupons", "program_type": "coupons"}
        )
        self._assert_refused(ValidationError, "has no reward", program_id=program.id)

    def test_refuses_past_expiration(self):
        yesterday = Date.today() - timedelta(days=1)
        self._assert_refused(
            ValidationError, "cannot expire in the past", valid_until=yesterday
        )
        # Today is still fine.
        self._new_wizard_for(self.ticket, valid_until=Date.today())._generate_coupon()
        self.assertEqual(self.ticket.coupon_ids.expiration_date, Date.today())

    def test_refuses_ticket_without_customer(self):
        ticket = self.ticket.copy({"partner_id": False})
        self._assert_refused(UserError, "has no customer", ticket=ticket)
        with self.assertRaisesRegex(UserError, "has no customer"):
            ticket.with_user(self.sales_agent).action_generate_coupon()

    def test_refuses_team_without_coupons(self):
        self.team.use_coupons = False
        self._assert_refused(UserError, "does not offer Coupons")
        with self.assertRaisesRegex(UserError, "does not offer Coupons"):
            self.ticket.with_user(self.sales_agent).action_generate_coupon()

    def test_second_click_creates_no_second_coupon(self):
        wizard = self._new_wizard()
        wizard.action_coupon_generate_share()
        for action in (
            wizard.action_coupon_generate_share,
            wizard.action_coupon_generate_send,
        ):
            with self.assertRaisesRegex(UserError, "already generated"):
                action()
        self.assertEqual(len(self.ticket.coupon_ids), 1)

    def test_other_contact_of_the_customer(self):
        colleague = self.env["res.partner"].create(
            {"name": "Oak Buyer", "parent_id": self.customer.id}
        )
        form = self._coupon_form()
        form.program_id = self.program
        form.partner_id = colleague
        form.save().action_coupon_generate_share()
        self.assertEqual(self.ticket.coupon_ids.partner_id, colleague)

    def test_refuses_another_customer(self):
        self._assert_refused(
            ValidationError,
            "only be given to its customer",
            partner_id=self.other_customer.id,
        )

    def test_refuses_another_company(self):
        # A ticket of a company the agent does not work for.
        team = self.team.copy(
            {
                "name": "Other desk",
                "company_id": self.other_company.id,
                "use_fsm": False,
                "fsm_project_id": False,
            }
        )
        ticket = self.ticket.copy(
            {"team_id": team.id, "company_id": self.other_company.id}
        )
        outsider = new_test_user(
            self.env,
            login="as_outsider",
            groups="helpdesk_mgmt.group_helpdesk_user,sales_team.group_sale_salesman",
        )
        self._assert_refused(AccessError, "", ticket=ticket, user=outsider)
        # The ticket's own company, forged: the wizard's company is the ticket's, so
        # the other company's program stays refused.
        foreign = self._create_program(
            "Foreign goodwill", "coupons", company_id=self.other_company.id
        )
        self._assert_refused(
            UserError,
            "belongs to another company",
            company_id=self.other_company.id,
            program_id=foreign.id,
        )
        # The ticket of the other company with this company's program: refused too.
        program = self._create_program(
            "Here only", "coupons", company_id=self.company.id
        )
        self._assert_refused(
            UserError,
            "belongs to another company",
            ticket=ticket,
            program_id=program.id,
        )

    # ------------------------------------------------------------------ access
    def test_agent_without_sales_rights(self):
        arch = (
            self.env["helpdesk.ticket"]
            .with_user(self.agent)
            .get_views([(False, "form")])["views"]["form"]["arch"]
        )
        self.assertNotIn("action_generate_coupon", arch)
        self.assertNotIn("action_view_coupons", arch)
        arch = (
            self.env["helpdesk.ticket"]
            .with_user(self.sales_agent)
            .get_views([(False, "form")])["views"]["form"]["arch"]
        )
        self.assertIn("action_generate_coupon", arch)
        refusal = "not allowed to create .*helpdesk.coupon.generate"
        with self.assertRaisesRegex(AccessError, refusal):
            self.ticket.with_user(self.agent).action_generate_coupon()
        self._assert_refused(AccessError, refusal, user=self.agent)

    def test_agent_who_cannot_read_the_ticket(self):
        own_agent = new_test_user(
            self.env,
            login="as_own_agent",
            groups=(
                "helpdesk_mgmt.group_helpdesk_user_own,sales_team.group_sale_salesman"
            ),
        )
        self.assertFalse(self.ticket.with_user(own_agent).has_access("read"))
        with self.assertRaises(AccessError):
            self.ticket.with_user(own_agent).action_generate_coupon()
        self._assert_refused(AccessError, "", user=own_agent)

    def test_sales_user_cannot_create_cards_outside(self):
        with self.assertRaises(AccessError):
            self.env["loyalty.card"].with_user(self.sales_agent).create(
                {
                    "program_id": self.program.id,
                    "partner_id": self.contact.id,
                    "points": 1,
                }
            )
        for program_type in ("loyalty", "gift_card", "ewallet"):
            with self.subTest(program_type=program_type):
                program = self._create_program(f"Agent's {program_type}", program_type)
                self._assert_refused(
                    ValidationError, "is not a coupon program", program_id=program.id
                )


@tagged("post_install", "-at_install")
class TestCouponShareLink(HttpCase):
    """The share link, followed by the customer: eCommerce puts the coupon on their
    cart."""

    def test_customer_follows_the_share_link(self):
        if "coupon.share" not in self.env:
            self.skipTest("eCommerce (website_sale_loyalty) is not installed")
        customer = self.env["res.partner"].create(
            {"name": "Link Customer", "email": "link.customer@example.com"}
        )
        portal_user = new_test_user(
            self.env,
            login="as_link_customer",
            groups="base.group_portal",
            partner_id=customer.id,
        )
        team = self.env["helpdesk.ticket.team"].create(
            {"name": "Link Team", "use_coupons": True}
        )
        ticket = self.env["helpdesk.ticket"].create(
            {
                "name": "Late",
                "description": "Late",
                "team_id": team.id,
                "partner_id": customer.id,
            }
        )
        program = (
            self.env["loyalty.program"]
            .with_context(default_program_type="coupons")
            .create({"name": "Link goodwill"})
        )
        product = self.env["product.product"].create(
            {
                "name": "Link Kettle",
                "list_price": 100.0,
                "sale_ok": True,
                "is_published": True,
            }
        )
        wizard = self.env["helpdesk.coupon.generate"].create(
            {"helpdesk_ticket_id": ticket.id, "program_id": program.id}
        )
        wizard.action_coupon_generate_share()
        coupon = ticket.coupon_ids
        path = wizard.share_link.split(wizard.share_link.split("/coupon/")[0], 1)[1]
        self.assertTrue(path.startswith(f"/coupon/{coupon.code}"))

        self.authenticate(portal_user.login, portal_user.login)
        self.make_jsonrpc_request(
            "/shop/cart/update_json", {"product_id": product.id, "add_qty": 1}
        )
        response = self.url_open(path, allow_redirects=False)
        self.assertEqual(response.status_code, 303)
        self.assertIn(f"notify_coupon={coupon.code}", response.headers["Location"])
        self.assertIn("/shop/cart", response.headers["Location"])
        order = self.env["sale.order"].search([("partner_id", "=", customer.id)])
        self.assertEqual(len(order), 1)
        reward_line = order.order_line.filtered("reward_id")
        self.assertEqual(
            reward_line.coupon_id, coupon, "the code is on the customer's cart"
        )
        self.assertAlmostEqual(order.amount_untaxed, 90.0)
