"""Small Django-free helpers used across apps."""
