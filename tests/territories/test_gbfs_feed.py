"""The public GBFS 3.0 feed served over HTTP: the instance's and each territory's."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from bookings.models import Booking, Trip
from communities.models import Community
from territories.gbfs.documents import FEED_FILES
from territories.models import Territory, TerritoryConsent
from tests.factories import CommunityFactory, UserFactory, VehicleFactory
from tests.territories.gbfs_validation import schema_errors

FILES = ["gbfs", *FEED_FILES]
BASE = "/opendata/gbfs/v3"
# Distinctive values nobody outside a community may read in the feed.
PERSONAL = [
    "Oscar Secretowner",
    "oscar.secret@example.org",
    "FR7630006000011234567890189",
    "GX-123-QZ",
    "Zoé d'Oscar",
    "12 rue des Lilas",
    "44.731234",
    "5.018765",
    "Le Jardin Confidentiel",
    "Code de la boîte à clés 4321",
]


def _commune(name: str, code: str, parent: Territory, at: tuple[str, str]) -> Territory:
    """A commune in ``parent``, its town hall at ``at`` (latitude, longitude)."""
    latitude, longitude = (Decimal(degrees) for degrees in at)
    return Territory.objects.create(
        name=name, kind=Territory.Kind.COMMUNE, code=code, parent=parent, latitude=latitude, longitude=longitude
    )


@pytest.fixture
def chain(db):
    drome = Territory.objects.create(name="Drôme", kind=Territory.Kind.DEPARTEMENT, code="26")
    crestois = Territory.objects.create(name="CC du Crestois", kind=Territory.Kind.EPCI, code="242600534", parent=drome)
    crest = _commune("Crest", "26108", crestois, ("44.728300", "5.022200"))
    die = _commune("Die", "26113", drome, ("44.7536", "5.3703"))
    ardeche = Territory.objects.create(name="Ardèche", kind=Territory.Kind.DEPARTEMENT, code="07")
    return {"drome": drome, "crestois": crestois, "crest": crest, "die": die, "ardeche": ardeche}


def _community(name: str, *, territory: Territory | None, insee: str = "", listed=True, live=False) -> Community:
    community = CommunityFactory(name=name, insee_code=insee, open_data_listed=listed, open_data_live=live)
    if territory is not None:
        TerritoryConsent.objects.create(community=community, territory=territory)
    return community


@pytest.fixture
def owner_with_secrets(db):
    return UserFactory(
        email="oscar.secret@example.org", display_name="Oscar Secretowner", iban="FR7630006000011234567890189"
    )


@pytest.fixture
def tilleuls(chain, owner_with_secrets):
    """Listed with live availability, in Crest; its car's details are all private."""
    community = _community("Les Tilleuls", territory=chain["crest"], insee="26108", live=True)
    VehicleFactory(
        community=community,
        owner=owner_with_secrets,
        name="Zoé d'Oscar",
        plate="GX-123-QZ",
        make="Renault",
        model="Zoe",
        energy="electric",
        gearbox="automatic",
        parking_location="12 rue des Lilas",
        latitude=Decimal("44.731234"),
        longitude=Decimal("5.018765"),
        instructions="Code de la boîte à clés 4321",
    )
    return community


@pytest.fixture
def feed_data(chain, tilleuls, owner_with_secrets):
    nord = _community("Quartier Nord", territory=chain["die"], insee="26113")
    VehicleFactory(community=nord, make="Peugeot", model="208", energy="diesel")
    hidden = _community("Le Jardin Confidentiel", territory=chain["crest"], insee="26108", listed=False, live=True)
    VehicleFactory(community=hidden, make="Tesla", model="Model 3", energy="electric", owner=owner_with_secrets)
    annonay = _community("Annonay Partage", territory=chain["ardeche"], insee="07010")
    VehicleFactory(community=annonay, latitude=Decimal("45.240100"), longitude=Decimal("4.670800"))
    return {"tilleuls": tilleuls, "nord": nord, "hidden": hidden, "annonay": annonay}


def _get(client, url: str) -> dict:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.json()


def _station_names(client, base: str) -> set[str]:
    stations = _get(client, f"{base}/station_information.json")["data"]["stations"]
    return {station["name"][0]["text"] for station in stations}


