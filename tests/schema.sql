CREATE INDEX actions_circle ON actions (circle_id, status);
CREATE INDEX actions_meeting ON actions (meeting_id);
CREATE INDEX actions_open_due ON actions (due) WHERE status = 'open';
CREATE INDEX agreement_signatures_agreement ON agreement_signatures (agreement_id);
CREATE INDEX audit_at ON audit (at);
CREATE INDEX audit_record ON audit (record_type, record_id);
CREATE INDEX audit_record_state ON audit (record_type, record_id, seq, state_hash)
            WHERE state_hash IS NOT NULL;
CREATE INDEX audit_settings ON audit (seq) WHERE action IN ('setting.set', 'setting.unset');
CREATE INDEX circle_agreements_circle ON circle_agreements (circle_id, on_date);
CREATE INDEX circle_coordinators_circle ON circle_coordinators (circle_id, on_date);
CREATE INDEX circle_goals_circle ON circle_goals (circle_id);
CREATE INDEX circle_goals_review ON circle_goals (review_on);
CREATE INDEX circle_links_circle ON circle_links (circle_id);
CREATE UNIQUE INDEX circle_links_current
            ON circle_links (circle_id, professional_id) WHERE unlinked_on IS NULL;
CREATE INDEX circle_links_professional ON circle_links (professional_id);
CREATE INDEX circle_members_circle ON circle_members (circle_id, joined_on);
CREATE UNIQUE INDEX circle_members_current
            ON circle_members (circle_id, volunteer_id) WHERE left_on IS NULL;
CREATE INDEX circle_members_volunteer ON circle_members (volunteer_id);
CREATE INDEX circle_phases_circle ON circle_phases (circle_id, started_on);
CREATE INDEX circles_coordinator ON circles (coordinator COLLATE NOCASE);
CREATE INDEX circles_member ON circles (member_id);
CREATE INDEX circles_status ON circles (status);
CREATE INDEX complaints_open ON complaints (responded_on, received_on);
CREATE INDEX concern_notes_concern ON concern_notes (concern_id);
CREATE INDEX concerns_circle_date ON concerns (circle_id, date);
CREATE INDEX concerns_date ON concerns (date);
CREATE INDEX concerns_meeting ON concerns (meeting_id);
CREATE INDEX concerns_open ON concerns (severity, date) WHERE closed_on IS NULL;
CREATE INDEX contacts_circle_date ON contacts (circle_id, date);
CREATE INDEX contacts_date ON contacts (date);
CREATE INDEX contacts_volunteer_date ON contacts (volunteer_id, date);
CREATE INDEX core_members_licence_end ON core_members (licence_end);
CREATE INDEX core_members_mappa ON core_members (mappa_category, mappa_level);
CREATE INDEX disclosures_date ON disclosures (disclosed_on, id);
CREATE INDEX disclosures_escalation ON disclosures (escalation_id);
CREATE INDEX disclosures_meeting ON disclosures (meeting_id);
CREATE INDEX disclosures_member ON disclosures (member_id, disclosed_on);
CREATE INDEX disclosures_professional ON disclosures (professional_id);
CREATE INDEX disclosures_sar ON disclosures (sar_id);
CREATE INDEX documents_circle ON documents (circle_id);
CREATE INDEX documents_member ON documents (member_id);
CREATE INDEX documents_referral ON documents (referral_id);
CREATE INDEX documents_volunteer ON documents (volunteer_id);
CREATE INDEX escalations_at ON escalations (at);
CREATE INDEX escalations_concern ON escalations (concern_id);
CREATE INDEX followup_checks_circle ON followup_checks (circle_id, due_on);
CREATE INDEX followup_checks_open ON followup_checks (due_on) WHERE done_on IS NULL;
CREATE INDEX followups_circle ON followups (circle_id, on_date);
CREATE INDEX goal_updates_goal ON goal_updates (goal_id, date);
CREATE INDEX meeting_amendments_meeting ON meeting_amendments (meeting_id);
CREATE INDEX meeting_attendance_volunteer ON meeting_attendance (volunteer_id);
CREATE INDEX meetings_circle_date ON meetings (circle_id, date);
CREATE INDEX meetings_circle_state_date ON meetings (circle_id, state, date);
CREATE INDEX meetings_date ON meetings (date);
CREATE INDEX meetings_notify_pp ON meetings (date, id) WHERE notify_pp = 1;
CREATE INDEX meetings_unapproved ON meetings (minutes_due_at)
            WHERE approved_at IS NULL AND state = 'held';
