from django.contrib import admin


class SpeechAIAdminSite(admin.AdminSite):
    site_header = "SpeechAI back office"
    site_title = "SpeechAI back office"
    index_title = "Campaigns and call jobs"
    index_template = "admin/speechai/index.html"

    def get_urls(self):
        from batches.admin_dashboard import dashboard_urls

        return dashboard_urls(self) + super().get_urls()
