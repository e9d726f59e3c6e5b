from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from accounts import selectors, services
from accounts.balances import balance
from accounts.permissions import CanAddAccounts, CanChangeAccounts, CanTopUpAccounts
from accounts.serializers import (
    AccountChangedSerializer,
    AccountCreatedSerializer,
    AccountCreateSerializer,
    AccountListQuerySerializer,
    AccountSerializer,
    AccountStatsSerializer,
    AccountSummarySerializer,
    AccountUpdateSerializer,
    BalanceSerializer,
    LastCallSettingsSerializer,
    TopupSerializer,
    TransactionQuerySerializer,
    TransactionSerializer,
)
from batches.selectors import batch_list
from batches.serializers import BatchListQuerySerializer, BatchSerializer
from batches.views import valid_data
from jobs.views import AUTH_ERRORS, BAD_REQUEST, READ_AUTH_ERRORS, actor_name
from speechai.exceptions import Conflict
from speechai.permissions import IsAuthenticatedOrOpenAPI
from speechai.serializers import ConflictSerializer, ErrorSerializer

ACCOUNT_ID_PARAMETER = OpenApiParameter(
    "account_id", str, OpenApiParameter.PATH, description="The account's 24-hex ObjectId or its custom account_id"
)
NOT_FOUND = {404: OpenApiResponse(ErrorSerializer, description="Account not found")}
ACCOUNT_NOT_FOUND = "Account not found"


class AccountBatchesQuerySerializer(BatchListQuerySerializer):
    """/batches's query, the account coming from the path."""

    account_id = None


def stored_account(account_id):
    document = selectors.account_get(account_id)
    if document is None:
        raise NotFound(ACCOUNT_NOT_FOUND)
    return document


def account_action(service, account_id, **kwargs):
    try:
        return service(account_id, **kwargs)
    except services.AccountNotFound:
        raise NotFound(ACCOUNT_NOT_FOUND) from None
    except services.BalanceNotNumeric as conflict:
        raise Conflict(str(conflict), conflict.current_status) from None


def read_schema(summary, response, description="", parameters=()):
    return extend_schema(
        summary=summary,
        parameters=[ACCOUNT_ID_PARAMETER, *parameters],
        responses={200: response, **({**BAD_REQUEST} if parameters else {}), **READ_AUTH_ERRORS, **NOT_FOUND},
        description=description,
    )


