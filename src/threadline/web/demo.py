"""The demo: a fictional family across three generations and three addresses, known to a
dozen fictional agencies of the fictional area of Northmoor over two years, with the
risks those agencies know about the adults around the children, the children's plans and
court orders with the statutory clock's tasks, and a school's referral of another child
waiting for the front door's decision.

Everything is invented. NHS numbers are from the 999 range the NHS reserves for testing.
Loading goes through the same services as the web UI and the API. Demo accounts sign in
with the shared demo password alone (`mfa_exempt`; never honoured in production)."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from threadline.agencies.models import Agency, AgencyType, Experience, Practitioner, Role
from threadline.agencies.services import create_agency, create_practitioner
from threadline.cases import services as cases
from threadline.chronology import services as chronology
from threadline.orders import services as orders
from threadline.orders.models import OrderType, PlanCategory
from threadline.people import services as people
from threadline.people.validators import nhs_number_is_valid
from threadline.referrals import services as referrals
from threadline.referrals.models import ConcernCategory, SharingBasis, Urgency
from threadline.reviews import services as reviews
from threadline.reviews.models import Action, ActionUpdate
from threadline.risks import services as risks
from threadline.risks.factors import load_factors
from threadline.risks.models import Factor
from threadline.sharing import services as sharing
from threadline.sharing.models import AGENCY_CATEGORY
from threadline.sharing.models import InformationCategory as Info
from threadline.timescales import meetings
from threadline.timescales.models import EventKind

# The area's information-sharing agreement: each category of information, and the agencies
# (beyond the one holding it) allowed to see it. Probation does not share with the
# family-court advisers: they must ask (see the pending access request).
SHARING = {
    Info.SOCIAL_CARE: "all",
    Info.HEALTH: ["nm-csc", "nm-hospital", "nm-hv", "nm-maternity", "fernside-gp"],
    Info.SUBSTANCE_MISUSE: ["nm-csc", "nm-hospital", "nm-hv", "nm-maternity", "fernside-gp"],
    Info.POLICE_INTELLIGENCE: ["nm-csc", "nm-legal"],
    Info.PROBATION: ["nm-csc", "nm-police"],
    Info.HOUSING: ["nm-csc", "nm-hv"],
    Info.EDUCATION: ["nm-csc", "nm-hv", "fernside-gp"],
    Info.LEGAL: ["nm-csc", "nm-legal", "nm-fca"],
}

AREA = "Northmoor"

AGENCIES = [
    # code, name, type, phone
    (
        "nm-csc",
        "Northmoor Children's Social Care",
        AgencyType.CHILDRENS_SOCIAL_CARE,
        "01632 960100",
    ),
    ("nm-hospital", "Northmoor General Hospital", AgencyType.ACUTE_HOSPITAL, "01632 960200"),
    ("nm-hv", "Northmoor Health Visiting", AgencyType.HEALTH_VISITING, "01632 960300"),
    ("nm-maternity", "Northmoor Maternity Service", AgencyType.MIDWIFERY, "01632 960310"),
    ("fernside-gp", "Fernside Medical Practice", AgencyType.GP, "01632 960400"),
    ("nm-police", "Northmoor Police", AgencyType.POLICE, "01632 960500"),
    ("nm-probation", "Probation Service, Northmoor", AgencyType.PROBATION, "01632 960600"),
    ("nm-fca", "Northmoor Family Court Advisers", AgencyType.FAMILY_COURT_ADVISERS, "01632 960700"),
    (
        "nm-legal",
        "Northmoor Council Legal Services",
        AgencyType.LOCAL_AUTHORITY_LEGAL,
        "01632 960800",
    ),
    ("nm-housing", "Northmoor District Housing", AgencyType.HOUSING, "01632 960900"),
    (
        "nm-recovery",
        "Northmoor Recovery Service",
        AgencyType.ADULT_SUBSTANCE_MISUSE,
        "01632 961000",
    ),
    ("brookside-school", "Brookside Primary School", AgencyType.EDUCATION, "01632 961100"),
    (
        "nm-partnership",
        "Northmoor Safeguarding Partnership",
        AgencyType.PARTNERSHIP,
        "01632 961200",
    ),
]

# username, agency code, first, last, job title, role, experience
PRACTITIONERS = [
    (
        "social.worker",
        "nm-csc",
        "Amira",
        "Okafor",
        "Social worker",
        Role.PRACTITIONER,
        Experience.EXPERIENCED,
    ),
    ("ben.carter", "nm-csc", "Ben", "Carter", "Social worker", Role.PRACTITIONER, Experience.ASYE),
    (
        "team.manager",
        "nm-csc",
        "Helen",
        "Brooks",
        "Team manager, Family Safeguarding Team 2",
        Role.TEAM_MANAGER,
        Experience.ADVANCED,
    ),
    (
        "front.door",
        "nm-csc",
        "Priya",
        "Nair",
        "Front-door social worker",
        Role.FRONT_DOOR_OFFICER,
        Experience.QUALIFIED,
    ),
    (
        "csc.lead",
        "nm-csc",
        "Marion",
        "Hale",
        "Principal social worker, safeguarding lead",
        Role.SAFEGUARDING_LEAD,
        Experience.ADVANCED,
    ),
    (
        "hospital",
        "nm-hospital",
        "Grace",
        "Mensah",
        "Paediatric liaison nurse",
        Role.SAFEGUARDING_LEAD,
        "",
    ),
    ("health.visitor", "nm-hv", "Lucy", "Farrant", "Health visitor", Role.PRACTITIONER, ""),
    (
        "midwife",
        "nm-maternity",
        "Joanne",
        "Reeve",
        "Specialist safeguarding midwife",
        Role.PRACTITIONER,
        "",
    ),
    ("gp", "fernside-gp", "Imran", "Qureshi", "GP, safeguarding lead", Role.SAFEGUARDING_LEAD, ""),
    (
        "police",
        "nm-police",
        "Mark",
        "Dunmore",
        "Detective constable, child abuse investigation",
        Role.PRACTITIONER,
        "",
    ),
    (
        "probation",
        "nm-probation",
        "Claire",
        "Whitfield",
        "Senior probation officer, safeguarding lead",
        Role.SAFEGUARDING_LEAD,
        "",
    ),
    ("family.court", "nm-fca", "Ruth", "Adeyemi", "Family court adviser", Role.PRACTITIONER, ""),
    ("legal", "nm-legal", "Owen", "Patel", "Child-care solicitor", Role.PRACTITIONER, ""),
    ("housing", "nm-housing", "Bev", "Collins", "Tenancy officer", Role.PRACTITIONER, ""),
    ("recovery", "nm-recovery", "Sean", "Doyle", "Recovery worker", Role.PRACTITIONER, ""),
    (
        "school",
        "brookside-school",
        "Anita",
        "Shaw",
        "Designated safeguarding lead",
        Role.SAFEGUARDING_LEAD,
        "",
    ),
    (
        "partnership",
        "nm-partnership",
        "Diane",
        "Cole",
        "Partnership business manager",
        Role.PARTNERSHIP_OFFICER,
        "",
    ),
    (
        "auditor",
        "nm-partnership",
        "Rob",
        "Ingram",
        "Information governance auditor",
        Role.AUDITOR,
        "",
    ),
]


@dataclass
class Loaded:
    created: bool
    usernames: list[str]


def fictional_nhs_number(seed: int) -> str:
    """A valid NHS number from the range reserved for testing (999 000 0000 upwards)."""
    n = 9990000000 + seed * 10
    while not nhs_number_is_valid(str(n)):
        n += 1
    return str(n)


def load_demo(*, chronology: bool = True) -> Loaded:
    """Load the demo once; running it again changes nothing (except to exempt the demo
    accounts of a database loaded before `mfa_exempt` existed from the second factor).
    `chronology=False` leaves out the agencies' chronology entries (for tests that count
    the entries they record themselves): only the entries Threadline records itself
    remain (the household changes when the family moves, the plans and orders made and
    ended)."""
    usernames = [p[0] for p in PRACTITIONERS] + ["admin"]
    if Agency.objects.filter(code="nm-csc").exists():
        Practitioner.objects.filter(username__in=usernames).update(mfa_exempt=True)
        return Loaded(False, usernames)
    with transaction.atomic():
        _load(timezone.localdate(), chronology=chronology)
    return Loaded(True, usernames)


def _load(today: date, *, chronology: bool = True) -> None:
    def ago(**kwargs) -> date:
        return today - relativedelta(**kwargs)

    agencies = {
        code: create_agency(
            actor=None,
            code=code,
            name=name,
            agency_type=kind,
            area=AREA,
            phone=phone,
            safeguarding_email=f"safeguarding@{code}.example.org",
        )
        for code, name, kind, phone in AGENCIES
    }
    staff = {
        username: create_practitioner(
            actor=None,
            username=username,
            password=settings.DEMO_PASSWORD,
            agency=agencies[code],
            first_name=first,
            last_name=last,
            job_title=title,
            role=role,
            experience=experience,
            email=f"{username}@{code}.example.org",
            phone=agencies[code].phone.replace("00", f"{i:02d}", 1),
            mfa_exempt=True,
        )
        for i, (username, code, first, last, title, role, experience) in enumerate(PRACTITIONERS)
    }
    admin = create_practitioner(
        actor=None,
        username="admin",
        password=settings.DEMO_PASSWORD,
        agency=None,
        role=Role.ADMINISTRATOR,
        first_name="Sys",
        last_name="Admin",
        is_staff=True,
        is_superuser=True,
        mfa_exempt=True,
    )
    _share(admin, agencies, today)
    sw, fd = staff["social.worker"], staff["front.door"]

    def person(kind, given, family, born, sex, nhs_seed=None, **extra):
        return people.create_person(
            actor=fd,
            kind=kind,
            given_names=given,
            family_name=family,
            date_of_birth=born,
            sex=sex,
            ethnicity="WBRI",
            nhs_number=fictional_nhs_number(nhs_seed) if nhs_seed else None,
            **extra,
        )

    # Three generations of the (fictional) Hartley family.
    pauline = person("adult", "Pauline", "Hartley", date(1968, 4, 11), "F", 1)
    derek = person("adult", "Derek", "Hartley", date(1965, 9, 30), "M", 2)
    shane = person("adult", "Shane", "Hartley", date(1993, 1, 17), "M")
    kerry = person("adult", "Kerry", "Hartley", date(1999, 7, 5), "F", 3)
    jason = person("adult", "Jason", "Pike", date(1994, 2, 22), "M")
    tyler = person("child", "Tyler", "Hartley", ago(years=7, months=2), "M", 4)
    riley = person("child", "Riley", "Pike", ago(months=10), "F", 5)
    people.add_name(
        actor=fd, person=kerry, given_names="Kez", family_name="Hartley", kind="known_as"
    )
    people.add_name(actor=fd, person=jason, given_names="Jay", family_name="Pike", kind="alias")

    rel = [
        (pauline, derek, "partner", date(1990, 6, 2)),
        (pauline, kerry, "mother", None),
        (derek, kerry, "father", None),
        (pauline, shane, "mother", None),
        (derek, shane, "father", None),
        (kerry, tyler, "mother", None),
        (kerry, riley, "mother", None),
        (jason, riley, "father", None),
        (kerry, jason, "partner", ago(years=2, months=6)),
        (tyler, riley, "half_sibling", None),
        (pauline, tyler, "grandparent", None),
        (pauline, riley, "grandparent", None),
        (derek, tyler, "grandparent", None),
        (derek, riley, "grandparent", None),
        (shane, tyler, "aunt_uncle", None),
        (shane, riley, "aunt_uncle", None),
    ]
    for a, b, kind, since in rel:
        people.add_relationship(actor=sw, person_a=a, person_b=b, type=kind, from_date=since)

    # Two addresses: the couple's flat, then the grandparents' home after the separation.
    bramble = people.find_or_create_address(
        line_1="Flat 3, 14 Bramble Close", town=AREA, postcode="NM1 4BX"
    )
    lark = people.find_or_create_address(
        line_1="27 Lark Rise", town=AREA, postcode="NM2 7QT", uprn="100099990027"
    )
    for p in (pauline, derek):
        people.record_move(actor=sw, person=p, address=lark, from_date=date(1998, 3, 1))
    people.record_move(actor=sw, person=shane, address=lark, from_date=ago(months=14))
    for p in (kerry, tyler):
        people.record_move(actor=sw, person=p, address=bramble, from_date=ago(years=2))
    people.record_move(actor=sw, person=jason, address=bramble, from_date=ago(years=2))
    people.record_move(
        actor=sw, person=riley, address=bramble, from_date=ago(months=10) + timedelta(days=12)
    )
    for p in (kerry, tyler, riley):
        people.record_move(actor=sw, person=p, address=lark, from_date=ago(months=4))

    # Riley's paternal uncle and his partner at their own address, across town: Riley has
    # never lived there (moving her in raises a household-change alert: docs/risks.md).
    dean = person("adult", "Dean", "Pike", date(1990, 11, 8), "M")
    stacey = person("adult", "Stacey", "Grant", date(1992, 3, 14), "F")
    for a, b, kind in (
        (dean, jason, "sibling"),
        (dean, riley, "aunt_uncle"),
        (dean, stacey, "partner"),
    ):
        people.add_relationship(actor=sw, person_a=a, person_b=b, type=kind)
    foundry = people.find_or_create_address(line_1="6 Foundry Row", town=AREA, postcode="NM3 2LD")
    for p in (dean, stacey):
        people.record_move(actor=sw, person=p, address=foundry, from_date=ago(years=3))
    people.add_local_reference(
        actor=staff["probation"],
        person=dean,
        agency=agencies["nm-probation"],
        reference="PRB-NM-2214",
    )

    for p, ref in ((riley, "CSC-204117"), (tyler, "CSC-188402"), (kerry, "CSC-096551")):
        people.add_local_reference(actor=sw, person=p, agency=agencies["nm-csc"], reference=ref)
    people.add_local_reference(
        actor=staff["police"], person=jason, agency=agencies["nm-police"], reference="NMP-PNC-0493"
    )

    # Riley's case: opened before birth (opening puts social care in the network), the
    # network as it stands, one reallocation.
    riley_case = cases.open_case(actor=sw, child=riley, opened_on=ago(months=11))
    network = [
        (
            "nm-maternity",
            "midwife",
            "Specialist safeguarding midwife",
            ago(months=11),
            ago(months=9),
        ),
        (
            "nm-hospital",
            "hospital",
            "Neonatal unit and paediatric liaison",
            ago(months=10),
            ago(months=9),
        ),
        ("nm-hv", "health.visitor", "Health visitor", ago(months=9), None),
        ("fernside-gp", "gp", "GP", ago(months=10), None),
        ("nm-police", "police", "Child abuse investigation", ago(months=8), None),
        ("nm-probation", "probation", "Probation officer for the father", ago(months=8), None),
        ("nm-fca", "family.court", "Children's guardian in care proceedings", ago(months=6), None),
        ("nm-legal", "legal", "Local-authority solicitor", ago(months=6), None),
        ("nm-housing", "housing", "Tenancy of the family home", ago(months=5), None),
        ("nm-recovery", "recovery", "Recovery worker for the mother", ago(months=11), None),
    ]
    for code, username, role, since, until in network:
        cases.add_involvement(
            actor=sw,
            case=riley_case,
            agency=agencies[code],
            practitioner=staff[username],
            role=role,
            from_date=since,
            to_date=until,
        )
    manager = staff["team.manager"]
    cases.allocate_social_worker(
        actor=manager, case=riley_case, social_worker=staff["ben.carter"], from_date=ago(months=11)
    )
    cases.allocate_social_worker(
        actor=manager, case=riley_case, social_worker=sw, from_date=ago(months=6)
    )
    cases.set_lead_professional(actor=manager, case=riley_case, lead_professional=sw)

    # Tyler's case: open since the care proceedings that ended in his supervision order;
    # the school and the GP know him; same social worker as his sister.
    tyler_case = cases.open_case(actor=sw, child=tyler, opened_on=ago(months=11))
    for code, username, role in (
        ("brookside-school", "school", "School designated safeguarding lead"),
        ("fernside-gp", "gp", "GP"),
        ("nm-hv", "health.visitor", "Health visitor (family)"),
    ):
        cases.add_involvement(
            actor=sw,
            case=tyler_case,
            agency=agencies[code],
            practitioner=staff[username],
            role=role,
            from_date=ago(months=8),
        )
    cases.allocate_social_worker(
        actor=manager, case=tyler_case, social_worker=sw, from_date=ago(months=11)
    )
    cases.set_lead_professional(actor=manager, case=tyler_case, lead_professional=sw)

    # The children's guardian needs the father's probation record for the court.
    sharing.request_access(
        actor=staff["family.court"],
        child=riley,
        provider=agencies["nm-probation"],
        category=Info.PROBATION,
        reason="The court has asked for an analysis of the father's risk before the final "
        "hearing; I need the probation assessment and any breaches.",
    )

    # The school refers a pupil not yet known to social care: the referral waits for the
    # front door's decision (front.door's queue; the notice in its agency's inbox).
    referrals.make_referral(
        actor=staff["school"],
        new_child={
            "kind": "child",
            "given_names": "Mason",
            "family_name": "Ellery",
            "date_of_birth": ago(years=8, months=5),
            "sex": "M",
            "nhs_number": fictional_nhs_number(6),
        },
        concerns="Mason (Year 3) has come in hungry most mornings this half-term, in the same "
        "clothes, and has fallen asleep in class twice. On Tuesday he told his teacher there "
        "was nobody home the night before and he had cereal for tea. His attendance has "
        "dropped to 82%. His mother has not answered the school's calls this week.",
        categories=[ConcernCategory.NEGLECT],
        urgency=Urgency.STANDARD,
        family_told="I told his mother at pick-up on Wednesday that we are worried about Mason "
        "being left alone and are referring to children's social care; she agreed we could "
        "share what we know.",
        sharing_basis=SharingBasis.CONSENT,
    )
    _legal_status(staff, riley, tyler, ago)
    _risks(staff, {"kerry": kerry, "jason": jason, "dean": dean, "tyler": tyler}, ago, today)
    noah = person("child", "Noah", "Quinlan", ago(years=4, months=3), "M", 7)
    _reviews(staff, agencies, noah, ago)
    _identities(agencies, tyler, kerry)
    if chronology:
        _chronology(staff, riley, tyler, ago)


def _identities(agencies: dict, tyler, kerry) -> None:
    """Agencies' own records of people Threadline knows, as their extracts would send them
    (`threadline import-people`): the hospital's record of Kerry, spelt its own way, is
    linked by the model; the school's record of Tyler is linked too, and its record of a
    girl of the same age at the same address, Tia, waits in the review queue (twins or
    siblings are never linked automatically) for the front door or the school's lead."""
    from threadline.linkage.services import receive_record

    lark = {"postcode": "NM2 7QT", "address": "27 Lark Rise, Northmoor"}
    born = tyler.date_of_birth.isoformat()
    records = [
        (
            "nm-hospital",
            "NGH-4471203",
            {
                "nhs_number": kerry.nhs_number_display,
                "first_name": "Kerry",
                "surname": "Hartley",
                "dob": kerry.date_of_birth.isoformat(),
                "sex": "F",
                **lark,
            },
        ),
        (
            "brookside-school",
            "UPN-A2213",
            {
                "nhs_number": tyler.nhs_number,
                "first_name": "Tyler",
                "surname": "Hartley",
                "dob": born,
                "sex": "M",
                **lark,
            },
        ),
        (
            "brookside-school",
            "UPN-A2214",
            {"first_name": "Tia", "surname": "Hartley", "dob": born, "sex": "F", **lark},
        ),
    ]
    for code, local_id, fields in records:
        receive_record(actor=None, agency=agencies[code], local_id=local_id, fields=fields)


