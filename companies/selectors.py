"""Reads for managing a company's admins: which companies a main admin manages, their admins, and why."""

from django.db.models import Prefetch, QuerySet

from companies.models import AccessRequest, Company, Invitation, Membership


def ancestors(company: Company) -> list[Company]:
    """The company's parent, grandparent, … (a group is a few levels deep at most)."""
    found: list[Company] = []
    parent_id = company.parent_id
    while parent_id is not None and parent_id not in {c.pk for c in found}:
        parent = Company.objects.filter(pk=parent_id).first()
        if parent is None:
            break
        found.append(parent)
        parent_id = parent.parent_id
    return found


def company_and_subsidiaries(company: Company) -> list[Company]:
    """The company first, then its subsidiaries (and theirs), by name: what its main admins manage."""
    found = [company]
    level = [company.pk]
    seen = {company.pk}
    while level:
        children = [c for c in Company.objects.filter(parent_id__in=level).order_by("name") if c.pk not in seen]
        seen.update(c.pk for c in children)
        found.extend(children)
        level = [c.pk for c in children]
    return found


def managed_companies(membership: Membership | None) -> list[Company]:
    """The companies whose admins this membership manages: none unless it is a main admin."""
    if membership is None or not membership.is_main_admin:
        return []
    return company_and_subsidiaries(membership.company)


def admins(companies: list[Company]) -> QuerySet[Membership]:
    """The admins of these companies with who granted them (three queries with the prefetches)."""
    return (
        Membership.objects.filter(company__in=companies)
        .select_related("user", "company", "granted_by")
        .prefetch_related(
            Prefetch(
                "access_requests",
                queryset=AccessRequest.objects.filter(
                    company__in=companies, status=AccessRequest.Status.PENDING
                ).order_by("created_at"),
                to_attr="pending_requests",
            )
        )
        .order_by("company__name", "-is_main_admin", "user__email")
    )


def open_invitations(companies: list[Company]) -> QuerySet[Invitation]:
    return (
        Invitation.objects.filter(company__in=companies, accepted_at__isnull=True, withdrawn_at__isnull=True)
        .select_related("company", "invited_by")
        .order_by("company__name", "email")
    )


def main_admins_covering(company: Company) -> QuerySet[Membership]:
    """The main admins of the company and of the groups above it: who can manage its admins."""
    return Membership.objects.filter(
        company__in=[company, *ancestors(company)], is_main_admin=True, user__is_active=True
    ).select_related("user", "company")


def main_admins_covering_each(companies: list[Company]) -> dict[int, int]:
    """How many active main admins cover each of these companies (theirs and their groups'), for a company and
    its subsidiaries (``company_and_subsidiaries``): the first company's groups, then one query."""
    if not companies:
        return {}
    above = ancestors(companies[0])
    tree = {c.pk: c.parent_id for c in [*companies, *above]}
    users_by_company: dict[int, set[int]] = {}
    rows = Membership.objects.filter(company__in=list(tree), is_main_admin=True, user__is_active=True).values_list(
        "company_id", "user_id"
    )
    for company_id, user_id in rows:
        users_by_company.setdefault(company_id, set()).add(user_id)
    counts: dict[int, int] = {}
    for company in companies:
        seen: set[int] = set()
        count = 0
        current: int | None = company.pk
        while current is not None and current in tree and current not in seen:
            seen.add(current)
            count += len(users_by_company.get(current, ()))
            current = tree[current]
        counts[company.pk] = count
    return counts


def direct_main_admin_count(company: Company) -> int:
    return Membership.objects.filter(company=company, is_main_admin=True, user__is_active=True).count()
