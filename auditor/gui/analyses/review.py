"""Review: a second analyst walks the flags pending their review one at a time — never their
own — with the flag, who made it and when, the evidence and the model's view of the place (the
map and the timeline follow: the flag's place becomes the current place), and accepts,
rejects (with a note) or amends (another label) each. Every decision is one undo step (Edit ▸
Undo; AppState.review). Below, agreement between analysts (raw and Cohen's kappa per pair and
flag action), recomputed from the log after every decision."""
from __future__ import annotations

from typing import Optional

from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from auditor.errors import UserError
from auditor.gui.analyses.common import fill_table, fmt, header_tips, item, pct, read_only_table, text_label
from auditor.state.app_state import AppState

AGREEMENT_HEADERS = ["analysts", "action", "items", "agreed", "raw agreement", "kappa",
                     "from reviews", "from double flags"]
HEADER_TIPS = {
    "analysts": "The two analysts compared (in name order).",
    "action": "The flag action judged (label wrong, model wrong, bad data), or all of them.",
    "items": "Places, vehicles or ping ranges both analysts judged under this action: a flag "
             "one made and the other reviewed, or flags both made on the same target.",
    "agreed": "Items where both gave the same answer (an accepted flag; the same corrected "
              "label; both flagged).",
    "raw agreement": "agreed / items.",
    "kappa": "Cohen's kappa: agreement beyond what each analyst's own answer shares give by "
             "chance (1 = always agree, 0 = chance). Undefined when both always gave one and "
             "the same answer.",
    "from reviews": "Items that come from one analyst reviewing the other's flag.",
    "from double flags": "Items that come from both flagging the same target on their own "
                         "(not counted again when one also reviewed the other).",
}


