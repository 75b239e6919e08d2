"""Schema migrations: an ordered list of named functions, each applied once.

Each migration runs in its own `BEGIN IMMEDIATE` transaction together with the row in
`schema_migrations` that records it, so a crash leaves it either applied or not. A migration
that has shipped is never edited: change the schema by appending a new one (and update
`tests/schema.sql`, which the tests compare a blank database against). A migration that adds
or changes columns of an audited table must call `reaudit` for it: the record hashes cover
every column.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from cosa.errors import IntegrityError

if TYPE_CHECKING:
    from cosa.store import Store

Migration = Callable[["Store"], None]
MIGRATIONS: list[Migration] = []

#: Which table holds each audited record type (used by `audit verify` to re-hash rows).
RECORD_TABLES: dict[str, str] = {}

# Common columns of every record table.
RECORD_COLUMNS = """
    id INTEGER PRIMARY KEY,
    uuid TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    updated_by TEXT NOT NULL"""


def migration(fn: Migration) -> Migration:
    MIGRATIONS.append(fn)
    return fn


def reaudit(store: Store, record_type: str, action: str = "schema.migrate") -> int:
    """Record the new state hash of every row of an audited table whose columns a migration
    changed (e.g. `ALTER TABLE … ADD COLUMN`), so `audit verify` and the write-time check keep
    matching. Call it inside the migration, after the change; returns the rows re-audited."""
    table = RECORD_TABLES[record_type]
    ids = [int(r["id"]) for r in store.query(f"SELECT id FROM {table} ORDER BY id")]
    done = 0
    for rid in ids:
        if (record_type, rid) in store.untrusted:
            continue  # changed outside cosa before the upgrade: stays flagged, not blessed
        store.audit(action, record_type, rid, table=table, rehash=True)
        done += 1
    return done


def untrusted_records(store: Store) -> set[tuple[str, int]]:
    """Every (record type, id) whose row does not match the state its last audit entry
    recorded (or that has none): what `reaudit` must not re-record. Run once before pending
    migrations (an upgrade), as `audit verify` would."""
    from cosa.store import state_hash

    tables = {r["name"] for r in store.query("SELECT name FROM sqlite_master WHERE type = 'table'")}
    if "audit" not in tables:
        return set()
    latest: dict[tuple[str, int], str] = {}
    for row in store.conn.execute(
        "SELECT record_type, record_id, state_hash FROM audit"
        " WHERE state_hash IS NOT NULL AND record_type IS NOT NULL ORDER BY seq"
    ):
        latest[(row["record_type"], row["record_id"])] = row["state_hash"]
    found = set()
    for rtype, table in RECORD_TABLES.items():
        if table not in tables:
            continue
        for row in store.conn.execute(f"SELECT * FROM {table}"):
            if latest.get((rtype, row["id"])) != state_hash(row):
                found.add((rtype, int(row["id"])))
    return found


def apply_migrations(store: Store) -> list[str]:
    """Apply every pending migration; returns the names applied."""
    conn = store.conn
    conn.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations"
        " (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)"
    )
    done = {r["name"] for r in store.query("SELECT name FROM schema_migrations")}
    known = {fn.__name__ for fn in MIGRATIONS}
    if done - known:
        raise IntegrityError(
            "this workspace was written by a newer version of cosa "
            f"(unknown migrations: {', '.join(sorted(done - known))})",
            hint="upgrade cosa before opening it",
        )
    applied = []
    if known - done:
        store.untrusted = untrusted_records(store)
    for fn in MIGRATIONS:
        if fn.__name__ in done:
            continue
        with store.atomic():
            fn(store)
            store.execute(
                "INSERT INTO schema_migrations (name, applied_at) VALUES (?, datetime('now'))",
                (fn.__name__,),
            )
        applied.append(fn.__name__)
    return applied


@migration
def m001_foundation(store: Store) -> None:
    store.script(
        f"""
        CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        CREATE TABLE audit (
            seq INTEGER PRIMARY KEY,
            at TEXT NOT NULL,
            operator TEXT NOT NULL,
            action TEXT NOT NULL,
            record_type TEXT,
            record_id INTEGER,
            fields TEXT NOT NULL,
            state_hash TEXT,
            detail TEXT,
            prev_hash TEXT NOT NULL,
            hash TEXT NOT NULL
        );
        CREATE INDEX audit_record ON audit (record_type, record_id);
        CREATE INDEX audit_at ON audit (at);
        CREATE TABLE volunteers ({RECORD_COLUMNS},
            name TEXT NOT NULL,
            email TEXT,
            phone TEXT,
            status TEXT NOT NULL DEFAULT 'applicant'
        );
        CREATE INDEX volunteers_name ON volunteers (name COLLATE NOCASE);
        """
    )


RECORD_TABLES["volunteer"] = "volunteers"


@migration
def m002_lookups(store: Store) -> None:
    """Provider-specific lists (circle types, ending reasons, …) as data with defaults."""
    store.script(
        f"""
        CREATE TABLE lookups ({RECORD_COLUMNS},
            kind TEXT NOT NULL,
            value TEXT NOT NULL,
            label TEXT,
            position INTEGER NOT NULL DEFAULT 0,
            active INTEGER NOT NULL DEFAULT 1,
            UNIQUE (kind, value)
        );
        """
    )
    from cosa.domain.lookups import DEFAULTS

    for kind, values in DEFAULTS.items():
        for position, value in enumerate(values):
            store.insert("lookups", "lookup", {"kind": kind, "value": value, "position": position})


RECORD_TABLES["lookup"] = "lookups"


@migration
def m003_volunteer_details(store: Store) -> None:
    """Volunteers' leaving, DBS vetting (facts about the certificate, never its content),
    training, supervision sessions and hours."""
    store.script(
        f"""
        ALTER TABLE volunteers ADD COLUMN left_on TEXT;
        ALTER TABLE volunteers ADD COLUMN left_reason TEXT;
        CREATE TABLE volunteer_vetting ({RECORD_COLUMNS},
            volunteer_id INTEGER NOT NULL REFERENCES volunteers (id),
            level TEXT NOT NULL,
            certificate TEXT NOT NULL,
            issued_on TEXT NOT NULL,
            update_service INTEGER NOT NULL DEFAULT 0,
            checked_on TEXT,
            decision TEXT NOT NULL DEFAULT 'pending'
        );
        CREATE INDEX volunteer_vetting_volunteer ON volunteer_vetting (volunteer_id);
        CREATE INDEX volunteer_vetting_certificate ON volunteer_vetting (certificate);
        CREATE TABLE volunteer_training ({RECORD_COLUMNS},
            volunteer_id INTEGER NOT NULL REFERENCES volunteers (id),
            kind TEXT NOT NULL,
            date TEXT NOT NULL,
            provider TEXT,
            hours REAL,
            title TEXT
        );
        CREATE INDEX volunteer_training_volunteer ON volunteer_training (volunteer_id, date);
        CREATE TABLE volunteer_supervision ({RECORD_COLUMNS},
            volunteer_id INTEGER NOT NULL REFERENCES volunteers (id),
            date TEXT NOT NULL,
            kind TEXT NOT NULL DEFAULT 'individual',
            wellbeing TEXT,
            note TEXT
        );
        CREATE INDEX volunteer_supervision_volunteer ON volunteer_supervision (volunteer_id, date);
        CREATE TABLE volunteer_hours ({RECORD_COLUMNS},
            volunteer_id INTEGER NOT NULL REFERENCES volunteers (id),
            date TEXT NOT NULL,
            hours REAL NOT NULL,
            activity TEXT NOT NULL,
            travel_hours REAL NOT NULL DEFAULT 0
        );
        CREATE INDEX volunteer_hours_volunteer ON volunteer_hours (volunteer_id, date);
        CREATE INDEX volunteer_hours_date ON volunteer_hours (date);
        """
    )


RECORD_TABLES["vetting"] = "volunteer_vetting"
RECORD_TABLES["training"] = "volunteer_training"
RECORD_TABLES["supervision"] = "volunteer_supervision"
RECORD_TABLES["hours"] = "volunteer_hours"


@migration
def m004_professionals(store: Store) -> None:
    """The outer circle: probation, police, treatment and other professionals."""
    store.script(
        f"""
        CREATE TABLE professionals ({RECORD_COLUMNS},
            name TEXT NOT NULL,
            agency TEXT NOT NULL,
            role TEXT NOT NULL,
            phone TEXT,
            email TEXT,
            active_from TEXT,
            active_to TEXT
        );
        CREATE INDEX professionals_name ON professionals (name COLLATE NOCASE);
        CREATE INDEX professionals_agency ON professionals (agency COLLATE NOCASE);
        """
    )


RECORD_TABLES["professional"] = "professionals"


@migration
def m005_members(store: Store) -> None:
    """Core members by pseudonymous code; identity apart; legal status, risk, consent."""
    store.script(
        f"""
        CREATE TABLE core_members ({RECORD_COLUMNS},
            number INTEGER NOT NULL UNIQUE,
            code TEXT NOT NULL UNIQUE,
            mappa_category INTEGER NOT NULL,
            mappa_level INTEGER NOT NULL,
            mappa_verified TEXT,
            sentence_date TEXT,
            release_date TEXT,
            licence_start TEXT,
            licence_end TEXT,
            notification_requirements TEXT,
            other_orders TEXT
        );
        CREATE INDEX core_members_licence_end ON core_members (licence_end);
        CREATE INDEX core_members_mappa ON core_members (mappa_category, mappa_level);
        CREATE TABLE member_identity ({RECORD_COLUMNS},
            member_id INTEGER NOT NULL UNIQUE REFERENCES core_members (id),
            legal_name TEXT,
            aliases TEXT,
            date_of_birth TEXT,
            address TEXT,
            contact TEXT
        );
        CREATE TABLE member_conditions ({RECORD_COLUMNS},
            member_id INTEGER NOT NULL REFERENCES core_members (id),
            text TEXT NOT NULL,
            start_date TEXT,
            end_date TEXT
        );
        CREATE INDEX member_conditions_member ON member_conditions (member_id, start_date);
        CREATE TABLE member_risk ({RECORD_COLUMNS},
            member_id INTEGER NOT NULL REFERENCES core_members (id),
            instrument TEXT NOT NULL,
            version TEXT,
            scale TEXT NOT NULL,
            value TEXT NOT NULL,
            assessed_on TEXT NOT NULL,
            source TEXT NOT NULL
        );
        CREATE INDEX member_risk_member ON member_risk (member_id, assessed_on);
        CREATE TABLE member_consent ({RECORD_COLUMNS},
            member_id INTEGER NOT NULL REFERENCES core_members (id),
            professional_id INTEGER REFERENCES professionals (id),
            agency TEXT,
            given_on TEXT NOT NULL,
            withdrawn_on TEXT,
            CHECK ((professional_id IS NULL) <> (agency IS NULL))
        );
        CREATE INDEX member_consent_member ON member_consent (member_id, given_on);
        CREATE INDEX member_consent_professional ON member_consent (professional_id);
        """
    )


RECORD_TABLES["member"] = "core_members"
RECORD_TABLES["member_identity"] = "member_identity"
RECORD_TABLES["member_condition"] = "member_conditions"
RECORD_TABLES["member_risk"] = "member_risk"
RECORD_TABLES["member_consent"] = "member_consent"


@migration
def m006_referrals(store: Store) -> None:
    """Referrals: received, source, referrer, documents, decision with grouped reason."""
    store.script(
        f"""
        CREATE TABLE referrals ({RECORD_COLUMNS},
            member_id INTEGER REFERENCES core_members (id),
            received_on TEXT NOT NULL,
            source TEXT NOT NULL,
            referrer TEXT,
            documents TEXT,
            decision TEXT,
            reason_group TEXT,
            reason TEXT,
            decided_on TEXT,
            decided_by TEXT
        );
        CREATE INDEX referrals_received ON referrals (received_on);
        CREATE INDEX referrals_decision ON referrals (decision, received_on);
        CREATE INDEX referrals_member ON referrals (member_id);
        """
    )


RECORD_TABLES["referral"] = "referrals"


@migration
def m007_circles(store: Store) -> None:
    """Circles: members with roles and dates, outer-circle links, phases, goals, ending."""
    store.script(
        f"""
        CREATE TABLE circles ({RECORD_COLUMNS},
            member_id INTEGER NOT NULL REFERENCES core_members (id),
            type TEXT NOT NULL,
            status TEXT NOT NULL DEFAULT 'forming',
            start_date TEXT,
            coordinator TEXT NOT NULL,
            meeting_day TEXT,
            meeting_time TEXT,
            duration_minutes INTEGER,
            venue TEXT,
            cadence_days INTEGER,
            forced_reason TEXT,
            ended_on TEXT,
            ending_reason TEXT,
            ending_note TEXT
        );
        CREATE INDEX circles_member ON circles (member_id);
        CREATE INDEX circles_status ON circles (status);
        CREATE TABLE circle_members ({RECORD_COLUMNS},
            circle_id INTEGER NOT NULL REFERENCES circles (id),
            volunteer_id INTEGER NOT NULL REFERENCES volunteers (id),
            role TEXT NOT NULL DEFAULT 'member',
            joined_on TEXT NOT NULL,
            left_on TEXT
        );
        CREATE INDEX circle_members_circle ON circle_members (circle_id, joined_on);
        CREATE INDEX circle_members_volunteer ON circle_members (volunteer_id);
        CREATE UNIQUE INDEX circle_members_current
            ON circle_members (circle_id, volunteer_id) WHERE left_on IS NULL;
        CREATE TABLE circle_links ({RECORD_COLUMNS},
            circle_id INTEGER NOT NULL REFERENCES circles (id),
            professional_id INTEGER NOT NULL REFERENCES professionals (id),
            linked_on TEXT NOT NULL,
            unlinked_on TEXT
        );
        CREATE INDEX circle_links_circle ON circle_links (circle_id);
        CREATE INDEX circle_links_professional ON circle_links (professional_id);
        CREATE UNIQUE INDEX circle_links_current
            ON circle_links (circle_id, professional_id) WHERE unlinked_on IS NULL;
        CREATE TABLE circle_phases ({RECORD_COLUMNS},
            circle_id INTEGER NOT NULL REFERENCES circles (id),
            phase TEXT NOT NULL,
            started_on TEXT NOT NULL
        );
        CREATE INDEX circle_phases_circle ON circle_phases (circle_id, started_on);
        CREATE TABLE circle_goals ({RECORD_COLUMNS},
            circle_id INTEGER NOT NULL REFERENCES circles (id),
            domain TEXT NOT NULL,
            text TEXT NOT NULL,
            review_on TEXT,
            outcome TEXT NOT NULL DEFAULT 'open',
            outcome_on TEXT,
            outcome_note TEXT
        );
        CREATE INDEX circle_goals_circle ON circle_goals (circle_id);
        CREATE INDEX circle_goals_review ON circle_goals (review_on);
        """
    )


RECORD_TABLES["circle"] = "circles"
RECORD_TABLES["circle_member"] = "circle_members"
RECORD_TABLES["circle_link"] = "circle_links"
RECORD_TABLES["circle_phase"] = "circle_phases"
RECORD_TABLES["goal"] = "circle_goals"


@migration
def m008_weekly_loop(store: Store) -> None:
    """Meetings and minutes, contacts, concerns and escalations, actions, reviews, search."""
    from cosa.domain.search import CREATE_SQL as SEARCH_SQL

    store.script(
        f"""
        CREATE TABLE meetings ({RECORD_COLUMNS},
            circle_id INTEGER NOT NULL REFERENCES circles (id),
            date TEXT NOT NULL,
            time TEXT,
            duration_minutes INTEGER,
            type TEXT NOT NULL,
            venue TEXT,
            cm_attended TEXT,
            late_reason TEXT,
            no_meeting_reason TEXT,
            rag TEXT,
            notify_pp INTEGER NOT NULL DEFAULT 0,
            minutes TEXT,
            minutes_due_at TEXT NOT NULL,
            approved_at TEXT,
            approved_by TEXT
        );
        CREATE INDEX meetings_circle_date ON meetings (circle_id, date);
        CREATE INDEX meetings_date ON meetings (date);
        CREATE INDEX meetings_unapproved ON meetings (minutes_due_at) WHERE approved_at IS NULL;
        CREATE TABLE meeting_attendance ({RECORD_COLUMNS},
            meeting_id INTEGER NOT NULL REFERENCES meetings (id),
            volunteer_id INTEGER NOT NULL REFERENCES volunteers (id),
            status TEXT NOT NULL,
            UNIQUE (meeting_id, volunteer_id)
        );
        CREATE INDEX meeting_attendance_volunteer ON meeting_attendance (volunteer_id);
        CREATE TABLE meeting_amendments ({RECORD_COLUMNS},
            meeting_id INTEGER NOT NULL REFERENCES meetings (id),
            text TEXT NOT NULL,
            reason TEXT
        );
        CREATE INDEX meeting_amendments_meeting ON meeting_amendments (meeting_id);
        CREATE TABLE contacts ({RECORD_COLUMNS},
            circle_id INTEGER NOT NULL REFERENCES circles (id),
            volunteer_id INTEGER NOT NULL REFERENCES volunteers (id),
            date TEXT NOT NULL,
            mode TEXT NOT NULL,
            duration_minutes INTEGER,
            note TEXT,
            concern_id INTEGER REFERENCES concerns (id)
        );
        CREATE INDEX contacts_circle_date ON contacts (circle_id, date);
        CREATE INDEX contacts_volunteer_date ON contacts (volunteer_id, date);
        CREATE INDEX contacts_date ON contacts (date);
        CREATE TABLE concerns ({RECORD_COLUMNS},
            circle_id INTEGER NOT NULL REFERENCES circles (id),
            meeting_id INTEGER REFERENCES meetings (id),
            date TEXT NOT NULL,
            severity TEXT NOT NULL,
            category TEXT NOT NULL,
            text TEXT NOT NULL,
            raised_by TEXT,
            closed_on TEXT,
            closed_note TEXT,
            closed_by TEXT
        );
        CREATE INDEX concerns_circle_date ON concerns (circle_id, date);
        CREATE INDEX concerns_open ON concerns (severity, date) WHERE closed_on IS NULL;
        CREATE INDEX concerns_date ON concerns (date);
        CREATE INDEX concerns_meeting ON concerns (meeting_id);
        CREATE TABLE concern_notes ({RECORD_COLUMNS},
            concern_id INTEGER NOT NULL REFERENCES concerns (id),
            date TEXT NOT NULL,
            text TEXT NOT NULL
        );
        CREATE INDEX concern_notes_concern ON concern_notes (concern_id);
        CREATE TABLE escalations ({RECORD_COLUMNS},
            concern_id INTEGER NOT NULL REFERENCES concerns (id),
            professional_id INTEGER NOT NULL REFERENCES professionals (id),
            via TEXT NOT NULL,
            at TEXT NOT NULL,
            shared TEXT,
            basis TEXT NOT NULL,
            response TEXT,
            response_at TEXT
        );
        CREATE INDEX escalations_concern ON escalations (concern_id);
        CREATE INDEX escalations_at ON escalations (at);
        CREATE TABLE actions ({RECORD_COLUMNS},
            circle_id INTEGER NOT NULL REFERENCES circles (id),
            meeting_id INTEGER REFERENCES meetings (id),
            text TEXT NOT NULL,
            owner TEXT,
            due TEXT,
            status TEXT NOT NULL DEFAULT 'open',
            closed_on TEXT,
            closed_note TEXT
        );
        CREATE INDEX actions_circle ON actions (circle_id, status);
        CREATE INDEX actions_open_due ON actions (due) WHERE status = 'open';
        CREATE INDEX actions_meeting ON actions (meeting_id);
        CREATE TABLE reviews ({RECORD_COLUMNS},
            circle_id INTEGER NOT NULL REFERENCES circles (id),
            date TEXT NOT NULL,
            attendees TEXT,
            decision TEXT NOT NULL,
            rag TEXT,
            next_review TEXT,
            note TEXT
        );
        CREATE INDEX reviews_circle_date ON reviews (circle_id, date);
        CREATE INDEX reviews_next ON reviews (next_review);
        CREATE TABLE risk_reviews ({RECORD_COLUMNS},
            circle_id INTEGER NOT NULL REFERENCES circles (id),
            review_id INTEGER REFERENCES reviews (id),
            date TEXT NOT NULL,
            note TEXT
        );
        CREATE INDEX risk_reviews_circle_date ON risk_reviews (circle_id, date);
        CREATE TABLE risk_review_scores ({RECORD_COLUMNS},
            risk_review_id INTEGER NOT NULL REFERENCES risk_reviews (id),
            item TEXT NOT NULL,
            score INTEGER NOT NULL,
            UNIQUE (risk_review_id, item)
        );
        CREATE TABLE goal_updates ({RECORD_COLUMNS},
            goal_id INTEGER NOT NULL REFERENCES circle_goals (id),
            date TEXT NOT NULL,
            progress TEXT NOT NULL,
            note TEXT
        );
        CREATE INDEX goal_updates_goal ON goal_updates (goal_id, date);
        """
        + SEARCH_SQL
    )


RECORD_TABLES.update(
    meeting="meetings",
    attendance="meeting_attendance",
    amendment="meeting_amendments",
    contact="contacts",
    concern="concerns",
    concern_note="concern_notes",
    escalation="escalations",
    action="actions",
    review="reviews",
    risk_review="risk_reviews",
    risk_score="risk_review_scores",
    goal_update="goal_updates",
)


@migration
def m009_disclosures(store: Store) -> None:
    """Disclosures: each share pack sent outside the provider — to whom, when, which items,
    on what lawful basis (consent, or an override with its reason), what was removed, and
    the SHA-256 of the file that left. Append-only: never edited or deleted."""
    store.script(
        f"""
        CREATE TABLE disclosures ({RECORD_COLUMNS},
            member_id INTEGER NOT NULL REFERENCES core_members (id),
            circle_id INTEGER REFERENCES circles (id),
            meeting_id INTEGER REFERENCES meetings (id),
            professional_id INTEGER NOT NULL REFERENCES professionals (id),
            recipient TEXT NOT NULL,
            disclosed_on TEXT NOT NULL,
            kind TEXT NOT NULL,
            items TEXT NOT NULL,
            basis TEXT NOT NULL,
            override_reason TEXT,
            removed TEXT NOT NULL,
            file_name TEXT NOT NULL,
            sha256 TEXT NOT NULL,
            encrypted INTEGER NOT NULL DEFAULT 0
        );
        CREATE INDEX disclosures_member ON disclosures (member_id, disclosed_on);
        CREATE INDEX disclosures_professional ON disclosures (professional_id);
        CREATE INDEX disclosures_meeting ON disclosures (meeting_id);
        """
    )


RECORD_TABLES["disclosure"] = "disclosures"


@migration
def m010_retention(store: Store) -> None:
    """Retention: rules per record type (trigger, period, action) with defaults, legal holds,
    exceptions (keep until a date, with a reason) and the register of erasures (what was
    anonymised or deleted, when and under which rule — never the content)."""
    store.script(
        f"""
        CREATE TABLE retention_rules ({RECORD_COLUMNS},
            record_type TEXT NOT NULL UNIQUE,
            trigger TEXT NOT NULL,
            period TEXT NOT NULL,
            action TEXT NOT NULL,
            note TEXT
        );
        CREATE TABLE retention_holds ({RECORD_COLUMNS},
            record_type TEXT NOT NULL,
            record_id INTEGER NOT NULL,
            record_uuid TEXT NOT NULL,
            reason TEXT NOT NULL,
            held_on TEXT NOT NULL,
            released_on TEXT
        );
        CREATE UNIQUE INDEX retention_holds_current
            ON retention_holds (record_uuid) WHERE released_on IS NULL;
        CREATE TABLE retention_exceptions ({RECORD_COLUMNS},
            record_type TEXT NOT NULL,
            record_id INTEGER NOT NULL,
            record_uuid TEXT NOT NULL,
            until TEXT NOT NULL,
            reason TEXT NOT NULL
        );
        CREATE INDEX retention_exceptions_record ON retention_exceptions (record_uuid, until);
        CREATE TABLE retention_erasures ({RECORD_COLUMNS},
            record_type TEXT NOT NULL,
            record_id INTEGER NOT NULL,
            record_uuid TEXT NOT NULL,
            action TEXT NOT NULL,
            rule TEXT NOT NULL,
            trigger_date TEXT,
            due_on TEXT,
            row_counts TEXT NOT NULL
        );
        CREATE INDEX retention_erasures_record ON retention_erasures (record_uuid);
        """
    )
    from cosa.domain.retention import install_defaults

    install_defaults(store)


RECORD_TABLES["retention_rule"] = "retention_rules"
RECORD_TABLES["retention_hold"] = "retention_holds"
RECORD_TABLES["retention_exception"] = "retention_exceptions"
RECORD_TABLES["retention_erasure"] = "retention_erasures"


@migration
def m011_member_codes_issued(store: Store) -> None:
    """Every core-member number ever issued, so a code is never given to a second person
    (not even after retention deleted the first: partners may still hold papers with it)."""
    store.script(
        """
        CREATE TABLE member_codes_issued (number INTEGER PRIMARY KEY);
        INSERT INTO member_codes_issued (number) SELECT number FROM core_members;
        """
    )


@migration
def m012_search_newest_first(store: Store) -> None:
    """Search entries get date-ordered rowids (newest first without ranking every match) and
    a map from each record to its entry."""
    from cosa.domain.search import rebuild_rowids

    store.script(
        """
        CREATE TABLE search_rows (
            record_type TEXT NOT NULL,
            record_id INTEGER NOT NULL,
            row INTEGER NOT NULL,
            PRIMARY KEY (record_type, record_id)
        ) WITHOUT ROWID;
        """
    )
    rebuild_rowids(store)


@migration
def m020_meeting_states(store: Store) -> None:
    """A meeting is `held`, `cancelled` (it did not take place: a reason, perhaps the date it
    moved to) or `void` (recorded in error: kept for the audit trail, left out of every list,
    figure and report). Existing meetings were all recorded as held."""
    store.script(
        """
        ALTER TABLE meetings ADD COLUMN state TEXT NOT NULL DEFAULT 'held'
            CHECK (state IN ('held', 'cancelled', 'void'));
        ALTER TABLE meetings ADD COLUMN state_reason TEXT;
        ALTER TABLE meetings ADD COLUMN moved_to TEXT;
        CREATE INDEX meetings_circle_state_date ON meetings (circle_id, state, date);
        """
    )
    reaudit(store, "meeting")


@migration
def m021_meeting_corrections(store: Store) -> None:
    """Only held meetings owe minutes, so the index of unapproved minutes leaves cancelled and
    void ones out. An amendment may correct the meeting's structured fields: `changes` keeps
    each corrected field's value before and after (JSON), the meeting row carries the after."""
    store.script(
        """
        DROP INDEX meetings_unapproved;
        CREATE INDEX meetings_unapproved ON meetings (minutes_due_at)
            WHERE approved_at IS NULL AND state = 'held';
        ALTER TABLE meeting_amendments ADD COLUMN changes TEXT;
        """
    )
    reaudit(store, "amendment")


