package ui

import (
	"math"
	"strconv"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	bk "github.com/borgerkiosk/borgerkiosk"
	"github.com/borgerkiosk/borgerkiosk/ui/speech"
)

// showStaffHome loads the attention list, then shows the kiosk's health.
func (u *KioskUI) showStaffHome() {
	var items []bk.AttentionItem
	var err error
	u.work(func() {
		ctx, cancel := u.ctx()
		defer cancel()
		items, err = u.k.Attention(ctx)
	}, func() {
		if u.sess == nil {
			return
		}
		u.attention = items
		if err != nil {
			u.setNotice(noticeError, u.errText(err))
		}
		u.show(u.buildStaffHome)
	})
}

func (u *KioskUI) deviceText(d bk.DeviceState) string {
	switch d {
	case bk.DeviceOK:
		return u.tr.T("staff.device_ok", nil)
	case bk.DevicePaperOut:
		return u.tr.T("staff.device_paper_out", nil)
	}
	return u.tr.T("staff.device_offline", nil)
}

// speechStatus says whether read-aloud can be heard, and if not, why:
// espeak-ng exits 0 with no sound card, so "installed" is not "heard".
func (u *KioskUI) speechStatus() string {
	switch speech.Reason(u.sp) {
	case "":
		return u.tr.T("staff.speech_ok", nil)
	case speech.ReasonNoDevice:
		return u.tr.T("staff.speech_no_device", nil)
	case speech.ReasonNoVoice:
		return u.tr.T("staff.speech_no_voice", nil)
	}
	return u.tr.T("staff.speech_missing", nil)
}

// clockSkewText says how many minutes the kiosk clock is wrong, and which way.
func (u *KioskUI) clockSkewText(skew time.Duration) string {
	key := "staff.clock_ahead"
	if skew < 0 {
		key = "staff.clock_behind"
	}
	n := int(math.Round(skew.Abs().Minutes()))
	return u.tr.TN(key, n, nil)
}

