"""Building what delivery tests act on, through the services: an approved 共和新路 micro project
(tests/money_factories.approved_project: 洛川's 口袋花园, running 2023-04-01 to 2023-12-31 by its
申报表), its plan, people and activities; and the files a team uploads, made here: photos with
EXIF (a GPS position, a camera) as a phone writes them, and ID numbers with their GB 11643 check
digit."""
from __future__ import annotations

import datetime as dt
import io

from core.personal_data import check_digit
from core.services.delivery import activities, people, plan
from tests.factories import acting
from tests.money_factories import approved_project

TENANT = "jingan"
TEAM = "luochuan"          # 洛川居委会: the applicant
PLAN = [
    {"title": "组建花园志愿者团队", "owner": "居委会主任", "starts_on": dt.date(2023, 4, 1), "ends_on": dt.date(2023, 4, 30)},
    {"title": "清理空地、种植", "owner": "楼组长王阿姨", "starts_on": dt.date(2023, 5, 1), "ends_on": dt.date(2023, 6, 30)},
    {"title": "日常养护与开放", "owner": "志愿者队", "starts_on": dt.date(2023, 7, 1), "ends_on": dt.date(2023, 11, 30)},
]


def id_number(birth: str = "19580312", region: str = "310106", sequence: str = "123") -> str:
    """A valid 18-character ID number (the check digit computed, never typed)."""
    first = f"{region}{birth}{sequence}"
    return first + check_digit(first)


def wrong_check_digit(number: str) -> str:
    last = "0" if number[-1] != "0" else "1"
    return number[:-1] + last


def jpeg_with_gps(size=(64, 48), colour=(200, 80, 40)) -> bytes:
    """A JPEG as a phone writes it: an EXIF block with the camera's make and model, the time and
    a GPS position (31.23 N, 121.47 E), and an orientation."""
    from PIL import Image

    image = Image.new("RGB", size, colour)
    exif = Image.Exif()
    exif[0x010F] = "TestPhone Inc."          # Make
    exif[0x0110] = "TestPhone 12"            # Model
    exif[0x0132] = "2023:04:10 09:30:00"     # DateTime
    exif[0x0112] = 1                          # Orientation: upright
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2] = "N", (31.0, 13.0, 48.0)
    gps[3], gps[4] = "E", (121.0, 28.0, 12.0)
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif, quality=90)
    return out.getvalue()


def png(size=(40, 30)) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", size, (10, 120, 60)).save(out, "PNG")
    return out.getvalue()


def project_with_plan(platform, *, title: str = "口袋花园") -> tuple[int, list[int]]:
    """An approved micro project of 洛川 with its three-task plan; returns its id and the tasks'."""
    pid = approved_project(platform, title=title)
    with acting(platform, TENANT, TEAM) as ctx:
        tasks = plan.set_plan(ctx, pid, [dict(t) for t in PLAN])
        return pid, [t.id for t in tasks]


def person(platform, pid: int, name: str, role: str = "volunteer", **kw) -> int:
    kw.setdefault("consent", True)
    with acting(platform, TENANT, TEAM) as ctx:
        return people.add_person(ctx, pid, role, name, **kw).id


def activity(platform, pid: int, task_id: int | None, *, held_on=dt.date(2023, 4, 10), photos=(), **kw) -> int:
    kw.setdefault("place", "12号楼前空地")
    kw.setdefault("content", "志愿者清理空地，讨论花园布局")
    kw.setdefault("participant_count", 8)
    kw.setdefault("participants", ["王阿姨 2", "李叔叔 1.5"])
    with acting(platform, TENANT, TEAM) as ctx:
        return activities.record_activity(ctx, pid, held_on, plan_task_id=task_id, photos=photos,
                                          storage=platform.storage, **kw).id
