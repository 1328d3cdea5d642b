"""Which offices (authorities) a user may see, and how a row belongs to an office.

A user belongs to one or more authorities (AuthorityMembership) and sees those authorities and
every authority below them (Authority.parent). Superusers, the administrators' group and the
command-line operator (user=None) have no limit: ``user_authority_ids`` returns None for them.

Rows belong to an office in one of these ways (a "scope", as named by the admin classes and the
commands):
- a path to an Authority foreign key: "authority", "decision__authority", "award__authority";
- "recipients": a collective, individual or household registered or awarded by the office;
- "subject": a rating, initiative or discipline whose individual or collective is in scope;
- None: shared rows (the legal catalogue), read by everyone.
"""

from django.db.models import Exists, OuterRef, Q

from registry.models import Authority
from registry.models.trust import AuthorityMembership

ADMINISTRATOR_GROUP = "Quản trị hệ thống"
CITIZEN_ID_PERMISSION = "registry.view_citizen_id"


def _children(rows=None) -> dict[int | None, list[int]]:
    children: dict[int | None, list[int]] = {}
    if rows is None:
        rows = Authority.objects.values_list("pk", "parent_id")
    for pk, parent, *_ in rows:
        children.setdefault(parent, []).append(pk)
    return children


def authority_subtree(authority_ids, *, rows=None) -> set[int]:
    """The authorities and all below them, from one query over the (small) authority table
    (or from ``rows`` of (pk, parent_id) already read)."""
    children = _children(rows)
    found, stack = set(), list(authority_ids)
    while stack:
        pk = stack.pop()
        if pk not in found:
            found.add(pk)
            stack.extend(children.get(pk, []))
    return found


def authority_ancestors(authority_id: int) -> set[int]:
    parents = dict(Authority.objects.values_list("pk", "parent_id"))
    found, current = set(), authority_id
    while current is not None and current not in found:
        found.add(current)
        current = parents.get(current)
    return found


class OfficeIds(frozenset):
    """The ids of the offices a user may see, knowing the registry's other offices (``outside``).

    A province's clerk sees nearly every office: a filter naming the few outside is the same
    filter, and on PostgreSQL cheaper to write and plan than one naming two hundred ids.
    """

    outside: frozenset[int] | None = None

    @classmethod
    def of(cls, ids, every) -> "OfficeIds":
        found = cls(ids)
        found.outside = frozenset(every) - found
        return found


def office_q(field: str, ids) -> Q:
    """Rows whose ``field`` (an Authority id) is one of ``ids``, by the shorter of the two lists."""
    outside = getattr(ids, "outside", None)
    if outside is None or len(outside) >= len(ids):
        return Q(**{f"{field}__in": ids})
    if not outside:
        return Q(**{f"{field}__isnull": False})
    return Q(**{f"{field}__isnull": False}) & ~Q(**{f"{field}__in": outside})


def user_is_unlimited(user) -> bool:
    return user_authority_ids(user) is None


def user_authority_ids(user) -> OfficeIds | None:
    """None means no limit: superusers and the administrators' group see every office.

    Computed once per user object (a request's user, a command's user): one query.
    """
    if user is None:
        return None  # the machine's operator, on the command line
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return OfficeIds()
    cached = getattr(user, "_registry_scope", False)
    if cached is not False:
        return cached
    if user.is_superuser:
        scope = None
    else:
        # One query: the authority tree, which of them the user belongs to, and whether the
        # user is in the administrators' group (the same answer on every row).
        rows = list(
            Authority.objects.annotate(
                _member=Exists(
                    AuthorityMembership.objects.filter(user=user, authority=OuterRef("pk"))
                ),
                _admin=Exists(user.groups.filter(name=ADMINISTRATOR_GROUP)),
            ).values_list("pk", "parent_id", "_member", "_admin")
        )
        administrator = (
            rows[0][3] if rows else user.groups.filter(name=ADMINISTRATOR_GROUP).exists()
        )
        if administrator:
            scope = None
        else:
            direct = [pk for pk, _, member, _ in rows if member]
            scope = OfficeIds.of(authority_subtree(direct, rows=rows), (row[0] for row in rows))
    user._registry_scope = scope
    return scope


def authority_in_scope(user, authority) -> bool:
    """Whether the authority (an Authority, its id, or None) is one the user may act for."""
    ids = user_authority_ids(user)
    if ids is None:
        return True
    authority_id = getattr(authority, "pk", authority)
    return authority_id is not None and authority_id in ids


def recipient_scope_q(model, ids) -> Q:
    """A recipient is in scope if an office in scope registered it or gave it an award."""
    from registry.models import Award

    field = model._meta.model_name  # collective / individual / household
    awarded = Award.objects.filter(office_q("authority_id", ids), **{field: OuterRef("pk")})
    return office_q("registered_by_id", ids) | Q(Exists(awarded))


def subject_scope_q(ids, *, prefix: str = "") -> Q:
    """A rating, initiative or discipline is in scope through its individual or collective."""
    from registry.models import Collective, Individual

    people = Individual.objects.filter(
        recipient_scope_q(Individual, ids), pk=OuterRef(f"{prefix}individual_id")
    )
    groups = Collective.objects.filter(
        recipient_scope_q(Collective, ids), pk=OuterRef(f"{prefix}collective_id")
    )
    return Q(Exists(people)) | Q(Exists(groups))


def scope_q(model, scope: str | None, ids) -> Q:
    """The filter keeping the rows of ``model`` that belong to the authorities ``ids``."""
    if scope is None:
        return Q()
    if scope == "recipients":
        return recipient_scope_q(model, ids)
    if scope == "subject":
        return subject_scope_q(ids)
    return office_q(f"{scope}_id", ids)


def scoped(queryset, user, scope: str | None):
    """The queryset limited to the user's offices (unchanged for unlimited users)."""
    ids = user_authority_ids(user)
    if ids is None or scope is None:
        return queryset
    return queryset.filter(scope_q(queryset.model, scope, ids))


def authorities_for(user):
    """The authorities the user may choose on a form: all of them, or those in scope."""
    ids = user_authority_ids(user)
    authorities = Authority.objects.all()
    return authorities if ids is None else authorities.filter(office_q("pk", ids))


def mask_citizen_id(value: str | None) -> str:
    """'001089012390' -> '0010******90': enough to tell two records apart, not to reuse."""
    if not value:
        return ""
    if len(value) <= 6:
        return "*" * len(value)
    return f"{value[:4]}{'*' * (len(value) - 6)}{value[-2:]}"


def citizen_id_visible(user) -> bool:
    """Whether the user may read citizen IDs in full (None: the command-line operator)."""
    return user is None or user.has_perm(CITIZEN_ID_PERMISSION)


def citizen_id_display(value: str | None, user) -> str:
    """The citizen ID as this user may see it: in full with the permission, masked otherwise."""
    if not value:
        return ""
    return value if citizen_id_visible(user) else mask_citizen_id(value)
