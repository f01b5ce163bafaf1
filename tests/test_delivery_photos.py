"""Photos of activities: checked by their content with Pillow, stored without their EXIF (the
GPS position, the camera), with a thumbnail; a file that is not a picture is refused naming
its field, and the activity is not recorded."""
from __future__ import annotations

import io

import pytest
from PIL import Image
from sqlalchemy import func, select

from core.models import ActivityRecord
from core.services.delivery import activities
from core.services.delivery.photos import THUMB_SIDE, clean_image
from core.violations import RuleError
from tests.delivery_factories import TEAM, TENANT, activity, jpeg_with_gps, png, project_with_plan
from tests.factories import PDF, acting

pytestmark = pytest.mark.usefixtures("in_implementation")


def test_the_made_photo_really_carries_gps_and_camera_data():
    # guard: the assertions below would pass on a photo that never had any
    with Image.open(io.BytesIO(jpeg_with_gps())) as image:
        exif = image.getexif()
        assert exif[0x010F] == "TestPhone Inc." and exif.get_ifd(0x8825)[1] == "N"


def test_exif_with_gps_and_camera_is_gone_from_the_stored_photo_and_a_thumbnail_is_made(platform):
    pid, (first, *_) = project_with_plan(platform)
    aid = activity(platform, pid, first, photos=[("IMG_0001.JPG", io.BytesIO(jpeg_with_gps((1200, 900))))])
    with acting(platform, TENANT, TEAM) as ctx:
        [photo] = activities.get_activity(ctx, aid).photos
    stored = platform.storage.path(photo.storage_key).read_bytes()
    assert b"TestPhone" not in stored and b"Exif" not in stored
    with Image.open(io.BytesIO(stored)) as image:
        assert image.format == "JPEG" and not image.getexif() and "exif" not in image.info
        assert image.size == (photo.width, photo.height) == (1200, 900)
    with Image.open(platform.storage.path(photo.thumb_key)) as thumb:
        assert max(thumb.size) == THUMB_SIDE and not thumb.getexif()
    assert photo.content_type == "image/jpeg" and photo.filename == "IMG_0001.JPG"


def test_a_sideways_photo_is_stored_upright():
    image = Image.new("RGB", (60, 20), (0, 0, 0))
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90° clockwise to view
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    clean = clean_image(out.getvalue(), "photos.0")
    assert (clean.width, clean.height) == (20, 60)


def test_a_png_stays_a_png():
    clean = clean_image(png(), "photos.0")
    assert clean.content_type == "image/png" and clean.thumbnail[:3] == b"\xff\xd8\xff"


@pytest.mark.parametrize("name, data, code, status", [
    ("photo.jpg", b"this is a letter, not a photo", "file_type", 415),
    ("scan.jpg", PDF, "file_type", 415),
    ("broken.jpg", jpeg_with_gps()[:200], "image_unreadable", 415),   # starts like a JPEG, is not one
])
def test_a_photo_that_is_not_an_image_is_refused_and_nothing_is_recorded(platform, name, data, code, status):
    pid, (first, *_) = project_with_plan(platform)
    good = ("ok.png", io.BytesIO(png()))
    with pytest.raises(RuleError) as refusal:
        activity(platform, pid, first, photos=[good, (name, io.BytesIO(data))])
    [v] = refusal.value.violations
    assert (v.field, v.code, refusal.value.status) == ("photos.1", code, status)
    assert "JPG" in v.message.zh or "图片" in v.message.zh
    with acting(platform, TENANT, None) as ctx:
        assert ctx.session.scalar(select(func.count()).select_from(ActivityRecord)) == 0
