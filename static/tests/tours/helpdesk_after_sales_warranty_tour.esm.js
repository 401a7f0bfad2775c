import {registry} from "@web/core/registry";

registry.category("web_tour.tours").add("helpdesk_after_sales_warranty", {
    steps: () => [
        {
            content: "The ticket's product is under warranty: a green badge beside it",
            trigger:
                ".o_form_view .o_field_widget[name='warranty_label'] .badge.text-bg-success:contains(Under warranty until)",
        },
        {
            content: "Choose another product, without warranty",
            trigger: ".o_form_view .o_field_widget[name='product_id'] input",
            run: "edit Tour Warranty Toaster",
        },
        {
            content: "Pick it",
            trigger: ".o-autocomplete--dropdown-item:contains(Tour Warranty Toaster)",
            run: "click",
        },
        {
            content: "The badge follows at once",
            trigger:
                ".o_form_view .o_field_widget[name='warranty_label'] .badge:contains(No warranty)",
        },
        {
            content: "Back to the kettle",
            trigger: ".o_form_view .o_field_widget[name='product_id'] input",
            run: "edit Tour Warranty Kettle",
        },
        {
            content: "Pick it",
            trigger: ".o-autocomplete--dropdown-item:contains(Tour Warranty Kettle)",
            run: "click",
        },
        {
            content: "Covered again",
            trigger:
                ".o_form_view .o_field_widget[name='warranty_label'] .badge.text-bg-success:contains(Under warranty until)",
        },
        {
            content: "Save",
            trigger: ".o_form_view .o_form_button_save",
            run: "click",
        },
        {
            content: "Saved",
            trigger: ".o_form_view .o_form_saved",
        },
    ],
});
