"""The residents API: persons, residence registrations, permit applications and permits.

One view per use case for writes and transitions; lists are ListAPIViews over a selector with
a FilterSet. Input serializers check shape only; the services decide. Every refusal comes back
in the one error format {"code", "message", "fields"}.
"""

from __future__ import annotations

from django.utils import timezone
from drf_spectacular.utils import (
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    inline_serializer,
)
from rest_framework import permissions, serializers, status
from rest_framework.generics import ListAPIView, RetrieveAPIView
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from portal import throttling
from portal.accounts.models import Role
from portal.workflow import selectors as workflow_selectors
from portal.workflow.endpoints import transition_endpoint
from residents import disclosure, filters, idnumber, selectors, services
from residents.models import (
    Basis,
    Education,
    MaterialKind,
    Permit,
    PermitApplication,
    PermitState,
    Person,
    Reason,
    Registration,
    Relation,
    Sex,
)
from residents.pagination import PersonPages

ErrorBody = inline_serializer(
    name="ErrorBody",
    fields={
        "code": serializers.CharField(),
        "message": serializers.CharField(),
        "fields": serializers.DictField(child=serializers.ListField(child=serializers.CharField())),
    },
)


def _errors(*codes: int) -> dict:
    described = {
        400: "Invalid input or conditions not met",
        403: "Not allowed",
        404: "Not found or outside your scope",
        409: "Already acted on (conflict)",
    }
    return {code: OpenApiResponse(ErrorBody, description=described[code]) for code in codes}


# --- output shapes ---------------------------------------------------------------------------


class PersonOut(serializers.ModelSerializer):
    """A person as the caller may see them (residents.disclosure).

    The caller's own household: every detail. Anyone else (staff): the masked ID number, the
    birth year, the province of origin and a masked mobile number; the birth date, the full
    hukou code, education and employer are null. The full record is opened, with a logged
    reason, on the staff person page.
    """

    id_number = serializers.CharField(source="id_masked", help_text="Masked: 1101**********002X")
    household = serializers.SerializerMethodField(
        help_text="True for the caller and the dependants they act for."
    )
    birth_year = serializers.SerializerMethodField()
    origin_province = serializers.SerializerMethodField(
        help_text="Province-level division code of the hukou place, e.g. 330000."
    )
    phone = serializers.SerializerMethodField(
        help_text="Masked (138****8000) outside the household."
    )
    birth_date = serializers.SerializerMethodField(help_text="Null outside the household.")
    origin_code = serializers.SerializerMethodField(help_text="Null outside the household.")
    education = serializers.SerializerMethodField(help_text="Null outside the household.")
    employer = serializers.SerializerMethodField(help_text="Null outside the household.")

    class Meta:
        model = Person
        fields = [
            "id",
            "name",
            "id_number",
            "household",
            "birth_year",
            "sex",
            "origin_province",
            "phone",
            "birth_date",
            "origin_code",
            "education",
            "employer",
            "created_at",
        ]

    def get_household(self, person: Person) -> bool:
        return bool(getattr(person, "in_household", False))

    def get_birth_year(self, person: Person) -> int:
        return disclosure.birth_year(person)

    def get_origin_province(self, person: Person) -> str:
        return disclosure.origin_province(person.origin_code)

    def get_phone(self, person: Person) -> str:
        if self.get_household(person):
            return str(person.phone or "")
        return disclosure.mask_phone(person.phone)

    @extend_schema_field(serializers.DateField(allow_null=True))
    def get_birth_date(self, person: Person) -> str | None:
        return person.birth_date.isoformat() if self.get_household(person) else None

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_origin_code(self, person: Person) -> str | None:
        return person.origin_code if self.get_household(person) else None

    @extend_schema_field(serializers.ChoiceField(choices=Education.choices, allow_null=True))
    def get_education(self, person: Person) -> str | None:
        return person.education if self.get_household(person) else None

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_employer(self, person: Person) -> str | None:
        return person.employer if self.get_household(person) else None


