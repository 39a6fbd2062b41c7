"""Wellverse project configuration and the person: accounts, profiles, workouts, scoring, privacy."""

from wellness.celery import app as celery_app

__all__ = ("celery_app",)
