import {registry} from "@web/core/registry";

registry.category("web_tour.tours").add("helpdesk_after_sales_refund_lines", {
    steps: () => [
        {
            content: "Refund the customer",
            trigger: ".o_form_view .o_statusbar_buttons button[name='action_refund']",
            run: "click",
        },
        {
            content: "The one invoice of the ticket's product is chosen",
            trigger: ".modal .o_field_widget[name='move_ids'] .o_tag:contains(LINES)",
        },
        {
            content: "Refund selected lines only",
            trigger:
                ".modal .o_field_widget[name='helpdesk_refund_scope'] input[data-value='lines']",
            run: "click",
        },
        {
            content: "Whole-invoice buttons give way to the lines' buttons",
            trigger:
                ".modal footer:not(:has(button[name='refund_moves']:visible)) button[name='action_refund_lines_and_post']",
        },
        {
            content:
                "The kettles proposed: the ticket's product, all that is refundable",
            trigger:
                ".modal .o_data_row:contains(Tour Kettle) td[name='quantity']:contains(2.00)",
            run: "click",
        },
        {
            content: "Refund one kettle",
            trigger:
                ".modal .o_data_row:contains(Tour Kettle) td[name='quantity'] input",
            run: "edit 1",
        },
        {
            content: "The toaster is not refunded",
            trigger:
                ".modal .o_data_row:contains(Tour Toaster) td[name='quantity']:contains(0.00)",
        },
        {
            content: "Reverse and post",
            trigger: ".modal footer button[name='action_refund_lines_and_post']",
            run: "click",
        },
        {
            content: "The posted credit note opens",
            trigger:
                ".o_form_view .o_statusbar_status button.o_arrow_button_current:contains(Posted)",
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
