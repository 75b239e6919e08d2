"""Pydantic models: the JSON contract of `--json` output and validation of records.

Read commands render tables straight from rows; these models are imported only when JSON is
asked for or a record is validated, so everyday commands do not pay pydantic's import cost.
Field names and types here are the documented, stable JSON schema (see docs/json.md).
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

#: Derived from what happened (cosa.domain.volunteer_status); resting and left set by hand.
VolunteerStatus = Literal["applicant", "available", "active", "resting", "left"]


class Record(BaseModel):
    model_config = ConfigDict(extra="ignore")

    id: int
    uuid: str
    created_at: str
    updated_at: str
    created_by: str
    updated_by: str


class Volunteer(Record):
    name: str
    email: str | None = None
    phone: str | None = None
    status: VolunteerStatus
    left_on: str | None = None
    left_reason: str | None = None
    #: The later of the latest DBS certificate's issue date and its last status check.
    last_checked: str | None = None
    #: When the next DBS re-check is due (`vetting_recheck_years` after `last_checked`);
    #: null when never vetted or after leaving.
    recheck_due: str | None = None
    #: The current pipeline stage (lookup volunteer-stage) and the day it was reached.
    stage: str | None = None
    stage_on: str | None = None


VettingLevel = Literal["basic", "standard", "enhanced", "enhanced-barred"]
VettingDecision = Literal["cleared", "cleared-with-conditions", "not-cleared", "pending"]
Activity = Literal["circle", "contact", "training", "supervision", "admin", "other"]


class Vetting(Record):
    """A DBS check: facts about the certificate, never its content."""

    volunteer_id: int
    level: VettingLevel
    certificate: str
    issued_on: str
    update_service: bool
    checked_on: str | None = None
    decision: VettingDecision
    recheck_due: str | None = None


class Training(Record):
    volunteer_id: int
    kind: Literal["initial", "supplementary"]
    date: str
    provider: str | None = None
    hours: float | None = None
    title: str | None = None


class Supervision(Record):
    volunteer_id: int
    date: str
    kind: Literal["individual", "group"]
    wellbeing: str | None = None
    note: str | None = None


class HoursEntry(Record):
    volunteer_id: int
    date: str
    hours: float
    activity: Activity
    travel_hours: float = 0.0
    circle_id: int | None = None


class HoursTotals(BaseModel):
    entries: int
    hours: float
    travel_hours: float
    by_activity: dict[str, float]


class CircleHours(BaseModel):
    """One volunteer's hours in one circle (`circle_id` null: hours logged for no circle)."""

    circle_id: int | None
    member_code: str | None
    hours: float
    meeting_hours: float
    logged_hours: float
    travel_hours: float


class Stage(Record):
    """A pipeline stage reached on a day; `days` until the next stage (null: the current)."""

    volunteer_id: int
    stage: str
    date: str
    note: str | None = None
    days: int | None = None


class Reference(Record):
    volunteer_id: int
    referee: str
    requested_on: str | None = None
    received_on: str | None = None
    outcome: Literal["satisfactory", "concerns"] | None = None


class Conflict(Record):
    """A volunteer may not join this core member's circles."""

    volunteer_id: int
    member_id: int
    member_code: str
    reason: str
    date: str


class StatusEntry(Record):
    """One entry of a volunteer's status history: the status in force from `since`."""

    volunteer_id: int
    status: VolunteerStatus
    since: str
    by_hand: bool
    note: str | None = None


class Expense(Record):
    """An expense claim; money in integer pence."""

    volunteer_id: int
    volunteer_name: str | None = None
    date: str
    amount_pence: int
    miles: float | None = None
    circle_id: int | None = None
    member_code: str | None = None
    kind: Literal["travel", "subsistence", "other"]
    note: str | None = None
    paid_on: str | None = None


class VolunteerCircle(BaseModel):
    circle_id: int
    member_code: str
    role: str
    joined_on: str
    left_on: str | None = None


