package ui

import (
	"fyne.io/fyne/v2"

	bk "github.com/borgerkiosk/borgerkiosk"
)

// showScan waits for the person to hold a handover code under the scanner.
func (u *KioskUI) showScan() {
	u.awaitScan = true
	u.show(func() *screen {
		tr := u.tr
		// Signed out (trying a code again from handover_error) there is no
		// home to go back to.
		back := u.showHome
		if u.sess == nil {
			back = u.showWelcome
		}
		return &screen{
			id:        "scan",
			signedOut: u.sess == nil,
			body: vbox(
				heading(tr.T("scan.title", nil)),
				u.besideKioskPicture(false,
					u.label("scan.message", tr.T("scan.hint", nil)),
					u.label("scan.scanner", u.scannerAt()),
				),
			),
			actions: []fyne.CanvasObject{u.big("scan.back", tr.T("button.back", nil), func() { u.awaitScan = false; back() })},
			speak:   says(tr.T("scan.title", nil), tr.T("scan.hint", nil), u.scannerAt(), tr.T("scan.speak", nil)),
		}
	})
}

// onScan handles a code from the QR scanner. Signed out, it starts the
// accept journey (the delegate then inserts their card); signed in as a
// citizen it is accepted on the scan screen and the home screen. Staff
// sessions and screens in the middle of something ignore scans.
func (u *KioskUI) onScan(code string) {
	switch {
	case u.sess == nil && u.card == nil && u.assist == nil:
	case u.sess == nil && u.assist != nil && u.Screen() == "assist_wait":
	case u.sess != nil && u.sess.Person().Role == bk.RoleCitizen && (u.awaitScan || u.Screen() == "home"):
	default:
		return
	}
	var info bk.HandoverInfo
	var err error
	u.work(func() {
		ctx, cancel := u.ctx()
		defer cancel()
		info, err = u.k.VerifyHandover(ctx, code)
	}, func() {
		u.awaitScan = false
		if err != nil {
			u.showHandoverError(err)
			return
		}
		u.handover = &info
		if u.sess != nil {
			u.showHandoverDecision()
		} else {
			u.showHandoverPreview()
		}
	})
}

func (u *KioskUI) showHandoverError(err error) {
	u.show(func() *screen {
		tr := u.tr
		// Worded at each build, so a change of language says it anew.
		msg := u.errText(err)
		if bk.ErrorCode(err) == bk.EInvalid || bk.ErrorCode(err) == bk.EBadSignature {
			msg = tr.T("scan.bad_code", nil)
		}
		back := u.showWelcome
		if u.sess != nil {
			back = u.showHome
		}
		// Trying again is what most want after a code that did not scan:
		// the main button, back to where a code is taken.
		retry := u.showScan
		if u.sess == nil && u.assist != nil {
			retry = u.showAssistWait
		}
		return &screen{
			id:        "handover_error",
			signedOut: u.sess == nil && u.assist == nil,
			body: vbox(
				heading(tr.T("scan.error_title", nil)),
				u.label("handover_error.message", msg),
			),
			actions: []fyne.CanvasObject{
				u.helpButton("handover_error.help"),
				u.big("handover_error.back", tr.T("button.back", nil), back),
				u.primary("handover_error.retry", tr.T("button.retry", nil), retry),
			},
			speak: says(tr.T("scan.error_title", nil), msg, tr.T("scan.speak_retry", nil)),
		}
	})
}

// handoverDetails says what the code grants: by whom (partly masked),
// which areas, until when.
func (u *KioskUI) handoverDetails() ([]fyne.CanvasObject, []string) {
	tr := u.tr
	h := u.handover
	// The code names the principal only by a masked name; the CPR number
	// comes from central's record once the delegate has signed in.
	by := tr.T("handover.from_name", map[string]any{"Name": h.PrincipalName})
	if h.Principal != "" {
		by = tr.T("handover.from", map[string]any{"Name": h.PrincipalName, "CPR": h.Principal})
	}
	if len(h.Scopes) == 0 && h.ValidTo.IsZero() {
		// A compact code names neither; central's record does, once the
		// kiosk can ask for it.
		key := "handover.terms_after_card"
		if u.sess != nil {
			key = "handover.terms_offline"
		}
		return []fyne.CanvasObject{u.label("handover.from", by), u.label("handover.terms", tr.T(key, nil))}, []string{by, tr.T(key, nil)}
	}
	period := tr.T("delegation.valid", map[string]any{"From": u.date(h.ValidFrom), "To": u.date(h.ValidTo)})
	// The areas are said from the reader's side: what you may do for them.
	scopes := tr.T("handover.scopes", map[string]any{"Name": h.PrincipalName})
	rows := []fyne.CanvasObject{u.label("handover.from", by), subheading(scopes)}
	speak := []string{by, scopes}
	if h.Principal == "" {
		// "Fra Karen H." would only repeat the name the areas' heading
		// gives; with the CPR number (signed in) it says more.
		rows, speak = rows[1:], speak[1:]
	}
	for _, s := range h.Scopes {
		name, desc := s.ScopeID, ""
		if sc, ok := u.k.Catalogue().Scope(s.ScopeID); ok {
			name, desc = sc.Name.In(u.lang()), sc.Description.In(u.lang())
		}
		rows = append(rows, card(u.label("", name), u.label("", desc)))
		speak = append(speak, name+": "+desc)
	}
	rows = append(rows, u.label("handover.period", period))
	speak = append(speak, period)
	return rows, speak
}

