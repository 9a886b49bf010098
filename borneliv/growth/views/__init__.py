"""Pages of the growth app, one module per feature (imported by ``growth/urls.py``)."""
