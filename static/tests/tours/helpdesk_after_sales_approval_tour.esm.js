import {registry} from "@web/core/registry";

// The agent refunds above the team's limit: the credit note waits for approval.
registry.category("web_tour.tours").add("helpdesk_after_sales_approval_request", {
    steps: () => [
        {
            content: "Refund the customer",
            trigger: ".o_form_view .o_statusbar_buttons button[name='action_refund']",
            run: "click",
        },
        {
            content: "The only invoice is chosen",
            trigger:
                ".modal .o_field_widget[name='move_ids'] .o_tag:contains(ESPRESSO)",
        },
        {
            content: "Say why",
            trigger: ".modal .o_field_widget[name='helpdesk_reason_id'] input",
            run: "edit Defective",
        },
        {
            content: "Pick the reason",
            trigger: ".o-autocomplete--dropdown-item:contains(Defective on arrival)",
            run: "click",
        },
        {
            content: "Reverse",
            trigger: ".modal footer button[name='refund_moves']",
            run: "click",
        },
        {
            content: "Above the limit: an approval is requested",
            trigger: ".o_notification:contains(Approval requested)",
        },
        {
            content: "The ticket has a request to approve, no credit note",
            trigger:
                ".o_form_view:not(:has(button[name='action_view_credit_notes']:visible)) button[name='action_view_after_sales_approvals'] .o_stat_value:contains(1)",
        },
    ],
});

// The team leader approves it: the credit note is issued on the ticket.
registry.category("web_tour.tours").add("helpdesk_after_sales_approval_approve", {
    steps: () => [
        {
            content: "Open the ticket's request",
            trigger: "button[name='action_view_after_sales_approvals']",
            run: "click",
        },
        {
            content: "Approve it",
            trigger: ".o_form_view .o_statusbar_buttons button[name='action_approve']",
            run: "click",
        },
        {
            content: "The credit note opens",
            trigger:
                ".o_form_view .o_field_widget[name='move_type'] :contains(Credit Note), .o_breadcrumb:contains(Credit Note)",
        },
        {
            content: "Back to the ticket",
            trigger: ".o_breadcrumb .breadcrumb-item a:contains(Espresso)",
            run: "click",
        },
        {
            content: "The ticket counts one credit note",
            trigger:
                "button[name='action_view_credit_notes'] .o_stat_value:contains(1)",
        },
    ],
});
