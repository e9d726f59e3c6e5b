"""Admin pages of the intake: "Import contacts" (upload -> preview -> confirm
-> the new batch) on the batches list and "Add contacts" on a batch's page,
through the same services as the API (audited there).

Between the preview and the confirmation the file is kept server-side under
its SHA-256 in INTAKE_UPLOAD_DIR (default: a folder in the system's temp
dir), so the operator does not upload 20 MB twice and the confirmation
imports exactly the bytes that were previewed (the hash names them; a
tampered name cannot point anywhere else). Files are removed once imported
and pruned after an hour. With several web containers, point the setting at
a shared volume (or use sticky sessions): a confirmation that finds no file
asks for the upload again."""

import hashlib
import re
import tempfile
import time
from pathlib import Path

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse

from audit.models import AuditSource
from batches.intake.errors import IntakeError
from batches.intake.planning import Options
from batches.intake.services import NewBatch, Request, Upload, import_file, preview
from batches.selectors import batch_get

SHA256 = re.compile(r"^[0-9a-f]{64}$")
KEEP_SECONDS = 3600


class IntakeForm(forms.Form):
    account_id = forms.CharField(max_length=200, label="Account", help_text="account_id, e.g. acc-a1b2c3d4e5f6")
    batch_name = forms.CharField(max_length=200, required=False, help_text="Default: Campaña <date time>")
    processing_type = forms.ChoiceField(
        choices=[("basic", "basic: the best phone of each person"), ("acquisition", "acquisition: all their phones")]
    )
    allow_duplicates = forms.BooleanField(required=False, help_text="Also people with an unfinished job already")
    start_paused = forms.BooleanField(required=False, help_text="Leave the new batch paused")

    def __init__(self, *args, into_batch=False, **kwargs):
        super().__init__(*args, **kwargs)
        if into_batch:  # the batch decides the account; no new batch to name
            for name in ("account_id", "batch_name", "start_paused"):
                del self.fields[name]


class UploadForm(IntakeForm):
    file = forms.FileField(help_text="xlsx, xls, ods or csv")


class ConfirmForm(IntakeForm):
    sha256 = forms.RegexField(SHA256, widget=forms.HiddenInput)
    file_name = forms.CharField(max_length=300, widget=forms.HiddenInput)


def upload_dir():
    folder = Path(settings.INTAKE_UPLOAD_DIR or Path(tempfile.gettempdir()) / "speechai-intake")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def stash(uploaded):
    """Keep an uploaded file under its SHA-256; returns the hash."""
    folder = upload_dir()
    for old in folder.glob("*.upload"):
        if old.stat().st_mtime < time.time() - KEEP_SECONDS:
            old.unlink(missing_ok=True)
    digest = hashlib.sha256()
    with tempfile.NamedTemporaryFile(dir=folder, delete=False, suffix=".part") as target:
        for chunk in uploaded.chunks():
            digest.update(chunk)
            target.write(chunk)
    sha = digest.hexdigest()
    Path(target.name).replace(folder / f"{sha}.upload")
    return sha


def stashed(sha):
    path_ = upload_dir() / f"{sha}.upload"
    if not SHA256.match(sha) or not path_.exists():
        raise IntakeError("The previewed file is no longer on the server: upload it again.")
    return path_


def options_of(data):
    return Options(processing_type=data["processing_type"], allow_duplicates=data["allow_duplicates"])


class IntakeAdminMixin:
    change_list_template = "admin/batches/batch/change_list.html"
    change_form_template = "admin/batches/batch/change_form.html"

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("import/", view(self.import_contacts_view), name="batches_batch_import"),
            path("<path:object_id>/add-contacts/", view(self.add_contacts_view), name="batches_batch_add_contacts"),
            *super().get_urls(),
        ]

    def import_contacts_view(self, request):
        if not request.user.has_perm("batches.add_batch"):
            raise PermissionDenied
        return self.intake_flow(request, batch=None)

    def add_contacts_view(self, request, object_id):
        if not request.user.has_perm("batches.change_batch"):
            raise PermissionDenied
        batch = batch_get(object_id)
        if batch is None:
            raise Http404("Batch not found")
        return self.intake_flow(request, batch=batch)

    def intake_flow(self, request, batch):
        into_batch = batch is not None
        if request.method == "POST" and "confirm" in request.POST:
            form = ConfirmForm(request.POST, into_batch=into_batch)
            if form.is_valid():
                return self.confirm(request, form.cleaned_data, batch)
        elif request.method == "POST":
            form = UploadForm(request.POST, request.FILES, into_batch=into_batch)
            if form.is_valid():
                return self.show_preview(request, form.cleaned_data, batch)
        else:
            form = UploadForm(into_batch=into_batch)
        return self.render_intake(request, "intake_upload.html", batch, form=form)

    def account_of(self, data, batch):
        return batch["account_id"] if batch is not None else data["account_id"]

    def show_preview(self, request, data, batch):
        sha = stash(data["file"])
        try:
            with stashed(sha).open("rb") as file:
                body, errors = preview(
                    Upload(file, data["file"].name), Request(self.account_of(data, batch), options_of(data))
                )
        except IntakeError as exc:
            messages.error(request, exc.message)
            return self.render_intake(
                request, "intake_upload.html", batch, form=UploadForm(into_batch=batch is not None)
            )
        initial = {**{k: v for k, v in data.items() if k != "file"}, "sha256": sha, "file_name": data["file"].name}
        return self.render_intake(
            request,
            "intake_preview.html",
            batch,
            form=ConfirmForm(initial=initial, into_batch=batch is not None),
            preview=body,
            errors=errors,
            file_name=data["file"].name,
        )

    def confirm(self, request, data, batch):
        new_batch = None if batch is not None else NewBatch(name=data["batch_name"], is_active=not data["start_paused"])
        try:
            path_ = stashed(data["sha256"])
            with path_.open("rb") as file:
                result = import_file(
                    Upload(file, data["file_name"]),
                    Request(self.account_of(data, batch), options_of(data)),
                    actor=request.user.get_username(),
                    source=AuditSource.ADMIN,
                    new_batch=new_batch,
                    batch_ref=batch["batch_id"] if batch is not None else None,
                )
        except IntakeError as exc:
            messages.error(request, exc.message)
            form = UploadForm(into_batch=batch is not None)
            return self.render_intake(request, "intake_upload.html", batch, form=form)
        path_.unlink(missing_ok=True)
        messages.success(
            request,
            f"Imported {data['file_name']}: {result['jobs_created']:,} jobs created in batch {result['batch_id']}, "
            f"{result['duplicates_skipped']:,} duplicates skipped, {result['invalid_rows']:,} invalid rows.",
        )
        target = batch_get(result["batch_id"], {"_id": 1})
        return HttpResponseRedirect(reverse("admin:batches_batch_change", args=[str(target["_id"])]))

    def render_intake(self, request, template, batch, **context):
        title = f"Add contacts to {batch['batch_id']}" if batch is not None else "Import contacts"
        context = {
            **self.admin_site.each_context(request),
            "title": title,
            "opts": self.model._meta,
            "batch": batch,
            "batch_pk": str(batch["_id"]) if batch is not None else None,
            **context,
        }
        return TemplateResponse(request, f"admin/batches/batch/{template}", context)
