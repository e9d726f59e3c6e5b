from speechai.permissions import HasDjangoPermission


class CanAddAccounts(HasDjangoPermission):
    required_permission = "accounts.add_account"
    message = "You do not have permission to create accounts."


class CanChangeAccounts(HasDjangoPermission):
    """Update, suspend and activate."""

    required_permission = "accounts.change_account"
    message = "You do not have permission to change accounts."


class CanTopUpAccounts(HasDjangoPermission):
    required_permission = "accounts.topup_account"
    message = "You do not have permission to top up accounts."
