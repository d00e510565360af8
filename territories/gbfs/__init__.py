"""The open-data feed: GBFS 3.0 files of the communities that chose to be listed publicly.

``documents`` builds each file from plain values (no database), ``selectors`` reads those values
in a fixed number of queries, ``views`` serves them at the stable URLs of ``urls``.
"""