CREATE INDEX member_conditions_member ON member_conditions (member_id, start_date);
CREATE INDEX member_consent_member ON member_consent (member_id, given_on);
CREATE INDEX member_consent_professional ON member_consent (professional_id);
CREATE INDEX member_history_member ON member_history (member_id, field, on_date);
CREATE INDEX member_risk_member ON member_risk (member_id, assessed_on);
CREATE INDEX outcomes_circle ON outcomes (circle_id, on_date);
CREATE INDEX professionals_agency ON professionals (agency COLLATE NOCASE);
CREATE INDEX professionals_name ON professionals (name COLLATE NOCASE);
CREATE INDEX referral_history_referral ON referral_history (referral_id, field, on_date);
CREATE INDEX referrals_decision ON referrals (decision, received_on);
CREATE INDEX referrals_member ON referrals (member_id);
CREATE INDEX referrals_received ON referrals (received_on);
CREATE INDEX retention_erasures_record ON retention_erasures (record_uuid);
CREATE INDEX retention_exceptions_record ON retention_exceptions (record_uuid, until);
CREATE UNIQUE INDEX retention_holds_current
            ON retention_holds (record_uuid) WHERE released_on IS NULL;
CREATE INDEX reviews_circle_date ON reviews (circle_id, date);
CREATE INDEX reviews_next ON reviews (next_review);
CREATE INDEX risk_reviews_circle_date ON risk_reviews (circle_id, date);
CREATE INDEX sar_events_sar ON sar_events (sar_id, date, id);
CREATE INDEX sars_member ON sars (member_id);
CREATE INDEX transfers_bundle ON transfers (bundle_sha256);
CREATE INDEX transfers_circle ON transfers (circle_uuid);
CREATE INDEX volunteer_conflicts_member ON volunteer_conflicts (member_id);
CREATE INDEX volunteer_conflicts_volunteer ON volunteer_conflicts (volunteer_id);
CREATE INDEX volunteer_expenses_date ON volunteer_expenses (date);
CREATE INDEX volunteer_expenses_volunteer ON volunteer_expenses (volunteer_id, date);
CREATE INDEX volunteer_hours_circle ON volunteer_hours (circle_id, date);
CREATE INDEX volunteer_hours_date ON volunteer_hours (date);
CREATE INDEX volunteer_hours_volunteer ON volunteer_hours (volunteer_id, date);
CREATE INDEX volunteer_references_volunteer ON volunteer_references (volunteer_id);
CREATE INDEX volunteer_stages_stage ON volunteer_stages (stage, date);
CREATE INDEX volunteer_stages_volunteer ON volunteer_stages (volunteer_id, date);
CREATE INDEX volunteer_status_history_volunteer
            ON volunteer_status_history (volunteer_id, since);
CREATE INDEX volunteer_supervision_volunteer ON volunteer_supervision (volunteer_id, date);
CREATE INDEX volunteer_training_volunteer ON volunteer_training (volunteer_id, date);
CREATE INDEX volunteer_vetting_certificate ON volunteer_vetting (certificate);
CREATE INDEX volunteer_vetting_volunteer ON volunteer_vetting (volunteer_id);
CREATE INDEX volunteers_name ON volunteers (name COLLATE NOCASE);
CREATE TABLE actions (
    id INTEGER PRIMARY KEY,
    uuid TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    updated_by TEXT NOT NULL,
            circle_id INTEGER NOT NULL REFERENCES circles (id),
            meeting_id INTEGER REFERENCES meetings (id),
            text TEXT NOT NULL,
            owner TEXT,
            due TEXT,
            status TEXT NOT NULL DEFAULT 'open',
            closed_on TEXT,
            closed_note TEXT
        );
