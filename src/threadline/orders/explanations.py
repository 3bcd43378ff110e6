"""Each plan and order in plain English, for a health visitor, a teacher or a housing
officer: what it means, who holds parental responsibility, who must do what, and when it
ends. Shown on the order pages and linked from the child page. Not legal advice: the
local authority's legal services explain a particular order (the clock gives them a
task to, when proceedings end)."""

from dataclasses import dataclass

from .models import OrderType


@dataclass(frozen=True)
class Explanation:
    means: str
    parental_responsibility: str
    who_does_what: tuple[str, ...]
    ends: str
    law: str


EXPLANATIONS = {
    OrderType.CP_PLAN: Explanation(
        means="A child-protection conference decided the child is likely to suffer "
        "significant harm, and the agencies agreed a plan to keep them safe. The category "
        "(neglect, physical, emotional or sexual abuse) says what the main worry is.",
        parental_responsibility="Unchanged: the parents keep it. The plan is not a court order.",
        who_does_what=(
            "The lead social worker coordinates the plan and visits the child.",
            "The core group (the family and the professionals who know the child best) "
            "meets first within 10 working days of the conference, then regularly.",
            "Every agency in the core group does the actions the plan gives it and tells "
            "the social worker at once about any new worry.",
            "A review conference decides within three months, then at least every six "
            "months, whether the plan is still needed.",
        ),
        ends="When a review conference decides the child is no longer likely to suffer "
        "significant harm, the child moves to another area (which holds its own "
        "conference), turns 18, leaves the UK, or dies.",
        law="Working Together to Safeguard Children 2023, chapter 3",
    ),
    OrderType.CIN_PLAN: Explanation(
        means="After an assessment, children's social care agreed to support the child and "
        "family because the child needs services to be safe and healthy or to develop.",
        parental_responsibility="Unchanged: the parents keep it.",
        who_does_what=(
            "The social worker leads the plan and reviews it with the family and agencies.",
            "Agencies provide the services the plan names and raise any new worry.",
        ),
        ends="When the plan's review decides the child no longer needs the services.",
        law="Children Act 1989, section 17",
    ),
    OrderType.SECTION_20: Explanation(
        means="The child is looked after by the local authority with the parents' agreement "
        "(accommodation by agreement), usually in foster care. No court made an order.",
        parental_responsibility="The parents keep it all; the local authority has none. A "
        "parent with parental responsibility may remove the child at any time.",
        who_does_what=(
            "The social worker visits the child and keeps the care plan.",
            "An independent reviewing officer chairs looked-after reviews: the first "
            "within 20 working days, the second within three months, then every six months.",
            "If a parent asks to take the child home and that would be unsafe, the social "
            "worker tells their manager and legal services at once.",
        ),
        ends="When the parents remove the child or agree the child goes home, or a court "
        "order replaces the arrangement.",
        law="Children Act 1989, section 20",
    ),
    OrderType.INTERIM_CARE_ORDER: Explanation(
        means="While care proceedings go on, the court has put the child in the care of the "
        "local authority for now.",
        parental_responsibility="Shared: the local authority has it too and may limit how "
        "the parents use theirs.",
        who_does_what=(
            "The local authority decides where the child lives, within what the court allows.",
            "Looked-after reviews take place as for any child in care.",
            "Agencies send what the court or the social worker asks for, on time.",
        ),
        ends="When the proceedings end (with a final order or none) or the court discharges it.",
        law="Children Act 1989, section 38",
    ),
    OrderType.CARE_ORDER: Explanation(
        means="The court decided the child has suffered, or is likely to suffer, significant "
        "harm because of the care they were getting, and put them in the care of the local "
        "authority.",
        parental_responsibility="Shared: the local authority has it and decides how far the "
        "parents may use theirs.",
        who_does_what=(
            "The local authority decides where the child lives and keeps the care plan.",
            "Looked-after reviews: the first within 20 working days, the second within "
            "three months, then every six months.",
            "Agencies follow the care plan and tell the social worker of any worry.",
        ),
        ends="When the child turns 18, or the court discharges it or replaces it (for "
        "example with a special guardianship order).",
        law="Children Act 1989, sections 31 and 33",
    ),
    OrderType.SUPERVISION_ORDER: Explanation(
        means="The court decided the child has suffered, or is likely to suffer, significant "
        "harm, and put them under the supervision of the local authority while they live at "
        "home. It is not a care order: the child is not in care.",
        parental_responsibility="Unchanged: the parents keep it. The local authority gets none.",
        who_does_what=(
            "The supervisor (the allocated social worker) must advise, assist and befriend "
            "the child, and may give directions the order allows.",
            "A child-protection conference decides whether the child also needs a plan. "
            "Without a plan, the agencies review the order together at regular intervals.",
            "The case stays allocated to a social worker for as long as the order runs.",
            "One month before it expires, the agencies meet to decide whether to ask the "
            "court to extend it.",
        ),
        ends="After one year unless the court set another end. The court can extend it, but "
        "never beyond three years from the day it was made.",
        law="Children Act 1989, section 35 and schedule 3",
    ),
    OrderType.EMERGENCY_PROTECTION_ORDER: Explanation(
        means="A court allowed the local authority to remove the child to a safe place, or "
        "keep them there, in an emergency.",
        parental_responsibility="The local authority has it for the order's length, but "
        "only to do what is needed to keep the child safe.",
        who_does_what=(
            "The local authority keeps the child safe and decides, before the order ends, "
            "whether to return them home or apply for another order.",
            "Reasonable contact with the family continues unless the court said otherwise.",
        ),
        ends="After at most 8 days. The court can extend it once, by at most 7 days.",
        law="Children Act 1989, sections 44 and 45",
    ),
    OrderType.POLICE_PROTECTION: Explanation(
        means="A police officer removed the child to a safe place (or stopped them being "
        "removed from one) because they would otherwise be likely to suffer significant "
        "harm. No court was involved.",
        parental_responsibility="Nobody gains it: the parents keep it, and the police do "
        "what is reasonable to keep the child safe.",
        who_does_what=(
            "The designated police officer tells the local authority and the parents at once.",
            "The local authority decides with the police what happens next, often an "
            "application for an emergency protection order.",
        ),
        ends="After at most 72 hours. It cannot be extended.",
        law="Children Act 1989, section 46",
    ),
    OrderType.CHILD_ARRANGEMENTS_ORDER: Explanation(
        means="The court decided with whom the child lives, spends time or has contact.",
        parental_responsibility="Whoever the child lives with under the order has it while "
        "the order lasts; the parents keep theirs.",
        who_does_what=(
            "Agencies follow the order: for example, who may collect the child from school.",
        ),
        ends="When the court says, or usually when the child turns 16 or 18.",
        law="Children Act 1989, section 8",
    ),
    OrderType.CARE_PROCEEDINGS: Explanation(
        means="The local authority has asked the family court for a care or supervision "
        "order. The court decides, usually within 26 weeks.",
        parental_responsibility="Unchanged until the court makes an order.",
        who_does_what=(
            "The social worker and legal services prepare the evidence; agencies provide "
            "reports when asked, on time.",
            "A children's guardian from the family-court adviser service represents the child.",
            "When the proceedings end, every agency involved is told the outcome in writing, "
            "and legal services explain what the order means and how it can be extended.",
        ),
        ends="When the court makes a final order, or none, or the application is withdrawn.",
        law="Children Act 1989, sections 31 and 32",
    ),
}