// showHandoverPreview shows a scanned code before anyone has signed in.
func (u *KioskUI) showHandoverPreview() {
	u.show(func() *screen {
		tr := u.tr
		rows, speak := u.handoverDetails()
		// What to do comes right under the title: after the details it
		// was below the fold on 1024×768 in large text.
		body := append([]fyne.CanvasObject{heading(tr.T("handover.preview_title", nil)), subheading(tr.T("handover.insert_card", nil))}, rows...)
		cancel := u.big("handover_preview.cancel", tr.T("button.cancel", nil), func() { u.logout("") })
		return &screen{id: "handover_preview", body: vbox(body...), actions: []fyne.CanvasObject{cancel},
			speak: says(append(append([]string{tr.T("handover.preview_title", nil)}, speak...), tr.T("handover.insert_card", nil))...)}
	})
}

// showHandoverDecision fetches central's record of the delegation, then
// lets the signed-in delegate accept or decline what central holds: the
// code's claims are only the kiosk's word, and offline all there is.
func (u *KioskUI) showHandoverDecision() {
	u.loadState(func() {
		if u.handover == nil {
			return
		}
		if u.state != nil {
			for _, d := range u.state.GivenToMe {
				if d.ID == u.handover.DelegationID {
					h := u.handover
					h.PrincipalName, h.Principal = d.PrincipalName, d.Principal.Masked()
					h.Scopes, h.ValidFrom, h.ValidTo = d.Scopes, d.ValidFrom, d.ValidTo
				}
			}
		}
		u.showHandoverChoice()
	})
}

// showHandoverChoice lets the signed-in delegate accept or decline.
func (u *KioskUI) showHandoverChoice() {
	u.show(func() *screen {
		tr := u.tr
		rows, speak := u.handoverDetails()
		h := *u.handover
		p := bk.Payload{DelegationID: h.DelegationID, HandoverToken: h.Code}
		finish := func() { u.handover = nil; u.showHome() }
		body := append([]fyne.CanvasObject{heading(tr.T("handover.decide_title", nil))}, rows...)
		if len(h.Scopes) > 0 {
			// What a yes means, once the terms are on the screen to point at.
			means := tr.T("handover.accept_means", map[string]any{"Name": h.PrincipalName})
			body = append(body, u.label("handover.accept_means", means))
			speak = append(speak, means)
		}
		actions := []fyne.CanvasObject{
			u.big("handover.later", tr.T("handover.later", nil), finish),
			// Declining is final, so it is confirmed first (WCAG 3.3.4);
			// Cancel comes back here with the code still in hand.
			u.big("handover.decline", tr.T("delegation.decline", nil), func() {
				u.decide(func() decision {
					name := map[string]any{"Name": h.PrincipalName}
					return decision{id: "confirm_decline_handover", question: u.tr.T("handover.confirm_decline", name),
						means: u.tr.T("handover.decline_means", name), yes: u.tr.T("delegation.decline", nil),
						no: u.tr.T("button.back", nil), neutral: true}
				}, func() {
					u.handover = nil
					u.do(bk.DeclineDelegation, p, u.showHome)
				}, u.showHandoverChoice)
			}),
			u.primary("handover.accept", tr.T("delegation.accept", nil), once(func() {
				u.handover = nil
				u.do(bk.AcceptDelegation, p, u.openDelegations)
			})),
		}
		return &screen{id: "handover_decision", body: vbox(body...), actions: actions,
			speak: says(append(append([]string{tr.T("handover.decide_title", nil)}, speak...), tr.T("handover.decide_speak", nil))...)}
	})
}