# The (fictional) review whose recommendations made the statutory clock's review-made
# rules (timescales.rules.REVIEW), each linked to the rule it created.
REVIEW_RECOMMENDATIONS = [
    (
        "nm-csc",
        "supervision-order-conference",
        "When proceedings end in a supervision order, children's social care convenes a "
        "child-protection conference (or records why a plan is not needed) within 15 "
        "working days.",
        ["Supervision orders"],
    ),
    (
        "nm-csc",
        "supervision-order-allocation",
        "A child under a supervision order always has an allocated social worker.",
        ["Supervision orders", "Allocation"],
    ),
    (
        "nm-csc",
        "supervision-order-review",
        "Agencies review a supervision order together at least every three months when "
        "there is no child-protection plan.",
        ["Supervision orders", "Multi-agency working"],
    ),
    (
        "nm-csc",
        "supervision-order-extension",
        "One month before a supervision order expires, a multi-agency meeting decides "
        "whether to ask the court to extend it.",
        ["Supervision orders"],
    ),
    (
        "nm-csc",
        "proceedings-outcome-notice",
        "Every agency involved is told the outcome of care proceedings in writing.",
        ["Information sharing"],
    ),
    (
        "nm-csc",
        "proceedings-legal-memorandum",
        "Legal services explain an order's meaning and duties to the agencies involved.",
        ["Information sharing"],
    ),
    (
        "nm-probation",
        "",
        "Probation shares the risk an adult poses to children with children's social care "
        "whenever that adult joins a household with children.",
        ["Information sharing", "Household change"],
    ),
    (
        "nm-partnership",
        "placement-review",
        "Placements of children with complex needs have a written multi-agency agreement "
        "with an exit strategy and a review schedule.",
        ["Placements", "Multi-agency working"],
    ),
]