@migration
def m030_hours_circle(store: Store) -> None:
    """Hours logged by hand belong to one circle (`circle_id`) or to none (training, admin).

    Entries logged before this migration get the circle when it is certain: a `circle` or
    `contact` entry of a volunteer who was a member of exactly one circle that day. Others stay
    without a circle (they count for the volunteer, in no circle's report)."""
    store.script(
        """
        ALTER TABLE volunteer_hours ADD COLUMN circle_id INTEGER REFERENCES circles (id);
        CREATE INDEX volunteer_hours_circle ON volunteer_hours (circle_id, date);
        UPDATE volunteer_hours SET circle_id = (
            SELECT min(cm.circle_id) FROM circle_members cm
            WHERE cm.volunteer_id = volunteer_hours.volunteer_id
            AND cm.joined_on <= volunteer_hours.date
            AND (cm.left_on IS NULL OR cm.left_on >= volunteer_hours.date)
            HAVING count(DISTINCT cm.circle_id) = 1
        ) WHERE activity IN ('circle', 'contact');
        """
    )
    reaudit(store, "hours")


@migration
def m040_volunteer_pipeline(store: Store) -> None:
    """Volunteers from enquiry to leaving: pipeline stages (lookup `volunteer-stage`),
    references, conflicts with core members, expenses (integer pence) and the dated history
    of their status.

    An existing workspace keeps everything it recorded. Volunteers already in a circle are
    approved on the day they first joined one; volunteers recorded as available, active or
    resting but never in a circle are approved on the day they were added (the coordinator
    had said they were ready); "in training" becomes the pipeline stage `training`. Each
    volunteer's status history is then built from these facts (see
    `cosa.domain.volunteer_status`). No existing row changes, so nothing is re-audited except
    the volunteers whose stored status now follows the derived one.
    """
    store.script(
        f"""
        CREATE TABLE volunteer_stages ({RECORD_COLUMNS},
            volunteer_id INTEGER NOT NULL REFERENCES volunteers (id),
            stage TEXT NOT NULL,
            date TEXT NOT NULL,
            note TEXT
        );
        CREATE INDEX volunteer_stages_volunteer ON volunteer_stages (volunteer_id, date);
        CREATE INDEX volunteer_stages_stage ON volunteer_stages (stage, date);
        CREATE TABLE volunteer_references ({RECORD_COLUMNS},
            volunteer_id INTEGER NOT NULL REFERENCES volunteers (id),
            referee TEXT NOT NULL,
            requested_on TEXT,
            received_on TEXT,
            outcome TEXT CHECK (outcome IN ('satisfactory', 'concerns'))
        );
        CREATE INDEX volunteer_references_volunteer ON volunteer_references (volunteer_id);
        CREATE TABLE volunteer_conflicts ({RECORD_COLUMNS},
            volunteer_id INTEGER NOT NULL REFERENCES volunteers (id),
            member_id INTEGER NOT NULL REFERENCES core_members (id),
            reason TEXT NOT NULL,
            date TEXT NOT NULL
        );
        CREATE INDEX volunteer_conflicts_volunteer ON volunteer_conflicts (volunteer_id);
        CREATE INDEX volunteer_conflicts_member ON volunteer_conflicts (member_id);
        CREATE TABLE volunteer_status_history ({RECORD_COLUMNS},
            volunteer_id INTEGER NOT NULL REFERENCES volunteers (id),
            status TEXT NOT NULL,
            since TEXT NOT NULL,
            by_hand INTEGER NOT NULL DEFAULT 0,
            note TEXT
        );
        CREATE INDEX volunteer_status_history_volunteer
            ON volunteer_status_history (volunteer_id, since);
        CREATE TABLE volunteer_expenses ({RECORD_COLUMNS},
            volunteer_id INTEGER NOT NULL REFERENCES volunteers (id),
            date TEXT NOT NULL,
            amount_pence INTEGER NOT NULL CHECK (amount_pence > 0),
            miles REAL,
            circle_id INTEGER REFERENCES circles (id),
            kind TEXT NOT NULL DEFAULT 'travel',
            note TEXT,
            paid_on TEXT
        );
        CREATE INDEX volunteer_expenses_volunteer ON volunteer_expenses (volunteer_id, date);
        CREATE INDEX volunteer_expenses_date ON volunteer_expenses (date);
        """
    )
    from cosa.domain import volunteer_status
    from cosa.domain.lookups import DEFAULTS

    have = {
        r["value"] for r in store.query("SELECT value FROM lookups WHERE kind = 'volunteer-stage'")
    }
    for position, value in enumerate(DEFAULTS["volunteer-stage"]):
        if value in have:  # a blank workspace has them from m002 (which reads DEFAULTS)
            continue
        store.insert(
            "lookups", "lookup", {"kind": "volunteer-stage", "value": value, "position": position}
        )
    first_join = {
        r["volunteer_id"]: r["first"]
        for r in store.query(
            "SELECT volunteer_id, min(joined_on) AS first FROM circle_members GROUP BY volunteer_id"
        )
    }
    for v in store.query("SELECT id, status, created_at, updated_at, left_on FROM volunteers"):
        vid = int(v["id"])
        added = str(v["created_at"])[:10]
        approved = first_join.get(vid)
        note = "migrated: first joined a circle that day"
        if approved is None and v["status"] in ("available", "active", "resting"):
            approved, note = added, f"migrated: recorded as {v['status']} before stages existed"
        if v["status"] == "in training":
            store.insert(
                "volunteer_stages",
                "volunteer_stage",
                {"volunteer_id": vid, "stage": "training", "date": added, "note": "migrated"},
            )
        if approved is not None:
            store.insert(
                "volunteer_stages",
                "volunteer_stage",
                {"volunteer_id": vid, "stage": "approved", "date": approved, "note": note},
            )
        if v["status"] == "resting":
            store.insert(
                volunteer_status.TABLE,
                volunteer_status.RECORD,
                {
                    "volunteer_id": vid,
                    "status": "resting",
                    "since": max(str(v["updated_at"])[:10], approved or added),
                    "by_hand": 1,
                    "note": "migrated",
                },
            )
        if v["status"] == "left" and v["left_on"]:
            store.insert(
                volunteer_status.TABLE,
                volunteer_status.RECORD,
                {
                    "volunteer_id": vid,
                    "status": "left",
                    "since": v["left_on"],
                    "by_hand": 1,
                    "note": "migrated",
                },
            )
        volunteer_status.sync(store, vid)


