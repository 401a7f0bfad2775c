import {registry} from "@web/core/registry";

registry.category("web_tour.tours").add("helpdesk_after_sales_worksheet_sign", {
    steps: () => [
        {
            content: "Open the task from My Tasks",
            trigger: "a:contains('Kettle on-site check')",
            run: "click",
        },
        {
            content: "The task page shows the worksheet's answers",
            trigger: "#task_worksheet .o_worksheet_answers td:contains('Worn')",
        },
        {
            content: "Sign the worksheet",
            trigger: ".o_worksheet_sign_button",
            run: "click",
        },
        {
            content: "The signature form is ready",
            trigger: "#modal_worksheet_sign .o_portal_sign_submit:enabled",
        },
        {
            content: "Choose a signature style",
            trigger: "#modal_worksheet_sign .o_web_sign_auto_select_style button",
            run: "click",
        },
        {
            content: "Pick the fourth style",
            trigger: ".o-dropdown-item:eq(3)",
            run: "click",
        },
        {
            content: "Send the signature",
            trigger: "#modal_worksheet_sign .o_portal_sign_submit:enabled",
            run: "click",
        },
        {
            content: "Back on the task: thanked",
            trigger:
                "#task_worksheet .alert-success:contains('The worksheet is signed.')",
        },
        {
            content: "The worksheet shows the signature and signer",
            trigger: "#task_worksheet .o_worksheet_signed:contains('Ingrid Berg') img",
        },
        {
            content: "Nothing left to sign",
            trigger: "#task_content:not(:has(.o_worksheet_sign_button))",
        },
    ],
});
