"""The GBFS 3.0 files built from plain values: each one validates against the official schema."""

from datetime import UTC, datetime

import pytest

from territories.gbfs import documents
from territories.gbfs.documents import Feed, PublicVehicle, Station, VehicleState, vehicle_type
from tests.territories.gbfs_validation import schema_errors

NOW = datetime(2026, 3, 14, 9, 26, 53, 589000, tzinfo=UTC)
ZOE = vehicle_type(kind="car", energy="electric", make="Renault", model="Zoe", gearbox="automatic")
CLIO = vehicle_type(kind="car", energy="petrol", make="Renault", model=" Clio ", gearbox="manual")
VAN = vehicle_type(kind="van", energy="diesel", make="", model="", gearbox="manual")


def _feed(*stations: Station) -> Feed:
    base = "https://colocauto.example.org/opendata/gbfs"
    return Feed(
        system_id="colocauto-example",
        name="Colocauto",
        urls={name: f"{base}/v3/{name}.json" for name in ("gbfs", *documents.FEED_FILES)},
        manifest_url=f"{base}/manifest.json",
        site_url="https://colocauto.example.org",
        contact_email="opendata@example.org",
        license_id="ODbL-1.0",
        timezone="Europe/Paris",
        stations=stations,
        now=NOW,
    )


LIVE = Station(
    station_id="12",
    name="Les Tilleuls",
    lat=44.72812,
    lon=5.02177,
    post_code="26400",
    live=True,
    vehicles=(
        PublicVehicle("a1", ZOE),
        PublicVehicle("a2", CLIO, VehicleState.RESERVED),
        PublicVehicle("a3", CLIO, VehicleState.DISABLED),
        PublicVehicle("a4", VAN, VehicleState.IN_USE),
    ),
)
STATIC = Station(
    station_id="13",
    name="Quartier Nord",
    lat=44.9,
    lon=4.9,
    post_code="",
    live=False,
    vehicles=(PublicVehicle("b1", ZOE),),
)


@pytest.mark.parametrize("stations", [(), (STATIC,), (LIVE, STATIC)], ids=["empty", "static only", "live and static"])
@pytest.mark.parametrize("name", ["gbfs", *documents.FEED_FILES])
def test_every_file_validates_against_the_official_schema(name, stations):
    assert schema_errors(name, documents.document(name, _feed(*stations))) == []


def test_the_manifest_validates_against_the_official_schema():
    manifest = documents.manifest(
        [("colocauto-example", "https://colocauto.example.org/opendata/gbfs/v3/gbfs.json")], now=NOW
    )
    assert schema_errors("manifest", manifest) == []


def test_the_validation_rejects_a_posix_timestamp_and_a_missing_range():
    # GBFS 3.0 moved last_updated from POSIX seconds to RFC 3339: the checks are real, not vacuous.
    file = documents.document("vehicle_types", _feed(LIVE))
    file["last_updated"] = int(NOW.timestamp())
    del file["data"]["vehicle_types"][0]["max_range_meters"]
    assert len(schema_errors("vehicle_types", file)) == 2


def test_last_updated_is_rfc3339_in_utc_to_the_second():
    assert documents.document("gbfs", _feed())["last_updated"] == "2026-03-14T09:26:53Z"


def test_discovery_lists_exactly_the_published_files():
    feeds = documents.document("gbfs", _feed())["data"]["feeds"]
    assert [feed["name"] for feed in feeds] == [
        "system_information",
        "vehicle_types",
        "station_information",
        "station_status",
        "vehicle_status",
    ]


def test_localized_strings_are_published_in_french_and_english():
    types = documents.document("vehicle_types", _feed(LIVE))["data"]["vehicle_types"]
    van = next(row for row in types if row["form_factor"] == "car" and row["propulsion_type"] == "combustion_diesel")
    assert van["name"] == [{"text": "Minibus (Diesel)", "language": "fr"}, {"text": "Van (Diesel)", "language": "en"}]
    assert "make" not in van


def test_vehicle_types_carry_propulsion_make_model_and_gearbox():
    types = {
        row["vehicle_type_id"]: row for row in documents.document("vehicle_types", _feed(LIVE))["data"]["vehicle_types"]
    }
    zoe = types["car-electric-renault-zoe-automatic"]
    assert zoe["propulsion_type"] == "electric"
    assert zoe["make"][0] == {"text": "Renault", "language": "fr"}
    assert zoe["model"][1] == {"text": "Zoe", "language": "en"}
    assert zoe["vehicle_accessories"] == ["automatic"]
    assert types["car-combustion-renault-clio-manual"]["model"][0]["text"] == "Clio"


def test_only_live_stations_have_a_status_and_vehicles_out_on_a_trip_are_left_out():
    feed = _feed(LIVE, STATIC)
    [status] = documents.document("station_status", feed)["data"]["stations"]
    assert status["station_id"] == "12"
    assert status["num_vehicles_available"] == 1
    assert status["num_vehicles_disabled"] == 1
    assert {row["vehicle_type_id"]: row["count"] for row in status["vehicle_types_available"]} == {
        "car-electric-renault-zoe-automatic": 1,
        "car-combustion-renault-clio-manual": 0,
        "car-combustion_diesel-manual": 0,
    }
    vehicles = documents.document("vehicle_status", feed)["data"]["vehicles"]
    assert [(v["vehicle_id"], v["is_reserved"], v["is_disabled"]) for v in vehicles] == [
        ("a1", False, False),
        ("a2", True, False),
        ("a3", False, True),
    ]
    assert all("lat" not in vehicle and vehicle["station_id"] == "12" for vehicle in vehicles)


def test_a_station_is_virtual_with_its_capacity_by_type():
    [station] = documents.document("station_information", _feed(STATIC))["data"]["stations"]
    assert station["is_virtual_station"] is True
    assert station["capacity"] == 1
    assert station["vehicle_types_capacity"] == [
        {"vehicle_type_ids": ["car-electric-renault-zoe-automatic"], "count": 1}
    ]
    assert "post_code" not in station
