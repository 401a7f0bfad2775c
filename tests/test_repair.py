from datetime import timedelta

from odoo import fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.fields import Command
from odoo.tests import Form, new_test_user, tagged

from .common import AfterSalesCase


@tagged("post_install", "-at_install")
class TestRepair(AfterSalesCase):
    """Repairs from a ticket, as a helpdesk agent without Inventory rights (cls.agent)
    and as a repair user who is also an agent (cls.repair_agent)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        lots = cls.env.ref("stock.group_production_lot")
        cls.agent.groups_id = [Command.link(lots.id)]
        cls.repair_agent = new_test_user(
            cls.env,
            login="as_repair_agent",
            name="Repair Agent",
            groups="helpdesk_mgmt.group_helpdesk_user,stock.group_stock_user,"
            "sales_team.group_sale_salesman,stock.group_production_lot",
        )
        cls.personal_agent = new_test_user(
            cls.env,
            login="as_personal_agent",
            name="Personal Agent",
            groups="helpdesk_mgmt.group_helpdesk_user_own",
        )
        cls.team_agent = new_test_user(
            cls.env,
            login="as_team_agent",
            name="Team Agent",
            groups="helpdesk_mgmt.group_helpdesk_user_team",
        )
        cls.team.user_ids = [
            Command.link(cls.team_agent.id),
            Command.link(cls.repair_agent.id),
        ]
        cls.other_team = cls.env["helpdesk.ticket.team"].create(
            {
                "name": "Other desk",
                "use_product_repairs": True,
                "user_ids": [Command.link(cls.personal_agent.id)],
            }
        )
        cls.warehouse = cls.env["stock.warehouse"].search(
            [("company_id", "=", cls.company.id)], limit=1
        )
        cls.delivery = cls.order.picking_ids
        assert cls.delivery.picking_type_code == "outgoing"

    # ------------------------------------------------------------------ helpers
    def _create_return(
        self, partner=None, product=None, ticket=None, done=True, code="in"
    ):
        picking_type = (
            self.warehouse.in_type_id if code == "in" else self.warehouse.out_type_id
        )
        product = product or self.product
        customers = self.env.ref("stock.stock_location_customers")
        stock = self.warehouse.lot_stock_id
        picking = self.env["stock.picking"].create(
            {
                "partner_id": (partner or self.contact).id,
                "picking_type_id": picking_type.id,
                "location_id": (customers if code == "in" else stock).id,
                "location_dest_id": (stock if code == "in" else customers).id,
                "return_id": self.delivery.id,
                "helpdesk_ticket_id": (ticket or self.ticket).id,
                "move_ids": [
                    Command.create(
                        {
                            "name": product.name,
                            "product_id": product.id,
                            "product_uom_qty": 1,
                            "product_uom": product.uom_id.id,
                            "location_id": (customers if code == "in" else stock).id,
                            "location_dest_id": (
                                stock if code == "in" else customers
                            ).id,
                        }
                    )
                ],
            }
        )
        if done:
            picking.action_confirm()
            picking.move_ids.quantity = 1
            picking.move_ids.picked = True
            picking.button_validate()
            self.assertEqual(picking.state, "done")
        return picking

    def _repair_form(self, ticket=None, user=None):
        user = user or self.agent
        action = (ticket or self.ticket).with_user(user).action_repair()
        self.assertEqual(action["res_model"], "repair.order")
        return Form(
            self.env["repair.order"].with_user(user).with_context(**action["context"]),
            view="repair.view_repair_order_form",
        )

    def _repairs(self):
        return self.env["repair.order"].sudo().search([])

    def _links(self, record, target):
        return record.message_ids.filtered(
            lambda m: (
                f'data-oe-model="{target._name}"' in (m.body or "")
                and f'data-oe-id="{target.id}"' in m.body
            )
        )

    # ------------------------------------------------------------------ the agent's
    # flow
    def test_agent_repair_prefilled_from_ticket(self):
        self.ticket.product_id = self.product
        older = self._create_return()
        older.date_done = fields.Datetime.now() - timedelta(days=3)
        latest = self._create_return()
        self._create_return(done=False)  # not received yet
        self._create_return(product=self.other_product)  # another product
        self._create_return(ticket=self.ticket.copy())  # another ticket
        before = fields.Datetime.now().replace(microsecond=0)
        repair = self._repair_form()
        self.assertEqual(repair.partner_id, self.contact)
        self.assertEqual(repair.product_id, self.product)
        self.assertEqual(
            repair.picking_id, latest, "the ticket's most recent done return"
        )
        self.assertEqual(repair.helpdesk_ticket_id, self.ticket)
        self.assertEqual(repair.user_id, self.agent)
        self.assertGreaterEqual(repair.schedule_date, before)
        self.assertIn("It leaks", repair.internal_notes)
        self.assertTrue(
            repair._get_modifier("lot_id", "invisible"), "kettles have no serial"
        )
        repair.under_warranty = True
        tag = self.env["repair.tags"].create({"name": "Leak"})
        repair.tag_ids.add(tag)
        repair = repair.save()
        self.assertEqual(repair.state, "draft")
        self.assertEqual(repair.tag_ids, tag)
        self.assertTrue(repair.under_warranty)
        self.assertEqual(repair.product_qty, 1)
        self.assertEqual(repair.company_id, self.ticket.company_id)
        self.assertEqual(self.ticket.with_user(self.agent).repairs_count, 1)
        self.assertEqual(self.ticket.with_user(self.agent).repair_ids, repair)
        ticket_log = self._links(self.ticket, repair)
        self.assertTrue(ticket_log, "the ticket's chatter links the repair")
        self.assertEqual(ticket_log.author_id, self.agent.partner_id)
        self.assertTrue(
            self._links(repair, self.ticket), "the repair's chatter links the ticket"
        )
        action = self.ticket.with_user(self.agent).action_view_repairs()
        self.assertEqual(action["res_id"], repair.id)
        # The agent reopens it, reads it and edits the draft.
        with Form(
            repair.with_user(self.agent), view="repair.view_repair_order_form"
        ) as edit:
            edit.priority = "1"
            edit.internal_notes = "<p>Leaks at the base, seal probably gone.</p>"
        self.assertEqual(repair.priority, "1")

    def test_serial_product_lot_prefilled(self):
        self.ticket.write({"product_id": self.serial_product.id, "lot_id": self.lot.id})
        repair = self._repair_form()
        self.assertEqual(repair.product_id, self.serial_product)
        self.assertEqual(repair.lot_id, self.lot)
        self.assertFalse(repair._get_modifier("lot_id", "invisible"))
        self.assertFalse(repair.picking_id, "no return on the ticket")
        repair = repair.save()
        self.assertEqual(repair.lot_id, self.lot)

    def test_ticket_without_product(self):
        repair = self._repair_form()
        self.assertFalse(repair.product_id)
        self.assertFalse(repair.picking_id)
        self.assertEqual(repair.partner_id, self.contact)
        repair = repair.save()
        self.assertFalse(repair.product_id)
        self.assertEqual(repair.helpdesk_ticket_id, self.ticket)

    def test_several_repairs_listed(self):
        repairs = self._repair_form().save() | self._repair_form().save()
        action = self.ticket.with_user(self.agent).action_view_repairs()
        self.assertEqual(
            self.env["repair.order"].with_user(self.agent).search(action["domain"]),
            repairs,
        )
        self.assertEqual(self.ticket.with_user(self.agent).repairs_count, 2)

    def test_counts_batched(self):
        tickets = self.ticket | self.ticket.copy() | self.ticket.copy()
        for ticket, count in zip(tickets, (0, 1, 2), strict=True):
            for _i in range(count):
                self.env["repair.order"].create(
                    {"helpdesk_ticket_id": ticket.id, "partner_id": self.contact.id}
                )
        tickets = tickets.with_user(self.agent)
        # The agent's access rights and rules, cached once for any ticket.
        self.assertEqual(self.ticket.copy().with_user(self.agent).repairs_count, 0)
        self.env.invalidate_all()
        with self.assertQueryCount(1):
            self.assertEqual(tickets.mapped("repairs_count"), [0, 1, 2])

    def test_repair_created_otherwise_is_linked_too(self):
        """A repair user creating a ticket's repair by RPC gets the same links."""
        repair = (
            self.env["repair.order"]
            .with_user(self.repair_agent)
            .create(
                {"helpdesk_ticket_id": self.ticket.id, "partner_id": self.customer.id}
            )
        )
        self.assertTrue(self._links(self.ticket, repair))
        self.assertTrue(self._links(repair, self.ticket))
        # Linked afterwards: linked both ways as well.
        other = self.env["repair.order"].with_user(self.repair_agent).create({})
        other.helpdesk_ticket_id = self.ticket
        self.assertTrue(self._links(self.ticket, other))
        self.assertEqual(self.ticket.repairs_count, 2)

    def test_demo_repair(self):
        if not self.env["ir.module.module"]._get("helpdesk_after_sales").demo:
            return  # a database without demo data has nothing to check
        repair = self.env.ref("helpdesk_after_sales.demo_repair_espresso")
        ticket = self.env.ref("helpdesk_after_sales.demo_ticket_espresso")
        self.assertEqual(repair.helpdesk_ticket_id, ticket)
        self.assertEqual(repair.lot_id, ticket.lot_id)
        self.assertEqual(ticket.repairs_count, 1)
        self.assertTrue(self._links(ticket, repair))

    # ------------------------------------------------------------------ repair users
    def test_repair_user_agent_sees_every_repair(self):
        existing = self._repairs()  # demo data
        plain = self.env["repair.order"].create({"partner_id": self.other_customer.id})
        linked = self._repair_form().save()
        new = [("id", "not in", existing.ids)]
        self.assertEqual(
            self.env["repair.order"].with_user(self.repair_agent).search(new),
            plain | linked,
        )
        self.assertEqual(
            self.env["repair.order"].with_user(self.agent).search(new), linked
        )
        self.assertEqual(
            self.env["repair.order"].with_user(self.repair_agent).search_count([]),
            len(existing) + 2,
        )

    def test_repair_user_runs_the_repair(self):
        self.ticket.product_id = self.other_product  # not storable: no stock needed
        repair = self._repair_form(user=self.repair_agent).save()
        self.assertEqual(repair.user_id, self.repair_agent)
        repair = repair.with_user(self.repair_agent)
        repair.action_validate()
        self.assertEqual(repair.state, "confirmed")
        repair.action_repair_start()
        self.assertEqual(repair.state, "under_repair")
        repair.action_repair_end()
        self.assertEqual(repair.state, "done")
        # The agent still reads it, without changing it.
        self.assertEqual(repair.with_user(self.agent).state, "done")

    def test_ticket_defaults_do_not_leak_into_parts(self):
        """The form's context reaches its part lines and the records its buttons create:
        the repaired product, lot and ticket must not become theirs."""
        self.ticket.write({"product_id": self.serial_product.id, "lot_id": self.lot.id})
        repair = self._repair_form(user=self.repair_agent)
        with repair.move_ids.new() as part:
            self.assertFalse(part.product_id)
            part.product_id = self.other_product
        repair = repair.save()
        self.assertEqual(repair.move_ids.product_id, self.other_product)

    def test_under_warranty_quotation_free_parts(self):
        self.ticket.product_id = self.product
        repair = self._repair_form(user=self.repair_agent)
        repair.under_warranty = True
        repair = repair.save().with_user(self.repair_agent)
        repair.move_ids = [
            Command.create(
                {
                    "product_id": self.other_product.id,
                    "product_uom_qty": 2,
                    "repair_line_type": "add",
                }
            )
        ]
        repair.action_create_sale_order()
        order = repair.sale_order_id
        self.assertTrue(order)
        self.assertEqual(order.partner_id, self.contact)
        line = order.order_line.filtered(
            lambda line: line.product_id == self.other_product
        )
        self.assertEqual(line.product_uom_qty, 2)
        self.assertEqual(line.price_unit, 0.0, "under warranty: parts are free")
        repair.under_warranty = False
        self.assertEqual(line.price_unit, self.other_product.list_price)

    # ------------------------------------------------------------------ access of
    # agents
    def test_agent_browses_repair_views(self):
        """The smart button's views load for an agent without repair rights, with the
        data their fields show (the ACLs of security/ are enough, no sudo)."""
        repairs = self._repair_form().save() | self._repair_form().save()
        action = self.ticket.with_user(self.agent).action_view_repairs()
        Repair = self.env["repair.order"].with_user(self.agent)
        result = Repair.get_views(
            [(False, view) for view in action["view_mode"].split(",")]
        )
        fields_info = result["models"]["repair.order"]["fields"]
        spec = {
            name: {"fields": {"display_name": {}}} if info.get("relation") else {}
            for name, info in fields_info.items()
            if info["type"] != "properties"
        }
        records = Repair.web_search_read(action["domain"], spec)["records"]
        self.assertEqual({r["id"] for r in records}, set(repairs.ids))
        self.assertEqual(
            records[0]["partner_id"]["display_name"], self.contact.display_name
        )

    def test_agent_cannot_run_the_repair(self):
        self.ticket.product_id = self.other_product
        repair = self._repair_form().save().with_user(self.agent)
        for method in ("action_validate", "action_repair_start", "action_repair_end"):
            with self.assertRaisesRegex(AccessError, "Only repair users"):
                getattr(repair, method)()
        with self.assertRaisesRegex(AccessError, "status"):
            repair.write({"state": "confirmed"})
        with self.assertRaisesRegex(AccessError, "parts"):
            repair.write(
                {
                    "move_ids": [
                        Command.create(
                            {
                                "product_id": self.other_product.id,
                                "product_uom_qty": 1,
                                "repair_line_type": "add",
                            }
                        )
                    ]
                }
            )
        with self.assertRaises(AccessError):
            repair.unlink()
        self.env.clear()
        self.assertEqual(repair.state, "draft")
        self.assertFalse(repair.sudo().move_ids)
        # Once the workshop confirmed it, the agent reads it but changes nothing.
        repair.with_user(self.repair_agent).action_validate()
        self.assertEqual(repair.state, "confirmed")
        with self.assertRaisesRegex(AccessError, "no longer a draft"):
            repair.write({"priority": "1"})
        self.env.clear()
        self.assertEqual(repair.priority, "0")
        arch = (
            self.env["repair.order"]
            .with_user(self.agent)
            .get_view(view_type="form")["arch"]
        )
        for button in ("action_validate", "action_repair_start", "action_repair_end"):
            self.assertNotIn(button, arch)
        arch = (
            self.env["repair.order"]
            .with_user(self.repair_agent)
            .get_view(view_type="form")["arch"]
        )
        self.assertIn("action_validate", arch)

    def test_agent_rpc_create_refused(self):
        Repair = self.env["repair.order"].with_user(self.agent)
        before = self._repairs()
        with self.assertRaisesRegex(
            AccessError, "only create a repair from a helpdesk ticket"
        ):
            Repair.create({"partner_id": self.contact.id})
        with self.assertRaisesRegex(AccessError, "status"):
            Repair.create({"helpdesk_ticket_id": self.ticket.id, "state": "done"})
        with self.assertRaisesRegex(AccessError, "parts"):
            Repair.create(
                {
                    "helpdesk_ticket_id": self.ticket.id,
                    "move_ids": [
                        Command.create(
                            {
                                "product_id": self.other_product.id,
                                "repair_line_type": "add",
                            }
                        )
                    ],
                }
            )
        # A ticket the personal agent cannot read: assigned to someone else, another
        # team.
        self.ticket.user_id = self.manager
        with self.assertRaises(AccessError):
            self.env["repair.order"].with_user(self.personal_agent).create(
                {"helpdesk_ticket_id": self.ticket.id}
            )
        with self.assertRaises(AccessError):
            self.ticket.with_user(self.personal_agent).action_repair()
        self.env.clear()
        self.assertEqual(self._repairs(), before, "nothing created")

    def test_agent_cannot_move_repair_out_of_sight(self):
        self.ticket.user_id = self.personal_agent
        repair = self._repair_form(user=self.personal_agent).save()
        repair = repair.with_user(self.personal_agent)
        with self.assertRaisesRegex(AccessError, "cannot unlink"):
            repair.write({"helpdesk_ticket_id": False})
        hidden = self.env["helpdesk.ticket"].create(
            {
                "name": "Not mine",
                "description": "Broken",
                "team_id": self.team.id,
                "user_id": self.manager.id,
                "partner_id": self.contact.id,
            }
        )
        with self.assertRaises(AccessError):
            repair.write({"helpdesk_ticket_id": hidden.id})
        self.env.clear()
        self.assertEqual(repair.helpdesk_ticket_id, self.ticket)

    def test_rules_mirror_ticket_rules(self):
        """Each agent sees exactly the repairs of the tickets they can read."""
        Ticket = self.env["helpdesk.ticket"]
        tickets = {
            "own": Ticket.create(
                {
                    "name": "Mine",
                    "description": "Broken",
                    "team_id": self.team.id,
                    "user_id": self.personal_agent.id,
                    "partner_id": self.contact.id,
                }
            ),
            "other_team_unassigned": Ticket.create(
                {
                    "name": "Other desk",
                    "description": "Broken",
                    "team_id": self.other_team.id,
                    "user_id": False,
                    "partner_id": self.contact.id,
                }
            ),
            "team": Ticket.create(
                {
                    "name": "Team's",
                    "description": "Broken",
                    "team_id": self.team.id,
                    "user_id": self.manager.id,
                    "partner_id": self.contact.id,
                }
            ),
            "followed": Ticket.create(
                {
                    "name": "Followed",
                    "description": "Broken",
                    "team_id": self.team.id,
                    "user_id": self.manager.id,
                    "partner_id": self.contact.id,
                }
            ),
        }
        tickets["followed"].message_subscribe(
            partner_ids=self.personal_agent.partner_id.ids
        )
        repairs = {
            key: self.env["repair.order"].create(
                {"helpdesk_ticket_id": ticket.id, "partner_id": self.contact.id}
            )
            for key, ticket in tickets.items()
        }
        unlinked = self.env["repair.order"].create({"partner_id": self.contact.id})
        all_ids = [*(r.id for r in repairs.values()), unlinked.id]
        expected = {
            self.personal_agent: ("own", "other_team_unassigned", "followed"),
            self.team_agent: ("own", "team", "followed"),
            self.agent: ("own", "other_team_unassigned", "team", "followed"),
        }
        for user, keys in expected.items():
            with self.subTest(user=user.login):
                readable = Ticket.with_user(user).search(
                    [("id", "in", [t.id for t in tickets.values()])]
                )
                self.assertEqual(readable, Ticket.union(*(tickets[k] for k in keys)))
                found = (
                    self.env["repair.order"]
                    .with_user(user)
                    .search_read([("id", "in", all_ids)], ["name"])
                )
                self.assertEqual(
                    {r["id"] for r in found}, {repairs[k].id for k in keys}
                )
                with self.assertRaises(AccessError):
                    unlinked.with_user(user).read(["name"])
        self.assertIn(
            unlinked, self.env["repair.order"].with_user(self.repair_agent).search([])
        )

    def test_portal_user_has_no_repairs(self):
        portal = new_test_user(self.env, login="as_portal", groups="base.group_portal")
        self._repair_form().save()
        with self.assertRaises(AccessError):
            self.env["repair.order"].with_user(portal).search([])

    # ------------------------------------------------------------------ bad input
    def _assert_refused(self, exception, message, user=None, **values):
        before = self._repairs()
        with self.assertRaisesRegex(exception, message), self.env.cr.savepoint():
            self.env["repair.order"].with_user(user or self.agent).create(
                {
                    "helpdesk_ticket_id": self.ticket.id,
                    "partner_id": self.contact.id,
                    **values,
                }
            )
        self.env.clear()
        self.assertEqual(self._repairs(), before, "nothing created")

    def test_refuses_return_of_another_customer(self):
        foreign = self._create_return(partner=self.other_customer)
        for user in (self.agent, self.repair_agent):
            self._assert_refused(
                ValidationError,
                "not received from the ticket's customer",
                user=user,
                product_id=self.product.id,
                picking_id=foreign.id,
            )

    def test_refuses_picking_that_is_not_a_receipt(self):
        delivery = self._create_return(code="out", done=False)
        self._assert_refused(
            ValidationError,
            "is not a receipt of",
            product_id=self.product.id,
            picking_id=delivery.id,
        )
        other_product_return = self._create_return(product=self.other_product)
        self._assert_refused(
            ValidationError,
            "does not include product",
            product_id=self.product.id,
            picking_id=other_product_return.id,
        )

    def test_refuses_lot_of_another_product(self):
        grinder = self.env["product.product"].create(
            {
                "name": "Grinder",
                "type": "consu",
                "is_storable": True,
                "tracking": "serial",
            }
        )
        other_lot = self.env["stock.lot"].create(
            {"name": "SN-OTHER", "product_id": grinder.id}
        )
        for user in (self.agent, self.repair_agent):
            self._assert_refused(
                ValidationError,
                "is not one of product",
                user=user,
                product_id=self.serial_product.id,
                lot_id=other_lot.id,
            )

    def test_refuses_another_customer(self):
        self._assert_refused(
            ValidationError,
            "is not the customer of ticket",
            partner_id=self.other_customer.id,
        )

    def test_refuses_ticket_of_another_company(self):
        self.agent.company_ids = [Command.link(self.other_company.id)]
        team = self.env["helpdesk.ticket.team"].create(
            {
                "name": "Other company desk",
                "company_id": self.other_company.id,
                "use_product_repairs": True,
                "user_ids": [Command.link(self.agent.id)],
            }
        )
        ticket = self.env["helpdesk.ticket"].create(
            {
                "name": "Elsewhere",
                "description": "Broken",
                "team_id": team.id,
                "company_id": self.other_company.id,
                "partner_id": self.contact.id,
            }
        )
        before = self._repairs()
        # Odoo's own check_company message.
        with (
            self.assertRaisesRegex(UserError, "belongs to another company"),
            self.env.cr.savepoint(),
        ):
            self.env["repair.order"].with_user(self.agent).create(
                {"helpdesk_ticket_id": ticket.id, "partner_id": self.contact.id}
            )
        self.env.clear()
        self.assertEqual(self._repairs(), before)

    def test_refuses_bad_write(self):
        repair = self._repair_form().save().with_user(self.agent)
        foreign = self._create_return(partner=self.other_customer)
        with self.assertRaisesRegex(ValidationError, "not received from"):
            repair.write({"product_id": self.product.id, "picking_id": foreign.id})
        other_lot = self.env["stock.lot"].create(
            {"name": "SN-002", "product_id": self.serial_product.id}
        )
        with self.assertRaisesRegex(ValidationError, "is not one of product"):
            repair.write({"product_id": self.product.id, "lot_id": other_lot.id})
        with self.assertRaisesRegex(ValidationError, "is not the customer"):
            repair.write({"partner_id": self.other_customer.id})
        self.env.clear()
        self.assertFalse(repair.picking_id)
        self.assertFalse(repair.product_id)
        self.assertEqual(repair.partner_id, self.contact)
        # A new product alone: core clears the former product's serial, nothing to
        # refuse.
        repair.write({"product_id": self.serial_product.id, "lot_id": self.lot.id})
        repair.write({"product_id": self.product.id})
        self.assertFalse(repair.lot_id)

    def test_team_without_repairs_or_ticket_without_customer(self):
        self.team.use_product_repairs = False
        with self.assertRaisesRegex(UserError, "does not offer Repairs"):
            self.ticket.with_user(self.agent).action_repair()
        self._assert_refused(
            UserError, "does not offer Repairs", user=self.repair_agent
        )
        self.team.use_product_repairs = True
        self.ticket.partner_id = False
        with self.assertRaisesRegex(UserError, "no customer"):
            self.ticket.with_user(self.agent).action_repair()