RECORD_TABLES["volunteer_stage"] = "volunteer_stages"
RECORD_TABLES["volunteer_reference"] = "volunteer_references"
RECORD_TABLES["volunteer_conflict"] = "volunteer_conflicts"
RECORD_TABLES["volunteer_status"] = "volunteer_status_history"
RECORD_TABLES["volunteer_expense"] = "volunteer_expenses"


# -- integrity (m050–m059) ------------------------------------------------------------------


@migration
def m050_audit_record_state(store: Store) -> None:
    """Every write first looks up the record's last audited state hash (`Store.check_record`):
    a partial index makes that one look-up, skipping `view` entries and other entries that
    carry no state."""
    store.script(
        """
        CREATE INDEX audit_record_state ON audit (record_type, record_id, seq, state_hash)
            WHERE state_hash IS NOT NULL;
        """
    )


@migration
def m051_audit_seals(store: Store) -> None:
    """Forward-secure seals of the audit head, one per committing transaction (`cosa.seal`):
    position `n` in the key ratchet, the entry it seals and HMAC(k_n, n|seq|hash)."""
    store.script(
        """
        CREATE TABLE audit_seals (
            n INTEGER PRIMARY KEY,
            seq INTEGER NOT NULL,
            mac TEXT NOT NULL
        );
        """
    )