def _reviews(staff: dict, agencies: dict, noah, ago) -> None:
    """A published local practice review (Child N, about a fictional child), its
    recommendations linked to the rules they created, and the agencies' action plans in
    every state: the partnership's monitoring has something to show."""
    officer = staff["partnership"]
    review = reviews.open_review(
        actor=officer,
        title="Child N",
        review_type="rapid_review",
        incident_summary="Noah, aged three, was admitted to hospital with a serious injury "
        "while his family was known to several agencies and he was under a supervision "
        "order that had not been reviewed.",
        incident_on=ago(months=14),
        aware_on=ago(months=14) + timedelta(days=1),
        notified_on=ago(months=14) + timedelta(days=3),
        children=[noah],
        scope_from=ago(months=26),
        scope_to=ago(months=14),
        terms_of_reference=[
            "How did agencies understand and act on the supervision order?",
            "Was the risk posed by adults joining the household known and shared?",
            "How were the placement and its ending planned?",
        ],
        independent_reviewer="Dr J. Ambrose (independent reviewer)",
        panel=[(officer, "chair"), (staff["csc.lead"], "member"), (staff["hospital"], "member")],
    )
    for milestone, day in (
        ("rapid_review_completed", ago(months=13, days=10)),
        ("lcspr_decided", ago(months=13, days=5)),
        ("published", ago(months=8)),
    ):
        reviews.record_milestone(actor=officer, review=review, milestone=milestone, on=day)
    reviews.add_finding(
        actor=officer,
        review=review,
        text="The supervision order was made without a plan for who would oversee it, and "
        "no agency reviewed it for eleven months.",
        themes=["Supervision orders"],
    )
    reviews.add_finding(
        actor=officer,
        review=review,
        text="Probation knew of the risk posed by an adult who joined Noah's household; "
        "children's social care did not.",
        themes=["Information sharing", "Household change"],
    )
    recommendations = reviews.add_recommendations(
        actor=officer,
        review=review,
        items=[
            reviews.ProposedRecommendation(n, text, agencies[code], themes, rule)
            for n, (code, rule, text, themes) in enumerate(REVIEW_RECOMMENDATIONS, start=1)
        ],
    )
    responders = {"nm-csc": staff["team.manager"], "nm-probation": staff["probation"]}
    evidence = SimpleUploadedFile("audit-summary.txt", b"Audit of 20 cases: all compliant.\n")
    for i, recommendation in enumerate(recommendations):
        responder = responders.get(recommendation.addressed_to.code, officer)
        action = reviews.add_action(
            actor=responder,
            recommendation=recommendation,
            description=f"Put recommendation {recommendation.number} into practice and "
            "audit it after three months",
            owner=responder,
            due_on=ago(months=-(i % 4) - 1),
            measure_of_success="A case audit shows it happening in every case sampled",
        )
        stage = i % 4  # not started, in progress, awaiting evidence, closed
        if stage >= 1:
            reviews.update_action(actor=responder, action=action, status="in_progress", rag="amber")
        if stage >= 2:
            evidence.seek(0)
            reviews.add_evidence(actor=responder, action=action, files=[evidence])
            reviews.update_action(
                actor=responder, action=action, status="awaiting_evidence", rag="green"
            )
        if stage == 3:
            reviews.decide_evidence(actor=officer, action=action, accept=True)
            reviews.close_action(actor=officer, action=action)
    # The plans were made over the last few months: spread each action's kept history
    # back in time (demo scaffolding only), so the progress chart has a history to draw.
    now = timezone.now()
    for action in Action.objects.filter(recommendation__review=review):
        updates = list(action.updates.order_by("created_at"))
        for j, update in enumerate(updates):
            weeks = 11 - 3 * j - action.recommendation.number % 3
            ActionUpdate.objects.filter(pk=update.pk).update(
                created_at=now - timedelta(weeks=max(weeks, 0), days=1)
            )