class VolunteerDetail(Volunteer):
    """`volunteer show --json`: the volunteer, vetting (latest first), training, supervision,
    circles, pipeline, references, conflicts, expenses and status history."""

    vetting: list[Vetting]
    training: list[Training]
    supervision: list[Supervision]
    next_supervision: str | None = None
    hours: HoursTotals
    hours_quarter: str
    hours_by_circle: list[CircleHours]
    circles: list[VolunteerCircle]
    approved_on: str | None = None
    stages: list[Stage]
    references: list[Reference]
    conflicts: list[Conflict]
    expenses: list[Expense]
    expenses_claimed_pence: int
    expenses_unpaid_pence: int
    status_history: list[StatusEntry]


class Professional(Record):
    """An outer-circle professional; `active` when the active dates cover today."""

    name: str
    agency: str
    role: str
    phone: str | None = None
    email: str | None = None
    active_from: str | None = None
    active_to: str | None = None
    active: bool


class CoreMember(Record):
    """A core member by pseudonymous code. Identity is never part of this model."""

    code: str
    mappa_category: Literal[1, 2, 3, 4]
    mappa_level: Literal[1, 2, 3]
    mappa_verified: str | None = None
    sentence_date: str | None = None
    release_date: str | None = None
    licence_start: str | None = None
    licence_end: str | None = None
    notification_requirements: str | None = None
    other_orders: str | None = None


class MemberIdentity(Record):
    """Identity fields, kept apart: only `member show --identity` (an audited view)."""

    member_id: int
    legal_name: str | None = None
    aliases: str | None = None
    date_of_birth: str | None = None
    address: str | None = None
    contact: str | None = None


class LicenceCondition(Record):
    member_id: int
    text: str
    start_date: str | None = None
    end_date: str | None = None


class RiskAssessment(Record):
    """An external assessment as the partner agency gave it (cosa never scores one)."""

    member_id: int
    instrument: str
    version: str | None = None
    scale: str
    value: str
    assessed_on: str
    source: str


class Consent(Record):
    """Consent to share with one professional (`professional_id`) or a whole `agency`."""

    member_id: int
    professional_id: int | None = None
    professional_name: str | None = None
    agency: str | None = None
    given_on: str
    withdrawn_on: str | None = None
    #: The circle agreement (and its version) in force when consent was given, if any.
    agreement_id: int | None = None
    agreement_version: str | None = None


class HistoryEntry(Record):
    """A dated entry of a record's history: `field` took `value` from `on_date`."""

    field: str
    value: str | None = None
    on_date: str
    note: str | None = None


class MemberDetail(CoreMember):
    """`member show --json`: the member with conditions, risk assessments, consents and
    `history` (dated entries: MAPPA, legal status, area; addresses only with --identity)."""

    conditions: list[LicenceCondition]
    risks: list[RiskAssessment]
    consents: list[Consent]
    area: str | None = None
    history: list[HistoryEntry] = []


class MemberDetailWithIdentity(MemberDetail):
    """`member show --identity --json`: as MemberDetail plus `identity` (null if none)."""

    identity: MemberIdentity | None = None


class ReferralEvent(HistoryEntry):
    """A referral event: `value` is received, assessed, waiting, accepted, declined or
    withdrawn; `note` the reason in words."""

    reason_group: str | None = None
    decided_by: str | None = None


class Referral(Record):
    """A referral; `decision` (the latest event after `received`) is null until decided.
    `days_waiting`: days from received to a final decision (accepted, declined,
    withdrawn), or to today while none."""

    member_id: int | None = None
    member_code: str | None = None
    received_on: str
    source: str
    referrer: str | None = None
    documents: str | None = None
    decision: Literal["assessed", "accepted", "declined", "waiting", "withdrawn"] | None = None
    reason_group: str | None = None
    reason: str | None = None
    decided_on: str | None = None
    decided_by: str | None = None
    days_waiting: int | None = None


class ReferralDetail(Referral):
    """`referral show --json`: the referral with its `events`, oldest first."""

    events: list[ReferralEvent] = []