@pytest.mark.parametrize("live", [True, False], ids=["with live availability", "without"])
@pytest.mark.parametrize("name", FILES)
@pytest.mark.parametrize("feed", [BASE, f"{BASE}/territory/26"], ids=["instance", "territory"])
def test_every_file_of_the_instance_and_a_territory_validates_against_the_official_schema(
    client, feed_data, feed, name, live
):
    if not live:
        Community.objects.update(open_data_live=False)
    assert schema_errors(name, _get(client, f"{feed}/{name}.json")) == []


def test_the_manifest_lists_the_instance_and_each_territory_with_a_listed_community(client, feed_data, chain):
    manifest = _get(client, "/opendata/gbfs/manifest.json")
    assert schema_errors("manifest", manifest) == []
    urls = [dataset["versions"][0]["url"] for dataset in manifest["data"]["datasets"]]
    assert urls == [
        "http://127.0.0.1:8000/opendata/gbfs/v3/gbfs.json",
        "http://127.0.0.1:8000/opendata/gbfs/v3/territory/07/gbfs.json",
        "http://127.0.0.1:8000/opendata/gbfs/v3/territory/242600534/gbfs.json",
        "http://127.0.0.1:8000/opendata/gbfs/v3/territory/26/gbfs.json",
        "http://127.0.0.1:8000/opendata/gbfs/v3/territory/26108/gbfs.json",
        "http://127.0.0.1:8000/opendata/gbfs/v3/territory/26113/gbfs.json",
    ]
    assert len({dataset["system_id"] for dataset in manifest["data"]["datasets"]}) == 6


def test_discovery_links_the_files_next_to_it(client, feed_data):
    feeds = _get(client, f"{BASE}/territory/26/gbfs.json")["data"]["feeds"]
    assert {feed["name"]: feed["url"] for feed in feeds}["vehicle_types"] == (
        "http://127.0.0.1:8000/opendata/gbfs/v3/territory/26/vehicle_types.json"
    )
    for feed in feeds:
        assert client.get(feed["url"].removeprefix("http://127.0.0.1:8000")).status_code == 200


def test_a_territory_feed_holds_the_listed_communities_consenting_to_it_or_below(client, feed_data):
    assert _station_names(client, BASE) == {"Les Tilleuls", "Quartier Nord", "Annonay Partage"}
    assert _station_names(client, f"{BASE}/territory/26") == {"Les Tilleuls", "Quartier Nord"}
    assert _station_names(client, f"{BASE}/territory/242600534") == {"Les Tilleuls"}
    assert _station_names(client, f"{BASE}/territory/26113") == {"Quartier Nord"}


def test_a_withdrawn_consent_takes_the_community_out_of_the_territory_feed(client, feed_data):
    TerritoryConsent.objects.filter(community=feed_data["nord"]).update(withdrawn_at=timezone.now())
    assert _station_names(client, f"{BASE}/territory/26") == {"Les Tilleuls"}
    assert "Quartier Nord" in _station_names(client, BASE)


def test_an_unlisted_community_never_appears(client, feed_data, chain):
    hidden = feed_data["hidden"]
    urls = ["/opendata/gbfs/manifest.json"]
    for base in (BASE, f"{BASE}/territory/26", f"{BASE}/territory/26108"):
        urls += [f"{base}/{name}.json" for name in FILES]
    for url in urls:
        body = client.get(url).content.decode()
        assert hidden.name not in body, url
        assert "Tesla" not in body, url
        assert f'"station_id": "{hidden.pk}"' not in body, url


def test_no_personal_value_appears_in_any_file(client, feed_data):
    urls = ["/opendata/gbfs/manifest.json"]
    for base in (BASE, f"{BASE}/territory/26", f"{BASE}/territory/26108"):
        urls += [f"{base}/{name}.json" for name in FILES]
    for url in urls:
        body = client.get(url).content.decode()
        for value in PERSONAL:
            assert value not in body, (url, value)