class RegistrationOut(serializers.ModelSerializer):
    person_name = serializers.CharField(source="person.name")
    address_text = serializers.CharField(source="address.text")
    district = serializers.CharField(source="address.grid.district.code")
    is_current = serializers.BooleanField()

    class Meta:
        model = Registration
        fields = [
            "id",
            "person",
            "person_name",
            "address",
            "address_text",
            "district",
            "start_date",
            "end_date",
            "reason",
            "source",
            "is_current",
        ]


class TransitionOut(serializers.Serializer):
    from_status = serializers.CharField()
    to_status = serializers.CharField()
    reason = serializers.CharField()
    at = serializers.DateTimeField()


class MaterialOut(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=MaterialKind.choices)
    content_type = serializers.CharField()
    original_name = serializers.CharField()
    size = serializers.IntegerField()
    uploaded_at = serializers.DateTimeField()


class PermitApplicationOut(serializers.ModelSerializer):
    reference = serializers.CharField(source="case.reference")
    status = serializers.CharField(source="case.status")
    district = serializers.CharField(source="case.district.code")
    person_name = serializers.CharField(source="person.name")
    submitted_at = serializers.DateTimeField(source="case.submitted_at", allow_null=True)
    due_date = serializers.DateField(source="case.due_date", allow_null=True)
    last_reason = serializers.CharField(source="case.last_reason")

    class Meta:
        model = PermitApplication
        fields = [
            "id",
            "reference",
            "status",
            "district",
            "person",
            "person_name",
            "registration",
            "basis",
            "basis_detail",
            "submitted_at",
            "due_date",
            "last_reason",
            "created_at",
        ]


class PermitApplicationDetailOut(PermitApplicationOut):
    materials = MaterialOut(many=True)
    timeline = serializers.SerializerMethodField()

    class Meta(PermitApplicationOut.Meta):
        fields = [*PermitApplicationOut.Meta.fields, "materials", "timeline"]

    @extend_schema(responses=TransitionOut(many=True))
    def get_timeline(self, application: PermitApplication) -> list[dict]:
        return TransitionOut(workflow_selectors.case_timeline(application.case), many=True).data


class PermitOut(serializers.ModelSerializer):
    person_name = serializers.CharField(source="person.name")
    id_number = serializers.CharField(source="person.id_masked")
    district = serializers.CharField(source="district.code")
    state = serializers.SerializerMethodField()

    class Meta:
        model = Permit
        fields = [
            "id",
            "number",
            "person",
            "person_name",
            "id_number",
            "district",
            "issued_on",
            "valid_until",
            "state",
            "card_version",
            "clock_restarted_on",
            "cancelled_on",
        ]

    @extend_schema_field(serializers.ChoiceField(choices=PermitState.choices))
    def get_state(self, permit: Permit) -> str:
        return permit.state_on(timezone.localdate())


# --- persons ---------------------------------------------------------------------------------------


