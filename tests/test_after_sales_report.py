import re
from collections import defaultdict
from unittest.mock import patch

from odoo.exceptions import AccessError
from odoo.fields import Command
from odoo.sql_db import Cursor
from odoo.tests import new_test_user, tagged
from odoo.tools import SQL

from .common import AfterSalesCase

SERVICE_GROUPS = (
    "account.group_account_invoice,sales_team.group_sale_salesman,"
    "stock.group_stock_user,project.group_project_user"
)


@tagged("post_install", "-at_install")
class TestAfterSalesReport(AfterSalesCase):
    """Documents of every service, created by agents through the tickets' wizards, on
    tickets of two teams of one company and a team of another company in another
    currency."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_companies()
        cls._setup_people()
        cls._setup_tickets()
        cls._setup_documents()

    # ------------------------------------------------------------------ setup
    @classmethod
    def _setup_companies(cls):
        eur, usd = cls.env.ref("base.EUR"), cls.env.ref("base.USD")
        cls.foreign = usd if cls.company.currency_id == eur else eur
        cls.foreign.active = True
        # 2 foreign units for 1 of the company's: a foreign credit note of 100 costs 50.
        cls.env["res.currency.rate"].create(
            {
                "name": "2020-01-01",
                "rate": 2.0,
                "currency_id": cls.foreign.id,
                "company_id": cls.company.id,
            }
        )
        cls.other_company.currency_id = cls.foreign
        cls.env.user.company_ids = [Command.link(cls.other_company.id)]
        cls.env["account.chart.template"].try_loading(
            "generic_coa", company=cls.other_company, install_demo=False
        )
        cls.team_two = cls.team.copy({"name": "Second Line"})
        cls.team_other = cls.team.copy(
            {
                "name": "Other Desk",
                "company_id": cls.other_company.id,
                "use_fsm": False,
                "fsm_project_id": False,
            }
        )

    @classmethod
    def _setup_people(cls):
        def user(login, groups, companies=None, teams=()):
            companies = companies or cls.company
            new = new_test_user(
                cls.env,
                login=login,
                name=login.replace("_", " ").title(),
                groups=groups,
                company_id=companies[0].id,
                company_ids=[Command.set(companies.ids)],
            )
            for team in teams:
                team.user_ids = [Command.link(new.id)]
            return new

        everything = f"helpdesk_mgmt.group_helpdesk_user,{SERVICE_GROUPS}"
        # Who create the documents.
        cls.clerk = user("report_clerk", everything, teams=cls.team | cls.team_two)
        cls.other_clerk = user(
            "report_other_clerk", everything, cls.other_company, teams=cls.team_other
        )
        # Who read the report.
        cls.own_agent = user(
            "report_own_agent",
            f"helpdesk_mgmt.group_helpdesk_user_own,{SERVICE_GROUPS}",
            teams=cls.team,
        )
        cls.team_agent = user(
            "report_team_agent",
            f"helpdesk_mgmt.group_helpdesk_user_team,{SERVICE_GROUPS}",
            teams=cls.team_two,
        )
        cls.boss = user(
            "report_boss",
            f"helpdesk_mgmt.group_helpdesk_manager,{SERVICE_GROUPS}",
            cls.company | cls.other_company,
        )

    @classmethod
    def _setup_tickets(cls):
        def ticket(name, team, user=None):
            return cls.env["helpdesk.ticket"].create(
                {
                    "name": name,
                    "description": name,
                    "team_id": team.id,
                    "company_id": team.company_id.id,
                    "partner_id": cls.contact.id,
                    "user_id": user.id if user else False,
                }
            )

        cls.ticket.user_id = cls.own_agent
        cls.ticket_other = ticket("Kettle came broken", cls.team, cls.clerk)
        cls.ticket_free = ticket("Toaster burns", cls.team)
        cls.ticket_two = ticket("Espresso too cold", cls.team_two, cls.clerk)
        cls.ticket_foreign = ticket("Kettle abroad", cls.team_other, cls.other_clerk)
        cls.tickets = (
            cls.ticket
            | cls.ticket_other
            | cls.ticket_free
            | cls.ticket_two
            | cls.ticket_foreign
        )

    @classmethod
    def _setup_documents(cls):
        fixed = cls._create_program("Goodwill 20", "coupons")
        fixed.reward_ids.write({"discount_mode": "per_order", "discount": 20})
        percent = cls._create_program("Goodwill 10%", "coupons")
        foreign_fixed = cls._create_program(
            "Goodwill abroad", "coupons", company_id=cls.other_company.id
        )
        foreign_fixed.reward_ids.write({"discount_mode": "per_order", "discount": 20})

        # The first ticket: a credit note of two products (50 + 2 × 30 untaxed), a
        # coupon worth 20, a repair, a task.
        invoice = cls._create_two_lines_invoice(cls.company, cls.company.currency_id)
        cls._refund(cls.ticket, invoice, cls.clerk)
        cls._coupon(cls.ticket, fixed, cls.clerk)
        cls._repair(cls.ticket, cls.clerk)
        cls._task(cls.ticket, cls.clerk)
        # Another agent's ticket: two kettles returned at 45 (50 less 10 %), and one
        # more to return.
        delivery, kettle_move = cls._deliver_kettles()
        cls._return(cls.ticket_other, delivery, kettle_move, 2, validate=True)
        cls._return(cls.ticket_other, delivery, kettle_move, 1)
        # A ticket of nobody: a coupon of a percentage, a credit note of 100 in the
        # foreign currency (50 in the company's).
        cls._coupon(cls.ticket_free, percent, cls.clerk)
        invoice = cls._create_invoice(
            cls.contact, cls.product, currency_id=cls.foreign.id, post=False
        )
        invoice.invoice_line_ids.price_unit = 100.0
        invoice.action_post()
        cls._refund(cls.ticket_free, invoice, cls.clerk)
        # The other team: a repair, a task, a coupon worth 20.
        cls._repair(cls.ticket_two, cls.clerk)
        cls._task(cls.ticket_two, cls.clerk)
        cls._coupon(cls.ticket_two, fixed, cls.clerk)
        # The other company: a credit note of 110 in its currency, a coupon, a repair.
        invoice = cls._create_two_lines_invoice(cls.other_company, cls.foreign)
        cls._refund(cls.ticket_foreign, invoice, cls.other_clerk)
        cls._coupon(cls.ticket_foreign, foreign_fixed, cls.other_clerk)
        cls._repair(cls.ticket_foreign, cls.other_clerk)
        cls._setup_reasons_and_approval()

    @classmethod
    def _setup_reasons_and_approval(cls):
        """The reasons the agents chose, and the foreign credit note of the free ticket
        made for an approval that the agent of the ticket's team asked for and the boss
        granted (helpdesk.after.sales.approval links it)."""
        Reason = cls.env["helpdesk.after.sales.reason"]
        cls.goodwill = Reason.create({"name": "Goodwill (report)"})
        cls.defective = Reason.create({"name": "Defective (report)"})
        cls.ticket.credit_note_ids.helpdesk_reason_id = cls.defective
        cls.ticket.coupon_ids.helpdesk_reason_id = cls.goodwill
        cls.ticket_two.coupon_ids.helpdesk_reason_id = cls.goodwill
        cls.ticket_free.coupon_ids.helpdesk_reason_id = cls.goodwill
        cls.ticket_other.picking_ids.helpdesk_reason_id = cls.defective
        cls.ticket.repair_ids.helpdesk_reason_id = cls.defective
        cls.ticket.fsm_task_ids.helpdesk_reason_id = cls.defective
        approval = cls.env["helpdesk.after.sales.approval"].create(
            {
                "helpdesk_ticket_id": cls.ticket_free.id,
                "service": "refund",
                "requested_by_id": cls.own_agent.id,
                "amount": 50.0,
                "wizard_model": "account.move.reversal",
                "wizard_action": "refund_moves",
                "state": "approved",
                "approved_by_id": cls.boss.id,
            }
        )
        cls.ticket_free.credit_note_ids.helpdesk_approval_id = approval

    @classmethod
    def _create_program(cls, name, program_type, **values):
        return (
            cls.env["loyalty.program"]
            .with_context(default_program_type=program_type)
            .create({"name": name, **values})
        )

    @classmethod
    def _create_two_lines_invoice(cls, company, currency):
        invoice = (
            cls.env["account.move"]
            .with_company(company)
            .create(
                {
                    "move_type": "out_invoice",
                    "partner_id": cls.contact.id,
                    "currency_id": currency.id,
                    "invoice_line_ids": [
                        Command.create(
                            {"product_id": cls.product.id, "price_unit": 50.0}
                        ),
                        Command.create(
                            {
                                "product_id": cls.other_product.id,
                                "quantity": 2,
                                "price_unit": 30.0,
                            }
                        ),
                    ],
                }
            )
        )
        invoice.action_post()
        return invoice

    @classmethod
    def _refund(cls, ticket, invoice, user):
        cls.env["account.move.reversal"].with_user(user).create(
            {
                "helpdesk_ticket_id": ticket.id,
                "move_ids": [Command.set(invoice.ids)],
            }
        ).refund_moves()

    @classmethod
    def _coupon(cls, ticket, program, user):
        cls.env["helpdesk.coupon.generate"].with_user(user).create(
            {"helpdesk_ticket_id": ticket.id, "program_id": program.id}
        ).action_coupon_generate_share()

    @classmethod
    def _repair(cls, ticket, user):
        context = ticket.with_user(user).action_repair()["context"]
        cls.env["repair.order"].with_user(user).with_context(**context).create(
            {"product_id": cls.product.id}
        )

    @classmethod
    def _task(cls, ticket, user):
        cls.env["helpdesk.create.fsm.task"].with_user(user).create(
            {"helpdesk_ticket_id": ticket.id}
        ).action_generate_task()

    @classmethod
    def _deliver_kettles(cls):
        warehouse = cls.env["stock.warehouse"].search(
            [("company_id", "=", cls.company.id)], limit=1
        )
        cls.env["stock.quant"]._update_available_quantity(
            cls.product, warehouse.lot_stock_id, 10
        )
        order = cls.env["sale.order"].create(
            {
                "partner_id": cls.contact.id,
                "order_line": [
                    Command.create(
                        {
                            "product_id": cls.product.id,
                            "product_uom_qty": 3,
                            "price_unit": 50.0,
                            "discount": 10.0,
                        }
                    )
                ],
            }
        )
        order.action_confirm()
        delivery = order.picking_ids
        cls._validate(delivery)
        return delivery, delivery.move_ids

    @classmethod
    def _validate(cls, pickings):
        pickings.action_assign()
        pickings.move_ids.picked = True
        pickings.button_validate()

    @classmethod
    def _return(cls, ticket, delivery, move, quantity, validate=False):
        wizard = (
            cls.env["stock.return.picking"]
            .with_user(cls.clerk)
            .create({"helpdesk_ticket_id": ticket.id, "picking_id": delivery.id})
        )
        wizard.product_return_moves.filtered(
            lambda line: line.move_id == move
        ).quantity = quantity
        returned = cls.env["stock.picking"].browse(
            wizard.action_create_returns()["res_id"]
        )
        if validate:
            cls._validate(returned)
        return returned

    def _report(self, user=None, companies=None):
        user = user or self.boss
        companies = companies or user.company_ids
        return (
            self.env["helpdesk.after.sales.report"]
            .with_user(user)
            .with_context(allowed_company_ids=companies.ids)
        )

    def _lines(self, user=None, companies=None, domain=()):
        """The user's lines of this test's tickets (the database may have demo ones)."""
        return self._report(user, companies).search(
            [("ticket_id", "in", self.tickets.ids), *domain]
        )

    def _read_group(self, groupby, aggregates, companies=None):
        return self._report(companies=companies)._read_group(
            [("ticket_id", "in", self.tickets.ids)], groupby, aggregates
        )

    # ------------------------------------------------------------------ totals
    def test_totals_equal_the_documents(self):
        tickets = self.tickets
        found = {
            (company, service): (amount, count)
            for company, service, amount, count in self._read_group(
                ["company_id", "service"],
                ["amount:sum", "document_count:count_distinct"],
            )
        }
        here, there = self.company, self.other_company
        credit_notes = tickets.credit_note_ids
        self.assertEqual(len(credit_notes), 3)
        cost = {
            company: -sum(
                credit_notes.filtered(
                    lambda m, company=company: m.company_id == company
                ).mapped("amount_untaxed_signed")
            )
            for company in (here, there)
        }
        # The credit notes' own untaxed totals, in the company's currency.
        self.assertAlmostEqual(cost[here], 110.0 + 50.0)
        self.assertAlmostEqual(cost[there], 110.0)
        expected = {
            (here, "refund"): (cost[here], 2),
            (here, "coupon"): (40.0, 3),  # the percentage one is counted only
            (here, "return"): (3 * 45.0, 2),
            (here, "repair"): (0.0, 2),
            (here, "fsm"): (0.0, 2),
            (there, "refund"): (cost[there], 1),
            (there, "coupon"): (20.0, 1),
            (there, "repair"): (0.0, 1),
        }
        self.assertEqual(found.keys(), expected.keys())
        for key, (amount, count) in expected.items():
            self.assertAlmostEqual(found[key][0] or 0.0, amount, msg=key)
            self.assertEqual(found[key][1], count, msg=key)
        # Each ticket's documents are its own, counted once each.
        counts = {
            ticket: count
            for ticket, count in self._read_group(
                ["ticket_id"], ["document_count:count_distinct"]
            )
        }
        for ticket in tickets:
            self.assertEqual(
                counts[ticket],
                len(ticket.credit_note_ids)
                + len(ticket.coupon_ids)
                + len(ticket.picking_ids)
                + len(ticket.repair_ids)
                + len(ticket.fsm_task_ids),
                ticket.name,
            )

    def test_grouped_by_team_month_product_agent(self):
        here = self.company
        total = sum(self._lines(companies=here).mapped("amount"))
        self.assertAlmostEqual(total, 110.0 + 50.0 + 40.0 + 135.0)
        for groupby in ("team_id", "date:month", "product_id", "categ_id", "user_id"):
            groups = self._read_group([groupby], ["amount:sum"], here)
            self.assertAlmostEqual(
                sum(amount or 0.0 for _group, amount in groups), total, msg=groupby
            )
        by_team = dict(self._read_group(["team_id"], ["amount:sum"], here))
        self.assertAlmostEqual(by_team[self.team_two], 20.0)
        # One credit note of two products: a line per product, one document.
        lines = self._lines(domain=[("ticket_id", "=", self.ticket.id)])
        credit_note = lines.filtered(lambda line: line.service == "refund")
        self.assertEqual(credit_note.product_id, self.product | self.other_product)
        self.assertEqual(
            sorted(credit_note.mapped("amount")), [50.0, 60.0], "untaxed, a cost"
        )
        self.assertEqual(len(set(credit_note.mapped("document_count"))), 1)
        self.assertEqual(
            {line.document_ref for line in credit_note}, {self.ticket.credit_note_ids}
        )
        self.assertEqual(
            set(credit_note.mapped("name")), {self.ticket.credit_note_ids.name}
        )
        # The agent is who created the document, or asked for it: the approved credit
        # note was asked for by the agent of the ticket's team.
        by_agent = dict(self._read_group(["user_id"], ["amount:sum"], here))
        self.assertEqual(by_agent.keys(), {self.clerk, self.own_agent})
        self.assertAlmostEqual(by_agent[self.own_agent], 50.0)
        by_approver = dict(self._read_group(["approved_by_id"], ["amount:sum"], here))
        self.assertAlmostEqual(by_approver[self.boss], 50.0)
        by_reason = dict(self._read_group(["reason_id"], ["amount:sum"], here))
        self.assertAlmostEqual(by_reason[self.defective], 110.0 + 135.0)
        self.assertAlmostEqual(by_reason[self.goodwill], 40.0)
        # Coupons and tasks are about the ticket's product, repairs about theirs.
        repairs = self._lines(companies=here, domain=[("service", "=", "repair")])
        self.assertEqual(repairs.product_id, self.product)
        self.assertEqual(repairs.categ_id, self.product.categ_id)

    def test_states(self):
        returns = self._lines(domain=[("ticket_id", "=", self.ticket_other.id)]).sorted(
            "amount", reverse=True
        )
        self.assertEqual(returns.mapped("state"), ["done", "open"])
        self.assertEqual(returns.mapped("amount"), [90.0, 45.0])
        self.assertEqual(
            set(self._lines(domain=[("service", "=", "refund")]).mapped("state")),
            {"draft"},
            "core's refund leaves the credit note draft",
        )
        task = self.ticket.fsm_task_ids
        task.state = "1_canceled"
        self.env.flush_all()
        self.assertEqual(
            self._lines(
                domain=[("ticket_id", "=", self.ticket.id), ("service", "=", "fsm")]
            ).state,
            "cancel",
        )

    # ------------------------------------------------------------------ access
    def _tickets_seen(self, user, companies=None):
        return self._lines(user, companies).ticket_id

    def test_agents_see_lines_of_tickets_they_can_read(self):
        all_tickets = self._lines().ticket_id
        self.assertEqual(all_tickets, self.tickets)
        for user in (self.own_agent, self.team_agent, self.boss, self.other_clerk):
            readable = (
                self.env["helpdesk.ticket"]
                .with_user(user)
                .with_context(allowed_company_ids=user.company_ids.ids)
                .search([("id", "in", all_tickets.ids)])
            )
            self.assertEqual(self._tickets_seen(user), readable, user.login)
        # Personal tickets: their own and the unassigned ones of their team.
        self.assertEqual(
            self._tickets_seen(self.own_agent), self.ticket | self.ticket_free
        )
        self.assertEqual(self._tickets_seen(self.team_agent), self.ticket_two)
        # A followed ticket is readable, so are its lines.
        self.ticket_two.message_subscribe(self.own_agent.partner_id.ids)
        self.assertEqual(
            self._tickets_seen(self.own_agent),
            self.ticket | self.ticket_free | self.ticket_two,
        )

    def test_lines_of_the_user_companies_only(self):
        self.assertEqual(
            self._tickets_seen(self.boss, self.company),
            self.ticket | self.ticket_other | self.ticket_free | self.ticket_two,
        )
        self.assertEqual(
            self._tickets_seen(self.boss, self.other_company), self.ticket_foreign
        )
        self.assertEqual(self._tickets_seen(self.other_clerk), self.ticket_foreign)
        self.assertFalse(
            self._lines(self.clerk, domain=[("ticket_id", "=", self.ticket_foreign.id)])
        )

    def test_services_as_the_ticket_shows_them(self):
        """An agent without Billing, Sales, Inventory or Project rights sees the
        repairs only, as the ticket's smart buttons."""
        lines = self._lines(self.agent)
        self.assertEqual(set(lines.mapped("service")), {"repair"})
        self.assertEqual(
            self.ticket.with_user(self.agent).after_sales_report_ids,
            lines.filtered(lambda line: line.ticket_id == self.ticket),
        )
        billing = new_test_user(
            self.env,
            login="report_billing_agent",
            groups="helpdesk_mgmt.group_helpdesk_user,account.group_account_invoice",
        )
        self.assertEqual(
            set(self._lines(billing).mapped("service")),
            {"repair", "refund"},
        )

    def test_read_only(self):
        report = self._report()
        line = self._lines()[:1]
        with self.assertRaises(AccessError):
            line.write({"amount": 1.0})
        with self.assertRaises(AccessError):
            report.create({"name": "Forged"})
        with self.assertRaises(AccessError):
            line.unlink()
        portal = new_test_user(
            self.env, login="report_portal", groups="base.group_portal"
        )
        with self.assertRaises(AccessError):
            self._report(portal).search([])

    # ------------------------------------------------------------- the ticket's tab
    def test_ticket_tab_queries(self):
        """The After-Sales tab of a ticket: 5 queries, whatever its number of lines.
        The ticket's access check (its followers: the rules of personal tickets) and
        its columns, which the form reads anyway; the tab's lines' ids (the report's
        rules), their values with the people's names, their reasons."""
        ticket = self.ticket.with_user(self.own_agent)
        arch = ticket.get_views([(False, "form")])["views"]["form"]["arch"]
        self.assertIn('name="after_sales_report_ids"', arch)
        spec = {
            "after_sales_report_ids": {
                "fields": {
                    "service": {},
                    "name": {},
                    "date": {},
                    "state": {},
                    "currency_id": {"fields": {}},
                    "amount": {},
                    "reason_id": {"fields": {"display_name": {}}},
                    "user_name": {},
                    "approved_by_name": {},
                }
            }
        }
        ticket.web_read(spec)  # warm the caches a running server has
        self.env.invalidate_all(flush=True)
        with self.assertQueryCount(5):
            lines = ticket.web_read(spec)[0]["after_sales_report_ids"]
        # Two lines (and an approval) instead of five: as many queries.
        free = self.ticket_free.with_user(self.own_agent)
        free.web_read(spec)
        self.env.invalidate_all(flush=True)
        with self.assertQueryCount(5):
            self.assertEqual(len(free.web_read(spec)[0]["after_sales_report_ids"]), 2)
        self.assertEqual(
            sorted(line["service"] for line in lines),
            ["coupon", "fsm", "refund", "refund", "repair"],
        )
        self.assertEqual({line["user_name"] for line in lines}, {self.clerk.name})
        self.assertEqual(
            {line["reason_id"]["display_name"] for line in lines if line["reason_id"]},
            {"Goodwill (report)", "Defective (report)"},
        )
        self.assertFalse(any(line["approved_by_name"] for line in lines))
        # The approved credit note of the free ticket: asked by one, approved by
        # another.
        free = self.ticket_free.with_user(self.own_agent).after_sales_report_ids
        approved = free.filtered("approved_by_id")
        self.assertEqual(approved.service, "refund")
        self.assertEqual(approved.approved_by_name, self.boss.name)
        self.assertEqual(approved.user_name, self.own_agent.name)

    def _branch_filters(self, tickets):
        """The conditions PostgreSQL applies to each document table when the tab's
        lines of ``tickets`` are read (`web_read` of the tickets, as the form does):
        the plan of the query that reads the lines' columns by id."""
        spec = {"after_sales_report_ids": {"fields": {"name": {}, "amount": {}}}}
        queries = []
        execute = Cursor.execute

        def spy(cr, query, params=None, log_exceptions=None):
            if isinstance(query, SQL):
                queries.append(query)
            return execute(cr, query, params, log_exceptions)

        self.env.invalidate_all(flush=True)
        with patch.object(Cursor, "execute", spy):
            values = tickets.web_read(spec)
        self.assertTrue(all(ticket["after_sales_report_ids"] for ticket in values))
        by_id = [
            query
            for query in queries
            if '"helpdesk_after_sales_report"."id" IN' in query.code
        ]
        self.assertEqual(len(by_id), 1, "the lines' columns, read by id")
        self.env.cr.execute(SQL("EXPLAIN (FORMAT JSON) %s", by_id[0]))
        filters = defaultdict(str)

        def walk(node):
            if table := node.get("Relation Name"):
                for key in ("Index Cond", "Recheck Cond", "Filter"):
                    filters[table] += f" {node.get(key, '')}"
            for child in node.get("Plans", ()):
                walk(child)

        walk(self.env.cr.fetchone()[0][0]["Plan"])
        return filters

    def test_ticket_tab_reads_its_lines_by_ticket(self):
        """The tab's lines are read by id and by their tickets, which PostgreSQL
        pushes into each kind of document (where `helpdesk_ticket_id` has an index):
        by id alone (computed ids) it evaluates every document of the database, and
        the tab's cost grows with it. One ticket, as the form, and two."""
        by_ticket = re.compile(r"\(helpdesk_ticket_id = (\d+|ANY )")
        for tickets in (self.ticket, self.ticket | self.ticket_two):
            filters = self._branch_filters(tickets.with_user(self.clerk))
            for table in (
                "account_move",
                "loyalty_card",
                "stock_picking",
                "repair_order",
                "project_task",
            ):
                self.assertRegex(filters[table], by_ticket, f"{table}, {tickets}")

    def test_ticket_tab_line_moved_to_another_ticket(self):
        """A document moved to another ticket after its line was read with the first
        ticket (in cache) is read by id alone: the line is still there."""
        lines = self.ticket.with_user(self.clerk).after_sales_report_ids
        repair = self.env["repair.order"].search(
            [("helpdesk_ticket_id", "=", self.ticket.id)]
        )
        self.assertEqual(len(repair), 1)
        repair.helpdesk_ticket_id = self.ticket_two
        self.env.flush_all()
        names = lines.mapped("name")
        self.assertEqual(len(names), 5)
        self.assertIn(repair.name, names)
