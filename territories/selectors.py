"""Reads about territories: their tree, the staff's territories, the communities that share with them."""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from territories.models import Territory, TerritoryConsent

# Communes sit in an EPCI, in a département, in a région: a few levels, one query per level.
MAX_DEPTH = 8


@dataclass
class TerritoryTree:
    """A territory and everything below it; ``branch_of`` maps each id to the child of the root it lies
    under (the root maps to itself), which is what a breakdown by child territory groups on."""

    root: Territory
    children: list[Territory] = field(default_factory=list)
    branch_of: dict[int, int] = field(default_factory=dict)

    @property
    def ids(self) -> list[int]:
        return sorted(self.branch_of)


def territory_tree(territory: Territory) -> TerritoryTree:
    """One query per level below ``territory``; a loop in the data (refused on import) stops at MAX_DEPTH."""
    tree = TerritoryTree(root=territory, branch_of={territory.pk: territory.pk})
    tree.children = list(Territory.objects.filter(parent=territory).order_by("name", "pk"))
    level = {child.pk: child.pk for child in tree.children}
    for _depth in range(MAX_DEPTH):
        fresh = {pk: branch for pk, branch in level.items() if pk not in tree.branch_of}
        if not fresh:
            break
        tree.branch_of.update(fresh)
        level = dict(
            (pk, fresh[parent_id])
            for pk, parent_id in Territory.objects.filter(parent_id__in=fresh).values_list("pk", "parent_id")
        )
    return tree


def sharing_communities(tree: TerritoryTree) -> dict[int, int]:
    """Community id → branch id, for the communities that consent (now) to share with a territory in the tree.

    A community that shares with two branches counts in the first (by id), so the branches add up.
    """
    rows = (
        TerritoryConsent.objects.filter(territory_id__in=tree.ids, withdrawn_at__isnull=True)
        .order_by("community_id", "territory_id")
        .values_list("community_id", "territory_id")
    )
    return place(tree.root.pk, ((community, tree.branch_of[territory]) for community, territory in rows))


def place(root: int, branches: Iterable[tuple[int, int]]) -> dict[int, int]:
    """The placement rule: (community, branch) pairs in the order of (community, consented territory)
    → the branch each community counts in: the first one that is not the root itself, else the root."""
    placed: dict[int, int] = {}
    for community_id, branch in branches:
        if community_id not in placed or (placed[community_id] == root and branch != root):
            placed[community_id] = branch
    return placed


def placements() -> dict[int, dict[int, int]]:
    """``sharing_communities`` of every territory with sharing communities in its tree, in two queries:
    territory id → community id → branch id."""
    parent_of = dict(Territory.objects.values_list("pk", "parent_id"))
    consents = (
        TerritoryConsent.objects.filter(withdrawn_at__isnull=True)
        .order_by("community_id", "territory_id")
        .values_list("community_id", "territory_id")
    )
    branches: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for community_id, territory_id in consents:
        # Up the chain: each ancestor sees the consent in the branch of the territory just below it.
        branch, current = territory_id, territory_id
        for _depth in range(MAX_DEPTH + 1):
            branches[current].append((community_id, branch))
            parent = parent_of.get(current)
            if parent is None or parent == territory_id:
                break
            branch, current = current, parent
    return {root: place(root, pairs) for root, pairs in branches.items()}


def staff_roles_for(user) -> list:
    """The territories a person is staff of (with the territory), for their list and the navigation."""
    from territories.models import TerritoryStaff

    if not user.is_authenticated:
        return []
    return list(
        TerritoryStaff.objects.filter(user=user).select_related("territory").order_by("territory__name", "territory_id")
    )


def staff_get_for_user(user, territory_id: int):
    """The person's staff role in that territory; 404 for anyone else (even staff of a parent or a child)."""
    from django.http import Http404

    from territories.models import TerritoryStaff

    if not user.is_authenticated:
        raise Http404
    role = TerritoryStaff.objects.filter(user=user, territory_id=territory_id).select_related("territory").first()
    if role is None:
        raise Http404
    return role


def territories_matching(query: str, *, insee_code: str = "", limit: int = 20) -> list[Territory]:
    """Territories whose name or code contains ``query``; with an INSEE code, that commune and the
    territories above it come first."""
    found: list[Territory] = []
    if insee_code:
        commune = Territory.objects.filter(code=insee_code).first()
        while commune is not None and commune not in found and len(found) < MAX_DEPTH:
            found.append(commune)
            commune = Territory.objects.filter(pk=commune.parent_id).first() if commune.parent_id else None
    query = (query or "").strip()
    if query:
        from django.db.models import Q

        matches = Territory.objects.filter(Q(name__icontains=query) | Q(code__iexact=query)).order_by("name", "pk")
        found += [territory for territory in matches[:limit] if territory not in found]
    return found[:limit]


def consents_of(community_id: int):
    """The community's consents, newest first, active and withdrawn (its own history of what it shared)."""
    return (
        TerritoryConsent.objects.filter(community_id=community_id)
        .select_related("territory", "granted_by", "withdrawn_by")
        .order_by("withdrawn_at", "-granted_at")
    )
