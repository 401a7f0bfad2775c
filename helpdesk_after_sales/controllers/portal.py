import base64

from werkzeug.exceptions import NotFound

from odoo import http
from odoo.exceptions import AccessError, MissingError, UserError, ValidationError
from odoo.fields import Command
from odoo.http import request
from odoo.osv.expression import AND
from odoo.tools import plaintext2html

from odoo.addons.helpdesk_mgmt.controllers.myaccount import CustomerPortalHelpdesk
from odoo.addons.project.controllers.portal import ProjectCustomerPortal
from odoo.addons.sale.controllers.portal import CustomerPortal as SaleCustomerPortal

# The portal's three steps of a return (draft, waiting and confirmed are all "waiting").
RETURN_PORTAL_STATES = {"assigned": "ready", "done": "done"}


class ProjectCustomerPortalHelpdesk(ProjectCustomerPortal):
    """A field service task's portal page links to the ticket it was planned from, shows
    its worksheet, signs it and downloads it."""

    def _task_get_page_view_values(self, task, access_token, **kwargs):
        values = super()._task_get_page_view_values(task, access_token, **kwargs)
        ticket = task.helpdesk_ticket_id
        if ticket:
            try:
                # Only when the visitor may read the ticket itself: the task's token
                # grants nothing on the ticket.
                ticket_sudo = self._document_check_access("helpdesk.ticket", ticket.id)
            except (AccessError, MissingError):
                return values
            values["helpdesk_ticket"] = ticket_sudo
            values["task_link_section"].append(
                {
                    "access_url": ticket_sudo.access_url,
                    "title": request.env._("Helpdesk Ticket"),
                }
            )
        return values

    # --- Worksheets
    # The worksheet has an address of its own rather than the task's ?report_type=pdf:
    # that one is hr_timesheet's timesheet report (its _show_task_report, which does not
    # call super()), and the customer may need both documents.
    @http.route(
        ["/my/tasks/<int:task_id>/worksheet"],
        type="http",
        auth="public",
        website=True,
    )
    def portal_task_worksheet(
        self, task_id, access_token=None, report_type="pdf", download=False, **kw
    ):
        """The task's worksheet as a PDF (or HTML), for who may read the task or has its
        link."""
        try:
            task_sudo = self._document_check_access(
                "project.task", task_id, access_token
            )
        except (AccessError, MissingError):
            return request.redirect("/my")
        if not task_sudo.worksheet_answer_ids:
            return request.redirect(task_sudo.get_portal_url())
        return self._show_report(
            model=task_sudo,
            report_type=report_type,
            report_ref="helpdesk_after_sales.action_report_worksheet",
            download=download,
        )

    @http.route(
        ["/my/tasks/<int:task_id>/worksheet/sign"],
        type="json",
        auth="public",
        website=True,
    )
    def portal_task_worksheet_sign(
        self, task_id, access_token=None, name=None, signature=None
    ):
        """The customer signs the task's worksheet, as a quotation is signed: with the
        task's link (access token, from the query string when the widget does not post
        it) or as a logged-in customer who may read the task."""
        access_token = access_token or request.httprequest.args.get("access_token")
        try:
            task_sudo = self._document_check_access(
                "project.task", task_id, access_token
            )
        except (AccessError, MissingError):
            return {
                "error": request.env._(
                    "This task does not exist or is not yours to sign."
                )
            }
        try:
            # A visitor with the task's link signs for the task's customer.
            user = request.env.user
            author = task_sudo.partner_id if user._is_public() else user.partner_id
            task_sudo._sign_worksheet(name, signature, author)
        except (UserError, ValidationError) as error:
            return {"error": error.args[0]}
        return {
            "force_refresh": True,
            "redirect_url": task_sudo.get_portal_url(
                query_string="&message=worksheet_signed"
            ),
        }


class CustomerPortalHelpdeskFsm(CustomerPortalHelpdesk):
    """A ticket's portal page lists the field service tasks planned from it."""

    def _ticket_get_page_view_values(self, ticket, access_token, **kwargs):
        values = super()._ticket_get_page_view_values(ticket, access_token, **kwargs)
        values["fsm_tasks"] = self._get_ticket_fsm_tasks(ticket)
        return values

    def _get_ticket_fsm_tasks(self, ticket):
        """The ticket's tasks that the visitor may read himself (project's portal rule:
        tasks of portal projects he follows), whatever the ticket's token grants."""
        Task = request.env["project.task"]
        if not Task.has_access("read"):
            return Task
        domain = AND(
            [
                [("helpdesk_ticket_id", "=", ticket.id)],
                request.env["ir.rule"]._compute_domain(Task._name, "read"),
            ]
        )
        # sudo: grants the stage and assignees of the tasks the domain above allows.
        return Task.sudo().search_fetch(
            domain,
            ["name", "user_ids", "date_deadline", "stage_id"],
            order="date_deadline, id",
        )