def _legal_status(staff: dict, riley, tyler, ago) -> None:
    """The children's plans and orders, and the meetings the statutory clock counts, as
    the services record them. Tyler's supervision order, from earlier care proceedings,
    runs out in about six weeks: the meeting on extending it is due soon. After the
    assault, the strategy discussion and the initial conference put both children on
    child-protection plans; the review conference kept Riley's and ended Tyler's, so his
    supervision order is reviewed by the agencies together every three months — and the
    next review is overdue. Riley's care proceedings are under way."""
    sw, legal = staff["social.worker"], staff["legal"]
    court = "Northmoor Family Court"
    orders.make_order(
        actor=sw,
        child=tyler,
        order_type=OrderType.SUPERVISION_ORDER,
        starts_on=ago(months=10, weeks=2),
        court=court,
        case_number="NM25C00417",
        made_by="HHJ Whitcombe, at the end of care proceedings",
        notes="Tyler lives with his mother under the supervision of Northmoor Children's "
        "Social Care. The court expects Kerry Hartley to keep working with the recovery "
        "service, and the school to report any fall in Tyler's attendance.",
    )
    strategy = ago(months=8, days=4)
    conference = strategy + timedelta(days=14)
    review = conference + relativedelta(months=3) - timedelta(days=5)
    for child, category in ((riley, PlanCategory.NEGLECT), (tyler, PlanCategory.EMOTIONAL)):
        # The initial conference puts the child on a plan (the legal status records it).
        for kind, on, plan in (
            (EventKind.STRATEGY_DISCUSSION, strategy, None),
            (EventKind.INITIAL_CONFERENCE, conference, True),
            (EventKind.CORE_GROUP, conference + timedelta(days=7), None),
        ):
            meetings.record_meeting_or_assessment(
                actor=sw, child=child, kind=kind, occurred_on=on, plan=plan, category=category
            )
    orders.make_order(
        actor=legal,
        child=riley,
        order_type=OrderType.CARE_PROCEEDINGS,
        starts_on=ago(months=6),
        court=court,
        case_number="NM26C00088",
        made_by="Application by Northmoor Council",
        notes="Issued after the unexplained bruise to Riley's cheek. Children's guardian "
        "appointed; final hearing listed. No interim order: Riley stays with her mother, "
        "at her grandparents' home, under the child-protection plan.",
    )
    meetings.record_meeting_or_assessment(
        actor=sw, child=riley, kind=EventKind.REVIEW_CONFERENCE, occurred_on=review, plan=True
    )
    # Tyler's review conference ends his plan.
    meetings.record_meeting_or_assessment(
        actor=sw, child=tyler, kind=EventKind.REVIEW_CONFERENCE, occurred_on=review, plan=False
    )
    meetings.record_meeting_or_assessment(
        actor=sw,
        child=tyler,
        kind=EventKind.SUPERVISION_ORDER_REVIEW,
        occurred_on=review + timedelta(days=14),
    )


