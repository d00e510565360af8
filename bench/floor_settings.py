"""Settings of the load benchmark (bench/load_floor.py): the product's settings, with bench/floor_urls.py as the
URLconf, which adds the floor's view. Never used outside the benchmark."""

from colocauto.settings import *  # noqa: F403 - the very same settings, one URLconf more

ROOT_URLCONF = "bench.floor_urls"
