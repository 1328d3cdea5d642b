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
