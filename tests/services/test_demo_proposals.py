"""The demo's round: units' proposals, one returned and answered, the seed decisions as their
outcome, and the seed figures not doubled."""

import pytest

from registry.models import Award, Proposal, ProposalStatus, Round

pytestmark = pytest.mark.django_db


def test_demo_round_and_its_proposals(demo_data):
    round = Round.objects.get(authority__code="vanlang-ubnd", year=2022)
    assert round.status == "dong"
    proposals = {p.submission_number: p for p in round.proposals.select_related("decision")}
    assert set(proposals) == {"05/TTr-PNV", "03/TTr-VHTT"}
    returned = proposals["03/TTr-VHTT"]
    assert returned.status == ProposalStatus.RECEIVED
    assert "biên bản" in returned.return_reason and returned.answer
    steps = [h.status for h in Proposal.history.filter(id=returned.pk).order_by("history_date")]
    assert steps[:6] == ["nhap", "da-gui", "bi-tra-lai", "bi-tra-lai", "da-gui", "da-tiep-nhan"]
    for number, proposal in proposals.items():
        decision = proposal.decision
        assert number in decision.proposal
        # Every line is tied to the seed decision's award: the outcome, not a second award.
        assert proposal.lines.filter(award__decision=decision).count() == decision.awards.count()
    assert Award.objects.count() == demo_data["award"]
    assert not Award.objects.filter(decision__status="draft").exists()


def test_demo_council_session_and_posting(demo_data):
    from registry.models import Ballot, CouncilSession, Posting, Recusal

    session = CouncilSession.objects.get(round__authority__code="vanlang-ubnd", round__year=2022)
    assert session.status == "da-ket-thuc"
    assert session.attendance.filter(present=False).get().member.name == "Hoàng Thị Mai"
    recusal = Recusal.objects.get(session=session)
    assert recusal.member.name == recusal.line.name == "Lăng Thị Nga"
    lines = session.round.proposals.values_list("lines", flat=True)
    assert Ballot.objects.filter(session=session, result="thong-qua").count() == len(lines)
    # The seed decisions stay the outcome; the council wrote no award of its own.
    assert Award.objects.count() == demo_data["award"]
    medal = Round.objects.get(title="Đề nghị Huân chương Lao động năm 2025")
    posting = Posting.objects.get(round=medal)
    assert [ln.award_type.code for ln in posting.lines.all()] == ["hcld-3"]
    assert posting.comments.count() == 2
    assert str(posting.ready_on) == "2025-04-28"  # 10 working days from 14/04/2025
    assert Ballot.objects.get(session__round=medal).result == "thong-qua"