class PersonListCreateApi(ListAPIView):
    """Persons the caller may see: their household; for staff, those registered in their scope.

    In pages of at most 50 by id, each found by its key (`next` and `previous` carry a cursor):
    no count of the scope, and a deep page costs what the first does (residents.pagination).
    """

    serializer_class = PersonOut
    filterset_class = filters.PersonFilter
    pagination_class = PersonPages

    class PersonCreateIn(serializers.Serializer):
        entry = serializers.ChoiceField(
            choices=[
                ("self", "the caller themselves"),
                ("dependant", "a dependant of the caller"),
                ("field", "a person met by a grid officer"),
            ],
            default="self",
        )
        relation = serializers.ChoiceField(choices=Relation.choices, required=False)
        name = serializers.CharField(max_length=50)
        id_number = serializers.CharField(max_length=20)
        phone = serializers.CharField(max_length=20, required=False, default="", allow_blank=True)
        origin_code = serializers.CharField(
            max_length=12, required=False, default="", allow_blank=True
        )
        education = serializers.ChoiceField(
            choices=Education.choices, required=False, default="", allow_blank=True
        )
        employer = serializers.CharField(
            max_length=200, required=False, default="", allow_blank=True
        )
        birth_date = serializers.DateField(
            required=False, help_text="Optional; must agree with the ID number."
        )
        sex = serializers.ChoiceField(
            choices=Sex.choices,
            required=False,
            help_text="Optional; must agree with the ID number.",
        )

    def get_queryset(self):
        queryset = selectors.persons_visible_to(self.request.user)
        raw = self.request.query_params.get("id_number", "") if self.request.method == "GET" else ""
        user = self.request.user
        if raw and (user.has_role(Role.REVIEWER) or user.has_role(Role.GRID_OFFICER)):
            # Staff looking a person up by a full ID number: the full-record right, a reason
            # (`reason`), every person found logged (residents.services.search_by_id_number).
            found = services.search_by_id_number(
                actor=user,
                id_number=raw,
                reason=self.request.query_params.get("reason", ""),
            )
            queryset = queryset.filter(pk__in=[person.pk for person in found])
        return queryset

    def get_throttles(self):
        if self.request.method == "GET":
            return [throttle() for throttle in throttling.PERSON_LIST_THROTTLES]
        return super().get_throttles()

    @extend_schema(
        request=PersonCreateIn,
        responses={201: PersonOut, **_errors(400, 403)},
        description=(
            "Enter a person in the registry. `entry=self`: the caller; `entry=dependant` (with "
            "`relation`): a child or family member the caller acts for; `entry=field`: a grid "
            "officer enters a person met at the door. Birth date and sex are read from the ID "
            "number; an invalid or already registered ID number is a 400 with an error on "
            "`id_number`."
        ),
    )
    def post(self, request: Request) -> Response:
        data = self.PersonCreateIn(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        entry = values.pop("entry")
        relation = values.pop("relation", None)
        if entry == "dependant":
            person = services.add_dependant(actor=request.user, relation=relation or "", **values)
        elif entry == "field":
            person = services.create_person_in_field(actor=request.user, **values)
        else:
            person = services.create_own_person(actor=request.user, **values)
        person.in_household = entry != "field"
        return Response(PersonOut(person).data, status=status.HTTP_201_CREATED)


# --- registrations -------------------------------------------------------------------------------


class RegistrationListCreateApi(ListAPIView):
    """Residence registrations the caller may see: their household's, and current ones in their scope."""

    serializer_class = RegistrationOut
    filterset_class = filters.RegistrationFilter

    class RegistrationCreateIn(serializers.Serializer):
        person = serializers.IntegerField()
        address = serializers.IntegerField(help_text="A standard address id.")
        start_date = serializers.DateField()
        reason = serializers.ChoiceField(choices=Reason.choices)
        moving = serializers.BooleanField(
            default=False,
            help_text="True to move house: the current registration ends on start_date.",
        )

    def get_queryset(self):
        return selectors.registrations_visible_to(self.request.user).order_by("-start_date", "-id")

    @extend_schema(
        request=RegistrationCreateIn,
        responses={201: RegistrationOut, **_errors(400, 404, 409)},
        description=(
            "Declare where a person lives (居住登记). A second current registration is refused "
            "unless `moving` is true, in which case the old one ends on the new start date."
        ),
    )
    def post(self, request: Request) -> Response:
        data = self.RegistrationCreateIn(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        registration = services.register_residence(
            actor=request.user,
            person_id=values["person"],
            address_id=values["address"],
            start_date=values["start_date"],
            reason=values["reason"],
            moving=values["moving"],
        )
        return Response(RegistrationOut(registration).data, status=status.HTTP_201_CREATED)


class RegistrationDepartApi(APIView):
    class DepartIn(serializers.Serializer):
        end_date = serializers.DateField()
        reason = serializers.CharField(max_length=500, required=False, default="", allow_blank=True)

    @extend_schema(
        request=DepartIn,
        responses={200: RegistrationOut, **_errors(400, 404, 409)},
        description="Departure (人走注销): end the registration; the person's permit is cancelled.",
    )
    def post(self, request: Request, pk: int) -> Response:
        data = self.DepartIn(data=request.data)
        data.is_valid(raise_exception=True)
        registration = services.end_registration(
            actor=request.user, registration_id=pk, **data.validated_data
        )
        return Response(RegistrationOut(registration).data)


# --- permit applications ------------------------------------------------------------------------


class RegistrationVerifyStartApi(APIView):
    """A grid officer or public-security reviewer confirms a late declaration's start date."""

    class StartDateVerifyIn(serializers.Serializer):
        evidence = serializers.CharField(
            allow_blank=True, help_text="What shows the earlier start date (a lease, a visit)."
        )

    @extend_schema(
        request=StartDateVerifyIn,
        responses={200: RegistrationOut, **_errors(400, 404, 409)},
        description=(
            "From now on continuous residence counts from the registration's start date "
            "instead of the late declaration's date. Evidence is required."
        ),
    )
    def post(self, request: Request, pk: int) -> Response:
        data = self.StartDateVerifyIn(data=request.data)
        data.is_valid(raise_exception=True)
        registration = services.verify_registration_start(
            actor=request.user, registration_id=pk, evidence=data.validated_data["evidence"]
        )
        return Response(RegistrationOut(registration).data)


class PermitApplicationListCreateApi(ListAPIView):
    """Permit applications: the caller's own; for public-security reviewers, those of their districts."""

    serializer_class = PermitApplicationOut
    filterset_class = filters.PermitApplicationFilter

    class PermitApplicationCreateIn(serializers.Serializer):
        person = serializers.IntegerField(help_text="The caller's own person or a dependant.")
        basis = serializers.ChoiceField(choices=Basis.choices)
        basis_detail = serializers.CharField(
            max_length=200, required=False, default="", allow_blank=True
        )

    def get_queryset(self):
        return selectors.permit_applications_visible_to(self.request.user)

    @extend_schema(
        request=PermitApplicationCreateIn,
        responses={201: PermitApplicationOut, **_errors(400, 404)},
        description=(
            "Start a residence-permit application (a draft). Refused (400 not_eligible) before "
            "six months of continuous registration, with a permit already held, or with an "
            "application in progress."
        ),
    )
    def post(self, request: Request) -> Response:
        data = self.PermitApplicationCreateIn(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        application = services.create_permit_application(
            actor=request.user,
            person_id=values["person"],
            basis=values["basis"],
            basis_detail=values["basis_detail"],
        )
        return Response(PermitApplicationOut(application).data, status=status.HTTP_201_CREATED)


class PermitApplicationDetailApi(RetrieveAPIView):
    serializer_class = PermitApplicationDetailOut

    def get_queryset(self):
        return selectors.permit_applications_visible_to(self.request.user).prefetch_related(
            "materials"
        )


class PermitApplicationMaterialApi(APIView):
    parser_classes = [MultiPartParser, FormParser]

    class MaterialIn(serializers.Serializer):
        kind = serializers.ChoiceField(choices=MaterialKind.choices)
        file = serializers.FileField(help_text="JPEG, PNG or PDF, checked by content.")

    @extend_schema(
        request={"multipart/form-data": MaterialIn},
        responses={201: MaterialOut, **_errors(400, 404, 409)},
        description="Upload a photo or proof to a draft or returned application.",
    )
    def post(self, request: Request, pk: int) -> Response:
        data = self.MaterialIn(data=request.data)
        data.is_valid(raise_exception=True)
        material = services.add_material(
            actor=request.user,
            application_id=pk,
            kind=data.validated_data["kind"],
            upload=data.validated_data["file"],
        )
        return Response(MaterialOut(material).data, status=status.HTTP_201_CREATED)


class RequiredReasonIn(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)


PermitApplicationSubmitApi = transition_endpoint(
    services.submit_permit_application,
    output=PermitApplicationOut,
    description=(
        "Submit (or resubmit after a return). Every missing item is listed at once in "
        "`fields` (code `incomplete`)."
    ),
)
PermitApplicationWithdrawApi = transition_endpoint(
    services.withdraw_permit_application,
    output=PermitApplicationOut,
    reason="optional",
    errors=(404, 409),
)
PermitApplicationAcceptApi = transition_endpoint(
    services.accept_permit_application,
    output=PermitApplicationOut,
    errors=(404, 409),
    description="A public-security reviewer of the district takes the application up (受理).",
)
PermitApplicationApproveApi = transition_endpoint(
    services.approve_permit_application,
    output=PermitApplicationOut,
    reason="optional",
    description="Approve; the permit is issued. A second decision gets 409.",
)
PermitApplicationRejectApi = transition_endpoint(
    services.reject_permit_application,
    output=PermitApplicationOut,
    reason="required",
    description="Reject, with a reason the applicant reads.",
)
PermitApplicationReturnApi = transition_endpoint(
    services.return_permit_application,
    output=PermitApplicationOut,
    reason="required",
    description="Return for more material; the reason lists everything missing at once.",
)


# --- permits ---------------------------------------------------------------------------------------


class PermitListApi(ListAPIView):
    """Permits: the caller's household's; for public-security reviewers, those issued in their districts."""

    serializer_class = PermitOut
    filterset_class = filters.PermitFilter

    def get_queryset(self):
        return selectors.permits_visible_to(self.request.user)


class PermitEndorseApi(APIView):
    @extend_schema(
        request=None,
        responses={200: PermitOut, **_errors(400, 404, 409)},
        description=(
            "The yearly endorsement (签注), in the month before the anniversary. A late "
            "endorsement restores the permit and restarts the continuous-residence clock."
        ),
    )
    def post(self, request: Request, pk: int) -> Response:
        return Response(PermitOut(services.endorse_permit(actor=request.user, permit_id=pk)).data)


class PermitReissueApi(APIView):
    @extend_schema(
        request=RequiredReasonIn,
        responses={200: PermitOut, **_errors(400, 404, 409)},
        description="Reissue after loss: same number, new card; the old card's QR code stops verifying.",
    )
    def post(self, request: Request, pk: int) -> Response:
        data = RequiredReasonIn(data=request.data)
        data.is_valid(raise_exception=True)
        permit = services.reissue_permit(
            actor=request.user, permit_id=pk, reason=data.validated_data["reason"]
        )
        return Response(PermitOut(permit).data)


class IsDepartmentAccount(permissions.BasePermission):
    """A department system's account: a user attached to a department (or a superuser)."""

    def has_permission(self, request: Request, view: APIView) -> bool:
        user = request.user
        return bool(
            user and user.is_authenticated and (user.department_id is not None or user.is_superuser)
        )


class PermitVerifyApi(APIView):
    permission_classes = [IsDepartmentAccount]

    class VerifyIn(serializers.Serializer):
        number = serializers.CharField(max_length=20)
        id_number = serializers.CharField(max_length=20)

    class VerifyOut(serializers.Serializer):
        valid = serializers.BooleanField()
        valid_until = serializers.DateField(allow_null=True)
        name_masked = serializers.CharField(allow_blank=True)

    @extend_schema(
        request=VerifyIn,
        responses={200: VerifyOut, **_errors(400, 403)},
        description=(
            "For department systems: is permit `number` held by ID number `id_number`, and is "
            "it valid today? Authenticate with a token of an account attached to a department: "
            "`Authorization: Token <token>` (from `POST /api/v1/auth/token/`). A "
            "permit that does not exist and one held by someone else both answer "
            "`valid: false`. A malformed ID number is a 400."
        ),
    )
    def post(self, request: Request) -> Response:
        data = self.VerifyIn(data=request.data)
        data.is_valid(raise_exception=True)
        number = idnumber.parse(data.validated_data["id_number"]).number
        result = selectors.verify_by_number(data.validated_data["number"], number)
        return Response(
            self.VerifyOut(
                {
                    "valid": result.valid,
                    "valid_until": result.valid_until,
                    "name_masked": result.name_masked,
                }
            ).data
        )
