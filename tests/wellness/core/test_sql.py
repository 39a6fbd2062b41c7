"""The ``any_of`` lookup: the rows ``IN`` would match, as one array parameter on PostgreSQL."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import UserFactory
from wellness.people.models import User


def _people(count: int) -> list[User]:
    return [UserFactory.create() for _ in range(count)]


@pytest.mark.django_db
def test_any_of_matches_what_in_matches() -> None:
    people = _people(4)
    wanted = [people[0].pk, people[2].pk, people[3].pk + 1000]

    got = set(User.objects.filter(pk__any_of=wanted).values_list("pk", flat=True))

    assert got == set(User.objects.filter(pk__in=wanted).values_list("pk", flat=True))
    assert got == {people[0].pk, people[2].pk}


@pytest.mark.django_db
def test_any_of_an_empty_list_matches_nothing() -> None:
    _people(2)

    assert not User.objects.filter(pk__any_of=[]).exists()
    assert User.objects.exclude(pk__any_of=[]).count() == 2


@pytest.mark.django_db
def test_any_of_a_subquery_is_in_that_subquery() -> None:
    people = _people(3)
    chosen = User.objects.filter(pk__in=[people[1].pk]).values("pk")

    assert list(User.objects.filter(pk__any_of=chosen)) == [people[1]]


@pytest.mark.django_db
def test_any_of_on_a_foreign_key_and_in_a_delete() -> None:
    from wellness.people.models import Profile

    people = _people(3)
    for person in people:
        Profile.objects.get_or_create(user=person)

    Profile.objects.filter(user_id__any_of=[people[0].pk, people[1].pk]).delete()

    assert list(Profile.objects.values_list("user_id", flat=True)) == [people[2].pk]


@pytest.mark.integration
@pytest.mark.django_db
def test_on_postgresql_any_of_sends_one_array_parameter() -> None:
    people = _people(3)
    ids = [p.pk for p in people]

    with CaptureQueriesContext(connection) as queries:
        got = sorted(User.objects.filter(pk__any_of=ids).values_list("pk", flat=True))

    assert got == sorted(ids)
    (query,) = queries.captured_queries
    assert "= ANY(" in query["sql"]
    assert " IN (" not in query["sql"]
