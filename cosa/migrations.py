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
    for rid in ids:
        store.audit(action, record_type, rid, table=table)
    return len(ids)


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