def _risks(staff: dict, family: dict, ago, today: date) -> None:
    """The risk register: risks about the children's parents and their uncle, each
    recorded by the agency that knows it; one closed (the family history) and one
    closure waiting for the team manager's sign-off."""
    kerry, jason, dean, tyler = family["kerry"], family["jason"], family["dean"], family["tyler"]
    if not Factor.objects.exists():  # a test database flushed since its migrations ran
        load_factors(Factor)
    drinking = risks.record_risk(
        actor=staff["recovery"],
        subject=kerry,
        factor="1B",
        evidence="Kerry self-referred for help with her drinking while pregnant with Riley: "
        "most evenings, up to a bottle of wine. In key work since, cutting down with lapses; "
        "she missed two sessions five months ago.",
        identified_on=ago(months=12),
        review_date=today + relativedelta(months=2),
    )
    risks.review_risk(
        actor=staff["recovery"],
        risk=drinking,
        notes="Attending fortnightly; breath tests clear at the last three sessions. Still "
        "drinking at weekends by her own account.",
        next_review_date=today + relativedelta(months=2),
    )
    risks.record_risk(
        actor=staff["probation"],
        subject=jason,
        factor="20",
        evidence="Domestic-abuse perpetrator: community order with a domestic-abuse "
        "programme and a restraining order protecting Kerry Hartley. Eight of 24 programme "
        "sessions completed; no breaches.",
        identified_on=ago(months=7),
        review_date=today + relativedelta(months=1),
    )
    risks.record_risk(
        actor=staff["probation"],
        subject=dean,
        factor="18C",
        evidence="Convicted four years ago of assaulting his then partner's four-year-old "
        "son (actual bodily harm). Released on licence last year; assessed as a high risk "
        "of serious harm to children. Licence condition: no unsupervised contact with "
        "children under 16.",
        identified_on=ago(years=1),
        review_date=today + relativedelta(months=3),
    )
    low_mood = risks.record_risk(
        actor=staff["gp"],
        subject=kerry,
        factor="4B",
        evidence="Postnatal depression after Tyler's birth, then low mood; referred to "
        "talking therapies.",
        identified_on=ago(years=1, months=5),
        review_date=today + relativedelta(months=1),
    )
    risks.close_risk(
        actor=staff["gp"],
        risk=low_mood,
        rationale="Completed talking therapies; her mood has been good at every contact "
        "since, and she no longer takes antidepressants.",
    )
    neglect = risks.record_risk(
        actor=staff["social.worker"],
        subject=tyler,
        factor="16A",
        evidence="Tyler often came to school hungry and in the same clothes; attendance 79% "
        "and late most mornings (school, core group minutes).",
        identified_on=ago(months=14),
        review_date=today + relativedelta(months=1),
    )
    risks.close_risk(
        actor=staff["social.worker"],
        risk=neglect,
        rationale="Since the move to his grandparents' home Tyler's attendance is 95%; he "
        "is fed, clean and settled, and the school has had no concerns for four months.",
    )


