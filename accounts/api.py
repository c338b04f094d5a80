from django.contrib.auth.signals import user_logged_in
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.authtoken.models import Token
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from govgrid.ids import ID_PATTERN, id_field

from .forms import LOCKED_OUT
from .models import Department, Notification
from .services import login_authenticate, login_locked_out, notification_mark_read


class LoginSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150, trim_whitespace=False)
    password = serializers.CharField(max_length=4096, trim_whitespace=False, style={"input_type": "password"})


class TokenView(APIView):
    """POST username and password, get {"token": "…"}; send it as `Authorization: Token …`."""

    authentication_classes = []
    permission_classes = [AllowAny]
    throttled_logins = True  # the schema documents the 429

    @extend_schema(
        request=LoginSerializer,
        responses={200: inline_serializer("Token", {"token": serializers.CharField()})},
        auth=[],
    )
    def post(self, request):
        body = LoginSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        user = login_authenticate(request, **body.validated_data)
        if user is None:
            if login_locked_out(request):
                return Response({"detail": str(LOCKED_OUT)}, status=status.HTTP_429_TOO_MANY_REQUESTS)
            return Response({"detail": _("Unable to log in with the user name and password given.")}, status=status.HTTP_400_BAD_REQUEST)
        # A token is a login: the last login time is set and the failures before it are forgotten.
        user_logged_in.send(sender=type(user), request=request, user=user)
        token, _created = Token.objects.get_or_create(user=user)
        return Response({"token": token.key})


class DepartmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Department
        fields = ["id", "code", "name", "phone"]


class DepartmentViewSet(viewsets.ReadOnlyModelViewSet):
    lookup_value_regex = ID_PATTERN
    queryset = Department.objects.all()
    serializer_class = DepartmentSerializer


class NotificationSerializer(serializers.ModelSerializer):
    incident = serializers.IntegerField(source="event.incident_id", read_only=True, allow_null=True)

    class Meta:
        model = Notification
        fields = ["id", "subject", "body", "incident", "created_at", "read_at"]


class MarkReadSerializer(serializers.Serializer):
    ids = serializers.ListField(child=id_field(), required=False, help_text="Omit to mark all as read.")


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
