"""python manage.py proposals --authority CODE --year YYYY [--json] [--user USERNAME]

The proposals of an authority's rounds of a year: each unit's dossier with its status and its
lines (how many, how many in a decision), the council's result on each line (--json:
"council"), and the decision it ended in."""

import json

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Count, Q

from registry.management.scoped import add_user_argument, ensure_in_scope, user_from_options
from registry.models import Authority, Ballot, Proposal, Recusal, SessionStatus


def _council(proposal) -> list[dict]:
    """The council's result on each voted line of the proposal (closed sessions only)."""
    ballots = (
        Ballot.objects.filter(line__proposal=proposal, session__status=SessionStatus.CLOSED)
        .select_related("line__award_type", "session")
        .order_by("line__line_no", "line_id")
    )
    recused = {}
    for r in Recusal.objects.filter(line__proposal=proposal).select_related("member"):
        recused.setdefault((r.session_id, r.line_id), []).append(r.member.name)
    return [
        {
            "line": b.line.name,
            "award_type": b.line.award_type.name,
            "session_date": b.session.date.isoformat(),
            "agree": b.agree,
            "disagree": b.disagree,
            "blank": b.blank,
            "base": b.base,
            "result": b.result,
            "result_label": b.get_result_display(),
            "recused": recused.get((b.session_id, b.line_id), []),
        }
        for b in ballots
    ]


class Command(BaseCommand):
    help = "Liệt kê hồ sơ đề nghị khen thưởng của các đợt xét của một cấp khen trong một năm."

    def add_arguments(self, parser):
        parser.add_argument("--authority", required=True, metavar="MÃ", help="Mã cấp khen.")
        parser.add_argument("--year", required=True, type=int, help="Năm của đợt xét.")
        parser.add_argument("--json", action="store_true", help="In ra JSON.")
        add_user_argument(parser)

    def handle(self, *args, **options):
        user = user_from_options(options, stderr=self.stderr, perms=("registry.view_proposal",))
        authority = Authority.objects.filter(code=options["authority"]).first()
        if authority is None:
            raise CommandError(f"Không có cấp khen mã “{options['authority']}”.")
        if user is not None:
            ensure_in_scope(user, authority)
        proposals = (
            Proposal.objects.filter(round__authority=authority, round__year=options["year"])
            .select_related("round", "unit", "decision")
            .annotate(
                n_lines=Count("lines"),
                n_awarded=Count("lines", filter=Q(lines__award__isnull=False)),
            )
            .order_by("round__deadline", "round_id", "unit__name", "id")
        )
        rows = [
            {
                "round": p.round.title,
                "deadline": p.round.deadline.isoformat(),
                "unit": p.unit.name,
                "submission": p.submission_label,
                "status": p.status,
                "status_label": p.get_status_display(),
                "lines": p.n_lines,
                "lines_in_decision": p.n_awarded,
                "return_reason": p.return_reason,
                "answer": p.answer,
                "decision": p.decision.number if p.decision_id else None,
                "decision_issued": p.decision.is_issued if p.decision_id else None,
                "council": _council(p),
            }
            for p in proposals
        ]
        if options["json"]:
            self.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2))
            return
        if not rows:
            self.stdout.write(f"{authority.name}: chưa có hồ sơ đề nghị nào năm {options['year']}.")
            return
        for row in rows:
            outcome = f", quyết định {row['decision']}" if row["decision"] else ""
            self.stdout.write(
                f"{row['round']} – {row['unit']}: {row['status_label']}, {row['lines']} dòng"
                f"{outcome}"
            )
