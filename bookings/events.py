"""What bookings tells the layers above it (``colocauto.core.events``), inside the emitting transaction."""

from dataclasses import dataclass


@dataclass(frozen=True)
class TripCompleted:
    """The driver recorded the end of a trip: its distance and duration are stored, the booking is completed.

    Emitted by ``bookings.trips.trip_complete`` inside its transaction; the ledger charges the trip there,
    so a failing handler rolls the trip back with it.
    """

    trip_id: int
    booking_id: int
    community_id: int
