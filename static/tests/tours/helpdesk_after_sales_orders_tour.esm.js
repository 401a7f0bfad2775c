import {registry} from "@web/core/registry";

registry.category("web_tour.tours").add("helpdesk_after_sales_orders", {
    steps: () => [
        {
            content: "One Product field on the ticket",
            trigger: ".o_form_view .o_field_widget[name='product_id']:only",
        },
        {
            content: "... and one Sales orders field",
            trigger: ".o_form_view .o_field_widget[name='sale_order_ids']:only",
        },
        {
            content: "Link the kettle's order to the ticket",
            trigger: ".o_form_view .o_field_widget[name='sale_order_ids'] input",
            run: "edit TOUR-SO-KETTLE",
        },
        {
            content: "Pick it",
            trigger: ".o-autocomplete--dropdown-item:contains(TOUR-SO-KETTLE)",
            run: "click",
        },
        {
            content: "... and the toaster's",
            trigger: ".o_form_view .o_field_widget[name='sale_order_ids'] input",
            run: "edit TOUR-SO-TOASTER",
        },
        {
            content: "Pick it",
            trigger: ".o-autocomplete--dropdown-item:contains(TOUR-SO-TOASTER)",
            run: "click",
        },
        {
            content: "The ticket has both orders",
            trigger:
                ".o_form_view .o_field_widget[name='sale_order_ids'] .o_tag:contains(TOUR-SO-TOASTER)",
        },
        {
            content: "Choose the product",
            trigger: ".o_form_view .o_field_widget[name='product_id'] input",
            run: "click",
        },
        {
            content: "Only the orders' products are offered",
            trigger:
                ".o-autocomplete--dropdown-menu:has(.o-autocomplete--dropdown-item:contains(Tour Toaster)):not(:has(.o-autocomplete--dropdown-item:contains(Tour Blender)))",
        },
        {
            content: "The kettle leaks",
            trigger: ".o-autocomplete--dropdown-item:contains(Tour Kettle)",
            run: "click",
        },
        {
            content: "Save the ticket",
            trigger: ".o_form_view .o_form_button_save",
            run: "click",
        },
        {
            content: "Saved",
            trigger: ".o_form_view .o_form_saved",
        },
        {
            content: "Refund the customer",
            trigger: ".o_form_view .o_statusbar_buttons button[name='action_refund']",
            run: "click",
        },
        {
            content: "Two orders on the ticket: the agent chooses",
            trigger:
                ".modal .o_field_widget[name='helpdesk_sale_order_id'] input:empty",
            run: "edit TOUR-SO",
        },
        {
            content: "Among the ticket's orders only",
            trigger:
                ".o-autocomplete--dropdown-menu:has(.o-autocomplete--dropdown-item:contains(TOUR-SO-TOASTER)):not(:has(.o-autocomplete--dropdown-item:contains(TOUR-SO-OTHER)))",
        },
        {
            content: "The kettle's order",
            trigger: ".o-autocomplete--dropdown-item:contains(TOUR-SO-KETTLE)",
            run: "click",
        },
        {
            content: "Its one invoice of the kettle is preselected",
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
    ],
});
