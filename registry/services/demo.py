"""Load the demo data (fixtures/demo.json) built from the five source articles.

Everything is matched on natural keys and created only when missing, so a second run creates
nothing and changes nothing. Issued decisions are locked by the database, so an existing
decision (same authority, number and numbering period) is skipped as a whole.
"""

import json
from datetime import date
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from registry.models import (
    Authority,
    Award,
    AwardType,
    Bloc,
    BlocMembership,
    Campaign,
    Collective,
    Decision,
    Discipline,
    Individual,
    Initiative,
    Pledge,
    PledgeSignatory,
    Rating,
    Target,
    TargetResult,
    TargetSet,
    Unit,
    UnitSuccession,
)
from registry.services.accounts import demo_clerks_ensure, demo_units_ensure
from registry.services.awards import awards_add, recipient_fields
from registry.services.catalogue import catalogue_load
from registry.services.decisions import decision_create, decision_issue

DEMO_PATH = Path(settings.BASE_DIR) / "fixtures" / "demo.json"


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _number(value) -> Decimal:
    # Through str so that 107.14 stays 107.14 and not its binary neighbour.
    return Decimal(str(value))


class _Loader:
    def __init__(self, data: dict):
        self.data = data
        self.created: dict[str, int] = {}
        self.authorities = {a.code: a for a in Authority.objects.all()}
        self.award_types = {t.code: t for t in AwardType.objects.all()}
        self.units: dict[str, Unit] = {}
        self.campaigns: dict[str, Campaign] = {}
        self.recipients: dict[str, Collective | Individual] = {}
        self.blocs: dict[str, Bloc] = {}

    def get_or_create(self, model, lookup: dict, values: dict | None = None, *, count_as=None):
        """Find by natural key; otherwise validate and create. Existing rows are left alone."""
        obj = model.objects.filter(**lookup).first()
        if obj is not None:
            return obj
        obj = model(**lookup, **(values or {}))
        obj.full_clean()
        obj.save()
        key = count_as or model._meta.model_name
        self.created[key] = self.created.get(key, 0) + 1
        return obj

    def authority(self, code: str | None) -> Authority | None:
        return self.authorities[code] if code else None

    def unit(self, code: str | None) -> Unit | None:
        return self.units[code] if code else None

    def subject(self, key: str) -> dict:
        recipient = self.recipients[key]
        if isinstance(recipient, Individual):
            return {"individual": recipient, "collective": None}
        return {"collective": recipient, "individual": None}

    # ------------------------------------------------------------------ sections
    def load_units(self) -> None:
        for row in self.data["units"]:
            self.units[row["code"]] = self.get_or_create(
                Unit,
                {"code": row["code"]},
                {
                    "name": row["name"],
                    "parent": self.unit(row.get("parent")),
                    "valid_from": _day(row.get("valid_from")),
                    "valid_to": _day(row.get("valid_to")),
                },
            )
        # Successors may come later in the file: a second pass, as the catalogue does.
        for row in self.data["units"]:
            for succession in row.get("successors", []):
                self.get_or_create(
                    UnitSuccession,
                    {
                        "predecessor": self.units[row["code"]],
                        "successor": self.units[succession["code"]],
                    },
                    {"since": _day(succession["since"]), "legal_basis": succession["legal_basis"]},
                )
        # The catalogue knows authorities, the demo knows their localities: link where unset.
        for code, unit_code in self.data["authority_units"].items():
            authority = self.authorities[code]
            if authority.unit_id is None:
                authority.unit = self.units[unit_code]
                authority.save(update_fields=["unit"])

    def load_campaigns(self) -> None:
        for row in self.data["campaigns"]:
            campaign = self.get_or_create(
                Campaign,
                {
                    "authority": self.authority(row["authority"]),
                    "name": row["name"],
                    "start_date": _day(row["start_date"]),
                },
                {
                    "theme": row.get("theme", ""),
                    "form": row["form"],
                    "scope": row.get("scope", ""),
                    "goals": row.get("goals", ""),
                    "criteria": row.get("criteria", ""),
                    "legal_basis": row.get("legal_basis", ""),
                    "launched_on": _day(row.get("launched_on")),
                    "end_date": _day(row.get("end_date")),
                    "midterm_review_date": _day(row.get("midterm_review_date")),
                    "final_review_date": _day(row.get("final_review_date")),
                },
            )
            if not campaign.units.exists():
                campaign.units.set([self.units[code] for code in row.get("units", [])])
            self.campaigns[row["key"]] = campaign

    def load_recipients(self) -> None:
        for row in self.data["collectives"]:
            self.recipients[row["key"]] = self.get_or_create(
                Collective,
                {"registered_by": self.authority(row["registered_by"]), "name": row["name"]},
                {
                    "unit": self.unit(row.get("unit")),
                    "parent_name": row.get("parent_name", ""),
                    "category": row.get("category", ""),
                    "note": row.get("note", ""),
                },
            )
        for row in self.data["individuals"]:
            self.recipients[row["key"]] = self.get_or_create(
                Individual,
                {
                    "registered_by": self.authority(row["registered_by"]),
                    "full_name": row["full_name"],
                    "birth_year": row.get("birth_year"),
                },
                {
                    "gender": row.get("gender", ""),
                    "position": row.get("position", ""),
                    "workplace": row.get("workplace", ""),
                    "unit": self.unit(row.get("unit")),
                    "category": row.get("category", ""),
                    "note": row.get("note", ""),
                },
            )

    def load_records(self) -> None:
        for row in self.data["ratings"]:
            self.get_or_create(
                Rating,
                {**self.subject(row["subject"]), "year": row["year"]},
                {
                    "grade": row["grade"],
                    "school_year": row.get("school_year", False),
                    "unit": self.unit(row.get("unit")),
                    "rated_by": self.authority(row.get("rated_by")),
                },
            )
        for row in self.data["initiatives"]:
            self.get_or_create(
                Initiative,
                {**self.subject(row["subject"]), "title": row["title"]},
                {
                    "level": row["level"],
                    "year": row["year"],
                    "recognised_by": row.get("recognised_by", ""),
                },
            )
        for row in self.data["disciplines"]:
            self.get_or_create(
                Discipline,
                {
                    **self.subject(row["subject"]),
                    "form": row["form"],
                    "start_date": _day(row["start_date"]),
                },
                {"end_date": _day(row.get("end_date")), "reason": row.get("reason", "")},
            )

    def load_targets(
        self, target_set: TargetSet, rows: list[dict], as_of: date | None, unit: Unit | None
    ) -> None:
        for order, row in enumerate(rows, start=1):
            target = self.get_or_create(
                Target,
                {"target_set": target_set, "order": order},
                {
                    "text": row["text"],
                    "measure": row.get("measure", ""),
                    "planned_value": _number(row["planned"]),
                    "higher_is_better": row.get("higher_is_better", True),
                },
            )
            if as_of and ("achieved" in row or "grade" in row):
                achieved = row.get("achieved")
                self.get_or_create(
                    TargetResult,
                    {"target": target, "unit": unit, "as_of": as_of},
                    {
                        "achieved_value": None if achieved is None else _number(achieved),
                        "grade": row.get("grade", ""),
                        "note": row.get("note", ""),
                    },
                )

    def load_blocs_and_pledges(self) -> None:
        for row in self.data["blocs"]:
            bloc = self.get_or_create(
                Bloc,
                {"authority": self.authority(row["authority"]), "name": row["name"]},
                {"description": row.get("description", "")},
            )
            for member in row["members"]:
                self.get_or_create(
                    BlocMembership,
                    {"bloc": bloc, "year": member["year"], "unit": self.units[member["unit"]]},
                    {"role": member["role"]},
                )
            self.blocs[row["key"]] = bloc
        for row in self.data["pledges"]:
            authority = self.authority(row["authority"])
            pledge = self.get_or_create(
                Pledge,
                {"authority": authority, "year": row["year"], "title": row["title"]},
                {
                    "bloc": self.blocs[row["bloc"]] if row.get("bloc") else None,
                    "campaign": self.campaigns[row["campaign"]] if row.get("campaign") else None,
                    "ceremony_date": _day(row["ceremony_date"]),
                    "place": row.get("place", ""),
                },
            )
            for signatory in row["signatories"]:
                self.get_or_create(
                    PledgeSignatory,
                    {"pledge": pledge, "unit": self.units[signatory["unit"]]},
                    {
                        "signer_name": signatory.get("signer_name", ""),
                        "signer_title": signatory.get("signer_title", ""),
                        "signed": signatory.get("signed", False),
                        "signed_on": _day(signatory.get("signed_on")),
                    },
                )
            target_set = self.get_or_create(
                TargetSet,
                {"pledge": pledge},
                {
                    "kind": "giao-uoc",
                    "authority": authority,
                    "year": row["year"],
                    "title": row["title"],
                },
            )
            self.load_targets(target_set, row.get("targets", []), None, None)

    def load_target_sets(self) -> None:
        for row in self.data["target_sets"]:
            unit = self.unit(row.get("unit"))
            target_set = self.get_or_create(
                TargetSet,
                {
                    "kind": row["kind"],
                    "authority": self.authority(row["authority"]),
                    "year": row["year"],
                    "title": row["title"],
                },
                {"unit": unit, "set_by": row.get("set_by", "")},
            )
            self.load_targets(target_set, row["targets"], _day(row.get("as_of")), unit)

    def load_decisions(self) -> None:
        for row in self.data["decisions"]:
            authority = self.authority(row["authority"])
            signed_date = _day(row["signed_date"])
            exists = Decision.objects.filter(
                authority=authority,
                number=row["number"],
                numbering_period=authority.numbering_period(signed_date),
            ).exists()
            if exists:
                continue
            decision = decision_create(
                authority=authority,
                number=row["number"],
                signed_date=signed_date,
                subject=row["subject"],
                signer_title=row["signer_title"],
                signer_name=row["signer_name"],
                signer_prefix=row.get("signer_prefix", ""),
                loai_hinh=row.get("loai_hinh", "thuong-xuyen"),
                campaign=self.campaigns[row["campaign"]] if row.get("campaign") else None,
                legal_bases="\n".join(row.get("legal_bases", [])),
                proposal=row.get("proposal", ""),
                proposing_unit=self.unit(row.get("proposing_unit")),
                proposing_authority=self.authority(row.get("proposing_authority")),
                place=row.get("place", ""),
            )
            awards = []
            for group in row["awards"]:
                period_from, period_to = group["period"]
                for key in group["recipients"]:
                    awards.append(
                        Award(
                            award_type=self.award_types[group["award_type"]],
                            period_from=period_from,
                            period_to=period_to,
                            achievement=group.get("achievement", ""),
                            loai_hinh=group.get("loai_hinh") or "",
                            recipient_category=group.get("recipient_category", ""),
                            **recipient_fields(self.recipients[key]),
                        )
                    )
            # Decisions signed in the years the articles report, recorded as they were signed:
            # the years of ratings behind them are not in the demo, so the rules only warn.
            awards_add(decision=decision, awards=awards, past=True)
            self.created["award"] = self.created.get("award", 0) + len(awards)
            decision_issue(decision=decision, past=True)
            self.created["decision"] = self.created.get("decision", 0) + 1

    def load_rounds(self) -> None:
        """A round whose proposals ended in seed decisions: every step through the proposal
        services (a tiny PDF stands for each paper); the seed decision is linked as the outcome,
        its awards are not written again."""
        from registry.models import ProposalStatus, Round, RoundStatus
        from registry.services import proposals as steps

        paper = b"%PDF-1.4\n% ho so mau (demo)\n%%EOF\n"

        def attach(proposal, kind, line=None):
            upload = SimpleUploadedFile(f"{kind}.pdf", paper, content_type="application/pdf")
            steps.proposal_attach(proposal=proposal, upload=upload, document_kind=kind, line=line)

        for row in self.data.get("rounds", []):
            authority = self.authority(row["authority"])
            if Round.objects.filter(authority=authority, title=row["title"]).exists():
                continue
            round = steps.round_save(
                round=Round(
                    authority=authority,
                    year=row["year"],
                    kind=row["kind"],
                    title=row["title"],
                    deadline=_day(row["deadline"]),
                    status=RoundStatus.OPEN,
                )
            )
            round.award_types.set([self.award_types[c] for c in row["award_types"]])
            self.created["round"] = self.created.get("round", 0) + 1
            for item in row["proposals"]:
                proposal = steps.proposal_create(
                    round=round,
                    unit=self.unit(item["unit"]),
                    submission_number=item.get("submission_number", ""),
                    submission_date=_day(item.get("submission_date")),
                )
                decision = None
                lines = list(item.get("lines", []))
                if item.get("lines_from_decision"):
                    decision = Decision.objects.get(
                        authority=authority, number=item["lines_from_decision"]
                    )
                    for award in decision.awards.order_by("line_no"):
                        lines.append(
                            {
                                "name": award.recipient_name,
                                "kind": award.recipient_kind,
                                "position": award.recipient_position,
                                "unit_name": award.recipient_unit,
                                "award_type": award.award_type.code,
                                "achievement": award.achievement,
                                "period": [award.period_from, award.period_to],
                            }
                        )
                for line in lines:
                    steps.proposal_line_add(
                        proposal=proposal,
                        award_type=self.award_types[line["award_type"]],
                        recipient_kind=line["kind"],
                        name=line["name"],
                        position=line.get("position", ""),
                        unit_name=line.get("unit_name", ""),
                        achievement=line.get("achievement", ""),
                        period_from=line["period"][0],
                        period_to=line["period"][1],
                        review_result=line.get("review_result", ""),
                    )
                self.created["proposal"] = self.created.get("proposal", 0) + 1
                if item.get("status") == ProposalStatus.DRAFT:
                    continue
                returned = item.get("returned")
                checklist = steps.proposal_checklist(proposal=proposal)
                for entry in checklist.proposal_items:
                    attach(proposal, entry.requirement.document_kind)
                for entry in checklist.lines:
                    for needed in entry.items:
                        attach(proposal, needed.requirement.document_kind, entry.line)
                steps.proposal_submit(proposal=proposal)
                if returned:
                    # The office found a paper missing from what was sent and returned it.
                    steps.proposal_return(proposal=proposal, reason=returned["reason"])
                    steps.proposal_answer(proposal=proposal, answer=returned["answer"])
                    attach(proposal, returned["missing"])
                    steps.proposal_submit(proposal=proposal)
                steps.proposal_receive(proposal=proposal)
                if decision is not None:
                    steps.proposal_outcome_link(proposal=proposal, decision=decision)
            if row.get("posting"):
                self.load_posting(round, row["posting"])
            if row.get("council"):
                self.load_council(round, row["council"])
            round.status = row.get("status", RoundStatus.OPEN)
            steps.round_save(round=round)

    def _council_members(self, authority, spec: dict):
        from registry.models import Council, CouncilMember

        council, created = Council.objects.get_or_create(
            authority=authority,
            name=spec["name"],
            defaults={
                "founding_document": spec.get("founding_document", ""),
                "valid_from": _day(spec.get("valid_from")),
            },
        )
        if created:
            self.created["council"] = self.created.get("council", 0) + 1
            for order, m in enumerate(spec["members"]):
                CouncilMember.objects.create(
                    council=council,
                    order=order,
                    name=m["name"],
                    position=m.get("position", ""),
                    role=m["role"],
                    heads_unit=self.unit(m.get("heads_unit")),
                )
        return council

    def load_posting(self, round, spec: dict) -> None:
        """Công khai the round's lines that must be posted, with the public's comments."""
        from registry.models import PostingComment
        from registry.services import council as steps

        posting = steps.posting_open(
            round=round, public_from=_day(spec["public_from"]), title=spec.get("title", "")
        )
        for c in spec.get("comments", []):
            PostingComment.objects.create(
                posting=posting, name=c["name"], contact=c.get("contact", ""), text=c["text"]
            )
        self.created["posting"] = self.created.get("posting", 0) + 1

    def load_council(self, round, spec: dict) -> None:
        """A council session on the round: attendance, the recusals the law requires, every
        line voted (all present voters agree) and the session closed. The seed decision, when
        the lines ended in one, is linked as the session's decision; no award is written."""
        from registry.services import council as steps

        council = self._council_members(round.authority, spec)
        s = spec["session"]
        session = steps.council_session_open(
            council=council,
            round=round,
            date=_day(s["date"]),
            place=s.get("place", ""),
            minutes_number=s.get("minutes_number", ""),
        )
        absent = set(s.get("absent", []))
        steps.attendance_record(
            session=session,
            present=[m.pk for m in council.members.all() if m.name not in absent],
        )
        for member, line, reason in steps.recusals_required(session=session):
            steps.recusal_add(session=session, member=member, line=line, reason=reason)
        voters = len(steps.present_voters(session))
        recused: dict[int, int] = {}
        for r in session.recusals.all():
            recused[r.line_id] = recused.get(r.line_id, 0) + 1
        for line in steps.received_lines(round):
            steps.ballot_record(
                session=session, line=line, agree=voters - recused.get(line.pk, 0), disagree=0
            )
        steps.session_close(session=session)
        decisions = {p.decision_id for p in round.proposals.all()}
        if len(decisions) == 1 and None not in decisions:
            steps.session_link_decision(
                session=session, decision=Decision.objects.get(pk=decisions.pop())
            )
        self.created["councilsession"] = self.created.get("councilsession", 0) + 1


def demo_load(*, path: Path | str | None = None) -> dict[str, int]:
    """Load the catalogue, then the demo data, in one transaction.

    Returns the number of rows created per model name (empty on a second run).
    """
    data = json.loads(Path(path or DEMO_PATH).read_text(encoding="utf-8"))
    with transaction.atomic():
        catalogue_load()
        loader = _Loader(data)
        loader.load_units()
        loader.load_campaigns()
        loader.load_recipients()
        loader.load_records()
        loader.load_blocs_and_pledges()
        loader.load_target_sets()
        loader.load_decisions()
        loader.load_rounds()
        # Two offices' clerks to try the scoping with (DEBUG only; see ensure_demo_admin).
        demo_clerks_ensure()
        demo_units_ensure()
    return loader.created
