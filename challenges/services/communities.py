"""Writes for communities and their memberships."""

from __future__ import annotations

import secrets

from django.db import transaction
from django.utils import timezone

from challenges import selectors
from challenges.models import (
    Community,
    CommunityVisibility,
    JoinPolicy,
    Membership,
    MembershipStatus,
    OrganizerVerification,
    Role,
)
from wellness.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from wellness.people.models import User
from wellness.people.roles import role_lost

# The role name in ``wellness.people.roles`` (losing it closes the sockets it opened).
ORGANIZER_ROLE = "organizer"


def community_create(
    *,
    user: User,
    name: str,
    description: str = "",
    visibility: str = CommunityVisibility.PUBLIC,
    join_policy: str = JoinPolicy.OPEN,
) -> Community:
    errors: dict[str, list[str]] = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = ["Give the community a name."]
    if visibility not in CommunityVisibility.values:
        errors["visibility"] = [f"Choose one of {', '.join(CommunityVisibility.values)}."]
    if join_policy not in JoinPolicy.values:
        errors["join_policy"] = [f"Choose one of {', '.join(JoinPolicy.values)}."]
    if errors:
        raise ValidationFailed("The community could not be created.", fields=errors)
    with transaction.atomic():
        community = Community.objects.create(
            name=name[:80],
            description=description,
            visibility=visibility,
            join_policy=join_policy,
            invite_code=secrets.token_urlsafe(16),
            created_by=user,
        )
        Membership.objects.create(community=community, user=user, role=Role.OWNER)
    return community


def community_join(*, user: User, community_id: int, invite_code: str = "") -> Membership:
    """Open communities admit at once, approval ones queue a request, invitation ones need the code.
    A valid invitation code admits to any community, even a private one nobody can see."""
    community = Community.objects.filter(pk=community_id).first()
    invited = community is not None and bool(invite_code) and invite_code == community.invite_code
    if not invited:
        community = selectors.community_visible(user=user, community_id=community_id)
    assert community is not None
    if invited or community.join_policy == JoinPolicy.OPEN:
        status = MembershipStatus.ACTIVE
    elif community.join_policy == JoinPolicy.APPROVAL:
        status = MembershipStatus.PENDING
    else:
        raise Forbidden("This community admits members only through its invitation link.")
    with transaction.atomic():
        membership = (
            Membership.objects.select_for_update().filter(community=community, user=user).first()
        )
        if membership is not None and membership.status != MembershipStatus.LEFT:
            raise Conflict(
                "You are already a member of this community."
                if membership.status == MembershipStatus.ACTIVE
                else "Your request to join is already waiting for an organizer."
            )
        if membership is None:
            return Membership.objects.create(community=community, user=user, status=status)
        membership.status, membership.role, membership.joined_at = (
            status,
            Role.MEMBER,
            timezone.now(),
        )
        membership.save(update_fields=["status", "role", "joined_at"])
        return membership


def community_leave(*, user: User, community_id: int) -> None:
    membership = selectors.active_membership(user=user, community_id=community_id)
    if membership is None:
        raise NotFound("You are not a member of this community.")
    if membership.role == Role.OWNER:
        raise ValidationFailed("An owner cannot leave; make someone else owner first.")
    with transaction.atomic():
        Membership.objects.filter(pk=membership.pk).update(status=MembershipStatus.LEFT)
        if membership.role == Role.ORGANIZER:
            role_lost(user_id=user.pk, role=ORGANIZER_ROLE)


def organizer_remove(user: User, scope: int | None = None) -> bool:
    """The organizer role's remover (``wellness.people.roles``): back to member in the community
    ``scope``."""
    if scope is None:
        raise ValueError("The organizer role is held in a community: give its id as the scope.")
    return bool(
        Membership.objects.filter(
            community_id=scope,
            user_id=user.pk,
            status=MembershipStatus.ACTIVE,
            role=Role.ORGANIZER,
        ).update(role=Role.MEMBER)
    )


def membership_approve(*, user: User, community_id: int, member_id: int) -> Membership:
    selectors.community_for_organizer(user=user, community_id=community_id)
    updated = Membership.objects.filter(
        community_id=community_id, user_id=member_id, status=MembershipStatus.PENDING
    ).update(status=MembershipStatus.ACTIVE, joined_at=timezone.now())
    if not updated:
        raise NotFound("No such request to join.")
    return Membership.objects.get(community_id=community_id, user_id=member_id)


def membership_set_role(*, user: User, community_id: int, member_id: int, role: str) -> Membership:
    """Only the owner hands out roles; ownership itself is not transferable through this."""
    selectors.community_visible(user=user, community_id=community_id)
    mine = selectors.active_membership(user=user, community_id=community_id)
    if mine is None or mine.role != Role.OWNER:
        raise Forbidden("Only the community's owner may change roles.")
    if role not in (Role.ORGANIZER, Role.MODERATOR, Role.MEMBER):
        raise ValidationFailed(
            "Choose organizer, moderator or member.", fields={"role": ["Not a role one can give."]}
        )
    with transaction.atomic():
        member = (
            Membership.objects.select_for_update()
            .filter(community_id=community_id, user_id=member_id, status=MembershipStatus.ACTIVE)
            .exclude(role=Role.OWNER)
            .first()
        )
        if member is None:
            raise NotFound("No such member.")
        demoted = member.role == Role.ORGANIZER and role != Role.ORGANIZER
        member.role = role
        member.save(update_fields=["role"])
        if demoted:
            role_lost(user_id=member_id, role=ORGANIZER_ROLE)
    return member


def organizer_verify(*, staff: User, user_id: int) -> OrganizerVerification:
    """An administrator verifies a person as an organizer (see ``OrganizerVerification``).
    Verifying again keeps the first verification."""
    if not staff.is_staff:
        raise Forbidden("Only an administrator can verify an organizer.")
    if user_id == staff.pk:
        raise Forbidden("No one can verify themselves.")
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        raise NotFound("No such person.")
    verification, _ = OrganizerVerification.objects.get_or_create(
        user=user, defaults={"verified_by": staff}
    )
    return verification


def organizer_unverify(*, staff: User, user_id: int) -> None:
    """An administrator withdraws a verification; grants already made stay (remove them apart)."""
    if not staff.is_staff:
        raise Forbidden("Only an administrator can withdraw an organizer's verification.")
    if not OrganizerVerification.objects.filter(user_id=user_id).delete()[0]:
        raise NotFound("That person is not a verified organizer.")