CREATE TABLE agreement_signatures (
    id INTEGER PRIMARY KEY,
    uuid TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    updated_by TEXT NOT NULL,
            agreement_id INTEGER NOT NULL REFERENCES circle_agreements (id),
            volunteer_id INTEGER REFERENCES volunteers (id),
            professional_id INTEGER REFERENCES professionals (id),
            member_id INTEGER REFERENCES core_members (id),
            signed_on TEXT NOT NULL,
            CHECK ((volunteer_id IS NOT NULL) + (professional_id IS NOT NULL)
                   + (member_id IS NOT NULL) = 1)
        );
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
CREATE TABLE audit_seals (
            n INTEGER PRIMARY KEY,
            seq INTEGER NOT NULL,
            mac TEXT NOT NULL
        );
CREATE TABLE circle_agreements (
    id INTEGER PRIMARY KEY,
    uuid TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    updated_by TEXT NOT NULL,
            circle_id INTEGER NOT NULL REFERENCES circles (id),
            version TEXT NOT NULL,
            on_date TEXT NOT NULL,
            document_id INTEGER REFERENCES documents (id),
            note TEXT,
            UNIQUE (circle_id, version)
        );
CREATE TABLE circle_coordinators (
    id INTEGER PRIMARY KEY,
    uuid TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    updated_by TEXT NOT NULL,
            circle_id INTEGER NOT NULL REFERENCES circles (id),
            coordinator TEXT NOT NULL,
            on_date TEXT NOT NULL,
            note TEXT
        );
CREATE TABLE circle_goals (
    id INTEGER PRIMARY KEY,
    uuid TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    updated_by TEXT NOT NULL,
            circle_id INTEGER NOT NULL REFERENCES circles (id),
            domain TEXT NOT NULL,
            text TEXT NOT NULL,
            review_on TEXT,
            outcome TEXT NOT NULL DEFAULT 'open',
            outcome_on TEXT,
            outcome_note TEXT
        );
CREATE TABLE circle_links (
    id INTEGER PRIMARY KEY,
    uuid TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    updated_by TEXT NOT NULL,
            circle_id INTEGER NOT NULL REFERENCES circles (id),
            professional_id INTEGER NOT NULL REFERENCES professionals (id),
            linked_on TEXT NOT NULL,
            unlinked_on TEXT
        );
CREATE TABLE circle_members (
    id INTEGER PRIMARY KEY,
    uuid TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    updated_by TEXT NOT NULL,
            circle_id INTEGER NOT NULL REFERENCES circles (id),
            volunteer_id INTEGER NOT NULL REFERENCES volunteers (id),
            role TEXT NOT NULL DEFAULT 'member',
            joined_on TEXT NOT NULL,
            left_on TEXT
        );
CREATE TABLE circle_phases (
    id INTEGER PRIMARY KEY,
    uuid TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    updated_by TEXT NOT NULL,
            circle_id INTEGER NOT NULL REFERENCES circles (id),
            phase TEXT NOT NULL,
            started_on TEXT NOT NULL
        );
