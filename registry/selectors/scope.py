"""Which authorities (offices) a user may see: those they belong to and everything below them."""

from django.db.models import Exists, OuterRef, Q

from registry.models import Authority
from registry.models.trust import AuthorityMembership

ADMINISTRATOR_GROUP = "Quản trị hệ thống"


def _children() -> dict[int | None, list[int]]:
    children: dict[int | None, list[int]] = {}
    for pk, parent in Authority.objects.values_list("pk", "parent_id"):
        children.setdefault(parent, []).append(pk)
    return children


def authority_subtree(authority_ids) -> set[int]:
    """The authorities and all below them, from one query over the (small) authority table."""
    children = _children()
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


def user_authority_ids(user) -> frozenset[int] | None:
    """None means no limit: superusers and the administrators' group see every office."""
    if user is None:
        return None  # the machine's operator, on the command line
    cached = getattr(user, "_registry_scope", False)
    if cached is not False:
        return cached
    if user.is_superuser or user.groups.filter(name=ADMINISTRATOR_GROUP).exists():
        scope = None
    else:
        direct = AuthorityMembership.objects.filter(user=user).values_list(
            "authority_id", flat=True
        )
        scope = frozenset(authority_subtree(direct))
    user._registry_scope = scope
    return scope


def recipient_scope_q(model, ids) -> Q:
    """A recipient is in scope if an office in scope registered it or gave it an award."""
    from registry.models import Award

    field = model._meta.model_name  # collective / individual / household
    awarded = Award.objects.filter(**{field: OuterRef("pk")}, authority_id__in=ids)
    return Q(registered_by_id__in=ids) | Q(Exists(awarded))
