from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    default_auto_field = "django_mongodb_backend.fields.ObjectIdAutoField"

    def ready(self):
        from accounts.indexes import ACCOUNT_INDEXES, TRANSACTION_INDEXES
        from speechai.indexes import ensure_indexes_on_migrate

        ensure_indexes_on_migrate(self, "Account", ACCOUNT_INDEXES)
        ensure_indexes_on_migrate(self, "Transaction", TRANSACTION_INDEXES)
