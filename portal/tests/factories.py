from companies.tests.factories import AccessRequestFactory, InvitationFactory, MembershipFactory

# The Admins pages (portal:admin_detail, …): an admin, an open invitation and a pending access request.
URL_KWARGS = {
    "membership_id": lambda company: MembershipFactory(company=company).pk,
    "invitation_id": lambda company: InvitationFactory(company=company).pk,
    "access_request_id": lambda company: AccessRequestFactory(membership__company=company).pk,
    # The operator's page to appoint a main admin of a company (staff only: customers get 404).
    "company_id": lambda company: company.pk,
}
