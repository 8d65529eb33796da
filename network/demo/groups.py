"""Demo working group: the task-and-finish group set up after the September 2017 exercise."""

from network.demo.accounts import demo_user
from network.models import Agency, GroupMembership, WorkingGroup

TASK_AND_FINISH = {
    "slug": "lead-agencies-point-of-rescue-nrm-pathway",
    "name": "Lead agencies at the point of rescue and the NRM victim care pathway",
    "purpose": (
        "The September 2017 table top exercise showed that we need to agree lead agencies at "
        "the point of victim rescue, and to understand the NRM process and the victim care "
        "pathway. This small task-and-finish group works on both and keeps the network "
        "updated on progress. New members are welcome."
    ),
}


def load_groups(stdout):
    group, _ = WorkingGroup.objects.update_or_create(
        slug=TASK_AND_FINISH["slug"],
        defaults={
            "name": TASK_AND_FINISH["name"],
            "purpose": TASK_AND_FINISH["purpose"],
            "lead_agency": Agency.objects.get(slug="west-midlands-police"),
            "status": WorkingGroup.Status.OPEN,
            "closed_at": None,
        },
    )
    GroupMembership.objects.get_or_create(group=group, user=demo_user("police@example.org"))
    stdout.write("Demo working groups: 1")
