from django.utils.translation import gettext as _
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.decorators import action
from rest_framework.response import Response

from .backends import login_locked
from .models import Department, Notification
from .services import notification_mark_read


class TokenView(ObtainAuthToken):
    """POST username and password, get {"token": "…"}; send it as `Authorization: Token …`."""

    def post(self, request, *args, **kwargs):
        if login_locked(request.data.get("username", ""), request):
            return Response(
                {"detail": _("Too many failed logins. Try again in a few minutes.")}, status=status.HTTP_429_TOO_MANY_REQUESTS
            )
        return super().post(request, *args, **kwargs)


class DepartmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Department
        fields = ["id", "code", "name", "phone"]


class DepartmentViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Department.objects.all()
    serializer_class = DepartmentSerializer


class NotificationSerializer(serializers.ModelSerializer):
    incident = serializers.IntegerField(source="event.incident_id", read_only=True, allow_null=True)

    class Meta:
        model = Notification
        fields = ["id", "subject", "body", "incident", "created_at", "read_at"]


class MarkReadSerializer(serializers.Serializer):
    ids = serializers.ListField(child=serializers.IntegerField(), required=False, help_text="Omit to mark all as read.")


class NotificationViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """The asker's own notifications, newest first; `?unread=true` for the unread list."""

    serializer_class = NotificationSerializer

    def get_queryset(self):
        mine = Notification.objects.filter(recipient=self.request.user).select_related("event")
        if self.request.query_params.get("unread") in {"1", "true"}:
            mine = mine.filter(read_at__isnull=True)
        return mine

    @action(detail=False, methods=["post"], url_path="read", serializer_class=MarkReadSerializer)
    def mark_read(self, request):
        body = MarkReadSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        count = notification_mark_read(user=request.user, notification_ids=body.validated_data.get("ids"))
        return Response({"marked": count})