def test_the_station_sits_at_the_commune_centre_not_at_the_car(client, feed_data):
    stations = _get(client, f"{BASE}/station_information.json")["data"]["stations"]
    tilleuls = next(s for s in stations if s["station_id"] == str(feed_data["tilleuls"].pk))
    assert (tilleuls["lat"], tilleuls["lon"]) == (44.7283, 5.0222)
    assert tilleuls["post_code"] == "26400"
    assert tilleuls["is_virtual_station"] is True


def test_without_a_commune_centre_the_station_is_in_a_coarse_cell_at_least_200_m_from_the_cars(client, feed_data):
    from territories.gbfs.selectors import _metres

    stations = _get(client, f"{BASE}/station_information.json")["data"]["stations"]
    annonay = next(s for s in stations if s["station_id"] == str(feed_data["annonay"].pk))
    assert (annonay["lat"], annonay["lon"]) == (45.25, 4.65)
    assert _metres((Decimal("45.25"), Decimal("4.65")), (Decimal("45.2401"), Decimal("4.6708"))) >= 200


def test_a_community_with_no_location_at_all_is_left_out(client, chain):
    _community("Sans Adresse", territory=None)
    assert _station_names(client, BASE) == set()


def test_a_car_near_the_cell_centre_moves_the_station_to_a_corner(client, db):
    community = _community("Au Centre", territory=None)
    VehicleFactory(community=community, latitude=Decimal("45.2510"), longitude=Decimal("4.6490"))
    [station] = _get(client, f"{BASE}/station_information.json")["data"]["stations"]
    assert (station["lat"], station["lon"]) == (45.2, 4.6)


def test_live_availability_follows_bookings_trips_and_blackouts(client, feed_data, tilleuls, owner_with_secrets):
    now = timezone.now()
    zoe = tilleuls.vehicles.get()
    clio = VehicleFactory(community=tilleuls, make="Renault", model="Clio")
    van = VehicleFactory(community=tilleuls, kind="van", energy="diesel", make="", model="")
    Booking.objects.create(
        community=tilleuls,
        vehicle=clio,
        member=owner_with_secrets,
        status=Booking.Status.CONFIRMED,
        starts_at=now - timedelta(hours=1),
        ends_at=now + timedelta(hours=1),
    )
    underway = Booking.objects.create(
        community=tilleuls,
        vehicle=van,
        member=owner_with_secrets,
        status=Booking.Status.IN_PROGRESS,
        starts_at=now - timedelta(hours=1),
        ends_at=now + timedelta(hours=1),
    )
    Trip.objects.create(booking=underway, vehicle=van, driver=owner_with_secrets, start_odometer=1000, started_at=now)
    zoe.blackouts.create(starts_at=now - timedelta(days=1), ends_at=now + timedelta(days=1), reason="Garage")

    [status] = _get(client, f"{BASE}/station_status.json")["data"]["stations"]
    assert status["station_id"] == str(tilleuls.pk)
    assert (status["num_vehicles_available"], status["num_vehicles_disabled"]) == (0, 1)
    vehicles = _get(client, f"{BASE}/vehicle_status.json")["data"]["vehicles"]
    assert sorted((v["is_reserved"], v["is_disabled"]) for v in vehicles) == [(False, True), (True, False)]
    assert "Garage" not in client.get(f"{BASE}/vehicle_status.json").content.decode()


def test_a_car_outside_its_weekly_windows_is_not_available(client, tilleuls):
    zoe = tilleuls.vehicles.get()
    today = timezone.localtime().weekday()
    zoe.availability_windows.create(weekday=(today + 3) % 7, start_time="08:00", end_time="09:00")
    [status] = _get(client, f"{BASE}/station_status.json")["data"]["stations"]
    assert (status["num_vehicles_available"], status["num_vehicles_disabled"]) == (0, 1)


