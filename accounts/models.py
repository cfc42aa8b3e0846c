from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _


class UserManager(BaseUserManager):
    """Users sign in with their email address; there is no username."""

    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra):
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra)


class User(AbstractUser):
    """A person who signs in: citizen, agency staff, city clerk or administrator.

    The role is a Django group (see ``accounts.roles``); agency staff are linked to their agency
    through ``partners.AgencyMembership``.
    """

    username = None
    first_name = None
    last_name = None
    email = models.EmailField(_("이메일"), unique=True)
    name = models.CharField(_("이름"), max_length=100, blank=True)
    phone = models.CharField(_("휴대전화"), max_length=20, blank=True)
    preferred_language = models.CharField(
        _("알림 언어"), max_length=5, choices=[("ko", "한국어"), ("en", "English")], default="ko"
    )
    anonymised_at = models.DateTimeField(_("익명 처리 시각"), null=True, blank=True, editable=False)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = UserManager()

    class Meta:
        verbose_name = _("사용자")
        verbose_name_plural = _("사용자")
        constraints = [models.UniqueConstraint(Lower("email"), name="accounts_user_email_ci_unique")]

    def access_log_subject(self):
        return (f"user #{self.pk}", self.pk)

    def __str__(self) -> str:
        return self.name or self.email

    def get_full_name(self) -> str:
        return self.name

    def get_short_name(self) -> str:
        return self.name or self.email.split("@")[0]
