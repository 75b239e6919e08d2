"""The examples at the end of every command's `--help`, in one place.

`cosa.grammar.adopt` adds them as an "Examples:" epilog when a command is built. Every line is
run by tests/test_help.py in a small fictional workspace (tests/reports_world.py: circle 1 is
CM-0001's, with meetings 2–8, concerns 1 and 2, actions 1 and 2; circle 2 has ended), in order,
so none goes stale. Keep them real: what a coordinator would type.
"""

from __future__ import annotations

#: command path -> example command lines (without the leading `cosa `).
EXAMPLES: dict[str, list[str]] = {
    "status": ["status", "status --limit 0", "status --coordinator all"],
    # meetings
    "meeting add": [
        "meeting add CM-0001 --date yesterday --present Ann,Bob,Cara --apologies Dev --cm-attended yes"
        " --rag green --minutes 'Talked about the new flat.' --no-prompt",
    ],
    "meeting amend": ["meeting amend 2 --text 'Bob, not Ben, gave the update.' --reason typo"],
    "meeting approve": ["meeting approve 8"],
    "meeting edit": ["meeting edit 8 --venue 'Church hall'"],
    "meeting list": ["meeting list CM-0001", "meeting list --from 1/7/2025 --to 30/9/2025 --csv"],
    "meeting show": ["meeting show 2"],
    # contacts, concerns, actions
    "contact add": ["contact add CM-0001 --by Ann --on yesterday --mode phone --duration 20m"],
    "contact list": ["contact list CM-0001", "contact list --from 1/7/2025 --by Ann --json"],
    "concern add": [
        "concern add CM-0001 'Missed his curfew twice' --severity amber --category other",
    ],
    "concern close": ["concern close 2 --note 'Discussed; a one-off.' --on yesterday"],
    "concern escalate": [
        "concern escalate 2 --recipient Pat --via phone --basis consent --shared 'What Ann saw'",
    ],
    "concern list": ["concern list --open", "concern list CM-0001 --severity red --json"],
    "concern note": ["concern note 2 'He says it was a one-off.' --on 'last tue'"],
    "concern respond": [
        "concern escalate 2 --recipient Pat --via phone --basis consent",
        "concern respond 2 'Probation will visit on Friday.'",
    ],
    "concern show": ["concern show 1"],
    "action add": ["action add CM-0001 'Ann to ring the housing office' --owner Ann --due friday"],
    "action done": ["action done 1 --note 'Rang them.' --on yesterday"],
    "action drop": ["action drop 2 --reason 'No longer needed.'"],
    "action list": [
        "action list --overdue",
        "action list CM-0001 --all --csv",
        "action list --coordinator me",
    ],
    "search": ["search flat", "search housing --circle CM-0001 --best --limit 5"],
    "unlock": ["unlock --for 15m"],
    "lock": ["lock"],
    # people and circles
    "volunteer add": ["volunteer add 'Sam Lee' --email sam@example.org"],
    "volunteer edit": ["volunteer edit Ann --phone '01632 960000'"],
    "volunteer hours": ["volunteer hours Ann --on yesterday --hours 2"],
    "volunteer leave": ["volunteer leave Dev --reason 'moving away' --on yesterday"],
    "volunteer list": ["volunteer list", "volunteer list --status active --csv"],
    "volunteer show": ["volunteer show Ann"],
    "volunteer supervise": ["volunteer supervise Ann --on yesterday --wellbeing fine"],
    "volunteer train": ["volunteer train Ann --kind supplementary --on 'last tue' --hours 3"],
    "volunteer vet": [
        "volunteer vet Ann --level enhanced --certificate 001234567890 --issued 1/11/2026"
        " --decision cleared",
    ],
    "member add": ["member add --mappa-category 1 --mappa-level 1"],
    "member condition add": [
        "member condition add CM-0001 'Not to enter Reading town centre' --from 1/12/2026",
    ],
    "member condition end": ["member condition end CM-0001 1 --on yesterday"],
    "member condition list": ["member condition list CM-0001"],
    "member consent": ["member consent CM-0001 --to 'Thames Valley Police' --on yesterday"],
    "member edit": ["member edit CM-0001 --mappa-level 1"],
    "member list": ["member list", "member list --json"],
    "member risk add": [
        "member risk add CM-0001 --instrument 'OASys RoSH' --scale RoSH --value low --on 1/11/2026"
        " --source 'NPS Thames Valley'",
    ],
    "member risk list": ["member risk list CM-0001"],
    "member show": ["member show CM-0001"],
    "pro add": ["pro add 'Sue Social' --agency 'Reading Council' --role 'social care'"],
    "pro edit": ["pro edit Pat --phone '01632 960001'"],
    "pro list": ["pro list", "pro list --active --csv"],
    "pro show": ["pro show Pat"],
    "referral add": ["referral add --received yesterday --source probation --referrer Pat"],
    "referral decide": ["referral decide 4 accepted --reason-group person --on yesterday"],
    "referral list": ["referral list", "referral list --decision accepted --json"],
    "referral show": ["referral show 1"],
    "circle add": [
        "member add --mappa-category 2 --mappa-level 1",
        "circle add --member CM-0003 --type community --start yesterday",
    ],
    "circle edit": ["circle edit CM-0001 --venue 'Church hall'"],
    "circle end": ["circle end CM-0001 --on yesterday --reason 'moved away'"],
    "circle goal add": [
        "circle goal add CM-0001 --domain 'work or education' --text 'Start a college course'",
    ],
    "circle goal list": ["circle goal list CM-0001"],
    "circle goal set": ["circle goal set 2 achieved --on yesterday --note 'Volunteers at a cafe'"],
    "circle join": ["volunteer add 'Sam Lee'", "circle join CM-0001 Sam --on yesterday"],
    "circle leave": ["circle leave CM-0001 Dev --on yesterday"],
    "circle link": ["circle link CM-0001 Pat --unlink --on yesterday"],
    "circle list": ["circle list", "circle list --json", "circle list --coordinator me"],
    "circle phase": ["circle phase CM-0001 'phase 2' --on yesterday"],
    "circle show": ["circle show CM-0001"],
    "circle status": ["circle status CM-0001 paused"],
    "review add": [
        "review add CM-0001 --on yesterday --attendees 'Pat, Ann' --decision continue --rag green",
    ],
    "review goal": ["review goal 2 --progress 'Applied to two colleges' --on yesterday"],
    "review list": ["review list", "review list CM-0001 --csv"],
    "review progress": ["review progress CM-0001"],
    "review risk": ["review risk CM-0001 --score hostility=1 --on yesterday"],
    "review risk-trend": ["review risk-trend CM-0001"],
    "review show": ["review show 1"],
    # reports and sharing
    "report circle": [
        "report circle CM-0001 --from 1/7/2025 --to 30/9/2025 -o circle.pdf --recipient 'Panel'",
    ],
    "report concerns": ["report concerns --from 1/7/2025 --to 30/9/2025 -o concerns.pdf"],
    "report member": ["report member CM-0001 -o member.pdf"],
    "report minutes": ["report minutes 2 -o minutes.pdf --volunteer-names first"],
    "report quarter": [
        "report quarter 2025-Q3 -o quarter.pdf",
        "report quarter 2025-Q3 --json",
        "report quarter 2025-Q3 --coordinator me --json",
    ],
    "report volunteers": ["report volunteers --from 1/7/2025 --to 30/9/2025 -o volunteers.pdf"],
    "share": ["share 2 --to Pat -o share.pdf"],
    "disclosure list": ["disclosure list", "disclosure list --member CM-0001 --json"],
    "disclosure show": ["share 2 --to Pat -o share.pdf", "disclosure show 1"],
    # data safety
    "backup": ["backup copy.cosa-backup", "backup copy.cosa-backup --verify"],
    "restore": ["backup copy.cosa-backup", "restore copy.cosa-backup --home restored"],
    "export": ["export handover.cosa-export --password-file new.txt"],
    "retention": ["retention", "retention --as-of 1/1/2040 --csv"],
    "retention erase": ["retention erase volunteer 6 --action anonymise --yes"],
    "retention hold": ["retention hold volunteer 6 --reason 'Court case pending'"],
    "retention holds": ["retention holds"],
    "retention keep": ["retention keep volunteer 6 --until 1/1/2040 --reason 'Inquiry'"],
    "retention release": [
        "retention hold volunteer 6 --reason 'Court case pending'",
        "retention release volunteer 6",
    ],
    "retention rule set": ["retention rule set referral --period 7y"],
    "retention rules": ["retention rules", "retention rules --json"],
    "audit": ["audit", "audit --from 'last mon' --type concern --csv"],
    "audit verify": ["audit verify"],
    "doctor": ["doctor"],
    # set-up and keys
    "init": ["--home new-ws init --recovery-file new-recovery.txt"],
    "demo": ["demo --home demo-ws -o ."],
    "passwd": ["passwd --new-passphrase-file new.txt"],
    "user add": ["user add 'Bea Mason' --role manager --new-passphrase-file new.txt"],
    "user list": ["user list", "user list --json"],
    "circle assign": [
        "user add Dev --new-passphrase-file new.txt",
        "circle assign 1 Dev --on today --note 'Ann on leave'",
    ],
    "user remove": ["user add Dev --new-passphrase-file new.txt", "user remove Dev"],
    "recover": ["recover --recovery-file rec.txt --new-passphrase-file new.txt"],
    "rotate-key": ["rotate-key --recovery-file new-code.txt"],
    "config list": ["config list"],
    "config set": ["config set report_classification OFFICIAL"],
    "config unset": ["config unset report_classification"],
    "lookup add": ["lookup add concern-category 'online contact'"],
    "help": ["help", "help dates", "help exit codes"],
    "lookup list": ["lookup list", "lookup list concern-category --csv"],
}


def epilog(path: str) -> str | None:
    """The "Examples:" block for the command at `path` (words joined by spaces), if any."""
    lines = EXAMPLES.get(path)
    if not lines:
        return None
    return "\b\nExamples:\n" + "\n".join(f"  cosa {line}" for line in lines)