class Circle(Record):
    """A circle; `phase` is the latest phase, `member_count` the volunteers not yet left."""

    member_id: int
    member_code: str
    type: str
    status: Literal["forming", "active", "paused", "ended", "transferred"]
    phase: str | None = None
    start_date: str | None = None
    coordinator: str
    meeting_day: str | None = None
    meeting_time: str | None = None
    duration_minutes: int | None = None
    venue: str | None = None
    cadence_days: int | None = None
    forced_reason: str | None = None
    ended_on: str | None = None
    ending_reason: str | None = None
    ending_note: str | None = None
    member_count: int = 0


class CircleMember(Record):
    """A volunteer's membership of a circle; `left_on` is their last day (null: current)."""

    circle_id: int
    volunteer_id: int
    volunteer_name: str
    role: Literal["member", "primary", "minute-taker"]
    joined_on: str
    left_on: str | None = None


class CircleLink(Record):
    """A professional in a circle's outer circle (`unlinked_on` null: current)."""

    circle_id: int
    professional_id: int
    professional_name: str
    agency: str | None = None
    role: str | None = None
    linked_on: str
    unlinked_on: str | None = None


class CirclePhase(Record):
    circle_id: int
    phase: str
    started_on: str


class Goal(Record):
    """A Good Lives goal of a circle."""

    circle_id: int
    domain: str
    text: str
    review_on: str | None = None
    outcome: Literal["open", "achieved", "partly", "not-achieved"]
    outcome_on: str | None = None
    outcome_note: str | None = None


class User(BaseModel):
    """`user list --json`: a person with a passphrase slot of their own (from cosa.keys)."""

    name: str
    role: Literal["coordinator", "manager"]


class CircleCoordinator(Record):
    """A circle's coordinator from a day on (`circle assign`; the first is from its start)."""

    circle_id: int
    coordinator: str
    on_date: str
    note: str | None = None


class CircleDetail(Circle):
    """`circle show --json`: the circle with members, outer circle, phases, goals and
    coordinators (earliest first)."""

    members: list[CircleMember]
    links: list[CircleLink]
    phases: list[CirclePhase]
    goals: list[Goal]
    coordinators: list[CircleCoordinator] = []


class AuditEntry(BaseModel):
    seq: int
    at: str
    operator: str
    action: str
    record_type: str | None = None
    record_id: int | None = None
    fields: list[str] = []
    detail: dict[str, object] | None = None
    hash: str


# -- the weekly loop: contacts, concerns, actions, reviews, status ----------------------------

Severity = Literal["red", "amber", "green"]
Rag = Literal["green", "amber", "red"]


class Contact(Record):
    """An individual contact between a circle volunteer and the core member."""

    circle_id: int
    member_code: str
    volunteer_id: int
    volunteer_name: str
    date: str
    mode: Literal["phone", "face to face", "accompanied appointment", "social", "text"]
    duration_minutes: int | None = None
    note: str | None = None
    #: The concern this contact raised (`contact add --concern`), if any.
    concern_id: int | None = None


class Concern(Record):
    """A concern (append-only: corrections are notes); `status` is open until `closed_on`,
    void when it was recorded in error (`void_reason`; listed only with `--all`)."""

    circle_id: int
    member_code: str
    meeting_id: int | None = None
    date: str
    severity: Severity
    category: str
    text: str
    raised_by: str | None = None
    status: Literal["open", "closed", "void"]
    closed_on: str | None = None
    closed_note: str | None = None
    closed_by: str | None = None
    #: Why it was voided as recorded in error (`cosa concern void`); null while it stands.
    void_reason: str | None = None
    #: How many escalations it has.
    escalation_count: int = 0


class ConcernNote(Record):
    concern_id: int
    date: str
    text: str


class Escalation(Record):
    """A concern passed to a professional: how, when, what, on what lawful basis, the answer.

    `response_hours` is the time from escalation to response (null without a response time).
    """

    concern_id: int
    professional_id: int
    professional_name: str
    agency: str | None = None
    via: Literal["phone", "email", "secure email", "in person"]
    at: str
    shared: str | None = None
    basis: Literal["consent", "legal duty", "vital interests", "public task", "override"]
    response: str | None = None
    response_at: str | None = None
    response_hours: float | None = None