# -- circle life (m070–m079) -----------------------------------------------------------------

#: Tables of dated entries (SPEC §9 "records keep their history"): owner table -> history
#: table. Every one has `field`, `value`, `on_date` and `note`; `cosa.history` reads them.
HISTORY_COLUMNS = """
    field TEXT NOT NULL,
    value TEXT,
    on_date TEXT NOT NULL,
    note TEXT"""


@migration
def m070_history(store: Store) -> None:
    """Values that change over time become dated entries: a core member's address and area,
    MAPPA category and level and legal status (`member_history`), and a referral's decisions
    (`referral_history`: received, assessed, waiting, accepted, declined, withdrawn). The
    current columns stay as the latest value; existing values become the first entry, dated
    from the record's creation (a referral's from its received and decided dates)."""
    store.script(
        f"""
        CREATE TABLE member_history ({RECORD_COLUMNS},
            member_id INTEGER NOT NULL REFERENCES core_members (id),{HISTORY_COLUMNS}
        );
        CREATE INDEX member_history_member ON member_history (member_id, field, on_date);
        CREATE TABLE referral_history ({RECORD_COLUMNS},
            referral_id INTEGER NOT NULL REFERENCES referrals (id),{HISTORY_COLUMNS},
            reason_group TEXT,
            decided_by TEXT
        );
        CREATE INDEX referral_history_referral ON referral_history (referral_id, field, on_date);
        """
    )
    from cosa.history import MEMBER_FIELDS

    for m in store.query("SELECT * FROM core_members ORDER BY id"):
        for field in MEMBER_FIELDS:
            if field in m and m[field] is not None:
                store.insert(
                    "member_history",
                    "member_history",
                    {
                        "member_id": m["id"],
                        "field": field,
                        "value": str(m[field]),
                        "on_date": str(m["created_at"])[:10],
                    },
                    action="member_history.migrate",
                )
    for i in store.query(
        "SELECT member_id, address, created_at FROM member_identity WHERE address IS NOT NULL"
        " ORDER BY member_id"
    ):
        store.insert(
            "member_history",
            "member_history",
            {
                "member_id": i["member_id"],
                "field": "address",
                "value": i["address"],
                "on_date": str(i["created_at"])[:10],
            },
            action="member_history.migrate",
        )
    for r in store.query("SELECT * FROM referrals ORDER BY id"):
        store.insert(
            "referral_history",
            "referral_history",
            {
                "referral_id": r["id"],
                "field": "decision",
                "value": "received",
                "on_date": r["received_on"],
            },
            action="referral_history.migrate",
        )
        if r["decision"]:
            store.insert(
                "referral_history",
                "referral_history",
                {
                    "referral_id": r["id"],
                    "field": "decision",
                    "value": r["decision"],
                    "on_date": r["decided_on"] or str(r["updated_at"])[:10],
                    "note": r["reason"],
                    "reason_group": r["reason_group"],
                    "decided_by": r["decided_by"],
                },
                action="referral_history.migrate",
            )