@extend_schema_view(
    list=extend_schema(
        summary="List accounts",
        parameters=[AccountListQuerySerializer],
        responses={200: AccountSerializer(many=True), **BAD_REQUEST, **READ_AUTH_ERRORS},
        description="Newest first, each with minutes_remaining, credit_available and can_make_calls.",
    ),
    create=extend_schema(
        summary="Create an account",
        request=AccountCreateSerializer,
        responses={201: AccountCreatedSerializer, **BAD_REQUEST, **AUTH_ERRORS},
        description="An active account with a generated account_id (acc- + 12 hex); an initial balance also "
        "writes its ledger entries. features.max_concurrent_calls and settings.timezone (the frontend's "
        "nesting) fill the top-level fields when those are not sent. Needs accounts.add_account.",
    ),
    retrieve=read_schema("Get an account", AccountSerializer, "The stored document with the derived values."),
    partial_update=extend_schema(
        summary="Update, suspend or activate an account",
        parameters=[ACCOUNT_ID_PARAMETER],
        request=AccountUpdateSerializer,
        responses={200: AccountChangedSerializer, **BAD_REQUEST, **AUTH_ERRORS, **NOT_FOUND},
        description='Suspend: {"status": "suspended", "suspension_reason"?} or {"is_active": false}; activate: '
        '{"status": "active"} or {"is_active": true}. Only the keys sent and updated_at are written; balances '
        "never (use topup); other keys are a 400. Suspension stops new campaigns, not the workers: "
        '"pause_batches": true pauses all the account\'s active batches too. Needs accounts.change_account.',
    ),
)
@extend_schema(tags=["accounts"])
class AccountViewSet(viewsets.ViewSet):
    lookup_field = "account_id"
    lookup_value_regex = "[^/]+"

    def get_permissions(self):
        if self.action == "create":
            return [CanAddAccounts()]
        if self.action == "partial_update":
            return [CanChangeAccounts()]
        if self.action == "topup":
            return [CanTopUpAccounts()]
        return [IsAuthenticatedOrOpenAPI()]

    def list(self, request):
        query = valid_data(AccountListQuerySerializer, request.query_params)
        return Response(AccountSerializer(selectors.account_list(**query), many=True).data)

    def create(self, request):
        document = services.create_account(
            actor=actor_name(request), **valid_data(AccountCreateSerializer, request.data)
        )
        return Response({"success": True, "account": AccountSerializer(document).data}, status=status.HTTP_201_CREATED)

    def retrieve(self, request, account_id):
        return Response(AccountSerializer(stored_account(account_id)).data)

    def partial_update(self, request, account_id):
        changes = valid_data(AccountUpdateSerializer, request.data)
        pause_batches = changes.pop("pause_batches", False)
        document, message, paused = account_action(
            services.update_account, account_id, changes=changes, actor=actor_name(request), pause_batches=pause_batches
        )
        body = {"success": True, "message": message, "account": AccountSerializer(document).data}
        return Response({**body, **({"batches_paused": paused} if pause_batches else {})})

    @extend_schema(
        summary="Top up an account",
        parameters=[ACCOUNT_ID_PARAMETER],
        request=TopupSerializer,
        responses={
            200: AccountChangedSerializer,
            **BAD_REQUEST,
            **AUTH_ERRORS,
            **NOT_FOUND,
            409: OpenApiResponse(ConflictSerializer, description="A stored balance is not a number"),
        },
        description="Adds minutes (minutes_purchased) and/or credits (credit_balance) in one atomic $inc, with "
        "last_topup_at and updated_at, and writes one ledger entry per unit. The workers' concurrent "
        "increments of minutes_used/credit_used are never lost. Needs accounts.topup_account.",
    )
    @action(detail=True, methods=["post"])
    def topup(self, request, account_id):
        body = valid_data(TopupSerializer, request.data)
        document = account_action(services.topup_account, account_id, actor=actor_name(request), **body)
        message = "Account topped up successfully"
        return Response({"success": True, "message": message, "account": AccountSerializer(document).data})

    @read_schema("An account's balance", BalanceSerializer, "remaining = credit_available (credit_used counted).")
    @action(detail=True, methods=["get"])
    def balance(self, request, account_id):
        return Response(BalanceSerializer(balance(stored_account(account_id))).data)

    @read_schema(
        "An account's statistics",
        AccountStatsSerializer,
        "The balance fields of its plan, its batches by state and its jobs by status (one aggregation).",
    )
    @action(detail=True, methods=["get"])
    def stats(self, request, account_id):
        return Response(AccountStatsSerializer(selectors.account_stats(stored_account(account_id))).data)

    @read_schema("An account's summary", AccountSummarySerializer, "Account, balance, stats and ledger totals.")
    @action(detail=True, methods=["get"])
    def summary(self, request, account_id):
        return Response(AccountSummarySerializer(selectors.account_summary(stored_account(account_id))).data)

    @read_schema(
        "An account's batches",
        BatchSerializer(many=True),
        "GET /api/v1/batches restricted to the account.",
        [AccountBatchesQuerySerializer],
    )
    @action(detail=True, methods=["get"])
    def batches(self, request, account_id):
        query = valid_data(AccountBatchesQuerySerializer, request.query_params)
        custom_id = selectors.custom_id_of(stored_account(account_id))
        batches = batch_list(**query, account_id=custom_id) if custom_id else []
        return Response(BatchSerializer(batches, many=True).data)

    @read_schema("An account's ledger", TransactionSerializer(many=True), "Newest first.", [TransactionQuerySerializer])
    @action(detail=True, methods=["get"])
    def transactions(self, request, account_id):
        query = valid_data(TransactionQuerySerializer, request.query_params)
        custom_id = selectors.custom_id_of(stored_account(account_id))
        entries = selectors.transaction_list(custom_id, **query) if custom_id else []
        return Response(TransactionSerializer(entries, many=True).data)

    @read_schema(
        "The call settings of the account's newest batch",
        LastCallSettingsSerializer,
        "To pre-fill a new campaign. success false (200) when no batch of the account has call_settings.",
    )
    @action(detail=True, methods=["get"], url_path="last-call-settings")
    def last_call_settings(self, request, account_id):
        batch = selectors.last_call_settings(selectors.custom_id_of(stored_account(account_id)))
        if batch is None:
            message = "No previous call_settings found for this account"
            return Response({"success": False, "message": message, "call_settings": None})
        body = {"success": True, "call_settings": batch["call_settings"], "from_batch": batch.get("batch_id")}
        return Response(LastCallSettingsSerializer({**body, "created_at": batch.get("created_at")}).data)