class ConcernDetail(Concern):
    """`concern show --json`: the concern, its notes and escalations, the contact it came from."""

    contact_id: int | None = None
    notes: list[ConcernNote]
    escalations: list[Escalation]


class Action(Record):
    """An action; `overdue` when still open after its due date."""

    circle_id: int
    member_code: str
    meeting_id: int | None = None
    text: str
    owner: str | None = None
    due: str | None = None
    status: Literal["open", "done", "dropped"]
    closed_on: str | None = None
    closed_note: str | None = None
    overdue: bool = False


class Review(Record):
    circle_id: int
    member_code: str
    date: str
    attendees: str | None = None
    decision: Literal["continue", "extend", "phase-2", "end"]
    rag: Rag | None = None
    next_review: str | None = None
    note: str | None = None


class RiskReview(Record):
    """A dynamic risk review: item -> score (0 to 3), linked to that day's review if any."""

    circle_id: int
    review_id: int | None = None
    date: str
    note: str | None = None
    scores: dict[str, int]


class ReviewDetail(Review):
    """`review show --json`: the review and the risk reviews recorded with it."""

    risk_reviews: list[RiskReview]


class RiskTrend(BaseModel):
    """One item's change from its first to its latest score (`review risk-trend --json`).

    `improved`: a risk item fell or a protective item rose (null: unchanged or scored once).
    """

    item: str
    kind: Literal["risk", "protective"]
    first_date: str
    first_score: int
    latest_date: str
    latest_score: int
    change: int
    improved: bool | None = None
    reviews: int


class GoalUpdate(Record):
    goal_id: int
    circle_id: int
    domain: str
    goal: str
    outcome: str
    date: str
    progress: str
    note: str | None = None


class StatusConcern(BaseModel):
    id: int
    circle_id: int
    member_code: str
    date: str
    severity: Literal["red", "amber"]
    category: str
    text: str
    raised_by: str | None = None
    days_open: int
    escalations: int
    last_escalated: str | None = None


class StatusMinutes(BaseModel):
    meeting_id: int
    circle_id: int
    member_code: str
    date: str
    type: str
    minutes_due_at: str
    hours_late: int
    #: False when no minutes are written yet; True when they wait for approval.
    has_minutes: bool


class StatusAction(BaseModel):
    id: int
    circle_id: int
    member_code: str
    meeting_id: int | None = None
    text: str
    owner: str | None = None
    due: str
    #: Days until due (negative: overdue by that many days).
    days_left: int


class StatusCircle(BaseModel):
    id: int
    member_code: str
    type: str
    coordinator: str
    meeting_day: str | None = None
    meeting_time: str | None = None
    cadence_days: int
    start_date: str | None = None
    last_meeting: str | None = None
    days_since_meeting: int | None = None
    #: When the next meeting is due by the cadence (last meeting, or start, + cadence days).
    meeting_due_by: str
    #: The next planned meeting day from today with nothing recorded (`meeting list
    #: --upcoming`); else the cadence date, or today if past.
    next_meeting: str
    not_met: bool
    #: Meetings held / cancelled over the circle's life (void ones never count).
    meetings_held: int = 0
    meetings_cancelled: int = 0


class StatusNotifyPP(BaseModel):
    """A held meeting marked `--notify-pp` with nothing recorded yet of probation being told:
    no escalation of a concern raised at it, no disclosure of it to a probation professional
    (a share pack, or `cosa meeting told`)."""

    meeting_id: int
    circle_id: int
    member_code: str
    date: str
    type: str
    #: Concerns raised at the meeting (escalating one of them clears the item).
    concerns: int


class StatusReview(BaseModel):
    circle_id: int
    member_code: str
    status: str
    start_date: str | None = None
    review_id: int | None = None
    last_review: str | None = None
    due: str
    days_left: int


class StatusLicence(BaseModel):
    member_id: int
    member_code: str
    circle_id: int | None = None
    licence_end: str
    days_left: int


