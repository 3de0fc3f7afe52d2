package ui

import (
	"fyne.io/fyne/v2"

	bk "github.com/borgerkiosk/borgerkiosk"
)

// loadState fetches the citizen's state live. Offline, the state fetched
// earlier in this session (if any) is kept and stateErr says why it may
// be out of date; it is wiped at logout like everything else.
func (u *KioskUI) loadState(then func()) {
	var st *bk.CitizenState
	var err error
	sess := u.sess
	u.work(func() {
		ctx, cancel := u.ctx()
		defer cancel()
		st, err = sess.State(ctx)
	}, func() {
		if u.sess != sess { // logged out meanwhile
			return
		}
		if err != nil {
			u.stateErr = err
		} else {
			u.state, u.stateErr = st, nil
		}
		then()
	})
}

// unavailable is shown when citizen state cannot be fetched and none was
// fetched earlier: it says so and lists what can still be done offline.
func (u *KioskUI) unavailable(id, titleKey string) *screen {
	tr := u.tr
	return &screen{
		id: id,
		body: vbox(
			heading(tr.T(titleKey, nil)),
			u.label(id+".message", tr.T("state.unavailable", nil)),
			subheading(tr.T("state.can_do", nil)),
			u.big(id+".create", tr.T("delegation.create", nil), u.startCreate),
			u.big(id+".handover", tr.T("home.handover", nil), u.showScan),
			u.helpButton(id+".help"),
		),
		actions: []fyne.CanvasObject{u.big(id+".back", tr.T("button.back", nil), u.showHome)},
		speak: says(tr.T(titleKey, nil), tr.T("state.unavailable", nil), tr.T("state.can_do", nil),
			tr.T("delegation.create", nil), tr.T("home.handover", nil), tr.T("button.help", nil)),
	}
}

// staleNote says when state is from earlier in the session.
func (u *KioskUI) staleNote() (fyne.CanvasObject, string) {
	if u.stateErr == nil || u.state == nil {
		return nil, ""
	}
	t := u.tr.T("state.cached", map[string]any{"Time": u.clock(u.state.FetchedAt)})
	return u.noticeBox(noticeWarning, "state.cached", t), t
}
