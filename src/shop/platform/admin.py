"""Admin conventions: domain records are shown, but changed only through use cases."""

from django.contrib import admin


class ReadOnlyAdmin(admin.ModelAdmin):
    """Browse a context's records; changes go through the API so every rule (and event) applies."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
