from accounts.reviews import open_review
from companies.tests.factories import AccessRequestFactory, InvitationFactory, MembershipFactory


def _review_row(company):
    membership = MembershipFactory(company=company)
    return open_review(company).rows.get(membership=membership).pk


# The Admins pages (portal:admin_detail, …): an admin, an open invitation and a pending access request.
URL_KWARGS = {
    "membership_id": lambda company: MembershipFactory(company=company).pk,
    "invitation_id": lambda company: InvitationFactory(company=company).pk,
    "access_request_id": lambda company: AccessRequestFactory(membership__company=company).pk,
    # The operator's page to appoint a main admin of a company (staff only: customers get 404).
    "company_id": lambda company: company.pk,
    # A pending row of this quarter's access review (portal:admins_review_confirm, …).
    "review_row_id": lambda company: _review_row(company),
}


def grant_data(areas: list[str], access: str = "full", **extra: object) -> dict[str, object]:
    """The Admins page's grant form fields: each area at ``access`` (the form has one level per area)."""
    return {**{f"level_{key}": access for key in areas}, **extra}
