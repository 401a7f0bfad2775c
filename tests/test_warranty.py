import logging
from datetime import date

from freezegun import freeze_time

from odoo.exceptions import ValidationError
from odoo.fields import Command
from odoo.tests import Form, new_test_user, tagged

from .common import AfterSalesCase

_logger = logging.getLogger(__name__)

WARRANTY_FIELDS = ("warranty_start_date", "warranty_end_date")
# What the web client's requests carry (the user's language and time zone).
WEB_CONTEXT = {"lang": "en_US", "tz": "Europe/Stockholm"}


@tagged("post_install", "-at_install")
class TestWarranty(AfterSalesCase):
    """The ticket's warranty, from the product's duration (OCA product_warranty) and the
    delivery of the ticket's unit; and what the services do with it."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.stock_agent = new_test_user(
            cls.env,
            login="as_warranty_agent",
            name="Warranty Agent",
            groups="helpdesk_mgmt.group_helpdesk_user,stock.group_stock_user,"
            "account.group_account_invoice,sales_team.group_sale_salesman,"
            "stock.group_production_lot",
        )
        cls.team.user_ids = [Command.link(cls.stock_agent.id)]
        cls.product.product_tmpl_id.write({"warranty": 1, "warranty_type": "year"})
        cls.serial_product.product_tmpl_id.write(
            {"warranty": 6, "warranty_type": "month"}
        )
        cls.customers = cls.env.ref("stock.stock_location_customers")
        cls.lot_2 = cls.env["stock.lot"].create(
            {"name": "SN-002", "product_id": cls.serial_product.id}
        )
        cls.other_warehouse = cls.env["stock.warehouse"].search(
            [("company_id", "=", cls.other_company.id)], limit=1
        )

    # ------------------------------------------------------------------ helpers
    @classmethod
    def _warehouse(cls, company=None):
        return cls.env["stock.warehouse"].search(
            [("company_id", "=", (company or cls.company).id)], limit=1
        )

    @classmethod
    def _stock(cls, product, qty=1, lot=None, company=None):
        Quant = cls.env["stock.quant"]
        if lot and Quant._get_available_quantity(product, cls.customers, lot_id=lot):
            # A serial at a customer's: it came back (returns are not deliveries).
            Quant._update_available_quantity(product, cls.customers, -1, lot_id=lot)
        Quant._update_available_quantity(
            product, cls._warehouse(company).lot_stock_id, qty, lot_id=lot
        )

    @classmethod
    def _validate(cls, picking, when, lot=None, quantity=None):
        """Deliver on `when` (a date, at noon UTC): the lot, `quantity` of it (a
        backorder for the rest)."""
        with freeze_time(f"{when} 12:00:00"):
            picking.action_assign()
            if lot:
                picking.move_ids.move_line_ids.lot_id = lot
            if quantity is not None:
                picking.move_ids.quantity = quantity
            picking.move_ids.picked = True
            picking.with_context(skip_backorder=True).button_validate()
        assert picking.state == "done", picking.state
        return picking

    @classmethod
    def _deliver(cls, product, when, lot=None, partner=None, company=None, done=True):
        """A delivery of one unit without order, done on `when`."""
        company = company or cls.company
        warehouse = cls._warehouse(company)
        cls._stock(product, lot=lot, company=company)
        picking = (
            cls.env["stock.picking"]
            .with_company(company)
            .create(
                {
                    "partner_id": (partner or cls.contact).id,
                    "picking_type_id": warehouse.out_type_id.id,
                    "location_id": warehouse.lot_stock_id.id,
                    "location_dest_id": cls.customers.id,
                    "move_ids": [
                        Command.create(
                            {
                                "name": product.name,
                                "product_id": product.id,
                                "product_uom_qty": 1,
                                "product_uom": product.uom_id.id,
                                "location_id": warehouse.lot_stock_id.id,
                                "location_dest_id": cls.customers.id,
                            }
                        )
                    ],
                }
            )
        )
        picking.action_confirm()
        if done:
            cls._validate(picking, when, lot)
        return picking

    def _sell(self, product, when, qty=1, quantity=None):
        """An order of the customer, its delivery done on `when`."""
        self._stock(product, qty)
        order = self.env["sale.order"].create(
            {
                "partner_id": self.contact.id,
                "order_line": [
                    Command.create({"product_id": product.id, "product_uom_qty": qty})
                ],
            }
        )
        order.action_confirm()
        self._validate(order.picking_ids, when, quantity=quantity)
        return order

    def _warranty(self, ticket=None):
        ticket = (ticket or self.ticket).with_user(self.agent)
        return (
            ticket.warranty_start_date,
            ticket.warranty_end_date,
            ticket.warranty_state,
        )

    # ------------------------------------------------------------------ states
    @freeze_time("2026-03-10")
    def test_states(self):
        self.assertEqual(self._warranty(), (False, False, False), "no product")
        self.assertFalse(self.ticket.warranty_label)
        self.ticket.product_id = self.product
        self.assertEqual(self._warranty(), (False, False, "unknown"))
        self.assertEqual(
            self.ticket.warranty_label,
            "Warranty unknown: no delivery to the customer found",
        )
        self._deliver(self.product, "2025-03-10")
        self.assertEqual(
            self._warranty(), (date(2025, 3, 10), date(2026, 3, 10), "active")
        )
        self.assertEqual(self.ticket.warranty_label, "Under warranty until 03/10/2026")
        self._deliver(self.product, "2025-03-09", partner=self.other_customer)
        self.ticket.partner_id = self.other_customer
        self.assertEqual(
            self._warranty(), (date(2025, 3, 9), date(2026, 3, 9), "expired")
        )
        self.assertEqual(self.ticket.warranty_label, "Warranty expired on 03/09/2026")
        self.ticket.product_id = self.other_product  # no warranty on its template
        self.assertEqual(self._warranty(), (False, False, "none"))
        self.assertEqual(self.ticket.warranty_label, "No warranty")

    @freeze_time("2026-03-10")
    def test_search_under_warranty(self):
        Ticket = self.env["helpdesk.ticket"].with_user(self.agent)
        self._deliver(self.product, "2025-06-01")
        self._deliver(self.product, "2024-06-01", partner=self.other_customer)
        active = self.ticket
        active.product_id = self.product
        expired = self.ticket.copy({"partner_id": self.other_customer.id})
        expired.product_id = self.product
        unknown = self.ticket.copy({"partner_id": self.customer.id})
        unknown.product_id = self.serial_product
        none = self.ticket.copy({"product_id": self.other_product.id})
        without = self.ticket.copy({"product_id": False})
        tickets = active | expired | unknown | none | without
        self.assertEqual(
            tickets.mapped("warranty_state"),
            ["active", "expired", "unknown", "none", False],
        )
        for state, expected in (
            ("active", active),
            ("expired", expired),
            ("unknown", unknown),
            ("none", none),
            (False, without),
        ):
            with self.subTest(state=state):
                self.assertEqual(
                    Ticket.search(
                        [("id", "in", tickets.ids), ("warranty_state", "=", state)]
                    ),
                    expected,
                )
                self.assertEqual(
                    Ticket.search(
                        [("id", "in", tickets.ids), ("warranty_state", "!=", state)]
                    ),
                    tickets - expected,
                )
        self.assertEqual(
            Ticket.search(
                [
                    ("id", "in", tickets.ids),
                    ("warranty_state", "in", ["expired", "none"]),
                ]
            ),
            expired | none,
        )
        # The search view's filter.
        search = Ticket.get_views([(False, "search")])["views"]["search"]["arch"]
        self.assertIn('name="under_warranty"', search)

    # ------------------------------------------------------------------ the unit's
    # delivery
    def test_lot_counts_its_latest_delivery_to_the_customer(self):
        self.ticket.write({"product_id": self.serial_product.id, "lot_id": self.lot.id})
        self._deliver(self.serial_product, "2026-01-31", lot=self.lot)
        self._deliver(self.serial_product, "2026-05-01", lot=self.lot_2)
        self.assertEqual(self._warranty()[:2], (date(2026, 1, 31), date(2026, 7, 31)))
        # Returned, then delivered to another customer: not this customer's.
        self._deliver(
            self.serial_product,
            "2026-02-10",
            lot=self.lot,
            partner=self.other_customer,
        )
        self.assertEqual(self._warranty()[:2], (date(2026, 1, 31), date(2026, 7, 31)))
        # Delivered again to the customer: the warranty counts from then.
        self._deliver(self.serial_product, "2026-04-15", lot=self.lot)
        self.assertEqual(self._warranty()[:2], (date(2026, 4, 15), date(2026, 10, 15)))
        # The lot changed: its own delivery.
        self.ticket.lot_id = self.lot_2
        self.assertEqual(self._warranty()[:2], (date(2026, 5, 1), date(2026, 11, 1)))

    def test_lot_of_another_product_refused(self):
        self.ticket.write({"product_id": self.serial_product.id, "lot_id": self.lot.id})
        self._deliver(self.serial_product, "2026-01-31", lot=self.lot)
        before = self._warranty()
        other_lot = self.env["stock.lot"].create(
            {"name": "KT-1", "product_id": self.product.id}
        )
        with self.assertRaises(ValidationError):
            self.ticket.with_user(self.agent).lot_id = other_lot
        self.env.clear()
        self.assertEqual(self._warranty(), before)
        self.assertEqual(self.ticket.lot_id, self.lot)

    def test_other_company_cancelled_and_open_deliveries_do_not_count(self):
        self.ticket.product_id = self.product
        self._deliver(self.product, "2026-01-10", company=self.other_company)
        open_delivery = self._deliver(self.product, "2026-01-11", done=False)
        cancelled = self._deliver(self.product, "2026-01-12", done=False)
        cancelled.action_cancel()
        self.assertEqual(open_delivery.state, "assigned")
        self.assertEqual(self._warranty()[:2], (False, False))
        # The same ticket in the other company sees that company's delivery.
        self.ticket.write({"company_id": self.other_company.id, "team_id": False})
        self.assertEqual(self._warranty()[:2], (date(2026, 1, 10), date(2027, 1, 10)))

    def test_partial_deliveries_on_the_ticket_orders(self):
        order = self._sell(self.product, "2026-01-05", qty=2, quantity=1)
        backorder = order.picking_ids.filtered(lambda p: p.state != "done")
        self.assertEqual(len(backorder), 1, "the second kettle waits")
        self.ticket.write({"sale_order_ids": [Command.set(order.ids)]})
        self.ticket.product_id = self.product
        self.assertEqual(self._warranty()[:2], (date(2026, 1, 5), date(2027, 1, 5)))
        self._validate(backorder, "2026-02-20")
        self.assertEqual(self._warranty()[:2], (date(2026, 2, 20), date(2027, 2, 20)))
        # A later kettle delivered without this order is another unit...
        self._deliver(self.product, "2026-03-01")
        self.assertEqual(self._warranty()[0], date(2026, 2, 20))
        # ... the one a ticket without order counts from.
        self.ticket.sale_order_ids = [Command.clear()]
        self.assertEqual(self._warranty()[0], date(2026, 3, 1))

    def test_duration_types_and_month_ends(self):
        template = self.product.product_tmpl_id
        cases = [
            (10, "day", date(2026, 1, 31), date(2026, 2, 10)),
            (2, "week", date(2026, 1, 31), date(2026, 2, 14)),
            (1, "month", date(2026, 1, 31), date(2026, 2, 28)),
            (1, "month", date(2028, 1, 31), date(2028, 2, 29)),
            (3, "month", date(2026, 11, 30), date(2027, 2, 28)),
            (1, "year", date(2028, 2, 29), date(2029, 2, 28)),
            (0, "year", date(2026, 1, 31), False),
        ]
        for warranty, unit, start, end in cases:
            with self.subTest(warranty=warranty, unit=unit, start=start):
                template.write({"warranty": warranty, "warranty_type": unit})
                self.assertEqual(template._get_warranty_end_date(start), end)
        # On the ticket: 31 January + 1 month, and recomputed when the product's
        # warranty changes.
        self.ticket.product_id = self.product
        self._deliver(self.product, "2026-01-31")
        template.write({"warranty": 1, "warranty_type": "month"})
        self.assertEqual(self._warranty()[:2], (date(2026, 1, 31), date(2026, 2, 28)))
        template.write({"warranty": 1, "warranty_type": "week"})
        self.assertEqual(self._warranty()[1], date(2026, 2, 7))
        template.warranty = 0
        self.assertEqual(self._warranty(), (False, False, "none"))

    @freeze_time("2026-06-01")
    def test_product_changed_recomputes(self):
        self._deliver(self.product, "2026-01-31")
        self._deliver(self.serial_product, "2026-02-15", lot=self.lot)
        self.ticket.product_id = self.product
        self.assertEqual(self._warranty()[0], date(2026, 1, 31))
        self.ticket.write({"product_id": self.serial_product.id, "lot_id": self.lot.id})
        self.assertEqual(self._warranty()[:2], (date(2026, 2, 15), date(2026, 8, 15)))
        self.ticket.lot_id = False  # the product's latest delivery to the customer
        self.assertEqual(self._warranty()[0], date(2026, 2, 15))
        # In the form, before saving.
        with Form(self.ticket.with_user(self.agent)) as form:
            form.product_id = self.product
            self.assertEqual(form.warranty_label, "Under warranty until 01/31/2027")

    # ------------------------------------------------------------------ services
    @freeze_time("2026-06-01")
    def test_repair_prefilled_under_warranty(self):
        self.ticket.product_id = self.product
        self._deliver(self.product, "2026-01-31")
        action = self.ticket.with_user(self.agent).action_repair()
        repair = Form(
            self.env["repair.order"]
            .with_user(self.agent)
            .with_context(**action["context"]),
            view="repair.view_repair_order_form",
        )
        self.assertTrue(repair.under_warranty)
        repair.under_warranty = False  # the agent decides
        self.assertFalse(repair.save().under_warranty)
        expired = self.ticket.copy({"partner_id": self.other_customer.id})
        expired.product_id = self.product
        self._deliver(self.product, "2025-01-31", partner=self.other_customer)
        self.assertEqual(expired.warranty_state, "expired")
        action = expired.with_user(self.agent).action_repair()
        repair = Form(
            self.env["repair.order"]
            .with_user(self.agent)
            .with_context(**action["context"]),
            view="repair.view_repair_order_form",
        )
        self.assertFalse(repair.under_warranty)
        repair.under_warranty = True
        self.assertTrue(repair.save().under_warranty)

    def _wizard_form(self, action):
        return Form(
            self.env[action["res_model"]]
            .with_user(self.stock_agent)
            .with_context(**action["context"])
        )

    @freeze_time("2027-06-01")
    def test_wizards_warn_out_of_warranty(self):
        self.ticket.product_id = self.product
        self._deliver(self.product, "2026-01-31")
        ticket = self.ticket.with_user(self.stock_agent)
        self.assertEqual(ticket.warranty_state, "expired")
        expected = "Out of warranty: the warranty of Kettle expired on 01/31/2027."
        for action in (
            ticket.action_refund(),
            ticket.action_generate_coupon(),
            ticket.action_return(),
        ):
            with self.subTest(wizard=action["res_model"]):
                form = self._wizard_form(action)
                self.assertEqual(form.helpdesk_warranty_warning, expected)
                self.assertTrue(
                    form._view["tree"].xpath(
                        "//div[@name='helpdesk_warranty_warning']"
                        "/field[@name='helpdesk_warranty_warning']"
                    )
                )
        # Informational only: the return is still created.
        form = self._wizard_form(ticket.action_return())
        with form.product_return_moves.edit(0) as line:
            line.quantity = 1
        returned = form.save().action_create_returns()
        self.assertTrue(self.env["stock.picking"].browse(returned["res_id"]))
        # No warranty at all: the same warning; under warranty: none.
        self.ticket.product_id = self.other_product
        form = self._wizard_form(ticket.action_refund())
        self.assertEqual(
            form.helpdesk_warranty_warning,
            "Out of warranty: Toaster has no warranty.",
        )
        self.ticket.product_id = self.product
        self._deliver(self.product, "2027-05-01")
        form = self._wizard_form(ticket.action_generate_coupon())
        self.assertFalse(form.helpdesk_warranty_warning)

    def _exchange_serial(self, keeps_end):
        """SN-001 delivered on 31 January 2026 (6 months: until 31 July), exchanged on
        1 April for SN-002: the replacement's warranty, on a ticket about SN-002."""
        self.company.warranty_exchange_keeps_end = keeps_end
        order = self.env["sale.order"].create(
            {
                "partner_id": self.contact.id,
                "order_line": [
                    Command.create(
                        {"product_id": self.serial_product.id, "product_uom_qty": 1}
                    )
                ],
            }
        )
        order.action_confirm()
        self._stock(self.serial_product, lot=self.lot)
        self._validate(order.picking_ids, "2026-01-31", lot=self.lot)
        self.ticket.write(
            {
                "sale_order_ids": [Command.set(order.ids)],
                "product_id": self.serial_product.id,
                "lot_id": self.lot.id,
            }
        )
        self.assertEqual(self._warranty()[1], date(2026, 7, 31))
        with freeze_time("2026-04-01 10:00:00"):
            form = self._wizard_form(
                self.ticket.with_user(self.stock_agent).action_return()
            )
            with form.product_return_moves.edit(0) as line:
                line.quantity = 1
            action = form.save().action_create_exchanges()
        returned = self.env["stock.picking"].browse(action["res_id"])
        replacement = self.ticket.picking_ids - returned
        self._validate(returned, "2026-04-01", lot=self.lot)
        self._stock(self.serial_product, lot=self.lot_2)
        self._validate(replacement, "2026-04-02", lot=self.lot_2)
        # The ticket's own unit keeps its delivery; a ticket about the replacement:
        new_ticket = self.ticket.copy({"lot_id": self.lot_2.id})
        new_ticket.write(
            {"product_id": self.serial_product.id, "lot_id": self.lot_2.id}
        )
        self.assertEqual(self._warranty()[1], date(2026, 7, 31))
        return self._warranty(new_ticket)[:2]

    def test_exchange_starts_a_new_warranty(self):
        self.assertEqual(
            self._exchange_serial(keeps_end=False),
            (date(2026, 4, 2), date(2026, 10, 2)),
        )

    def test_exchange_keeps_the_warranty_end(self):
        self.assertEqual(
            self._exchange_serial(keeps_end=True),
            (date(2026, 4, 2), date(2026, 7, 31)),
        )

    def test_exchange_without_lot_keeps_the_end_on_the_same_ticket(self):
        self.company.warranty_exchange_keeps_end = True
        order = self._sell(self.product, "2026-01-31")
        self.ticket.write(
            {"sale_order_ids": [Command.set(order.ids)], "product_id": self.product.id}
        )
        with freeze_time("2026-04-01 10:00:00"):
            form = self._wizard_form(
                self.ticket.with_user(self.stock_agent).action_return()
            )
            with form.product_return_moves.edit(0) as line:
                line.quantity = 1
            action = form.save().action_create_exchanges()
        returned = self.env["stock.picking"].browse(action["res_id"])
        replacement = self.ticket.picking_ids - returned
        self.assertEqual(
            replacement.move_ids.helpdesk_warranty_end_date, date(2027, 1, 31)
        )
        self._validate(returned, "2026-04-01")
        self._validate(replacement, "2026-04-02")
        self.assertEqual(self._warranty()[:2], (date(2026, 4, 2), date(2027, 1, 31)))
        # The setting off: a new warranty from the replacement's delivery.
        self.company.warranty_exchange_keeps_end = False
        with freeze_time("2026-05-01 10:00:00"):
            form = self._wizard_form(
                self.ticket.with_user(self.stock_agent).action_return()
            )
            form.picking_id = replacement
            with form.product_return_moves.edit(0) as line:
                line.quantity = 1
            action = form.save().action_create_exchanges()
        second = self.ticket.picking_ids - returned - replacement
        second_return = second.filtered("return_id")
        self._validate(second_return, "2026-05-01")
        self._validate(second - second_return, "2026-05-02")
        self.assertEqual(self._warranty()[:2], (date(2026, 5, 2), date(2027, 5, 2)))

    # ------------------------------------------------------------------ queries
    def _tickets(self, count, serial):
        """`count` tickets of as many customers, each about a unit delivered to them:
        a serial number, or a kettle."""
        product = self.serial_product if serial else self.product
        tickets, pickings, lots = self.env["helpdesk.ticket"], [], []
        for index in range(count):
            partner = self.env["res.partner"].create({"name": f"Buyer {index}"})
            lot = serial and self.env["stock.lot"].create(
                {"name": f"Q-{count}-{index}", "product_id": product.id}
            )
            pickings.append(
                self._deliver(product, None, lot=lot, partner=partner, done=False)
            )
            lots.append(lot)
            tickets |= self.ticket.copy(
                {
                    "partner_id": partner.id,
                    "product_id": product.id,
                    "lot_id": lot and lot.id,
                }
            )
        with freeze_time("2026-01-31 12:00:00"):
            done = self.env["stock.picking"].union(*pickings)
            done.action_assign()
            for picking, lot in zip(pickings, lots, strict=True):
                if lot:
                    picking.move_ids.move_line_ids.lot_id = lot
            done.move_ids.picked = True
            done.button_validate()
        return tickets

    def test_compute_batched(self):
        """The dates of 80 tickets cost the queries of one."""
        for serial in (False, True):
            counts = []
            for count in (1, 80):
                tickets = self._tickets(count, serial).sudo()
                expected = date(2026, 7, 31) if serial else date(2027, 1, 31)
                self.assertEqual(set(tickets.mapped("warranty_end_date")), {expected})
                self.env.invalidate_all(flush=True)
                fields = [tickets._fields[name] for name in WARRANTY_FIELDS]
                with self.env.protecting(fields, tickets):
                    start = self.env.cr.sql_log_count
                    tickets._compute_warranty_dates()
                    counts.append(self.env.cr.sql_log_count - start)
                    self.assertEqual(
                        set(tickets.mapped("warranty_end_date")), {expected}
                    )
            _logger.info(
                "warranty compute (serial: %s): 1 ticket %s, 80 %s", serial, *counts
            )
            with self.subTest(serial=serial):
                self.assertEqual(counts[0], counts[1], counts)
                # The tickets, their products and templates (the warranty), lots or
                # orders, customers (time zone), and one grouped query of deliveries.
                self.assertLessEqual(counts[1], 6, counts)

    def _list_queries(self, tickets, spec):
        Ticket = (
            self.env["helpdesk.ticket"]
            .with_user(self.agent)
            .with_context(**WEB_CONTEXT)
        )
        Ticket.web_search_read([("id", "in", tickets.ids)], spec)  # warm caches
        self.env.invalidate_all(flush=True)
        start = self.env.cr.sql_log_count
        result = Ticket.web_search_read([("id", "in", tickets.ids)], spec)
        self.assertEqual(result["length"], len(tickets))
        return self.env.cr.sql_log_count - start

    def test_list_budget(self):
        """A page of 80 tickets with their warranty: at most 2 queries more than
        without, and as many as for one ticket."""
        tickets = self._tickets(40, serial=True) | self._tickets(40, serial=False)
        spec = {"name": {}, "partner_id": {"fields": {"display_name": {}}}}
        # As the list view: the badge and the (optional) end date.
        warranty = {
            **spec,
            "warranty_state": {},
            "warranty_label": {},
            "warranty_end_date": {},
        }
        plain = self._list_queries(tickets, spec)
        shown = self._list_queries(tickets, warranty)
        _logger.info("ticket list of 80: %s queries, %s with warranty", plain, shown)
        self.assertLessEqual(shown - plain, 2, (plain, shown))
        self.assertEqual(self._list_queries(tickets[:1], warranty), shown)

    def test_form_budget(self):
        """The form with its warranty badge: at most 2 queries more."""
        self.ticket.write({"product_id": self.serial_product.id, "lot_id": self.lot.id})
        self._deliver(self.serial_product, "2026-01-31", lot=self.lot)
        ticket = self.ticket.with_user(self.agent).with_context(**WEB_CONTEXT)
        spec = {
            "name": {},
            "product_id": {"fields": {"display_name": {}}},
            "lot_id": {"fields": {"display_name": {}}},
        }
        counts = []
        # As the form view: the badge, its state and end date.
        warranty = {
            **spec,
            "warranty_state": {},
            "warranty_label": {},
            "warranty_end_date": {},
        }
        for fields_spec in (spec, warranty):
            ticket.web_read(fields_spec)
            self.env.invalidate_all(flush=True)
            start = self.env.cr.sql_log_count
            ticket.web_read(fields_spec)
            counts.append(self.env.cr.sql_log_count - start)
        _logger.info("ticket form: %s queries, %s with warranty", *counts)
        self.assertLessEqual(counts[1] - counts[0], 2, counts)
