from django.contrib import admin


class SpeechAIAdminSite(admin.AdminSite):
    site_header = "SpeechAI back office"
    site_title = "SpeechAI back office"
    index_title = "Campaigns and call jobs"
