"""The admin's "Import from a spreadsheet" pages for agencies and people (network/imports.py
has the rules): upload, preview row by row, confirm; and a template sheet to download."""

from django import forms
from django.contrib import messages
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError
from django.http import HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.views.decorators.http import require_http_methods, require_safe

from network import sheets

SIGNING_SALT = "network.admin-import"


class UploadForm(forms.Form):
    sheet = forms.FileField(
        label="Spreadsheet (CSV or Excel .xlsx)",
        help_text="The first row holds the headers, in any case; download the template below.",
    )


class ConfirmForm(forms.Form):
    # The rows read from the upload, signed so the confirmation imports what was previewed.
    rows = forms.CharField(widget=forms.HiddenInput)

    def clean_rows(self):
        try:
            rows = signing.loads(self.cleaned_data["rows"], salt=SIGNING_SALT, max_age=3600)
        except signing.BadSignature as error:
            raise forms.ValidationError(
                "This preview is more than an hour old or was changed: upload the file again."
            ) from error
        return rows


class SpreadsheetImportMixin:
    """Adds import/ and import/template/ to a ModelAdmin; subclasses set the kind."""

    import_columns = ()
    import_noun = ""
    change_list_template = "network/admin/import_change_list.html"

    def plan_import(self, rows):
        raise NotImplementedError

    def write_import(self, plan, request):
        raise NotImplementedError

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [
            path(
                "import/",
                self.admin_site.admin_view(self.import_view),
                name="{}_{}_import".format(*info),
            ),
            path(
                "import/template/",
                self.admin_site.admin_view(self.import_template_view),
                name="{}_{}_import_template".format(*info),
            ),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "can_import": self._may_import(request),
            "import_url": reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_import"),
        }
        return super().changelist_view(request, extra_context)

    def _may_import(self, request):
        return self.has_add_permission(request) and self.has_change_permission(request)

    def import_template_view(self, request):
        return require_safe(self._template_response)(request)

    def _template_response(self, request):
        if not self._may_import(request):
            raise PermissionDenied
        response = HttpResponse(
            sheets.template_csv(self.import_columns), content_type="text/csv; charset=utf-8"
        )
        name = f"wmasn-{self.opts.verbose_name_plural}-template.csv".replace(" ", "-")
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response

    def import_view(self, request):
        return require_http_methods(["GET", "HEAD", "POST"])(self._import)(request)

    def _import(self, request):
        if not self._may_import(request):
            raise PermissionDenied
        upload, plan, confirm, status = UploadForm(), None, None, 200
        if request.method == "POST" and "rows" in request.POST:
            confirm = ConfirmForm(request.POST)
            if confirm.is_valid():
                plan = self.plan_import(confirm.cleaned_data["rows"])
                if plan.ok:
                    try:
                        created, updated = self.write_import(plan, request)
                    except (ValidationError, IntegrityError) as error:
                        # Someone changed the same rows between the check and the write.
                        self.message_user(
                            request,
                            "Nothing was imported: the data changed while importing "
                            f"({error}). Upload the file again to see the new preview.",
                            messages.ERROR,
                        )
                        return redirect(request.path)
                    self.message_user(
                        request,
                        f"Imported: {created} new, {updated} updated, "
                        f"{plan.count('unchanged')} unchanged.",
                        messages.SUCCESS,
                    )
                    return redirect(
                        f"admin:{self.opts.app_label}_{self.opts.model_name}_changelist"
                    )
                # Something changed since the preview: show the new one, without a button.
            status = 400
        elif request.method == "POST":
            upload = UploadForm(request.POST, request.FILES)
            if upload.is_valid():
                try:
                    rows = sheets.read_sheet(upload.cleaned_data["sheet"])
                except sheets.ImportFileError as error:
                    upload.add_error("sheet", str(error))
                else:
                    plan = self.plan_import(rows)
                    signed = signing.dumps(rows, salt=SIGNING_SALT, compress=True)
                    confirm = ConfirmForm(initial={"rows": signed})
            if not upload.is_valid():
                status = 400
        context = {
            **self.admin_site.each_context(request),
            "title": f"Import {self.opts.verbose_name_plural} from a spreadsheet",
            "opts": self.opts,
            "upload": upload,
            "plan": plan,
            "confirm": confirm,
            "columns": self.import_columns,
            "noun": self.import_noun,
            "template_url": reverse(
                f"admin:{self.opts.app_label}_{self.opts.model_name}_import_template"
            ),
            "counts": plan
            and {kind: plan.count(kind) for kind in ("new", "changed", "unchanged", "refused")},
        }
        return TemplateResponse(request, "network/admin/import.html", context, status=status)