def _chronology(staff: dict, riley, tyler, ago) -> None:
    """Two years of the children's chronology, as nine agencies recorded it (each author
    in the children's network today, so able to see them), with one entry amended and
    one marked as entered in error to show an entry's history."""
    both = [riley, tyler]
    born = ago(months=10)  # Riley's date of birth

    def at(day: date, hour: int, minute: int) -> datetime:
        return datetime.combine(day, time(hour, minute))

    # username, children, when, precision, kind, significance, summary, detail, outcome
    entries = [
        (
            "housing",
            [tyler],
            ago(years=2),
            "day",
            "household_change",
            "routine",
            "Tenancy of Flat 3, 14 Bramble Close signed by Kerry Hartley; Jason Pike and "
            "Tyler named as household members",
            "",
            "",
        ),
        (
            "school",
            [tyler],
            ago(months=20),
            "month",
            "other",
            "significant",
            "Tyler's attendance 87% for the autumn term: nine sessions missed without a "
            "reason, mostly Mondays",
            "Letter sent home; mother said Tyler had had colds.",
            "Attendance to be reviewed at half-term.",
        ),
        (
            "police",
            [tyler],
            at(ago(months=19, days=4), 22, 15),
            "time",
            "incident",
            "significant",
            "Domestic incident at Bramble Close: neighbour reported shouting; verbal "
            "argument between Kerry Hartley and Jason Pike, Tyler asleep upstairs",
            "No injuries, no offences disclosed. DASH risk assessment: standard.",
            "Notification sent to children's social care and the school.",
        ),
        (
            "gp",
            [tyler],
            ago(months=17),
            "day",
            "appointment",
            "routine",
            "Tyler seen with his mother for recurrent headaches; examination normal. "
            "Mother disclosed low mood",
            "",
            "Tyler: eyesight check advised. Mother: booked her own appointment.",
        ),
        (
            "school",
            [tyler],
            ago(months=14),
            "day",
            "meeting",
            "significant",
            "Attendance meeting with Kerry Hartley: Tyler at 84% this year, often late; "
            "attendance plan agreed",
            "",
            "Breakfast club place offered; review in six weeks.",
        ),
        (
            "recovery",
            [tyler],
            ago(months=12),
            "day",
            "referral",
            "routine",
            "Kerry Hartley self-referred for help with her drinking; she is pregnant. "
            "Assessment booked",
            "",
            "",
        ),
        (
            "social.worker",
            both,
            ago(months=11, days=3),
            "day",
            "referral",
            "significant",
            "Pre-birth referral from maternity: domestic abuse history and the mother's "
            "alcohol use; pre-birth assessment agreed",
            "",
            "Case opened; allocated to Ben Carter.",
        ),
        (
            "health.visitor",
            [riley],
            born + timedelta(days=12),
            "day",
            "contact",
            "routine",
            "New birth visit: Riley feeding well, weight 3.1 kg; mother tired and low in "
            "mood, father present",
            "",
            "Weekly visits agreed for the first month.",
        ),
        (
            "gp",
            [riley],
            born + timedelta(weeks=8),
            "day",
            "appointment",
            "routine",
            "Eight-week baby check: examination normal; first immunisations given",
            "",
            "",
        ),
        (
            "police",
            both,
            at(ago(months=8, days=5), 23, 40),
            "time",
            "incident",
            "critical",
            "Domestic incident at Bramble Close: Jason Pike arrested for assaulting Kerry "
            "Hartley while she held Riley; Tyler saw it",
            "Officers found Kerry with a cut lip; Riley unhurt. Tyler hid in his bedroom "
            "and called his grandmother. DASH risk assessment: high.",
            "Referred to MARAC; bail conditions not to contact Kerry or attend the address.",
        ),
        (
            "social.worker",
            both,
            ago(months=8, days=4),
            "day",
            "meeting",
            "critical",
            "Strategy meeting (social care, police, health visiting, school, GP): "
            "section 47 enquiries agreed for Riley and Tyler",
            "",
            "Children to stay with their mother under a safety plan; grandparents to help.",
        ),
        (
            "health.visitor",
            [riley],
            ago(months=7, days=20),
            "day",
            "missed_appointment",
            "routine",
            "No answer at the planned home visit; card left and a new visit booked",
            "",
            "",
        ),
        (
            "probation",
            both,
            ago(months=7, days=2),
            "day",
            "legal",
            "significant",
            "Jason Pike sentenced to a community order with a domestic-abuse programme "
            "and a restraining order protecting Kerry Hartley",
            "",
            "Probation officer allocated; home-visit checks with children's social care.",
        ),
        (
            "gp",
            [riley],
            ago(months=6, days=18),
            "day",
            "hospital",
            "significant",
            "A&E discharge letter: Riley seen at Northmoor General with a bruise to her "
            "left cheek; mother said she rolled against the cot side",
            "Bruising in a baby who is not yet mobile. Seen by the paediatrician; skeletal "
            "survey normal.",
            "The hospital referred to children's social care the same day.",
        ),
        (
            "recovery",
            both,
            ago(months=5, days=10),
            "day",
            "missed_appointment",
            "routine",
            "Kerry Hartley missed two key-work sessions; re-engaged after an outreach call",
            "",
            "",
        ),
        (
            "school",
            [tyler],
            ago(months=5),
            "month",
            "other",
            "significant",
            "Tyler's attendance 79% this half-term; late most mornings and tired in class",
            "",
            "Raised at the core group; school to call home on each day of absence.",
        ),
        (
            "housing",
            both,
            ago(months=4),
            "day",
            "household_change",
            "routine",
            "Tenancy of Flat 3, 14 Bramble Close ended; Kerry, Tyler and Riley moved to "
            "27 Lark Rise, the maternal grandparents' home",
            "",
            "",
        ),
        (
            "health.visitor",
            [riley],
            ago(months=3),
            "day",
            "contact",
            "routine",
            "Home visit at Lark Rise: Riley rolling and babbling; grandmother helping "
            "with night feeds",
            "",
            "",
        ),
        (
            "school",
            [tyler],
            ago(months=2),
            "month",
            "other",
            "routine",
            "Tyler's attendance 95% since the move to his grandparents'; settled in class",
            "",
            "",
        ),
        (
            "health.visitor",
            [riley],
            ago(months=1, days=5),
            "day",
            "missed_appointment",
            "routine",
            "Did not attend the nine-to-twelve-month review at the clinic; rebooked",
            "",
            "",
        ),
        (
            "social.worker",
            both,
            ago(weeks=3),
            "day",
            "contact",
            "routine",
            "Home visit: Riley and Tyler seen together; Tyler showed me his new bedroom "
            "and said he feels safe at Nan's",
            "",
            "",
        ),
    ]
    for (
        username,
        children,
        when,
        precision,
        kind,
        significance,
        summary,
        detail,
        outcome,
    ) in entries:
        chronology.record_entry(
            actor=staff[username],
            children=children,
            event_at=when,
            event_precision=precision,
            entry_type=kind,
            significance=significance,
            summary=summary,
            detail=detail,
            outcome=outcome,
        )

    # One amended (the weight misread from the clinic book)…
    weight = chronology.record_entry(
        actor=staff["health.visitor"],
        children=[riley],
        event_at=ago(months=2, days=3),
        entry_type="appointment",
        summary="Clinic weigh-in: Riley 6.4 kg, dropping from the 50th to the 25th centile",
        outcome="Feeding advice given; weigh again in four weeks.",
    )
    chronology.amend_entry(
        actor=staff["health.visitor"],
        entry=weight,
        reason="The weight was misread from the clinic book: it was 7.4 kg, on her centile",
        summary="Clinic weigh-in: Riley 7.4 kg, following the 50th centile",
        outcome="No concerns about her growth; next weigh-in at the review.",
    )
    # …and one entered in error (recorded on the wrong child's record).
    wrong = chronology.record_entry(
        actor=staff["gp"],
        children=[tyler],
        event_at=ago(weeks=6),
        entry_type="appointment",
        summary="Seen for an ear infection; antibiotics prescribed",
    )
    chronology.mark_entered_in_error(
        actor=staff["gp"],
        entry=wrong,
        reason="Recorded on the wrong patient's record: this consultation was another "
        "child's. Tyler was not seen that day.",
    )


def _share(admin, agencies: dict, today: date) -> None:
    for provider in agencies.values():
        category = AGENCY_CATEGORY[AgencyType(provider.agency_type)]
        shared_with = SHARING.get(category, ["nm-csc"])
        for recipient in agencies.values():
            if recipient == provider or not (shared_with == "all" or recipient.code in shared_with):
                continue
            sharing.create_agreement(
                actor=admin,
                title=f"Northmoor safeguarding ISA: {provider.name} to {recipient.name}",
                provider=provider,
                recipient=recipient,
                categories=[category],
                purpose="Safeguarding and promoting the welfare of children in Northmoor",
                legal_basis="public_task",
                from_date=today - relativedelta(years=2),
                to_date=today + relativedelta(years=1),
            )