RECORD_TABLES["member_history"] = "member_history"
RECORD_TABLES["referral_history"] = "referral_history"


@migration
def m071_followup(store: Store) -> None:
    """Follow-up after a circle ends: checks scheduled at the ending (3, 6 and 12 months by
    default, setting `followup_months`), follow-up contacts, and outcomes (recall, breach,
    reconviction, charge, none), which may also be recorded while a circle runs."""
    store.script(
        f"""
        CREATE TABLE followup_checks ({RECORD_COLUMNS},
            circle_id INTEGER NOT NULL REFERENCES circles (id),
            months INTEGER NOT NULL,
            due_on TEXT NOT NULL,
            done_on TEXT,
            followup_id INTEGER REFERENCES followups (id)
        );
        CREATE INDEX followup_checks_open ON followup_checks (due_on) WHERE done_on IS NULL;
        CREATE INDEX followup_checks_circle ON followup_checks (circle_id, due_on);
        CREATE TABLE followups ({RECORD_COLUMNS},
            circle_id INTEGER NOT NULL REFERENCES circles (id),
            on_date TEXT NOT NULL,
            volunteer_id INTEGER REFERENCES volunteers (id),
            professional_id INTEGER REFERENCES professionals (id),
            mode TEXT,
            note TEXT,
            CHECK ((volunteer_id IS NULL) <> (professional_id IS NULL))
        );
        CREATE INDEX followups_circle ON followups (circle_id, on_date);
        CREATE TABLE outcomes ({RECORD_COLUMNS},
            circle_id INTEGER NOT NULL REFERENCES circles (id),
            on_date TEXT NOT NULL,
            kind TEXT NOT NULL
                CHECK (kind IN ('recall', 'breach', 'reconviction', 'charge', 'none')),
            offence TEXT
                CHECK (offence IN ('sexual-contact', 'sexual-non-contact', 'violent', 'other')),
            source TEXT NOT NULL CHECK (source IN ('probation', 'police', 'other')),
            note TEXT
        );
        CREATE INDEX outcomes_circle ON outcomes (circle_id, on_date);
        """
    )


