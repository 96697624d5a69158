"""Factories of residents, with their phones and e-mail addresses."""

import factory

from kontakt.residents.models import Resident, ResidentEmail, ResidentPhone


class ResidentFactory(factory.django.DjangoModelFactory[Resident]):
    """A resident; pass `phones=[...]` and `emails=[...]` as stored (normalised) values."""

    class Meta:
        model = Resident
        skip_postgeneration_save = True

    name = factory.Faker("name", locale="sv_SE")
    city = "Skellefteå"

    # factory_boy calls a post-generation hook with the object made, not the factory.
    @factory.post_generation
    def phones(self: Resident, create: bool, extracted: list[str] | None, **kwargs: object) -> None:
        if create and extracted:
            ResidentPhone.objects.bulk_create(
                ResidentPhone(resident=self, number=n) for n in extracted
            )

    @factory.post_generation
    def emails(self: Resident, create: bool, extracted: list[str] | None, **kwargs: object) -> None:
        if create and extracted:
            ResidentEmail.objects.bulk_create(
                ResidentEmail(resident=self, address=a) for a in extracted
            )
