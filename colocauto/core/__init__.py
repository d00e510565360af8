"""The core layer: what every app uses and nothing in it imports an app.

errors (domain errors with stable codes), web (one mapping from a domain error to an HTTP answer),
events (in-process domain events, so a lower layer can trigger a higher one), clock (now, time zones,
months), parsers (ids, months, years). See docs/architecture.md.
"""
