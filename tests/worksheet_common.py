import base64
import io

from PIL import Image

from odoo.fields import Command


def signature_png():
    """A small drawn signature, base64 PNG as the portal's signature widget posts it."""
    image = Image.new("RGB", (120, 40), "white")
    for x in range(10, 110):
        image.putpixel((x, 20 + (x % 7) - 3), (0, 0, 0))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return base64.b64encode(buffer.getvalue()).decode()


def create_worksheet_fixture(cls):
    """An "Inspection" template of five questions on a field service project with
    worksheets."""
    env = cls.env
    cls.template = env["worksheet.template"].create(
        {
            "name": "Inspection",
            "question_ids": [
                Command.create(
                    {
                        "sequence": 1,
                        "name": "Work done",
                        "question_type": "textarea",
                        "required": True,
                    }
                ),
                Command.create(
                    {
                        "sequence": 2,
                        "name": "Leak fixed",
                        "question_type": "checkbox",
                        "required": True,
                    }
                ),
                Command.create(
                    {"sequence": 3, "name": "Pressure", "question_type": "number"}
                ),
                Command.create(
                    {
                        "sequence": 4,
                        "name": "Seals",
                        "question_type": "selection",
                        "selection_options": "Good\nWorn\nBroken",
                        "required": True,
                    }
                ),
                Command.create(
                    {"sequence": 5, "name": "Next visit", "question_type": "date"}
                ),
            ],
        }
    )
    cls.ws_project = env["project.project"].create(
        {
            "name": "Onsite Repairs",
            "is_fsm": True,
            "allow_worksheets": True,
            "worksheet_template_id": cls.template.id,
            "privacy_visibility": "portal",
            "company_id": env.company.id,
        }
    )


GOOD_ANSWERS = {
    "Work done": "Replaced the seal.\nNo leak after testing.",
    "Leak fixed": "1",
    "Pressure": "2.5",
    "Seals": "Worn",
    "Next visit": "2027-05-31",
}


def answer_worksheet(task, answers=None):
    for answer in task.worksheet_answer_ids:
        answer.value = (answers or GOOD_ANSWERS).get(answer.name, answer.value)
