import {registry} from "@web/core/registry";

registry.category("web_tour.tours").add("helpdesk_after_sales_return", {
    steps: () => [
        {
            content: "The ticket has no return yet",
            trigger:
                ".o_form_view:not(:has(button[name='action_view_pickings']:visible))",
        },
        {
            content: "Take the product back",
            trigger: ".o_form_view .o_statusbar_buttons button[name='action_return']",
            run: "click",
        },
        {
            content: "Two deliveries match: look for the kettle's",
            trigger: ".modal .o_field_widget[name='picking_id'] input",
            run: "edit TOUR-KETTLE",
        },
        {
            content: "Pick the kettle delivery",
            trigger: ".o-autocomplete--dropdown-item:contains(TOUR-KETTLE)",
            run: "click",
        },
        {
            content: "Its line proposes the two delivered kettles",
            trigger:
                ".modal .o_field_widget[name='product_return_moves'] .o_data_row:first .o_data_cell[name='quantity']:contains(2.00)",
            run: "click",
        },
        {
            content: "Only one kettle comes back",
            trigger:
                ".modal .o_field_widget[name='product_return_moves'] .o_data_row .o_field_widget[name='quantity'] input",
            run: "edit 1",
        },
        {
            content: "Return",
            trigger: ".modal footer button[name='action_create_returns']",
            run: "click",
        },
        {
            content: "The return opens",
            trigger:
                ".o_form_view .o_field_widget[name='origin'] input:value(Return of TOUR-KETTLE), .o_form_view .o_field_widget[name='origin']:contains(Return of TOUR-KETTLE)",
        },
        {
            content: "Back to the ticket",
            trigger: ".o_breadcrumb .breadcrumb-item a:contains(Kettle leaks)",
            run: "click",
        },
        {
            content: "The ticket counts one return",
            trigger: "button[name='action_view_pickings'] .o_stat_value:contains(1)",
        },
    ],
});