class CustomerPortalHelpdeskAfterSales(CustomerPortalHelpdesk):
    """A ticket's portal page lists its credit notes, coupons, returns (with their
    return slip) and repairs; the portal home counts what the customer still has to
    act on."""

    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        if "after_sales_count" in counters:
            values["after_sales_count"] = request.env[
                "helpdesk.ticket"
            ]._get_portal_open_after_sales_count()
        return values

    def _ticket_get_page_view_values(self, ticket, access_token, **kwargs):
        values = super()._ticket_get_page_view_values(ticket, access_token, **kwargs)
        # `ticket` is sudo'ed by the access check (the visitor may read it, or holds
        # its token): its own documents, of its customer, are what that access grants.
        documents = ticket._get_portal_after_sales_documents()
        repairs = documents["repairs"]
        values.update(
            # The warranty's "today" in the visitor's time zone, as the page shows the
            # ticket's dates, not in the superuser's, whose record the check returns.
            ticket=values["ticket"].with_context(tz=self._get_visitor_tz()),
            # The badge's product, shown first, carries the repairs' products in its
            # prefetch: their display names (variant, template and attribute values)
            # are read in one batch for the page.
            after_sales_warranty_product=ticket.product_id.with_prefetch(
                (ticket.product_id | repairs.product_id)._prefetch_ids
            ),
            after_sales_credit_notes=documents["credit_notes"],
            after_sales_coupons=documents["coupons"],
            after_sales_returns=documents["returns"],
            after_sales_repairs=repairs,
            after_sales_return_states=RETURN_PORTAL_STATES,
        )
        return values

    def _get_visitor_tz(self):
        """The time zone the portal shows the visitor's dates in: his context's, else
        his own, else UTC (Odoo's datetime widget does the same)."""
        return request.env.context.get("tz") or request.env.user.tz or "UTC"

    @http.route(
        ["/my/ticket/<int:ticket_id>/return/<int:picking_id>"],
        type="http",
        auth="public",
        website=True,
    )
    def portal_ticket_return_slip(
        self, ticket_id, picking_id, access_token=None, download=False, **kw
    ):
        """A ready return's slip (stock's delivery slip), for who may read the ticket
        or has its link: portal users cannot read transfers themselves."""
        try:
            ticket_sudo = self._document_check_access(
                "helpdesk.ticket", ticket_id, access_token
            )
        except (AccessError, MissingError):
            return request.redirect("/my")
        picking_sudo = ticket_sudo._get_portal_returns().filtered(
            lambda picking: picking.id == picking_id and picking.state == "assigned"
        )
        if not picking_sudo:
            raise NotFound()
        return self._show_report(
            model=picking_sudo,
            report_type="pdf",
            report_ref="stock.action_report_delivery",
            download=download,
        )


