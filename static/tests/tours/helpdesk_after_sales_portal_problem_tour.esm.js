import {registry} from "@web/core/registry";

registry.category("web_tour.tours").add("helpdesk_after_sales_portal_problem", {
    steps: () => [
        {
            content: "Report a problem with the kettle",
            trigger:
                "#sales_order_table tr:has(td:contains(Kettle)) a.o_helpdesk_report_problem",
            run: "click",
        },
        {
            content: "The form is about the kettle",
            trigger: ".o_helpdesk_problem_form input[value='Kettle']",
        },
        {
            content: "Describe the problem",
            trigger: ".o_helpdesk_problem_form textarea[name='description']",
            run: "edit The lid does not close",
        },
        {
            content: "Send it",
            trigger: ".o_helpdesk_problem_form button[type='submit']",
            run: "click",
        },
        {
            content: "The new ticket's page",
            trigger: "#helpdesk_ticket_content h3:contains(Problem with Kettle)",
        },
        {
            content: "... with the description",
            trigger: "#helpdesk_ticket_content:contains(The lid does not close)",
        },
    ],
});
