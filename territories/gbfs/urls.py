"""Stable addresses of the open-data feed, included at ``opendata/gbfs/``:
``v3/<file>.json`` for the whole instance, ``v3/territory/<code>/<file>.json`` for one territory."""

from django.urls import path

from territories.gbfs import views
from territories.gbfs.documents import FEED_FILES

urlpatterns = [path("manifest.json", views.manifest, name="gbfs_manifest")]
for _name in ("gbfs", *FEED_FILES):
    urlpatterns += [
        path(f"v3/{_name}.json", views.feed_file, {"name": _name}, name=f"gbfs_{_name}"),
        path(f"v3/territory/<str:key>/{_name}.json", views.feed_file, {"name": _name}, name=f"gbfs_territory_{_name}"),
    ]