RECORD_TABLES["followup_check"] = "followup_checks"
RECORD_TABLES["followup"] = "followups"
RECORD_TABLES["outcome"] = "outcomes"


@migration
def m072_agreements_documents(store: Store) -> None:
    """Circle agreements (versioned; who signed which version when), documents (the file's
    bytes inside the encrypted database, with size and SHA-256, attached to one circle,
    member, referral or volunteer), and the agreement version a consent to share rests on."""
    store.script(
        f"""
        CREATE TABLE documents ({RECORD_COLUMNS},
            circle_id INTEGER REFERENCES circles (id),
            member_id INTEGER REFERENCES core_members (id),
            referral_id INTEGER REFERENCES referrals (id),
            volunteer_id INTEGER REFERENCES volunteers (id),
            title TEXT NOT NULL,
            kind TEXT,
            file_name TEXT NOT NULL,
            size INTEGER NOT NULL,
            sha256 TEXT NOT NULL,
            content BLOB,
            CHECK ((circle_id IS NOT NULL) + (member_id IS NOT NULL)
                   + (referral_id IS NOT NULL) + (volunteer_id IS NOT NULL) = 1)
        );
        CREATE INDEX documents_circle ON documents (circle_id);
        CREATE INDEX documents_member ON documents (member_id);
        CREATE INDEX documents_referral ON documents (referral_id);
        CREATE INDEX documents_volunteer ON documents (volunteer_id);
        CREATE TABLE circle_agreements ({RECORD_COLUMNS},
            circle_id INTEGER NOT NULL REFERENCES circles (id),
            version TEXT NOT NULL,
            on_date TEXT NOT NULL,
            document_id INTEGER REFERENCES documents (id),
            note TEXT,
            UNIQUE (circle_id, version)
        );
        CREATE INDEX circle_agreements_circle ON circle_agreements (circle_id, on_date);
        CREATE TABLE agreement_signatures ({RECORD_COLUMNS},
            agreement_id INTEGER NOT NULL REFERENCES circle_agreements (id),
            volunteer_id INTEGER REFERENCES volunteers (id),
            professional_id INTEGER REFERENCES professionals (id),
            member_id INTEGER REFERENCES core_members (id),
            signed_on TEXT NOT NULL,
            CHECK ((volunteer_id IS NOT NULL) + (professional_id IS NOT NULL)
                   + (member_id IS NOT NULL) = 1)
        );
        CREATE INDEX agreement_signatures_agreement ON agreement_signatures (agreement_id);
        ALTER TABLE member_consent ADD COLUMN agreement_id INTEGER
            REFERENCES circle_agreements (id);
        """
    )
    reaudit(store, "member_consent")


