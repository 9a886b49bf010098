"""The motor assessment's pages, one module per part: sessions and the grid (``sessions``), the
group profile and the dialogue (``profile``), instruments (``instruments``), trends (``trends``)."""