class StatusVetting(BaseModel):
    id: int
    name: str
    status: str
    last_checked: str | None = None
    #: Null for an available or active volunteer never vetted.
    recheck_due: str | None = None
    level: str | None = None
    decision: str | None = None
    update_service: bool | None = None


class StatusSupervision(BaseModel):
    id: int
    name: str
    status: str
    last_supervision: str | None = None
    #: Null when never supervised (due now).
    due_on: str | None = None


class StatusFollowup(BaseModel):
    id: int
    circle_id: int
    member_code: str
    months: int
    ended_on: str
    due_on: str
    #: Days until due (negative: overdue).
    days_left: int


class StatusAgreement(BaseModel):
    id: int
    circle_id: int
    member_code: str
    version: str
    on_date: str
    last_signed: str | None = None
    #: Who has not signed the latest agreement (the core member's code, volunteers' names).
    missing: str


class Status(BaseModel):
    """`cosa status --json`: one key per section, most urgent first, and `counts` of each."""

    today: str
    generated_at: str
    concerns: list[StatusConcern]
    #: Current circle members whose latest DBS check with a decision was not cleared.
    vetting_not_cleared: list[StatusVetting] = []
    probation_to_be_told: list[StatusNotifyPP] = []
    minutes_late: list[StatusMinutes]
    actions_overdue: list[StatusAction]
    circles_not_met: list[StatusCircle]
    actions_due: list[StatusAction]
    reviews_due: list[StatusReview]
    licences_ending: list[StatusLicence]
    #: Re-check date passed, or never vetted.
    vetting_overdue: list[StatusVetting] = []
    #: Re-check due from today to 30 days on.
    vetting_due: list[StatusVetting]
    #: Supervision date passed, or never supervised.
    supervision_overdue: list[StatusSupervision] = []
    #: Supervision due from today to 7 days on.
    supervision_due: list[StatusSupervision]
    followups_due: list[StatusFollowup] = []
    agreements_to_sign: list[StatusAgreement] = []
    sars_due: list[Sar]
    complaints_due: list[Complaint]
    circles: list[StatusCircle]
    counts: dict[str, int]
    #: Whose circles the circle sections show (None: everyone's); see `--coordinator`.
    coordinator: str | None = None


# -- meetings and search ----------------------------------------------------------------------

MinutesState = Literal["none", "draft", "late", "approved"]


class Meeting(Record):
    """A circle meeting (`meeting list --json`; the minutes text is in `meeting show`).

    `minutes_state`: none (no minutes yet), draft, late (not approved by `minutes_due_at`,
    48 h after the meeting) or approved (immutable; corrections are amendments).
    `state`: held, cancelled (did not take place: `state_reason`, perhaps `moved_to` a date;
    owes no minutes, so its `minutes_state` is none) or void (recorded in error, with
    `state_reason`; listed only with `--all`).
    """

    circle_id: int
    member_code: str
    date: str
    time: str | None = None
    duration_minutes: int | None = None
    type: str
    venue: str | None = None
    cm_attended: Literal["yes", "late", "no"] | None = None
    late_reason: str | None = None
    no_meeting_reason: str | None = None
    rag: Rag | None = None
    notify_pp: bool
    minutes_due_at: str
    approved_at: str | None = None
    approved_by: str | None = None
    minutes_state: MinutesState
    state: Literal["held", "cancelled", "void"] = "held"
    state_reason: str | None = None
    moved_to: str | None = None


class Upcoming(BaseModel):
    """A planned meeting (`meeting list --upcoming --json`): a day of the circle's schedule
    (its weekday every `cadence_days` from its start) with no meeting recorded or cancelled."""

    circle_id: int
    member_code: str
    date: str
    weekday: str
    time: str | None = None
    venue: str | None = None


class Attendance(Record):
    meeting_id: int
    volunteer_id: int
    volunteer_name: str
    status: Literal["present", "apologies"]


class Absent(BaseModel):
    """A member of the circle on the day who was neither present nor sent apologies."""

    volunteer_id: int
    volunteer_name: str