class CustomerPortalSaleProblem(SaleCustomerPortal):
    """Report a problem with a delivered product of one's order: a helpdesk ticket for
    the company's after-sales portal team, with the order, product and lot set."""

    @http.route(
        ["/my/orders/<int:order_id>/problem"],
        type="http",
        auth="public",
        methods=["GET"],
        website=True,
    )
    def portal_order_problem(self, order_id, line_id=None, **kw):
        try:
            line_sudo = self._get_problem_order_line(order_id, line_id)
        except (AccessError, MissingError, UserError) as error:
            return self._render_problem_refused(order_id, error)
        return request.render(
            "helpdesk_after_sales.portal_order_problem",
            self._prepare_problem_form_values(line_sudo),
        )

    @http.route(
        ["/my/orders/<int:order_id>/problem/submit"],
        type="http",
        auth="public",
        methods=["POST"],
        website=True,
        # Checked first thing below, to answer with a page saying why rather than the
        # website's bare "Something went wrong".
        csrf=False,
    )
    def portal_order_problem_submit(
        self,
        order_id,
        line_id=None,
        lot_id=None,
        description=None,
        csrf_token=None,
        **kw,
    ):
        """Create the ticket, then show it; a refusal creates nothing."""
        if not request.validate_csrf(csrf_token):
            return self._render_problem_refused(
                order_id,
                UserError(
                    request.env._(
                        "This form has expired (invalid CSRF token): open it again "
                        "from your order."
                    )
                ),
            )
        try:
            line_sudo = self._get_problem_order_line(order_id, line_id)
            lot_sudo = self._get_problem_lot(line_sudo, lot_id)
        except (AccessError, MissingError, UserError) as error:
            return self._render_problem_refused(order_id, error)
        if not (description or "").strip():
            values = self._prepare_problem_form_values(line_sudo, lot_sudo)
            values["error"] = request.env._("Describe the problem, please.")
            return request.render(
                "helpdesk_after_sales.portal_order_problem", values, status=400
            )
        ticket = self._create_problem_ticket(line_sudo, lot_sudo, description)
        return request.redirect(ticket.access_url)

    def _get_problem_order_line(self, order_id, line_id):
        """The order line the logged-in customer reports on, sudo'ed once checked: his
        own order (its link grants no reporting), a product delivered on it."""
        user = request.env.user
        if user._is_public():
            raise AccessError(
                request.env._("Log in to report a problem with one of your orders.")
            )
        order = request.env["sale.order"].browse(order_id)
        not_yours = request.env._("This order does not exist or is not yours.")
        try:
            order.check_access("read")
        except (AccessError, MissingError):
            raise AccessError(not_yours) from None
        order_sudo = order.sudo()  # the customer's own order, checked above
        if order_sudo.partner_id.commercial_partner_id != user.commercial_partner_id:
            raise AccessError(not_yours)
        if not order_sudo.company_id.after_sales_portal_team_id:
            raise UserError(
                request.env._(
                    "Problems with this order cannot be reported online: contact us, "
                    "please."
                )
            )
        try:
            line_id = int(line_id or 0)
        except ValueError:
            line_id = 0
        lines = order_sudo._get_helpdesk_problem_lines(user)
        line_sudo = lines.filtered(lambda line: line.id == line_id)
        if not line_sudo:
            raise UserError(
                request.env._(
                    "This product has not been delivered on this order: a problem can "
                    "be reported once it is."
                )
            )
        return line_sudo

    def _get_problem_lot(self, line_sudo, lot_id):
        """The delivered lot/serial number chosen on the form: one of those delivered
        for this line; required when some were."""
        lots = line_sudo._get_helpdesk_delivered_lots()
        try:
            lot_id = int(lot_id or 0)
        except ValueError:
            lot_id = -1
        lot = lots.filtered(lambda lot: lot.id == lot_id)
        if lot_id and not lot:
            raise UserError(
                request.env._(
                    "This lot or serial number was not delivered with this order."
                )
            )
        if lots and not lot:
            raise UserError(
                request.env._("Choose the lot or serial number of the product.")
            )
        return lot

    def _prepare_problem_form_values(self, line_sudo, lot_sudo=None):
        session_info = request.env["ir.http"].session_info()
        return {
            "page_name": "order_problem",
            "sale_order": line_sudo.order_id,
            "line": line_sudo,
            "lots": line_sudo._get_helpdesk_delivered_lots(),
            "lot": lot_sudo,
            "max_upload_size": session_info["max_file_upload_size"],
        }

    def _render_problem_refused(self, order_id, error):
        return request.render(
            "helpdesk_after_sales.portal_order_problem_refused",
            {
                "message": error.args[0],
                "login_url": f"/web/login?redirect=/my/orders/{order_id}",
                "is_public": request.env.user._is_public(),
            },
            status=403 if isinstance(error, AccessError) else 400,
        )

    def _prepare_problem_ticket_vals(self, line_sudo, lot_sudo, description):
        order = line_sudo.order_id
        team = order.company_id.after_sales_portal_team_id
        partner = request.env.user.partner_id
        channel = request.env.ref("helpdesk_mgmt.helpdesk_ticket_channel_web", False)
        return {
            "name": request.env._(
                "Problem with %(product)s (%(order)s)",
                product=line_sudo.product_id.display_name,
                order=order.name,
            ),
            "description": plaintext2html(description.strip()),
            "company_id": order.company_id.id,
            "team_id": team.id,
            # As helpdesk_mgmt's portal form: a stage, so that the team's new-ticket
            # e-mail is sent (_track_template).
            "stage_id": team._get_applicable_stages()[:1].id,
            "channel_id": channel.id if channel else False,
            "partner_id": partner.id,
            "partner_name": partner.name,
            "partner_email": partner.email,
            "user_id": False,
            "sale_order_ids": [Command.set(order.ids)],
            "product_id": line_sudo.product_id.id,
            "lot_id": lot_sudo.id,
        }

    def _create_problem_ticket(self, line_sudo, lot_sudo, description):
        vals = self._prepare_problem_ticket_vals(line_sudo, lot_sudo, description)
        # sudo: portal customers may not create tickets (helpdesk_mgmt's ACL); this
        # creates the one ticket checked above, as its /submitted/ticket does.
        ticket = (
            request.env["helpdesk.ticket"]
            .sudo()
            .with_company(line_sudo.order_id.company_id)
            .create(vals)
        )
        ticket.message_subscribe(partner_ids=request.env.user.partner_id.ids)
        attachments = [
            {
                "name": upload.filename,
                "datas": base64.b64encode(upload.read()),
                "res_model": "helpdesk.ticket",
                "res_id": ticket.id,
            }
            for upload in request.httprequest.files.getlist("attachments")
            if upload.filename
        ]
        if attachments:
            # sudo: the attachments of the ticket just created, as helpdesk_mgmt's.
            request.env["ir.attachment"].sudo().create(attachments)
        return ticket