CREATE TABLE circles (
    id INTEGER PRIMARY KEY,
    uuid TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    updated_by TEXT NOT NULL,
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
CREATE TABLE complaints (
    id INTEGER PRIMARY KEY,
    uuid TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    updated_by TEXT NOT NULL,
            received_on TEXT NOT NULL,
            complainant TEXT NOT NULL,
            about TEXT NOT NULL,
            note TEXT,
            acknowledged_on TEXT,
            responded_on TEXT,
            outcome TEXT CHECK (outcome IN ('upheld', 'partly', 'not-upheld'))
        );
CREATE TABLE concern_notes (
    id INTEGER PRIMARY KEY,
    uuid TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    updated_by TEXT NOT NULL,
            concern_id INTEGER NOT NULL REFERENCES concerns (id),
            date TEXT NOT NULL,
            text TEXT NOT NULL
        );
CREATE TABLE concerns (
    id INTEGER PRIMARY KEY,
    uuid TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    updated_by TEXT NOT NULL,
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
        , void_reason TEXT);
CREATE TABLE contacts (
    id INTEGER PRIMARY KEY,
    uuid TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    updated_by TEXT NOT NULL,
            circle_id INTEGER NOT NULL REFERENCES circles (id),
            volunteer_id INTEGER NOT NULL REFERENCES volunteers (id),
            date TEXT NOT NULL,
            mode TEXT NOT NULL,
            duration_minutes INTEGER,
            note TEXT,
            concern_id INTEGER REFERENCES concerns (id)
        );
CREATE TABLE core_members (
    id INTEGER PRIMARY KEY,
    uuid TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    updated_by TEXT NOT NULL,
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
CREATE TABLE "disclosures" (
    id INTEGER PRIMARY KEY,
    uuid TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    updated_by TEXT NOT NULL,
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
        , note TEXT);
CREATE TABLE documents (
    id INTEGER PRIMARY KEY,
    uuid TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    updated_by TEXT NOT NULL,
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
CREATE TABLE escalations (
    id INTEGER PRIMARY KEY,
    uuid TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    updated_by TEXT NOT NULL,
            concern_id INTEGER NOT NULL REFERENCES concerns (id),
            professional_id INTEGER NOT NULL REFERENCES professionals (id),
            via TEXT NOT NULL,
            at TEXT NOT NULL,
            shared TEXT,
            basis TEXT NOT NULL,
            response TEXT,
            response_at TEXT
        );
CREATE TABLE followup_checks (
    id INTEGER PRIMARY KEY,
    uuid TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    updated_by TEXT NOT NULL,
            circle_id INTEGER NOT NULL REFERENCES circles (id),
            months INTEGER NOT NULL,
            due_on TEXT NOT NULL,
            done_on TEXT,
            followup_id INTEGER REFERENCES followups (id)
        );
CREATE TABLE followups (
    id INTEGER PRIMARY KEY,
    uuid TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    updated_by TEXT NOT NULL,
            circle_id INTEGER NOT NULL REFERENCES circles (id),
            on_date TEXT NOT NULL,
            volunteer_id INTEGER REFERENCES volunteers (id),
            professional_id INTEGER REFERENCES professionals (id),
            mode TEXT,
            note TEXT,
            CHECK ((volunteer_id IS NULL) <> (professional_id IS NULL))
        );
CREATE TABLE goal_updates (
    id INTEGER PRIMARY KEY,
    uuid TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    updated_by TEXT NOT NULL,
            goal_id INTEGER NOT NULL REFERENCES circle_goals (id),
            date TEXT NOT NULL,
            progress TEXT NOT NULL,
            note TEXT
        );
CREATE TABLE lookups (
    id INTEGER PRIMARY KEY,
    uuid TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    updated_by TEXT NOT NULL,
            kind TEXT NOT NULL,
            value TEXT NOT NULL,
            label TEXT,
            position INTEGER NOT NULL DEFAULT 0,
            active INTEGER NOT NULL DEFAULT 1,
            UNIQUE (kind, value)
        );
CREATE TABLE meeting_amendments (
    id INTEGER PRIMARY KEY,
    uuid TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    updated_by TEXT NOT NULL,
            meeting_id INTEGER NOT NULL REFERENCES meetings (id),
            text TEXT NOT NULL,
            reason TEXT
        , changes TEXT);
CREATE TABLE meeting_attendance (
    id INTEGER PRIMARY KEY,
    uuid TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    updated_by TEXT NOT NULL,
            meeting_id INTEGER NOT NULL REFERENCES meetings (id),
            volunteer_id INTEGER NOT NULL REFERENCES volunteers (id),
            status TEXT NOT NULL,
            UNIQUE (meeting_id, volunteer_id)
        );
CREATE TABLE meetings (
    id INTEGER PRIMARY KEY,
    uuid TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    updated_by TEXT NOT NULL,
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
        , state TEXT NOT NULL DEFAULT 'held'
            CHECK (state IN ('held', 'cancelled', 'void')), state_reason TEXT, moved_to TEXT);
CREATE TABLE member_codes_issued (number INTEGER PRIMARY KEY);
CREATE TABLE member_conditions (
    id INTEGER PRIMARY KEY,
    uuid TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    updated_by TEXT NOT NULL,
            member_id INTEGER NOT NULL REFERENCES core_members (id),
            text TEXT NOT NULL,
            start_date TEXT,
            end_date TEXT
        );
CREATE TABLE member_consent (
    id INTEGER PRIMARY KEY,
    uuid TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    updated_by TEXT NOT NULL,
            member_id INTEGER NOT NULL REFERENCES core_members (id),
            professional_id INTEGER REFERENCES professionals (id),
            agency TEXT,
            given_on TEXT NOT NULL,
            withdrawn_on TEXT, agreement_id INTEGER
            REFERENCES circle_agreements (id),
            CHECK ((professional_id IS NULL) <> (agency IS NULL))
        );
CREATE TABLE member_history (
    id INTEGER PRIMARY KEY,
    uuid TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    updated_by TEXT NOT NULL,
            member_id INTEGER NOT NULL REFERENCES core_members (id),
    field TEXT NOT NULL,
    value TEXT,
    on_date TEXT NOT NULL,
    note TEXT
        );
CREATE TABLE member_identity (
    id INTEGER PRIMARY KEY,
    uuid TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    updated_by TEXT NOT NULL,
            member_id INTEGER NOT NULL UNIQUE REFERENCES core_members (id),
            legal_name TEXT,
            aliases TEXT,
            date_of_birth TEXT,
            address TEXT,
            contact TEXT
        );
CREATE TABLE member_risk (
    id INTEGER PRIMARY KEY,
    uuid TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    updated_by TEXT NOT NULL,
            member_id INTEGER NOT NULL REFERENCES core_members (id),
            instrument TEXT NOT NULL,
            version TEXT,
            scale TEXT NOT NULL,
            value TEXT NOT NULL,
            assessed_on TEXT NOT NULL,
            source TEXT NOT NULL
        );
CREATE TABLE outcomes (
    id INTEGER PRIMARY KEY,
    uuid TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    updated_by TEXT NOT NULL,
            circle_id INTEGER NOT NULL REFERENCES circles (id),
            on_date TEXT NOT NULL,
            kind TEXT NOT NULL
                CHECK (kind IN ('recall', 'breach', 'reconviction', 'charge', 'none')),
            offence TEXT
                CHECK (offence IN ('sexual-contact', 'sexual-non-contact', 'violent', 'other')),
            source TEXT NOT NULL CHECK (source IN ('probation', 'police', 'other')),
            note TEXT
        );
CREATE TABLE professionals (
    id INTEGER PRIMARY KEY,
    uuid TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    updated_by TEXT NOT NULL,
            name TEXT NOT NULL,
            agency TEXT NOT NULL,
            role TEXT NOT NULL,
            phone TEXT,
            email TEXT,
            active_from TEXT,
            active_to TEXT
        );
CREATE TABLE referral_history (
    id INTEGER PRIMARY KEY,
    uuid TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    updated_by TEXT NOT NULL,
            referral_id INTEGER NOT NULL REFERENCES referrals (id),
    field TEXT NOT NULL,
    value TEXT,
    on_date TEXT NOT NULL,
    note TEXT,
            reason_group TEXT,
            decided_by TEXT
        );
CREATE TABLE referrals (
    id INTEGER PRIMARY KEY,
    uuid TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    updated_by TEXT NOT NULL,
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
CREATE TABLE retention_erasures (
    id INTEGER PRIMARY KEY,
    uuid TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    updated_by TEXT NOT NULL,
            record_type TEXT NOT NULL,
            record_id INTEGER NOT NULL,
            record_uuid TEXT NOT NULL,
            action TEXT NOT NULL,
            rule TEXT NOT NULL,
            trigger_date TEXT,
            due_on TEXT,
            row_counts TEXT NOT NULL
        );
CREATE TABLE retention_exceptions (
    id INTEGER PRIMARY KEY,
    uuid TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    updated_by TEXT NOT NULL,
            record_type TEXT NOT NULL,
            record_id INTEGER NOT NULL,
            record_uuid TEXT NOT NULL,
            until TEXT NOT NULL,
            reason TEXT NOT NULL
        );
CREATE TABLE retention_holds (
    id INTEGER PRIMARY KEY,
    uuid TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    updated_by TEXT NOT NULL,
            record_type TEXT NOT NULL,
            record_id INTEGER NOT NULL,
            record_uuid TEXT NOT NULL,
            reason TEXT NOT NULL,
            held_on TEXT NOT NULL,
            released_on TEXT
        );
CREATE TABLE retention_rules (
    id INTEGER PRIMARY KEY,
    uuid TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    updated_by TEXT NOT NULL,
            record_type TEXT NOT NULL UNIQUE,
            trigger TEXT NOT NULL,
            period TEXT NOT NULL,
            action TEXT NOT NULL,
            note TEXT
        );
CREATE TABLE reviews (
    id INTEGER PRIMARY KEY,
    uuid TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    updated_by TEXT NOT NULL,
            circle_id INTEGER NOT NULL REFERENCES circles (id),
            date TEXT NOT NULL,
            attendees TEXT,
            decision TEXT NOT NULL,
            rag TEXT,
            next_review TEXT,
            note TEXT
        );
CREATE TABLE risk_review_scores (
    id INTEGER PRIMARY KEY,
    uuid TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    updated_by TEXT NOT NULL,
            risk_review_id INTEGER NOT NULL REFERENCES risk_reviews (id),
            item TEXT NOT NULL,
            score INTEGER NOT NULL,
            UNIQUE (risk_review_id, item)
        );
CREATE TABLE risk_reviews (
    id INTEGER PRIMARY KEY,
    uuid TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    updated_by TEXT NOT NULL,
            circle_id INTEGER NOT NULL REFERENCES circles (id),
            review_id INTEGER REFERENCES reviews (id),
            date TEXT NOT NULL,
            note TEXT
        );
CREATE TABLE sar_events (
    id INTEGER PRIMARY KEY,
    uuid TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    updated_by TEXT NOT NULL,
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
CREATE TABLE sars (
    id INTEGER PRIMARY KEY,
    uuid TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    updated_by TEXT NOT NULL,
            member_id INTEGER NOT NULL REFERENCES core_members (id),
            received_on TEXT NOT NULL,
            via TEXT,
            note TEXT
        );
CREATE TABLE schema_migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL);
CREATE VIRTUAL TABLE search_index USING fts5(
    body, record_type UNINDEXED, record_id UNINDEXED, circle_id UNINDEXED, date UNINDEXED,
    tokenize = 'unicode61 remove_diacritics 2'
);
CREATE TABLE 'search_index_config'(k PRIMARY KEY, v) WITHOUT ROWID;
CREATE TABLE 'search_index_content'(id INTEGER PRIMARY KEY, c0, c1, c2, c3, c4);
CREATE TABLE 'search_index_data'(id INTEGER PRIMARY KEY, block BLOB);
CREATE TABLE 'search_index_docsize'(id INTEGER PRIMARY KEY, sz BLOB);
CREATE TABLE 'search_index_idx'(segid, term, pgno, PRIMARY KEY(segid, term)) WITHOUT ROWID;
CREATE TABLE search_rows (
            record_type TEXT NOT NULL,
            record_id INTEGER NOT NULL,
            row INTEGER NOT NULL,
            PRIMARY KEY (record_type, record_id)
        ) WITHOUT ROWID;
CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE transfers (
    id INTEGER PRIMARY KEY,
    uuid TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    updated_by TEXT NOT NULL,
            direction TEXT NOT NULL CHECK (direction IN ('out', 'in')),
            circle_uuid TEXT NOT NULL,
            bundle_sha256 TEXT NOT NULL,
            peer TEXT NOT NULL,
            member_code TEXT,
            member_code_sent TEXT,
            counts TEXT NOT NULL,
            kept INTEGER NOT NULL DEFAULT 0
        );
CREATE TABLE volunteer_conflicts (
    id INTEGER PRIMARY KEY,
    uuid TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    updated_by TEXT NOT NULL,
            volunteer_id INTEGER NOT NULL REFERENCES volunteers (id),
            member_id INTEGER NOT NULL REFERENCES core_members (id),
            reason TEXT NOT NULL,
            date TEXT NOT NULL
        );
CREATE TABLE volunteer_expenses (
    id INTEGER PRIMARY KEY,
    uuid TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    updated_by TEXT NOT NULL,
            volunteer_id INTEGER NOT NULL REFERENCES volunteers (id),
            date TEXT NOT NULL,
            amount_pence INTEGER NOT NULL CHECK (amount_pence > 0),
            miles REAL,
            circle_id INTEGER REFERENCES circles (id),
            kind TEXT NOT NULL DEFAULT 'travel',
            note TEXT,
            paid_on TEXT
        );
CREATE TABLE volunteer_hours (
    id INTEGER PRIMARY KEY,
    uuid TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    updated_by TEXT NOT NULL,
            volunteer_id INTEGER NOT NULL REFERENCES volunteers (id),
            date TEXT NOT NULL,
            hours REAL NOT NULL,
            activity TEXT NOT NULL,
            travel_hours REAL NOT NULL DEFAULT 0
        , circle_id INTEGER REFERENCES circles (id));
CREATE TABLE volunteer_references (
    id INTEGER PRIMARY KEY,
    uuid TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    updated_by TEXT NOT NULL,
            volunteer_id INTEGER NOT NULL REFERENCES volunteers (id),
            referee TEXT NOT NULL,
            requested_on TEXT,
            received_on TEXT,
            outcome TEXT CHECK (outcome IN ('satisfactory', 'concerns'))
        );
CREATE TABLE volunteer_stages (
    id INTEGER PRIMARY KEY,
    uuid TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    updated_by TEXT NOT NULL,
            volunteer_id INTEGER NOT NULL REFERENCES volunteers (id),
            stage TEXT NOT NULL,
            date TEXT NOT NULL,
            note TEXT
        );
CREATE TABLE volunteer_status_history (
    id INTEGER PRIMARY KEY,
    uuid TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    updated_by TEXT NOT NULL,
            volunteer_id INTEGER NOT NULL REFERENCES volunteers (id),
            status TEXT NOT NULL,
            since TEXT NOT NULL,
            by_hand INTEGER NOT NULL DEFAULT 0,
            note TEXT
        );
CREATE TABLE volunteer_supervision (
    id INTEGER PRIMARY KEY,
    uuid TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    updated_by TEXT NOT NULL,
            volunteer_id INTEGER NOT NULL REFERENCES volunteers (id),
            date TEXT NOT NULL,
            kind TEXT NOT NULL DEFAULT 'individual',
            wellbeing TEXT,
            note TEXT
        );
CREATE TABLE volunteer_training (
    id INTEGER PRIMARY KEY,
    uuid TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    updated_by TEXT NOT NULL,
            volunteer_id INTEGER NOT NULL REFERENCES volunteers (id),
            kind TEXT NOT NULL,
            date TEXT NOT NULL,
            provider TEXT,
            hours REAL,
            title TEXT
        );
CREATE TABLE volunteer_vetting (
    id INTEGER PRIMARY KEY,
    uuid TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    updated_by TEXT NOT NULL,
            volunteer_id INTEGER NOT NULL REFERENCES volunteers (id),
            level TEXT NOT NULL,
            certificate TEXT NOT NULL,
            issued_on TEXT NOT NULL,
            update_service INTEGER NOT NULL DEFAULT 0,
            checked_on TEXT,
            decision TEXT NOT NULL DEFAULT 'pending'
        );
CREATE TABLE volunteers (
    id INTEGER PRIMARY KEY,
    uuid TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    updated_by TEXT NOT NULL,
            name TEXT NOT NULL,
            email TEXT,
            phone TEXT,
            status TEXT NOT NULL DEFAULT 'applicant'
        , left_on TEXT, left_reason TEXT);
CREATE TABLE workspace_identity (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            secret TEXT NOT NULL,
            recipient TEXT NOT NULL,
            created_at TEXT NOT NULL
        );