class Amendment(Record):
    """A correction to approved minutes; `created_at` / `created_by` are its time and operator.

    `changes`: the structured fields it corrected, as a JSON object {field: [before, after]}
    (`attendance` as text); null for a correction of the text only.
    """

    meeting_id: int
    text: str
    reason: str | None = None
    changes: str | None = None


class MeetingDetail(Meeting):
    """`meeting show --json`: the meeting, its minutes, attendance, the concerns and actions
    raised in it, and the amendments (oldest first)."""

    minutes: str | None = None
    attendance: list[Attendance]
    absent: list[Absent] = []
    concerns: list[Concern]
    actions: list[Action]
    amendments: list[Amendment]


class SearchHit(BaseModel):
    """One `cosa search --json` result (newest first, or by relevance with `--best`); matching words are marked `[like this]`.

    `meeting_id` is set for minutes and amendments, `concern_id` for concerns, concern notes
    and escalations: the record to `show` for the whole text.
    """

    record_type: str
    record_id: int
    circle_id: int | None = None
    code: str | None = None
    date: str | None = None
    snippet: str
    meeting_id: int | None = None
    concern_id: int | None = None


# -- disclosures -----------------------------------------------------------------------------


class Disclosure(Record):
    """Something that left the provider; append-only. `kind` is `share pack` (`cosa share`),
    `escalation` (`cosa concern escalate`), `subject access pack` (`cosa sar respond`),
    `raw return` (`cosa report return --raw`), `research extract` (`cosa report extract`) or
    `notification` (`cosa meeting told`: a meeting's information passed on by phone, email…).

    `recipient` is who received it as they were on the day (a professional's name, role and
    agency); `basis` is the lawful basis (`consent`, an override's basis with
    `override_reason`, `subject access`, `sharing agreement`); `sha256` is the digest of the
    file that left (`file_name`; none for an escalation by phone or email); the `uuid` is
    printed on a share pack. `escalation_id` / `sar_id` link the record it discloses.
    """

    member_id: int | None = None
    member_code: str | None = None
    circle_id: int | None = None
    meeting_id: int | None = None
    professional_id: int | None = None
    recipient: str
    disclosed_on: str
    kind: str
    items: list[str]
    basis: str
    override_reason: str | None = None
    removed: list[str]
    file_name: str | None = None
    sha256: str | None = None
    encrypted: bool
    escalation_id: int | None = None
    sar_id: int | None = None
    note: str | None = None


# -- retention -------------------------------------------------------------------------------

RetentionAction = Literal["review", "anonymise", "delete", "keep"]


class RetentionRule(Record):
    """A retention rule (`cosa retention rules`): when `trigger` happened, `period` later
    (`6y`, `18m`, `2w`, `30d`; `never` for the audit trail) the record is due for `action`."""

    record_type: str
    trigger: str
    period: str
    action: RetentionAction
    note: str | None = None
    #: What the record type covers (its bundle).
    what: str


class RetentionDue(BaseModel):
    """A record due under its retention rule (`cosa retention`).

    `status` is `due`, `held` (a legal hold on it, its parent or its children: `hold_reason`,
    `held_on`) or `kept` (an exception until `kept_until`: `keep_reason`); `--apply` erases
    only `due` records whose action is `anonymise` or `delete`.
    """

    id: int
    record_type: Literal["member", "volunteer", "vetting", "referral", "professional"]
    record_uuid: str
    label: str
    rule: str
    trigger: str
    period: str
    action: RetentionAction
    trigger_date: str
    due_on: str
    status: Literal["due", "held", "kept"]
    hold_reason: str | None = None
    held_on: str | None = None
    kept_until: str | None = None
    keep_reason: str | None = None


class RetentionHold(BaseModel):
    """A legal hold in force (`kind` hold, `since` the day it was placed) or an exception not
    yet lapsed (`kind` exception, kept `until`) — `cosa retention holds`."""

    id: int
    kind: Literal["hold", "exception"]
    record_type: str
    record_id: int
    record_uuid: str
    label: str
    reason: str
    since: str
    until: str | None = None


