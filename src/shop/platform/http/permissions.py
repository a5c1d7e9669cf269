from rest_framework.permissions import SAFE_METHODS, BasePermission


class StaffWritesOthersRead(BasePermission):
    """Anyone may read; only staff may change."""

    reads_allowed = True  # the schema lists no 403 for a GET under this permission

    def has_permission(self, request, view) -> bool:
        if request.method in SAFE_METHODS:
            return True
        return bool(request.user and request.user.is_authenticated and request.user.is_staff)
