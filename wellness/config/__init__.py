"""The composition root (settings, URLs, ASGI, Celery, lifespan): the only package that knows every app."""

from wellness.config.celery import app as celery_app

__all__ = ("celery_app",)