RECORD_TABLES["document"] = "documents"
RECORD_TABLES["agreement"] = "circle_agreements"
RECORD_TABLES["signature"] = "agreement_signatures"


@migration
def m080_disclosure_register(store: Store) -> None:
    """Every disclosure in one register: share packs, escalations to professionals, subject
    access packs and raw returns. The table is rebuilt so that a disclosure need not have a
    professional (a subject access pack goes to the data subject), a core member (a raw
    return is about no one in particular) or a file (an escalation by phone); it gains the
    escalation or subject access request it records. Every escalation already made is
    recorded as a disclosure."""
    store.script(
        f"""
        CREATE TABLE sars ({RECORD_COLUMNS},
            member_id INTEGER NOT NULL REFERENCES core_members (id),
            received_on TEXT NOT NULL,
            via TEXT,
            note TEXT
        );
        CREATE INDEX sars_member ON sars (member_id);
        CREATE TABLE sar_events ({RECORD_COLUMNS},
            sar_id INTEGER NOT NULL REFERENCES sars (id),
            kind TEXT NOT NULL
                CHECK (kind IN ('verified', 'paused', 'resumed', 'extended', 'pack', 'responded')),
            date TEXT NOT NULL,
            months INTEGER,
            reason TEXT,
            file_name TEXT,
            sha256 TEXT,
            encrypted INTEGER
        );
        CREATE INDEX sar_events_sar ON sar_events (sar_id, date, id);

        CREATE TABLE complaints ({RECORD_COLUMNS},
            received_on TEXT NOT NULL,
            complainant TEXT NOT NULL,
            about TEXT NOT NULL,
            note TEXT,
            acknowledged_on TEXT,
            responded_on TEXT,
            outcome TEXT CHECK (outcome IN ('upheld', 'partly', 'not-upheld'))
        );
        CREATE INDEX complaints_open ON complaints (responded_on, received_on);

        CREATE TABLE disclosures_new ({RECORD_COLUMNS},
            member_id INTEGER REFERENCES core_members (id),
            circle_id INTEGER REFERENCES circles (id),
            meeting_id INTEGER REFERENCES meetings (id),
            professional_id INTEGER REFERENCES professionals (id),
            recipient TEXT NOT NULL,
            disclosed_on TEXT NOT NULL,
            kind TEXT NOT NULL,
            items TEXT NOT NULL,
            basis TEXT NOT NULL,
            override_reason TEXT,
            removed TEXT NOT NULL,
            file_name TEXT,
            sha256 TEXT,
            encrypted INTEGER NOT NULL DEFAULT 0,
            escalation_id INTEGER REFERENCES escalations (id),
            sar_id INTEGER REFERENCES sars (id)
        );
        INSERT INTO disclosures_new (id, uuid, created_at, updated_at, created_by, updated_by,
            member_id, circle_id, meeting_id, professional_id, recipient, disclosed_on, kind,
            items, basis, override_reason, removed, file_name, sha256, encrypted)
        SELECT id, uuid, created_at, updated_at, created_by, updated_by,
            member_id, circle_id, meeting_id, professional_id, recipient, disclosed_on, kind,
            items, basis, override_reason, removed, file_name, sha256, encrypted
        FROM disclosures;
        DROP TABLE disclosures;
        ALTER TABLE disclosures_new RENAME TO disclosures;
        CREATE INDEX disclosures_member ON disclosures (member_id, disclosed_on);
        CREATE INDEX disclosures_professional ON disclosures (professional_id);
        CREATE INDEX disclosures_meeting ON disclosures (meeting_id);
        CREATE INDEX disclosures_date ON disclosures (disclosed_on, id);
        CREATE INDEX disclosures_escalation ON disclosures (escalation_id);
        CREATE INDEX disclosures_sar ON disclosures (sar_id);
        """
    )
    reaudit(store, "disclosure")
    from cosa.domain.disclosures import record_escalation

    for row in store.query("SELECT id FROM escalations ORDER BY id"):
        record_escalation(store, int(row["id"]), action="schema.migrate")


