"""Reads about territories: their tree, the staff's territories, the communities that share with them."""

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
    placed: dict[int, int] = {}
    rows = (
        TerritoryConsent.objects.filter(territory_id__in=tree.ids, withdrawn_at__isnull=True)
        .order_by("community_id", "territory_id")
        .values_list("community_id", "territory_id")
    )
    for community_id, territory_id in rows:
        branch = tree.branch_of[territory_id]
        if community_id not in placed or (placed[community_id] == tree.root.pk and branch != tree.root.pk):
            placed[community_id] = branch
    return placed
