"""Issue 14, item 3: flags say what they did. An empty note is no "nan"; a correction to the
label a place already has is refused as the CLI refuses it; the status bar says what it
counts; undo and redo say what changed and show the place they changed. Real widgets."""
from PySide6.QtWidgets import QApplication, QMessageBox


def _boxes():
    return [w for w in QApplication.topLevelWidgets()
            if isinstance(w, QMessageBox) and w.isVisible()]


def _place_with_given(window, label):
    return window.project.conn.execute(
        "SELECT pl.place_id FROM place_labels pl JOIN predictions pr USING (place_id) "
        "WHERE pl.label = ? AND pr.run_id = ? ORDER BY pl.place_id LIMIT 1",
        (label, window.project.run_id)).fetchone()[0]


def test_notes_labels_counts_undo_and_redo_say_what_happened(qtbot, window, fresh_demo_project):
    window.open_project(fresh_demo_project)
    conn = window.project.conn
    home = _place_with_given(window, "home")
    window.select_place(home)
    panel = window.panel

    # the button of the label the place already has is off, and says why
    assert not panel.buttons["label_home"].isEnabled()
    assert "Already home" in panel.buttons["label_home"].toolTip()
    assert panel.buttons["label_work"].isEnabled()
    # H anyway (the key acts whatever the buttons show): refused, as the CLI refuses it
    window.keys.flag_place("label_wrong", "home")
    boxes = _boxes()
    assert len(boxes) == 1 and f"{home} is already labelled home" in boxes[0].text()
    boxes[0].close()
    assert conn.execute("SELECT COUNT(*) FROM flag_events").fetchone()[0] == 0

    # a note, then none: the empty one is no "nan"
    panel.note.setText("colleague says work")
    window.keys.flag_place("label_wrong", "work")
    panel.note.setText("   ")
    window.keys.flag_place("model_wrong")
    text = panel.flags_label.text()
    assert "“colleague says work”" in text and "nan" not in text.lower()
    assert text.count("•") == 2
    # now the work button is the one that would change nothing
    assert not panel.buttons["label_work"].isEnabled() and panel.buttons["label_home"].isEnabled()

    # one place, two flags in force: the status bar says both, and which is which
    counts = window.status.counts.text()
    assert "1 place flagged (2 flags in force)" in counts
    assert "1 places have at least one flag" in window.status.counts.toolTip()

    # undo from somewhere else: the flagged place comes back on screen, and the bar says so
    other = _place_with_given(window, "work")
    window.select_place(other)
    assert window.place_id == other
    window.undo_action.trigger()
    assert window.place_id == home and window.panel.place_id == home
    assert window.browser.current_place()["place_id"] == home
    msg = window.statusBar().currentMessage()
    assert msg.startswith("Undone: “flag") and "model wrong" in msg and home in msg
    assert "no longer marked model wrong" in msg
    window.select_place(other)
    window.undo_action.trigger()
    msg = window.statusBar().currentMessage()
    assert window.place_id == home and "label→work" in msg
    assert "its label is now home (the given label)" in msg
    window.redo_action.trigger()
    msg = window.statusBar().currentMessage()
    assert msg.startswith("Redone:") and "its label is now work (an analyst's correction)" in msg
    assert "1 place flagged" in window.status.counts.text()
    assert "(" not in window.status.counts.text().split("1 place flagged")[1][:3]
    window.close()


def _lead_flags_a_home_as_work(window, project):
    """lead opens the project and flags a place labelled home as work: (flag id, the panel)."""
    window.settings.analyst = "lead"
    window.open_project(project)
    window.select_place(_place_with_given(window, "home"))
    return window.state.flag_place("label_wrong", "work", None), window.panel


def test_a_second_analysts_decision_shows_on_the_flag_in_the_details_pane(qtbot, window,
                                                                         fresh_demo_project):
    """Driving the app: bob rejected lead's flag in the Review tab, and the place still listed
    it exactly like a pending one."""
    flag, panel = _lead_flags_a_home_as_work(window, fresh_demo_project)
    assert panel.flags_label.text().count("•") == 1 and " by bob" not in panel.flags_label.text()
    window.state.set_analyst("bob")
    window.state.review(flag, "reject", note="two nights a week there")
    text = panel.flags_label.text()
    assert "label → work (by lead" in text
    assert text.endswith(" · rejected by bob — “two nights a week there”")
    window.undo_action.trigger()  # bob's decision taken back: pending again
    assert panel.flags_label.text().count("•") == 1 and "rejected" not in panel.flags_label.text()
    window.close()


def test_a_review_from_a_terminal_shows_in_the_open_window(qtbot, window, fresh_demo_project):
    """The app and a terminal at once: carol amends lead's flag with `auditor review` in
    another process while the window shows the place; the window shows it within a few
    seconds, without a reopen."""
    import subprocess
    import sys
    flag, panel = _lead_flags_a_home_as_work(window, fresh_demo_project)
    assert " by carol" not in panel.flags_label.text()
    done = subprocess.run([sys.executable, "-m", "auditor", "review", str(fresh_demo_project),
                           "--analyst", "carol", "--amend", str(flag), "--label", "other",
                           "--note", "it is the gym"], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    qtbot.waitUntil(lambda: "amended to other by carol" in panel.flags_label.text(),
                    timeout=15_000)
    assert panel.flags_label.text().endswith("“it is the gym”")
    assert "another window or process" in window.statusBar().currentMessage()
    window.close()
