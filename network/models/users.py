from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.db.models.functions import Lower
from django.utils.functional import cached_property

from wmasn.validation import RejectsNulBytes

OFFICERS_GROUP = "Network officers"


class UserQuerySet(models.QuerySet):
    def officers(self):
        """Network officers: active staff in the officers group, or active superusers."""
        return (
            self.filter(is_active=True)
            .filter(
                models.Q(is_superuser=True) | models.Q(is_staff=True, groups__name=OFFICERS_GROUP)
            )
            .distinct()
        )


class UserManager(BaseUserManager.from_queryset(UserQuerySet)):
    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)


class User(RejectsNulBytes, AbstractUser):
    """A person with an account; the email address is the login."""

    username = None
    email = models.EmailField("email address", unique=True)
    job_title = models.CharField(max_length=150, blank=True)
    phone = models.CharField(
        max_length=40, blank=True, help_text="Shown only to members of the network."
    )
    newsletter_opt_out = models.BooleanField(
        "no newsletter emails", default=False, help_text="Do not email newsletter issues."
    )
    deleted_at = models.DateTimeField(
        null=True,
        blank=True,
        editable=False,
        help_text="When the person deleted their account; the row stays as an anonymous tombstone.",
    )

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = []

    objects = UserManager()

    class Meta:
        ordering = ["email"]
        constraints = [
            models.UniqueConstraint(Lower("email"), name="user_email_unique_ci"),
        ]

    def __str__(self):
        if self.deleted_at:
            return "Deleted account"
        return self.get_full_name() or self.email

    @cached_property
    def approved_agency_ids(self):
        """Ids of the agencies this user is an approved member of (the one membership rule)."""
        from .memberships import Membership

        return frozenset(
            Membership.objects.approved().filter(user=self).values_list("agency_id", flat=True)
        )

    @property
    def is_member(self):
        return bool(self.approved_agency_ids)

    def is_member_of(self, agency):
        return agency.pk in self.approved_agency_ids

    @cached_property
    def is_officer(self):
        """The officer rule of `User.objects.officers()`, for one user."""
        if not self.is_active:
            return False
        return self.is_superuser or (
            self.is_staff and self.groups.filter(name=OFFICERS_GROUP).exists()
        )

    @property
    def sees_member_details(self):
        """Members and officers see venues, contacts and members-only content."""
        return self.is_active and (self.is_member or self.is_officer)
