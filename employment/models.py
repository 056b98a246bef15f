"""Employers and their workers (以业管人), job postings, training on demand.

- An Employer is an enterprise registered by its unified social credit code, verified by the
  human-resources department as a workflow case; Employments are the workers it declares
  (人来申报、人走注销), on time or late by the registration policy in force (residents); a WorkerUpload keeps
  the reject report of one uploaded list. A Dormitory is a standard address where the employer
  houses workers, with a capacity; a worker housed there is registered there (source employer).
- A JobPosting is reviewed by human resources as a workflow case; residents apply with their
  JobseekerProfile (JobApplication).
- Training: residents wish for topics (TrainingWish); staff publish Courses in a yearly plan;
  Enrolments take seats; Attendance is recorded per session; completion issues a Certificate.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Trade(models.TextChoices):
    MANUFACTURING = "manufacturing", _("Manufacturing")
    CONSTRUCTION = "construction", _("Construction")
    LOGISTICS = "logistics", _("Logistics and delivery")
    RETAIL = "retail", _("Retail and sales")
    CATERING = "catering", _("Catering and hotels")
    DOMESTIC = "domestic", _("Domestic and care services")
    IT = "it", _("Information technology")
    OTHER = "other", pgettext_lazy("trade", "Other")


class Education(models.TextChoices):
    PRIMARY = "primary", _("Primary school or less")
    JUNIOR_MIDDLE = "junior_middle", _("Junior middle school")
    SENIOR_MIDDLE = "senior_middle", _("Senior middle or technical school")
    JUNIOR_COLLEGE = "junior_college", _("Junior college")
    BACHELOR = "bachelor", _("Bachelor or above")


class SkillLevel(models.TextChoices):
    NONE = "none", _("No certificate")
    LEVEL_5 = "level_5", _("Junior worker (level 5)")
    LEVEL_4 = "level_4", _("Intermediate worker (level 4)")
    LEVEL_3 = "level_3", _("Senior worker (level 3)")
    LEVEL_2 = "level_2", _("Technician (level 2) or above")


class EmploymentStatus(models.TextChoices):
    EMPLOYED = "employed", _("Employed")
    SEEKING = "seeking", _("Looking for work")
    SELF_EMPLOYED = "self_employed", _("Self-employed")
    NOT_WORKING = "not_working", _("Not working")


class CourseMode(models.TextChoices):
    IN_PERSON = "in_person", _("In person")
    ONLINE = "online", _("Online")


class EnrolmentStatus(models.TextChoices):
    ENROLLED = "enrolled", _("Enrolled")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", _("Cancelled")


class Employer(models.Model):
    """One enterprise registered on the portal by its unified social credit code (统一社会信用代码).

    Registered by an employer account; verified by the human-resources department of its
    district as a workflow case of kind "employer". `is_active` is false once the
    registration was rejected or withdrawn: one active registration per credit code.
    """

    case = models.OneToOneField("workflow.Case", on_delete=models.PROTECT, related_name="employer")
    account = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="employers",
        verbose_name=_("employer account"),
    )
    name = models.CharField(_("enterprise name"), max_length=100)
    credit_code = models.CharField(_("unified social credit code"), max_length=18)
    district = models.ForeignKey(
        "areas.Area", on_delete=models.PROTECT, related_name="+", verbose_name=_("district")
    )
    trade = models.CharField(_("trade"), max_length=20, choices=Trade.choices)
    contact_name = models.CharField(_("contact person"), max_length=50)
    contact_phone = models.CharField(_("contact phone"), max_length=20)
    is_active = models.BooleanField(_("on the register"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("employer")
        verbose_name_plural = _("employers")
        constraints = [
            models.UniqueConstraint(
                fields=["credit_code"],
                condition=Q(is_active=True),
                name="employer_one_per_credit_code",
            ),
            models.CheckConstraint(
                condition=Q(trade__in=Trade.values), name="employer_trade_valid"
            ),
            models.CheckConstraint(
                condition=~Q(name="") & ~Q(credit_code=""), name="employer_has_name_and_code"
            ),
        ]
        indexes = [models.Index(fields=["account", "name"])]

    def __str__(self) -> str:
        return self.name


class Dormitory(models.Model):
    """A standard address where an employer houses its workers (集体宿舍), with a capacity.

    Occupancy is the number of current residence registrations at the address.
    `overcrowded_since` is set while more people are registered there than `capacity`, and
    the grid's officers have a task to check it. One active dormitory per address.
    """

    employer = models.ForeignKey(Employer, on_delete=models.PROTECT, related_name="dormitories")
    address = models.ForeignKey(
        "areas.Address",
        on_delete=models.PROTECT,
        related_name="dormitories",
        verbose_name=_("standard address"),
    )
    capacity = models.PositiveSmallIntegerField(_("capacity (beds)"))
    is_active = models.BooleanField(_("in use"), default=True)
    overcrowded_since = models.DateTimeField(_("overcrowded since"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["employer", "id"]
        verbose_name = _("dormitory")
        verbose_name_plural = _("dormitories")
        constraints = [
            models.UniqueConstraint(
                fields=["address"], condition=Q(is_active=True), name="dormitory_one_per_address"
            ),
            models.CheckConstraint(condition=Q(capacity__gte=1), name="dormitory_has_capacity"),
        ]

    def __str__(self) -> str:
        return str(self.address_id)


class Employment(models.Model):
    """One worker employed by an employer, declared at the start (人来申报) until the end (人走注销).

    A worker housed in one of the employer's dormitories has a residence registration there
    (source employer), ended with the employment. `start_late` / `end_late` record a
    declaration made after the policy's days. A person has at most one current employment
    with one employer.
    """

    employer = models.ForeignKey(Employer, on_delete=models.PROTECT, related_name="employments")
    person = models.ForeignKey(
        "residents.Person",
        on_delete=models.PROTECT,
        related_name="employments",
        verbose_name=_("worker"),
    )
    job_title = models.CharField(_("job"), max_length=50, blank=True)
    dormitory = models.ForeignKey(
        Dormitory,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="employments",
        verbose_name=_("dormitory"),
    )
    registration = models.ForeignKey(
        "residents.Registration",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("residence registration"),
    )
    start_date = models.DateField(_("started"))
    end_date = models.DateField(_("ended"), null=True, blank=True)
    start_declared_at = models.DateTimeField(_("start declared at"))
    start_late = models.BooleanField(_("start declared late"), default=False)
    end_declared_at = models.DateTimeField(_("end declared at"), null=True, blank=True)
    end_late = models.BooleanField(_("end declared late"), default=False)
    declared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    upload = models.ForeignKey(
        "WorkerUpload", on_delete=models.PROTECT, null=True, blank=True, related_name="employments"
    )

    class Meta:
        ordering = ["-start_date", "-id"]
        verbose_name = _("employment")
        verbose_name_plural = _("employments")
        constraints = [
            models.UniqueConstraint(
                fields=["employer", "person"],
                condition=Q(end_date__isnull=True),
                name="employment_one_current_per_employer",
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")),
                name="employment_dates_ordered",
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_declared_at__isnull=False),
                name="employment_end_declared",
            ),
        ]
        indexes = [models.Index(fields=["employer", "end_date"])]

    def __str__(self) -> str:
        return f"{self.employer_id}: {self.person_id}"


class WorkerUpload(models.Model):
    """One uploaded list of worker starts or ends, with what was accepted and the reject report.

    `problems` is a list of {"row", "field", "message"}: every problem of every rejected row.
    """

    class Action(models.TextChoices):
        START = "start", _("Starts (人来申报)")
        END = "end", _("Ends (人走注销)")

    employer = models.ForeignKey(Employer, on_delete=models.PROTECT, related_name="uploads")
    action = models.CharField(_("declares"), max_length=10, choices=Action.choices)
    filename = models.CharField(_("file"), max_length=200)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded"))
    rows_total = models.PositiveIntegerField(_("rows"), default=0)
    rows_accepted = models.PositiveIntegerField(_("rows accepted"), default=0)
    problems = models.JSONField(_("problems"), default=list, blank=True)

    class Meta:
        ordering = ["-uploaded_at", "-id"]
        verbose_name = _("worker list upload")
        verbose_name_plural = _("worker list uploads")
        constraints = [
            models.CheckConstraint(
                condition=Q(action__in=["start", "end"]), name="worker_upload_action_valid"
            ),
            models.CheckConstraint(
                condition=Q(rows_accepted__lte=F("rows_total")),
                name="worker_upload_accepted_within_total",
            ),
        ]

    def __str__(self) -> str:
        return self.filename

    @property
    def rows_rejected(self) -> int:
        return self.rows_total - self.rows_accepted


class JobPosting(models.Model):
    """One job an employer advertises (招聘信息), shown to residents once human resources approve it
    (a workflow case of kind "job_posting"). `closed_at` takes it off the list; `policy` is the
    policy notice it was pushed with, if any."""

    case = models.OneToOneField(
        "workflow.Case", on_delete=models.PROTECT, related_name="job_posting"
    )
    employer = models.ForeignKey(Employer, on_delete=models.PROTECT, related_name="postings")
    title = models.CharField(_("job title"), max_length=100)
    trade = models.CharField(_("trade"), max_length=20, choices=Trade.choices)
    district = models.ForeignKey(
        "areas.Area", on_delete=models.PROTECT, related_name="+", verbose_name=_("district")
    )
    pay_min = models.PositiveIntegerField(_("monthly pay from (yuan)"))
    pay_max = models.PositiveIntegerField(_("monthly pay up to (yuan)"))
    skills = ArrayField(
        models.CharField(max_length=30), verbose_name=_("skills"), default=list, blank=True
    )
    openings = models.PositiveSmallIntegerField(_("openings"), default=1)
    description = models.TextField(_("description"))
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    policy = models.ForeignKey(
        "notices.Policy", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("job posting")
        verbose_name_plural = _("job postings")
        constraints = [
            models.CheckConstraint(condition=Q(trade__in=Trade.values), name="posting_trade_valid"),
            models.CheckConstraint(
                condition=Q(pay_max__gte=F("pay_min")), name="posting_pay_ordered"
            ),
            models.CheckConstraint(condition=Q(openings__gte=1), name="posting_has_openings"),
        ]
        indexes = [
            models.Index(fields=["district", "trade"]),
            models.Index(fields=["employer", "-created_at"]),
        ]

    def __str__(self) -> str:
        return self.title


class JobseekerProfile(models.Model):
    """What a resident tells employers and the policy push about their work: education, skill
    level, employment status, trade and skills. One per person."""

    person = models.OneToOneField(
        "residents.Person", on_delete=models.CASCADE, related_name="jobseeker_profile"
    )
    education = models.CharField(_("education"), max_length=20, choices=Education.choices)
    skill_level = models.CharField(_("skill level"), max_length=20, choices=SkillLevel.choices)
    employment_status = models.CharField(
        _("employment status"), max_length=20, choices=EmploymentStatus.choices
    )
    trade = models.CharField(_("trade"), max_length=20, choices=Trade.choices)
    skills = ArrayField(
        models.CharField(max_length=30), verbose_name=_("skills"), default=list, blank=True
    )
    summary = models.TextField(_("about me"), blank=True)
    updated_at = models.DateTimeField(_("updated"))

    class Meta:
        verbose_name = _("jobseeker profile")
        verbose_name_plural = _("jobseeker profiles")
        constraints = [
            models.CheckConstraint(
                condition=Q(education__in=Education.values), name="profile_education_valid"
            ),
            models.CheckConstraint(
                condition=Q(skill_level__in=SkillLevel.values), name="profile_skill_valid"
            ),
            models.CheckConstraint(
                condition=Q(employment_status__in=EmploymentStatus.values),
                name="profile_status_valid",
            ),
            models.CheckConstraint(condition=Q(trade__in=Trade.values), name="profile_trade_valid"),
        ]

    def __str__(self) -> str:
        return str(self.person_id)


class JobApplication(models.Model):
    """One resident applying for one posting with their profile as it was (`profile`)."""

    posting = models.ForeignKey(JobPosting, on_delete=models.PROTECT, related_name="applications")
    person = models.ForeignKey(
        "residents.Person", on_delete=models.PROTECT, related_name="job_applications"
    )
    profile = models.JSONField(_("profile when applying"))
    applied_at = models.DateTimeField(_("applied"))

    class Meta:
        ordering = ["-applied_at", "-id"]
        verbose_name = _("job application")
        verbose_name_plural = _("job applications")
        constraints = [
            models.UniqueConstraint(
                fields=["posting", "person"], name="job_application_once_per_posting"
            )
        ]

    def __str__(self) -> str:
        return f"{self.posting_id}: {self.person_id}"


class TrainingTopic(models.TextChoices):
    DIGITAL = "digital", _("Digital skills")
    TRADE_SKILLS = "trade_skills", _("Trade skills and certificates")
    LANGUAGE = "language", _("Mandarin and local dialect")
    LAW = "law", _("Labour law and rights")
    PARENTING = "parenting", _("Parenting and family education")
    HEALTH = "health", _("Health and safety")
    ENTREPRENEURSHIP = "entrepreneurship", _("Starting a business")


class TrainingWish(models.Model):
    """One topic a resident wishes to be taught (心愿清单), counted by topic and district."""

    person = models.ForeignKey(
        "residents.Person", on_delete=models.CASCADE, related_name="training_wishes"
    )
    topic = models.CharField(_("topic"), max_length=20, choices=TrainingTopic.choices)
    district = models.ForeignKey(
        "areas.Area", on_delete=models.PROTECT, related_name="+", verbose_name=_("district")
    )
    note = models.CharField(_("what I would like to learn"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("added"))

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("training wish")
        verbose_name_plural = _("training wishes")
        constraints = [
            models.UniqueConstraint(
                fields=["person", "topic"], name="training_wish_once_per_topic"
            ),
            models.CheckConstraint(
                condition=Q(topic__in=TrainingTopic.values), name="training_wish_topic_valid"
            ),
        ]
        indexes = [models.Index(fields=["topic", "district"])]

    def __str__(self) -> str:
        return f"{self.person_id}: {self.topic}"


class Course(models.Model):
    """One public course (点单式公益课) in a year's training plan: capacity, schedule, place or online.

    `seats_taken` counts current enrolments; it never exceeds `capacity` (a constraint, and
    enrolment locks the course row). A certificate needs `sessions_required` attended sessions.
    """

    year = models.PositiveSmallIntegerField(_("plan year"))
    title = models.CharField(_("title"), max_length=100)
    topic = models.CharField(_("topic"), max_length=20, choices=TrainingTopic.choices)
    description = models.TextField(_("description"), blank=True)
    district = models.ForeignKey(
        "areas.Area",
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("district"),
    )
    mode = models.CharField(_("mode"), max_length=10, choices=CourseMode.choices)
    place = models.CharField(_("place"), max_length=200, blank=True)
    starts_on = models.DateField(_("starts"))
    ends_on = models.DateField(_("ends"))
    schedule = models.CharField(_("schedule"), max_length=200)
    capacity = models.PositiveSmallIntegerField(_("seats"))
    seats_taken = models.PositiveSmallIntegerField(_("seats taken"), default=0)
    sessions_required = models.PositiveSmallIntegerField(_("sessions to attend"), default=1)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["starts_on", "id"]
        verbose_name = _("course")
        verbose_name_plural = _("courses")
        constraints = [
            models.CheckConstraint(
                condition=Q(seats_taken__lte=F("capacity")), name="course_within_capacity"
            ),
            models.CheckConstraint(condition=Q(capacity__gte=1), name="course_has_seats"),
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")), name="course_dates_ordered"
            ),
            models.CheckConstraint(
                condition=Q(mode__in=CourseMode.values), name="course_mode_valid"
            ),
            models.CheckConstraint(
                condition=Q(mode=CourseMode.ONLINE) | ~Q(place=""), name="course_has_place"
            ),
        ]
        indexes = [models.Index(fields=["year", "starts_on"])]

    def __str__(self) -> str:
        return self.title

    @property
    def seats_left(self) -> int:
        return self.capacity - self.seats_taken


class Enrolment(models.Model):
    """One resident's seat on a course, until they complete it or cancel."""

    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="enrolments")
    person = models.ForeignKey(
        "residents.Person", on_delete=models.PROTECT, related_name="course_enrolments"
    )
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=EnrolmentStatus.choices,
        default=EnrolmentStatus.ENROLLED,
    )
    enrolled_at = models.DateTimeField(_("enrolled"))

    class Meta:
        ordering = ["course", "enrolled_at", "id"]
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        constraints = [
            models.UniqueConstraint(
                fields=["course", "person"],
                condition=~Q(status=EnrolmentStatus.CANCELLED),
                name="enrolment_once_per_course",
            ),
            models.CheckConstraint(
                condition=Q(status__in=EnrolmentStatus.values), name="enrolment_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.course_id}: {self.person_id}"


class Attendance(models.Model):
    """One enrolled resident present at one session of a course (recorded by staff)."""

    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="attendance")
    session_date = models.DateField(_("session"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded"))

    class Meta:
        ordering = ["session_date", "id"]
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        constraints = [
            models.UniqueConstraint(
                fields=["enrolment", "session_date"], name="attendance_once_per_session"
            )
        ]

    def __str__(self) -> str:
        return f"{self.enrolment_id}@{self.session_date}"


class Certificate(models.Model):
    """The completion certificate (结业证书) of one enrolment: a community-education certificate."""

    enrolment = models.OneToOneField(
        Enrolment, on_delete=models.PROTECT, related_name="certificate"
    )
    person = models.ForeignKey(
        "residents.Person", on_delete=models.PROTECT, related_name="course_certificates"
    )
    number = models.CharField(_("certificate number"), max_length=32, unique=True)
    issued_on = models.DateField(_("issued"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-issued_on", "-id"]
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")

    def __str__(self) -> str:
        return self.number