class ReviewView(QWidget):
    def __init__(self, state: AppState, parent=None):
        super().__init__(parent)
        self.state = state
        self.item = None     # the auditor.state.review.ReviewItem on show
        self.headline = text_label("reviewHeadline")
        self.detail = text_label("reviewDetail")
        self.note = QLineEdit()
        self.note.setObjectName("reviewNote")
        self.note.setPlaceholderText("note (why; kept with the decision)")
        self.label = QComboBox()
        self.label.setObjectName("reviewLabel")
        self.label.addItems(["home", "work", "other"])
        self.accept = QPushButton("Accept")
        self.reject = QPushButton("Reject")
        self.amend = QPushButton("Amend to")
        self.skip = QPushButton("Skip")
        for b, name in ((self.accept, "reviewAccept"), (self.reject, "reviewReject"),
                        (self.amend, "reviewAmend"), (self.skip, "reviewSkip")):
            b.setObjectName(name)
        self.message = text_label("reviewMessage")
        self.agreement = read_only_table(AGREEMENT_HEADERS, "reviewAgreement")
        header_tips(self.agreement, HEADER_TIPS)
        buttons = QHBoxLayout()
        for w in (self.accept, self.reject, self.amend, self.label, self.skip):
            buttons.addWidget(w)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addWidget(self.headline)
        layout.addWidget(self.detail)
        layout.addWidget(self.note)
        layout.addLayout(buttons)
        layout.addWidget(self.message)
        layout.addWidget(QLabel("Agreement between analysts (raw, and Cohen's kappa):"))
        layout.addWidget(self.agreement, 1)
        self.accept.clicked.connect(lambda: self.decide("accept"))
        self.reject.clicked.connect(lambda: self.decide("reject"))
        self.amend.clicked.connect(lambda: self.decide("amend", self.label.currentText()))
        self.skip.clicked.connect(self.next)
        state.flags_changed.connect(lambda spec, op: self._flags_changed(op))
        state.project_changed.connect(lambda project: self.show_next())
        state.settings_changed.connect(lambda name: name == "analyst" and self.show_next())

    def set_analysis(self, analysis) -> None:
        self.show_next()

    # --- the queue -------------------------------------------------------------------------
    def show_next(self, after: Optional[int] = None) -> None:
        """Show the next flag pending this analyst's review (after flag ``after``)."""
        try:
            self.item = self.state.next_review(after)
        except UserError as exc:
            self.item = None
            self.message.setText(str(exc))
        self._show_item()
        self._show_agreement()

    def next(self) -> None:
        self.show_next(self.item.event_id if self.item is not None else None)

    def _show_item(self) -> None:
        it = self.item
        for b in (self.accept, self.reject, self.skip):
            b.setEnabled(it is not None)
        self.amend.setEnabled(it is not None and it.action == "label_wrong")
        self.label.setEnabled(self.amend.isEnabled())
        if it is None:
            who = self.state.flag_stack.analyst if self.state.flag_stack else None
            self.headline.setText("Set your analyst name to review flags." if who is None else
                                  f"No flag is pending review by {who}.")
            self.detail.setText("")
            return
        says = f"label → {it.new_value} (was {it.old_value or '–'})" \
            if it.action == "label_wrong" else it.action.replace("_", " ")
        where = it.target_id or f"(orphaned; was {it.vehicle_id})"
        self.headline.setText(f"Flag {it.event_id} by {it.analyst} at {it.created_at}: {says} "
                              f"on {it.target_kind} {where} · {it.pending} pending")
        lines = []
        if it.note:
            lines.append(f"Their note: {it.note}")
        if it.prediction:
            p = it.prediction
            lines.append(f"Model: predicts {p['predicted_label']} (home {fmt(p['p_home'], 2)}, "
                         f"work {fmt(p['p_work'], 2)}, other {fmt(p['p_other'], 2)}"
                         + (f"; {p['why']}" if p.get("why") else "")
                         + f"); given label {p['given_label'] or '–'}")
        lines += [f"• {e}" for e in it.evidence] or ["No evidence sentence for this place."]
        self.detail.setText("\n".join(lines))
        if it.action == "label_wrong":
            others = [c for c in ("home", "work", "other") if c not in (it.new_value,
                                                                        it.old_value)]
            if others:
                self.label.setCurrentText(others[0])
        # the map, the timeline and the details follow the flag
        if it.place_id is not None:
            self.state.select_place(it.place_id)
        elif it.vehicle_id:
            try:
                self.state.select_vehicle(it.vehicle_id)
            except UserError:
                pass

    def decide(self, decision: str, label: Optional[str] = None) -> Optional[int]:
        """Accept / reject / amend the flag on show (one undo step), then show the next."""
        if self.item is None:
            return None
        flag = self.item.event_id
        try:
            review_id = self.state.review(flag, decision, label, self.note.text() or None)
        except UserError as exc:
            self.message.setText(str(exc))
            return None
        self.message.setText(f"{decision}ed flag {flag} (event {review_id}); Edit ▸ Undo takes "
                             "it back")
        self.note.clear()
        self.show_next(flag)
        return review_id

    def _flags_changed(self, op: str) -> None:
        if op in ("undo", "redo", "resync"):
            self.show_next()

    def _show_agreement(self) -> None:
        conn = self.state.conn
        if conn is None:
            fill_table(self.agreement, [])
            return
        from auditor.analysis.agreement import agreement_report
        rows = agreement_report(conn)["pairs"]
        fill_table(self.agreement, [[
            item(" / ".join(r["analysts"])), item(r["action"]), item(fmt(r["items"]), r["items"]),
            item(fmt(r["agreed"]), r["agreed"]),
            item(pct(r["raw_agreement"]), r["raw_agreement"]),
            item("undefined" if r["kappa"] is None else f"{r['kappa']:.2f}", r["kappa"],
                 tooltip=r["kappa_note"]),
            item(fmt(r["from_reviews"]), r["from_reviews"]),
            item(fmt(r["from_independent_flags"]), r["from_independent_flags"])] for r in rows])