def test_a_vehicle_id_changes_after_each_trip(client, tilleuls, owner_with_secrets):
    zoe = tilleuls.vehicles.get()
    [before] = _get(client, f"{BASE}/vehicle_status.json")["data"]["vehicles"]
    assert _get(client, f"{BASE}/vehicle_status.json")["data"]["vehicles"][0]["vehicle_id"] == before["vehicle_id"]
    now = timezone.now()
    done = Booking.objects.create(
        community=tilleuls,
        vehicle=zoe,
        member=owner_with_secrets,
        status=Booking.Status.COMPLETED,
        starts_at=now - timedelta(hours=3),
        ends_at=now - timedelta(hours=1),
    )
    Trip.objects.create(
        booking=done,
        vehicle=zoe,
        driver=owner_with_secrets,
        start_odometer=1000,
        end_odometer=1040,
        started_at=now - timedelta(hours=3),
        ended_at=now - timedelta(hours=1),
    )
    [after] = _get(client, f"{BASE}/vehicle_status.json")["data"]["vehicles"]
    assert after["vehicle_id"] != before["vehicle_id"]


def test_a_community_without_live_availability_has_no_status(client, feed_data):
    stations = _get(client, f"{BASE}/station_status.json")["data"]["stations"]
    assert [s["station_id"] for s in stations] == [str(feed_data["tilleuls"].pk)]
    vehicles = _get(client, f"{BASE}/vehicle_status.json")["data"]["vehicles"]
    assert {v["station_id"] for v in vehicles} == {str(feed_data["tilleuls"].pk)}


def test_files_are_public_json_with_cache_headers_for_their_ttl(client, feed_data):
    for name, ttl in (("gbfs", 3600), ("station_information", 3600), ("station_status", 60)):
        response = client.get(f"{BASE}/territory/26/{name}.json")
        assert response.status_code == 200
        assert response["Content-Type"] == "application/json"
        assert response["Cache-Control"] == f"public, max-age={ttl}"
        assert response["Access-Control-Allow-Origin"] == "*"
        assert response.json()["ttl"] == ttl
        assert response.json()["version"] == "3.0"


def test_an_unknown_territory_is_not_found(client, chain):
    assert client.get(f"{BASE}/territory/99999/gbfs.json").status_code == 404
    assert client.get(f"{BASE}/territory/id-{chain['crest'].pk}/gbfs.json").status_code == 404
    assert client.get(f"{BASE}/territory/id-{10**9}/station_information.json").status_code == 404


def test_a_territory_without_a_code_is_reached_by_its_id(client, chain):
    parc = Territory.objects.create(name="PNR du Vercors", kind=Territory.Kind.PARC)
    _community("Vercors Auto", territory=parc, insee="26113")
    assert _station_names(client, f"{BASE}/territory/id-{parc.pk}") == {"Vercors Auto"}
    feeds = _get(client, f"{BASE}/territory/id-{parc.pk}/gbfs.json")["data"]["feeds"]
    assert feeds[0]["url"].endswith(f"/territory/id-{parc.pk}/system_information.json")


def test_the_feed_is_read_only(client, chain):
    assert client.post(f"{BASE}/gbfs.json").status_code == 405


def _query_counts(client, urls: list[str]) -> list[int]:
    counts = []
    for url in urls:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        counts.append(len(queries))
    return counts


def _add_communities(chain, count: int, owner) -> None:
    now = timezone.now()
    for index in range(count):
        community = _community(f"Commune {index}", territory=chain["crest"], insee="26108", live=True)
        vehicle = VehicleFactory(community=community, energy=["electric", "petrol", "diesel"][index % 3])
        vehicle.availability_windows.create(weekday=0, start_time="08:00", end_time="20:00")
        vehicle.blackouts.create(starts_at=now - timedelta(hours=1), ends_at=now + timedelta(hours=1))
        Booking.objects.create(
            community=community,
            vehicle=VehicleFactory(community=community),
            member=owner,
            status=Booking.Status.CONFIRMED,
            starts_at=now - timedelta(hours=1),
            ends_at=now + timedelta(hours=1),
        )


def test_the_number_of_queries_does_not_grow_with_the_number_of_communities(client, chain, owner_with_secrets):
    urls = ["/opendata/gbfs/manifest.json"]
    for base in (BASE, f"{BASE}/territory/26"):
        urls += [f"{base}/{name}.json" for name in FILES]
    _add_communities(chain, 2, owner_with_secrets)
    few = _query_counts(client, urls)
    _add_communities(chain, 25, owner_with_secrets)
    many = _query_counts(client, urls)
    assert few == many
    assert max(many) <= 9