func (u *KioskUI) buildStaffHome() *screen {
	tr := u.tr
	st := u.status
	yesno := func(ok bool, yes, no string) string {
		if ok {
			return tr.T(yes, nil)
		}
		return tr.T(no, nil)
	}
	oldest := tr.T("staff.none_pending", nil)
	if st.Pending > 0 {
		oldest = u.clock(st.OldestPending)
	}
	rows := [][2]string{
		{"staff.connection", yesno(st.Online, "staff.online", "staff.offline")},
		{"staff.queue", strconv.Itoa(st.Pending)},
		{"staff.oldest", oldest},
		{"staff.last_sync", u.clock(st.LastSync)},
		{"staff.printer", u.deviceText(st.Printer)},
		{"staff.reader", u.deviceText(st.Reader)},
		{"staff.scanner", u.deviceText(st.Scanner)},
		{"staff.trust", yesno(!st.TrustStale, "staff.trust_fresh", "staff.trust_stale")},
		{"staff.speech", u.speechStatus()},
	}
	if st.ClockSkew != 0 {
		rows = append(rows, [2]string{"staff.clock", u.clockSkewText(st.ClockSkew)})
	}
	var grid []fyne.CanvasObject
	var speak []string
	for _, r := range rows {
		k := widget.NewLabelWithStyle(tr.T(r[0], nil), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
		// Wrapping, so the grid is never wider than the body beside the
		// page buttons: on 1024×768 in large text the longest name made
		// the page buttons a row of their own, unlike every other screen.
		k.Wrapping = fyne.TextWrapWord
		// A grid per row: only a row whose name wraps grows taller.
		grid = append(grid, container.NewGridWithColumns(2, k, u.label(r[0], r[1])))
		speak = append(speak, tr.T(r[0], nil)+": "+r[1])
	}
	var att []fyne.CanvasObject
	for _, a := range u.attention {
		reason := u.staffReason(a.Verdict)
		att = append(att, card(
			u.label("", u.attentionWhat(a)),
			u.label("attention."+a.ActionID, u.attentionWhy(a, reason)),
			u.big("attention.dismiss."+a.ActionID, tr.T("staff.dismiss", nil), func() { u.confirmDismiss(a) }),
		))
	}
	if len(att) == 0 {
		att = append(att, u.label("attention.none", tr.T("staff.attention_none", nil)))
	}
	name := u.sess.Person().Name
	body := vbox(
		heading(tr.T("staff.title", map[string]any{"Name": name})),
		vbox(grid...),
		subheading(tr.T("staff.attention", nil)+" ("+strconv.Itoa(len(u.attention))+")"),
		vbox(att...),
	)
	speak = append([]string{tr.T("staff.title", map[string]any{"Name": name})}, speak...)
	speak = append(speak, tr.TN("staff.attention_count", len(u.attention), nil), tr.T("staff.speak", nil))
	actions := []fyne.CanvasObject{
		u.big("staff.sync", tr.T("staff.sync_now", nil), u.syncNow),
		u.primary("staff.assist", tr.T("staff.assist", nil), u.grantAssist),
	}
	return &screen{id: "staff_home", body: body, actions: actions, speak: says(speak...)}
}

// attentionWhat is what the citizen tried to do, when and who (by name and
// masked CPR, not a card serial). Said as an attempt ("Ville give
// samtykke"), since the line under it says it was refused.
func (u *KioskUI) attentionWhat(a bk.AttentionItem) string {
	return u.tr.T("staff.attempt", map[string]any{"What": u.tr.T("staff.kind."+string(a.Kind), nil)}) + " · " + u.clock(a.OccurredAt) + " · " + actorText(a)
}

// actorText names who did an action: "Karen Hansen (010180-xxxx)".
func actorText(a bk.AttentionItem) string {
	if a.ActorName == "" {
		return a.Actor
	}
	if a.Actor == "" {
		return a.ActorName
	}
	return a.ActorName + " (" + a.Actor + ")"
}

// attentionWhy is central's answer, in words and as its code.
func (u *KioskUI) attentionWhy(a bk.AttentionItem, reason string) string {
	return u.tr.T("staff.attention_reason", map[string]any{
		"Outcome": u.tr.T("staff.outcome."+string(a.Verdict.Outcome), nil), "Reason": reason, "Code": a.Verdict.Reason})
}

// staffReasons name, for staff, the refusals central gives; codes not
// listed are told as a refusal in general (the list shows the code too).
var staffReasons = map[string]string{
	bk.ECardRevoked: "card_revoked", bk.ECardExpired: "card_expired", bk.ECardNotYet: "card_not_yet_valid",
	bk.EUnknownIssuer: "bad_card", bk.EBadSignature: "bad_card", bk.EStaleTrust: "stale_trust", bk.EClockSkew: "clock_skew",
	bk.EExpired: "expired", bk.EAlreadyRevoked: "already_revoked", bk.EAlreadyDeclined: "already_declined",
	bk.EInvalidState: "invalid_state", bk.ENotPermitted: "not_permitted", bk.EAgeRule: "age_rule",
	bk.EUnknownSubject: "unknown_subject", bk.EBadValidity: "bad_terms", bk.EUnknownScope: "bad_terms",
	bk.EScopeNotAllowed: "bad_terms", bk.ECategoryNotAllowed: "bad_terms",
}

// staffReason says in words why central did not apply an action, about
// the citizen and to staff: errText's sentences speak to the citizen
// ("Bed personalet om hjælp"), which on the staff screen is staff itself.
func (u *KioskUI) staffReason(v bk.Verdict) string {
	key, ok := staffReasons[v.Reason]
	switch {
	case ok:
	case v.Outcome == bk.Superseded:
		key = "superseded"
	default:
		key = "other"
	}
	return u.tr.T("staff.reason."+key, nil)
}

// confirmDismiss asks before an action leaves the attention list: the list
// is how staff learn that a citizen's answer did not count, so one stray
// tap must not hide it. The kiosk records who dismissed it.
func (u *KioskUI) confirmDismiss(a bk.AttentionItem) {
	u.decide(func() decision {
		tr := u.tr
		return decision{
			id:       "confirm_dismiss",
			question: tr.T("staff.dismiss_question", nil),
			// One short fact a line: the list above already gave the long
			// reason, and here staff check which action it is.
			facts: []fact{
				{tr.T("staff.dismiss_what", nil), tr.T("staff.kind."+string(a.Kind), nil)},
				{tr.T("staff.dismiss_when", nil), u.clock(a.OccurredAt)},
				{tr.T("staff.dismiss_who", nil), actorText(a)},
				{tr.T("staff.dismiss_why", nil), tr.T("staff.outcome."+string(a.Verdict.Outcome), nil) + ". " + u.staffReason(a.Verdict)},
			},
			means: tr.T("staff.dismiss_means", nil),
			yes:   tr.T("staff.dismiss", nil),
			no:    tr.T("staff.dismiss_keep", nil),
		}
	}, func() { u.dismiss(a.ActionID) }, u.showStaffHome)
}

// dismiss takes the action off the list, then shows the list again with
// what happened.
func (u *KioskUI) dismiss(actionID string) {
	var err error
	sess := u.sess
	u.work(func() {
		ctx, cancel := u.ctx()
		defer cancel()
		err = sess.DismissAttention(ctx, actionID)
	}, func() {
		if u.sess != sess {
			return
		}
		if err != nil {
			u.setNotice(noticeError, u.errText(err))
		} else {
			u.setNotice(noticeInfo, u.tr.T("staff.dismissed", nil))
		}
		u.showStaffHome()
	})
}

func (u *KioskUI) syncNow() {
	var err error
	u.showBusy("syncing", u.tr.T("staff.syncing", nil))
	u.work(func() {
		ctx, cancel := u.ctx()
		defer cancel()
		err = u.k.SyncNow(ctx)
	}, func() {
		if u.sess == nil {
			return
		}
		u.status = u.k.Status()
		if err != nil {
			u.setNotice(noticeError, u.tr.T("staff.sync_failed", nil))
		} else {
			u.setNotice(noticeInfo, u.tr.T("staff.sync_done", nil))
		}
		u.showStaffHome()
	})
}

// grantAssist has the staff card sign a grant, then asks the staff member
// to take their card out so the citizen can use the one slot.
func (u *KioskUI) grantAssist() {
	var a *bk.StaffGrant
	var err error
	sess := u.sess
	u.work(func() {
		ctx, cancel := u.ctx()
		defer cancel()
		a, err = sess.GrantAssist(ctx, u.cfg.AssistDuration)
	}, func() {
		if u.sess != sess {
			return
		}
		if err != nil {
			u.setNotice(noticeError, u.errText(err))
			u.showStaffHome()
			return
		}
		u.assist = a
		u.show(func() *screen {
			tr := u.tr
			return &screen{
				id: "assist_ready",
				body: vbox(
					heading(tr.T("assist.ready_title", nil)),
					u.label("", tr.T("assist.remove_card", nil)),
				),
				actions: []fyne.CanvasObject{u.big("assist.cancel", tr.T("button.cancel", nil), func() { u.assist = nil; u.showStaffHome() })},
				speak:   says(tr.T("assist.ready_title", nil), tr.T("assist.remove_card", nil)),
			}
		})
	})
}

// showAssistWait waits for the citizen's card after the staff card left.
func (u *KioskUI) showAssistWait() {
	u.show(func() *screen {
		tr := u.tr
		return &screen{
			id: "assist_wait",
			body: vbox(
				heading(tr.T("assist.wait_title", nil)),
				u.besideKioskPicture(false,
					u.label("", tr.T("card.insert", nil)),
					u.label("assist_wait.reader", u.readerAt()),
					u.label("", tr.T("assist.wait_hint", nil)),
				),
			),
			actions:   []fyne.CanvasObject{u.big("assist_wait.cancel", tr.T("button.cancel", nil), func() { u.logout("") })},
			exitInBar: true,
			speak:     says(tr.T("assist.wait_title", nil), tr.T("card.insert", nil), u.readerAt(), tr.T("assist.wait_hint", nil)),
		}
	})
}