class RetentionErasure(BaseModel):
    """One record erased by `cosa retention --apply` or `cosa retention erase`: its `rows`
    counted per record type (never their content); `rule` is `by hand` for `erase`."""

    id: int
    record_type: str
    label: str
    action: Literal["anonymise", "delete"]
    rule: str
    trigger_date: str | None = None
    due_on: str | None = None
    rows: dict[str, int]
    note: str | None = None


# -- a circle's whole life: follow-up, outcomes, agreements, documents ------------------------


class Followup(Record):
    """A follow-up contact after a circle ended, by a volunteer or a professional (`by`)."""

    circle_id: int
    member_code: str
    on_date: str
    volunteer_id: int | None = None
    professional_id: int | None = None
    by: str | None = None
    mode: str | None = None
    note: str | None = None


class Outcome(Record):
    """An outcome: recall, breach, reconviction, charge or none, with its source."""

    circle_id: int
    member_code: str
    on_date: str
    kind: Literal["recall", "breach", "reconviction", "charge", "none"]
    offence: Literal["sexual-contact", "sexual-non-contact", "violent", "other"] | None = None
    source: Literal["probation", "police", "other"]
    note: str | None = None


class Agreement(Record):
    """A version of a circle's agreement; `signed` counts its signatures."""

    circle_id: int
    member_code: str
    version: str
    on_date: str
    document_id: int | None = None
    note: str | None = None
    signed: int = 0


class Signature(Record):
    """Who signed an agreement (`role`: volunteer, professional or CM) and when."""

    agreement_id: int
    volunteer_id: int | None = None
    professional_id: int | None = None
    member_id: int | None = None
    signer: str
    role: Literal["volunteer", "professional", "CM"]
    signed_on: str


class AgreementDetail(Agreement):
    """`agreement show --json`: signatures and `missing` (who has still to sign)."""

    signatures: list[Signature]
    missing: list[str]


class Document(Record):
    """A document (never its bytes): `record` names what it belongs to, e.g. `circle:3`."""

    record: str
    circle_id: int | None = None
    member_id: int | None = None
    referral_id: int | None = None
    volunteer_id: int | None = None
    title: str
    kind: str | None = None
    file_name: str
    size: int
    sha256: str


# -- the provider's registers ----------------------------------------------------------------


class SarEvent(Record):
    """A dated step of a subject access request: verified, paused, resumed, extended, pack
    (a pack made for it) or responded (with the pack's file name and SHA-256)."""

    sar_id: int
    kind: Literal["verified", "paused", "resumed", "extended", "pack", "responded"]
    date: str
    months: int | None = None
    reason: str | None = None
    file_name: str | None = None
    sha256: str | None = None
    encrypted: bool | None = None


class Sar(Record):
    """A subject access request and its clock (`cosa sar`): `due` is one calendar month
    from `clock_starts` (receipt, or a later verification), plus `extension_months`, plus
    `paused_days`; `state` is open, paused or responded; `days_left` is negative when
    overdue. `events` only in `sar show`."""

    member_id: int
    member_code: str
    received_on: str
    via: str | None = None
    note: str | None = None
    state: Literal["open", "paused", "responded"]
    clock_starts: str
    paused_days: int
    extension_months: int
    paused_since: str | None = None
    due: str
    responded_on: str | None = None
    days_left: int
    events: list[SarEvent] | None = None


class Complaint(Record):
    """A complaint (`cosa complaint`): acknowledgement due by `acknowledge_by` (30 days after
    receipt); `state` is received, acknowledged or answered; `days_left` until the
    acknowledgement is due (None once acknowledged)."""

    received_on: str
    complainant: str
    about: str
    note: str | None = None
    acknowledged_on: str | None = None
    responded_on: str | None = None
    outcome: Literal["upheld", "partly", "not-upheld"] | None = None
    acknowledge_by: str
    state: Literal["received", "acknowledged", "answered"]
    days_left: int | None = None
