"""What the web form's tests file against: a published street-lamp type with questions, a
public answer linked to it, and files of every kind a resident sends."""

import io
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from kontakt.cases.models import CaseType, CaseTypeAttribute
from kontakt.directory.models import Department
from kontakt.knowledge.models import Article
from kontakt.knowledge.services import ArticleDraft, article_save


@pytest.fixture
def street_light(center_hours) -> CaseType:
    department = Department.objects.create(name="Trafikkontoret", code="trafik")
    case_type = CaseType.objects.create(
        name="Trasig gatlampa",
        code="gatlampa",
        department=department,
        response_time=timedelta(hours=16),
        first_line_may_close=False,
        published=True,
        public_description="En gatlampa som är släckt, blinkar eller är skadad.",
        next_steps="Trafikkontoret lagar lampan inom två veckor.",
        group="Gator och trafik",
        ask_location=True,
    )
    CaseTypeAttribute.objects.create(
        case_type=case_type,
        code="lamp",
        datatype="string",
        question="Stolpens nummer",
        description="Står på en skylt på stolpen.",
        order=1,
    )
    CaseTypeAttribute.objects.create(
        case_type=case_type,
        code="fault",
        datatype="singlevaluelist",
        question="Vad är fel?",
        required=True,
        order=2,
        values=[{"key": "dark", "name": "Släckt"}, {"key": "blinks", "name": "Blinkar"}],
    )
    CaseTypeAttribute.objects.create(
        case_type=case_type,
        code="seen",
        datatype="datetime",
        question="När såg du det?",
        order=3,
    )
    return case_type


@pytest.fixture
def lamp_answer(street_light) -> Article:
    article = article_save(
        draft=ArticleDraft(
            title="Gatlampor som inte lyser",
            summary="Släckta lampor lagas inom två veckor; hela gator som är mörka inom ett dygn.",
            language="sv",
            owner_department=street_light.department,
            visibility="public",
        ),
        by=None,
    )
    article.case_types.add(street_light)
    return article


def jpeg_with_gps(size: tuple[int, int] = (64, 48)) -> bytes:
    """A JPEG photo whose EXIF says where it was taken (and a comment)."""
    image = Image.new("RGB", size, (200, 40, 40))
    exif = Image.Exif()
    exif[0x010F] = "Kamera AB"  # Make
    gps = exif.get_ifd(0x8825)
    gps[1] = "N"
    gps[2] = (59.0, 19.0, 45.0)
    gps[3] = "E"
    gps[4] = (18.0, 4.0, 5.0)
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif, comment=b"hemlig kommentar")
    return out.getvalue()


def png_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("RGBA", (10, 10), (0, 0, 255, 128)).save(out, "PNG")
    return out.getvalue()


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def upload(name: str, data: bytes, content_type: str = "application/octet-stream"):
    return SimpleUploadedFile(name, data, content_type=content_type)
