from typing import Any

import factory

from accounts.models import User

PASSWORD = "a-long-test-password-42"
# Staff must have a second factor; the factory enrols this secret (see ``totp_code``).
STAFF_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.dk")
    first_name = factory.Faker("first_name", locale="da_DK")
    last_name = factory.Faker("last_name", locale="da_DK")
    language = "en"
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj: User, create: bool, extracted: Any, **kwargs: Any) -> None:
        if create:
            obj.save()
            if obj.is_staff:
                from accounts.totp import enrol

                enrol(obj, STAFF_TOTP_SECRET)


def totp_code(user: User) -> str:
    """The current code of a factory-made staff user's authenticator."""
    from accounts.totp import current_code

    return current_code(STAFF_TOTP_SECRET, user=user)
