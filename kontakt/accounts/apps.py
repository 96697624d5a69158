from django.apps import AppConfig
from django.db.models.signals import post_migrate, post_save
from django.utils.translation import gettext_lazy as _


def _sync_roles(sender, **kwargs):
    # Permissions exist only after migrate, so the role groups are kept in step here: after
    # every app's migration, since an app's permissions are made when its own turn comes
    # (with this app's turn only, a new database's groups lacked those of later apps).
    from .services import roles_sync  # noqa: PLC0415 (models load only once apps are ready)

    roles_sync()


class AccountsConfig(AppConfig):
    name = "kontakt.accounts"
    label = "accounts"
    verbose_name = _("Staff and access")

    def ready(self) -> None:
        post_migrate.connect(_sync_roles, dispatch_uid="kontakt-roles-sync")
        # A disabled user's sessions end at once (their tokens are refused by TokenAuth).
        from .services import on_user_saved  # noqa: PLC0415 (models load only once apps are ready)

        post_save.connect(
            on_user_saved, sender=self.get_model("User"), dispatch_uid="kontakt-user-disabled"
        )
