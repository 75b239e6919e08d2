"""The examples at the end of every command's `--help`, in one place.

`cosa.grammar.adopt` adds them as an "Examples:" epilog when a command is built. Every line is
run by tests/test_help.py in a small fictional workspace (tests/reports_world.py: circle 1 is
CM-0001's, with meetings 2–8, concerns 1 and 2, actions 1 and 2; circle 2 has ended; and Nia
Brown, a volunteer ready to join a circle), in order, so none goes stale. Keep them real: what a coordinator would type.
"""

from __future__ import annotations

#: command path -> example command lines (without the leading `cosa `).
EXAMPLES: dict[str, list[str]] = {
    "status": ["status", "status --limit 0", "status --coordinator all"],
    # meetings
    "meeting add": [
        "meeting add CM-0001 --on yesterday --present Ann,Bob,Cara --apologies Dev --cm-attended yes"
        " --rag green --minutes 'Talked about the new flat.' --no-prompt",
        "meeting add 1 --on tue --type review --present all --apologies Dev --cm-attended yes"
        " --minutes 'Six-month review.' --no-prompt",
    ],
    "meeting amend": [
        "meeting amend 2 'Bob, not Ben, gave the update.' --reason typo",
        "meeting amend 3 --rag red --reason 'RAG agreed at the review was red'",
    ],
    "meeting cancel": [
        "meeting cancel CM-0001 --on 'last tue' --reason 'Venue closed' --moved-to 'next thu'",
    ],
    "meeting void": ["meeting void 8 --reason 'Recorded twice'"],
    "meeting told": [
        "meeting told 3 --recipient Pat --on yesterday --via phone --note 'Told of the new friend'"
    ],
    "calendar": ["calendar -o circles.ics", "calendar -o cm1.ics --circle CM-0001 --to +4w"],
    "meeting approve": ["meeting approve 8"],
    "meeting edit": ["meeting edit 8 --venue 'Church hall'"],
    "meeting list": [
        "meeting list CM-0001",
        "meeting list --from 1/7/2025 --to 30/9/2025 --status held --csv",
        "meeting list --upcoming",
    ],
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
    "concern void": [
        "concern void 2 --reason 'Typed twice: the same worry as concern 1'",
        "concern list --all",
    ],
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
    "volunteer conflict": [
        "volunteer conflict Bob --member CM-0002 --reason 'Lives on the same street'",
    ],
    "volunteer expense add": [
        "volunteer expense add Ann --on yesterday --amount 12.40 --miles 28 --circle CM-0001",
    ],
    "volunteer expense list": [
        "volunteer expense list --unpaid",
        "volunteer expense list --volunteer Ann --from 1/7/2025 --csv",
    ],
    "volunteer expense pay": [
        "volunteer expense add Ann --on yesterday --amount 4.50 --type subsistence",
        "volunteer expense pay 1 --on today",
    ],
    "volunteer reference": [
        "volunteer add 'Sam Lee'",
        "volunteer reference Sam --referee 'Jo Bloggs' --requested 'last mon'",
    ],
    "volunteer rest": ["volunteer rest Bob --note 'Six months abroad'"],
    "volunteer resume": ["volunteer rest Bob --on -1m", "volunteer resume Bob --on yesterday"],
    "volunteer stage": ["volunteer add 'Sam Lee'", "volunteer stage Sam interview --on yesterday"],
    "volunteer edit": ["volunteer edit Ann --phone '01632 960000'"],
    "volunteer hours": ["volunteer hours Ann --on yesterday --hours 2"],
    "volunteer leave": ["volunteer leave Dev --reason 'moving away' --on yesterday"],
    "volunteer list": ["volunteer list", "volunteer list --status active --csv"],
    "volunteer show": ["volunteer show Ann"],
    "volunteer supervise": ["volunteer supervise Ann --on yesterday --wellbeing fine"],
    "volunteer train": ["volunteer train Ann --type supplementary --on 'last tue' --hours 3"],
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
    "member consent": [
        "member consent CM-0001 --recipient 'Thames Valley Police' --on yesterday",
    ],
    "member edit": ["member edit CM-0001 --mappa-level 1"],
    "member list": ["member list", "member list --json"],
    "member move": [
        "member move CM-0001 --on yesterday --address '4 New Road, Reading' --area Reading",
    ],
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
        "circle goal add CM-0001 'Start a college course' --domain 'work or education' --due +3m",
    ],
    "circle goal list": ["circle goal list CM-0001"],
    "circle goal set": [
        "circle goal set 2 achieved --on yesterday --note 'Volunteers at a cafe'",
        "circle goal set 1 open --due +1m",
    ],
    "circle join": [
        "circle join CM-0001 Nia --on yesterday",
        "volunteer add 'Sam Lee'",
        "circle join CM-0001 Sam --on yesterday --override 'Training booked for Saturday'",
    ],
    "circle leave": ["circle leave CM-0001 Dev --on yesterday"],
    "circle link": ["circle link CM-0001 Pat --unlink --on yesterday"],
    "circle list": ["circle list", "circle list --json", "circle list --coordinator me"],
    "circle phase": ["circle phase CM-0001 'phase 2' --on yesterday"],
    "circle show": ["circle show CM-0001"],
    "circle status": ["circle status CM-0001 paused"],
    "agreement add": ["agreement add CM-0001 --version v1 --on 'last tue'"],
    "agreement list": [
        "agreement add CM-0001 --version v1 --on yesterday",
        "agreement list CM-0001",
    ],
    "agreement show": [
        "agreement add CM-0001 --version v1 --on yesterday",
        "agreement show CM-0001",
    ],
    "agreement sign": [
        "agreement add CM-0001 --version v1 --on 'last tue'",
        "agreement sign CM-0001 Ann --on 'last tue'",
        "agreement sign CM-0001 CM --on yesterday",
    ],
    "followup add": ["followup add CM-0002 --on yesterday --by Olly --mode phone --note 'Settled'"],
    "followup list": ["followup list CM-0002", "followup list CM-0002 --json"],
    "outcome add": ["outcome add CM-0002 --on yesterday --type none --source probation"],
    "outcome list": ["outcome list CM-0002", "outcome list CM-0002 --csv"],
    "document add": ["document add member:CM-0001 rec.txt --title 'Licence conditions'"],
    "document get": [
        "document add circle:1 rec.txt --title 'Agreement scan' --type agreement",
        "document get 1 -o copy.txt",
    ],
    "document list": ["document list circle:1", "document list member:CM-0001 --json"],
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
    "report concerns": [
        "report concerns --from 1/7/2025 --to 30/9/2025 -o concerns.pdf",
        "report concerns --from 1/7/2025 --coordinator me --json",
    ],
    "report member": [
        "report member CM-0001 -o member.pdf",
        "report member CM-0001 -o member.pdf --json-output member.json --force",
    ],
    "report return": [
        "report return --period 2025-Q3 -o return.pdf",
        "report return --period FY2025 --csv",
        "report return --period 2025-Q3 --coordinator me --json",
    ],
    "report merge": [
        "report return --period 2025-Q3 --raw -o raw.pdf --password-file new.txt"
        " --recipient 'Circles UK'",
        "report merge raw.pdf -o total.csv --password-file new.txt",
    ],
    "report extract": [
        "report extract --from 1/1/2025 --to 31/12/2025 -o extract.csv --recipient 'A university'",
    ],
    "report minutes": ["report minutes 2 -o minutes.pdf --volunteer-names first"],
    "report quarter": [
        "report quarter 2025-Q3 -o quarter.pdf",
        "report quarter 2025-Q3 --json",
        "report quarter 2025-Q3 --coordinator me --json",
    ],
    "report volunteers": [
        "report volunteers --from 1/7/2025 --to 30/9/2025 -o volunteers.pdf",
        "report volunteers --from 1/7/2025 --coordinator me --json",
    ],
    "share": ["share 2 --recipient Pat -o share.pdf"],
    "disclosure list": [
        "disclosure list",
        "disclosure list --member CM-0001 --type escalation --json",
    ],
    "disclosure show": ["share 2 --recipient Pat -o share.pdf", "disclosure show 1"],
    # subject access requests and complaints
    "sar add": ["sar add --member CM-0001 --on yesterday --via letter"],
    "sar list": ["sar list", "sar list --open --csv"],
    "sar show": ["sar add --member CM-0001 --on yesterday", "sar show 1"],
    "sar verify": ["sar add --member CM-0001 --on -3d", "sar verify 1 --on yesterday"],
    "sar pause": [
        "sar add --member CM-0001 --on -3d",
        "sar pause 1 --on yesterday --reason 'Waiting for ID'",
    ],
    "sar resume": [
        "sar add --member CM-0001 --on -3d",
        "sar pause 1 --on -2d --reason 'Waiting for ID'",
        "sar resume 1 --on yesterday",
    ],
    "sar extend": [
        "sar add --member CM-0001 --on -3d",
        "sar extend 1 --months 1 --reason 'Many records across two circles'",
    ],
    "sar respond": [
        "sar add --member CM-0001 --on -3d",
        "report member CM-0001 --sar 1 -o pack.pdf",
        "sar respond 1 --on today",
    ],
    "complaint add": [
        "complaint add --on yesterday --complainant 'A neighbour' --about 'Noise after meetings'",
    ],
    "complaint list": ["complaint list", "complaint list --open --json"],
    "complaint show": [
        "complaint add --on yesterday --complainant 'A neighbour' --about Noise",
        "complaint show 1",
    ],
    "complaint acknowledge": [
        "complaint add --on -3d --complainant 'A neighbour' --about Noise",
        "complaint acknowledge 1 --on yesterday",
    ],
    "complaint respond": [
        "complaint add --on -3d --complainant 'A neighbour' --about Noise",
        "complaint respond 1 --on today --outcome not-upheld",
    ],
    # data safety
    "backup": ["backup copy.cosa-backup", "backup copy.cosa-backup --verify"],
    "restore": ["backup copy.cosa-backup", "restore copy.cosa-backup --home restored"],
    "export": ["export handover.cosa-export --password-file new.txt"],
    "transfer": ["transfer CM-0002 --password-file new.txt -o circle2.age"],
    "receive": [
        "--home other init --recovery-file other-recovery.txt",
        "transfer CM-0002 --password-file new.txt -o circle2.age",
        "--home other receive circle2.age --password-file new.txt",
    ],
    "workspace id": ["workspace id", "workspace id --json"],
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