RECORD_TABLES["sar"] = "sars"
RECORD_TABLES["sar_event"] = "sar_events"
RECORD_TABLES["complaint"] = "complaints"


@migration
def m100_circle_coordinators(store: Store) -> None:
    """Every circle's coordinator is a user of the workspace (a person with a key slot), with
    a dated history of handovers (`circle_coordinators`: who, from which day, a note). The
    column `circles.coordinator` stays as the current value; each circle's coordinator today
    becomes its first entry, dated from the circle's start (else its creation)."""
    store.script(
        f"""
        CREATE TABLE circle_coordinators ({RECORD_COLUMNS},
            circle_id INTEGER NOT NULL REFERENCES circles (id),
            coordinator TEXT NOT NULL,
            on_date TEXT NOT NULL,
            note TEXT
        );
        CREATE INDEX circle_coordinators_circle ON circle_coordinators (circle_id, on_date);
        CREATE INDEX circles_coordinator ON circles (coordinator COLLATE NOCASE);
        """
    )
    for c in store.query("SELECT id, coordinator, start_date, created_at FROM circles ORDER BY id"):
        store.insert(
            "circle_coordinators",
            "circle_coordinator",
            {
                "circle_id": c["id"],
                "coordinator": c["coordinator"],
                "on_date": c["start_date"] or str(c["created_at"])[:10],
            },
            action="circle_coordinator.migrate",
        )


RECORD_TABLES["circle_coordinator"] = "circle_coordinators"


@migration
def m110_transfer(store: Store) -> None:
    """Moving circles between workspaces (`cosa.domain.transfer`).

    `workspace_identity` holds the workspace's age identity (X25519): the secret stays inside
    the encrypted database, so it is covered by the data key, follows backups and restores,
    survives `rotate-key`, and never leaves in an export (not a record table). It is made here
    for new and upgraded workspaces alike. `transfers` records every bundle sent or received
    (an audited record): the bundle's SHA-256, the other workspace, and a renumbered core
    member's codes.
    """
    from cosa.agebox import new_identity

    secret, recipient = new_identity()
    store.script(
        f"""
        CREATE TABLE workspace_identity (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            secret TEXT NOT NULL,
            recipient TEXT NOT NULL,
            created_at TEXT NOT NULL
        );
        CREATE TABLE transfers ({RECORD_COLUMNS},
            direction TEXT NOT NULL CHECK (direction IN ('out', 'in')),
            circle_uuid TEXT NOT NULL,
            bundle_sha256 TEXT NOT NULL,
            peer TEXT NOT NULL,
            member_code TEXT,
            member_code_sent TEXT,
            counts TEXT NOT NULL,
            kept INTEGER NOT NULL DEFAULT 0
        );
        CREATE INDEX transfers_bundle ON transfers (bundle_sha256);
        CREATE INDEX transfers_circle ON transfers (circle_uuid);
        """
    )
    store.execute(
        "INSERT INTO workspace_identity (id, secret, recipient, created_at)"
        " VALUES (1, ?, ?, datetime('now'))",
        (secret, recipient),
    )


RECORD_TABLES["transfer"] = "transfers"


@migration
def m120_disclosure_note(store: Store) -> None:
    """A note on a disclosure (`cosa meeting told --note`): what was said, in words that
    anonymisation blanks with the core member's file."""
    store.script("ALTER TABLE disclosures ADD COLUMN note TEXT;")
    reaudit(store, "disclosure")


@migration
def m140_audit_settings_index(store: Store) -> None:
    """An index of the audit entries that set or unset a setting, so that checking the
    settings against their last entries (`audit verify`, `doctor`) reads those few entries,
    not the whole trail."""
    store.script(
        "CREATE INDEX audit_settings ON audit (seq)"
        " WHERE action IN ('setting.set', 'setting.unset');"
    )


@migration
def m141_meetings_to_tell_probation_index(store: Store) -> None:
    """An index of the meetings marked --notify-pp, so that `status` finds the ones probation
    is still to be told of without reading every meeting."""
    store.script("CREATE INDEX meetings_notify_pp ON meetings (date, id) WHERE notify_pp = 1;")


@migration
def m142_concern_void(store: Store) -> None:
    """A concern recorded in error can be voided (`cosa concern void --reason`): the reason is
    kept on the concern (NULL while it stands); a void concern leaves every list and figure."""
    store.script("ALTER TABLE concerns ADD COLUMN void_reason TEXT;")
    reaudit(store, "concern")
