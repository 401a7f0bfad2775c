import {registry} from "@web/core/registry";

registry.category("web_tour.tours").add("helpdesk_after_sales_refund", {
    steps: () => [
        {
            content: "The ticket has no credit note yet",
            trigger:
                ".o_form_view:not(:has(button[name='action_view_credit_notes']:visible))",
        },
        {
            content: "Refund the customer",
            trigger: ".o_form_view .o_statusbar_buttons button[name='action_refund']",
            run: "click",
        },
        {
            content: "Two invoices match: look for the kettle's",
            trigger: ".modal .o_field_widget[name='move_ids'] input",
            run: "edit KETTLE",
        },
        {
            content: "Pick the kettle invoice",
            trigger: ".o-autocomplete--dropdown-item:contains(KETTLE)",
            run: "click",
        },
        {
            content: "The invoice is chosen",
            trigger: ".modal .o_field_widget[name='move_ids'] .o_tag:contains(KETTLE)",
        },
        {
            content: "Reverse: a draft credit note",
            trigger: ".modal footer button[name='refund_moves']",
            run: "click",
        },
        {
            content: "The credit note opens",
            trigger:
                ".o_form_view .o_field_widget[name='move_type'] :contains(Credit Note), .o_breadcrumb:contains(Credit Note)",
        },
        {
            content: "Back to the ticket",
            trigger: ".o_breadcrumb .breadcrumb-item a:contains(Kettle leaks)",
            run: "click",
        },
        {
            content: "The ticket counts one credit note",
            trigger:
                "button[name='action_view_credit_notes'] .o_stat_value:contains(1)",
        },
    ],
});
