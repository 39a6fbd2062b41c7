"""Rehabilitation (issue 22): the exercise library, therapist-prescribed programs and home sessions."""
