package ui

import (
	"fyne.io/fyne/v2"
	fynetheme "fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	bk "github.com/borgerkiosk/borgerkiosk"
	"github.com/borgerkiosk/borgerkiosk/ui/i18n"
	"github.com/borgerkiosk/borgerkiosk/ui/keyboard"
)

// showWelcome is the first screen: "insert your card", a picture of the
// kiosk showing where the card reader and the scanner are on this one,
// and where the read-aloud, display and language controls are (in the
// header of every screen). It shows nothing about anybody.
func (u *KioskUI) showWelcome() {
	u.show(func() *screen {
		tr := u.tr
		var speechNote fyne.CanvasObject
		if !u.speechAvailable() {
			speechNote = u.label("welcome.speech", tr.T("speech.unavailable", nil))
		}
		readerAt, scannerAt := u.readerAt(), u.scannerAt()
		return &screen{
			id:        "welcome",
			signedOut: true,
			body: vbox(
				// "Insert your card" is what to do here: first, the largest
				// text, and the picture right under it when the words do not
				// fit beside it, so both are seen before anything scrolls.
				heading(tr.T("card.insert", nil)),
				u.besideKioskPicture(true,
					subheading(tr.T("welcome.title", nil)),
					u.label("", tr.T("welcome.intro", nil)),
					u.label("welcome.reader", readerAt),
					u.label("", tr.T("welcome.scan_hint", nil)),
					u.label("welcome.scanner", scannerAt),
				),
				subheading(tr.T("settings.title", nil)),
				u.label("welcome.settings", tr.T("welcome.settings_hint", nil)),
				speechNote,
				u.label("", tr.T("welcome.staff", nil)),
			),
			speak: says(tr.T("welcome.title", nil), tr.T("welcome.intro", nil), tr.T("card.insert", nil), readerAt,
				tr.T("welcome.speak", nil), scannerAt),
		}
	})
}

// readerAt and scannerAt say where this kiosk's devices are.
func (u *KioskUI) readerAt() string { return u.placed("welcome.reader_at", u.cfg.CardReaderPlace) }

func (u *KioskUI) scannerAt() string { return u.placed("welcome.scanner_at", u.cfg.ScannerPlace) }

func (u *KioskUI) placed(key string, p Place) string {
	return u.tr.T(key, map[string]any{"Place": u.tr.T("place."+string(p), nil)})
}

// besideKioskPicture sets rows of text beside the picture of this kiosk
// (kioskPicture), or, when the two do not fit side by side, under it
// (pictureFirst: the welcome, whose heading already says what to do) or
// above it (scan, assist_wait: the rows are the instruction, and a
// picture 420 px tall in large text would push it below the fold).
func (u *KioskUI) besideKioskPicture(pictureFirst bool, rows ...fyne.CanvasObject) fyne.CanvasObject {
	picture := kioskPicture(u.cfg.CardReaderPlace, u.cfg.ScannerPlace,
		u.tr.T("welcome.reader_name", nil), u.tr.T("welcome.scanner_name", nil))
	return &fyne.Container{Layout: &columnsLayout{secondFirst: pictureFirst}, Objects: []fyne.CanvasObject{vbox(rows...), picture}}
}

// hintReadAloud tells a person who put a card in, with read-aloud off,
// where the read-aloud switch is: in Danish, then in English, since nobody
// has chosen a language yet. Only when a voice is there to say it.
func (u *KioskUI) hintReadAloud() {
	if u.readAloud || !u.speechAvailable() {
		return
	}
	switch u.Screen() {
	case "welcome", "handover_preview", "assist_wait":
	default:
		return
	}
	var parts []utterance
	for _, l := range []i18n.Lang{i18n.Danish, i18n.English} {
		tr, err := i18n.NewTranslator(u.cat, l)
		if err != nil {
			u.log.Error("read-aloud hint", "err", err)
			return
		}
		parts = append(parts, utterance{l, tr.T("chrome.hint", nil)})
	}
	u.say(parts...)
}

// onCard handles the card slot. Removing the card ends everything at once,
// except that a staff member takes their card out after signing a grant:
// the grant then waits for the citizen's card.
func (u *KioskUI) onCard(e bk.CardEvent) {
	switch e {
	case bk.CardInserted:
		if u.sess != nil {
			return // a second insert without a removal: the reader's glitch
		}
		u.hintReadAloud()
		u.readCard()
	case bk.CardRemoved:
		if u.Screen() == "take_card" {
			u.cardTaken()
			return
		}
		// The role comes from the card as read, not from the session: the
		// service may already have closed the session when the card left.
		if u.sess != nil && u.card != nil && u.card.Role == bk.RoleStaff && u.assist != nil {
			u.sess.Close()
			u.sess, u.card = nil, nil
			u.showAssistWait()
			return
		}
		if u.sess != nil || u.card != nil {
			u.logout("card.removed")
			return
		}
		if u.Screen() == "card_error" {
			u.showWelcome()
		}
	}
}

func (u *KioskUI) readCard() {
	u.showBusy("reading", u.tr.T("card.reading", nil))
	var info bk.CardInfo
	var err error
	u.work(func() {
		ctx, cancel := u.ctx()
		defer cancel()
		info, err = u.k.ReadCard(ctx)
	}, func() {
		if err != nil {
			u.showCardError(err)
			return
		}
		if u.assist != nil && info.Role != bk.RoleCitizen {
			u.showCardError(bk.Errorf(bk.EWrongRole, "a citizen card is needed"))
			return
		}
		u.card = &info
		u.showPIN(nil)
	})
}

// showBusy is shown while a device or the network works.
func (u *KioskUI) showBusy(id, text string) {
	u.show(func() *screen {
		return &screen{id: id, body: vbox(heading(text), widget.NewProgressBarInfinite()), speak: says(text)}
	})
}

// showCardError explains why the card cannot be used and what to do next.
func (u *KioskUI) showCardError(err error) {
	u.card = nil
	if u.sess != nil {
		u.sess.Close()
		u.sess = nil
	}
	u.show(func() *screen {
		tr := u.tr
		msg := u.errText(err) // at each build: a change of language says it anew
		return &screen{
			id:        "card_error",
			signedOut: true,
			body: vbox(
				heading(tr.T("cardError.title", nil)),
				u.label("card_error.message", msg),
				u.label("", tr.T("card.remove", nil)),
			),
			actions: []fyne.CanvasObject{u.big("card_error.help", tr.T("button.help", nil), u.callStaff)},
			speak:   says(tr.T("cardError.title", nil), msg, tr.T("card.remove", nil)),
		}
	})
}

// showPIN asks for the PIN on the on-screen pad. The digits are never
// shown or spoken, only how many there are (on request). The pad outlives
// a rebuild of the screen, so switching contrast, text size or language
// keeps the digits typed. err, if not nil, is why the last PIN was
// refused; it is worded at each build, in the language of the moment.
func (u *KioskUI) showPIN(err error) {
	message := func() string {
		if err == nil {
			return ""
		}
		return u.errText(err)
	}
	pad := keyboard.NewPinPad(nil)
	pad.MinLen = 1 // short PINs get a message instead of a silent OK key
	pad.Now = u.now
	pad.OnChanged = func(int) { u.touch() }
	pad.OnSubmit = func(pin string) {
		u.touch()
		if len(pin) < 4 {
			message = func() string { return u.tr.T("signin.pin_short", nil) }
			u.labels["pin.message"].SetText(message())
			u.announce(message())
			return
		}
		u.signIn(pin)
	}
	u.pinPad = pad
	u.show(func() *screen {
		tr := u.tr
		pad.SetLabels(keyboard.LabelsFor(tr))
		// The message line is always there, so a wrong or short PIN
		// shows where nothing was and the keys stay put.
		m := u.label("pin.message", message())
		m.Importance = widget.DangerImportance
		m.Alignment = fyne.TextAlignCenter
		m.TextStyle.Bold = true
		who := ""
		if u.card != nil {
			who = u.card.Name
		}
		name := u.label("pin.name", who)
		name.TextStyle.Bold = true
		name.Wrapping = fyne.TextWrapOff // beside the heading: a name is short
		// Says how many digits are typed, never which. It sits right of
		// the PIN box, outside the keys, so the pad stays centred and no
		// key has it for a neighbour.
		countButton := func(id string) fyne.CanvasObject {
			b := u.button(id, tr.T("pin.count", nil), func() { u.sayNow(pad.Description()) })
			b.SetIcon(fynetheme.VolumeUpIcon())
			if !u.speechAvailable() {
				b.Disable()
			}
			return bigTarget(b)
		}
		aside := countButton("pin.count")
		pad.SetAside(aside)
		return &screen{
			id: "pin",
			body: &fyne.Container{
				Layout: &pinLayout{pad: pad, aside: aside, msg: m},
				Objects: []fyne.CanvasObject{heading(tr.T("pin.enter", nil)), name, reserveLines(1, m), pad,
					countButton("pin.count.side")},
			},
			speak: says(tr.T("pin.enter", nil), message(), tr.T("pin.hint", nil), tr.T("signin.speak", nil)),
			fills: true, // the keys grow into the room under the PIN box
		}
	})
}

func (u *KioskUI) signIn(pin string) {
	var s bk.Session
	var err error
	var assist *bk.StaffGrant
	if u.card != nil && u.card.Role == bk.RoleCitizen {
		assist = u.assist
	}
	u.showBusy("checking", u.tr.T("pin.checking", nil))
	u.work(func() {
		ctx, cancel := u.ctx()
		defer cancel()
		s, err = u.k.SignIn(ctx, pin, assist)
	}, func() {
		if err != nil {
			if code := bk.ErrorCode(err); code == bk.EWrongPIN {
				u.showPIN(err)
				return
			}
			u.showCardError(err)
			return
		}
		if u.card == nil { // the card was pulled while the PIN was checked
			s.Close()
			return
		}
		u.sess = s
		s.SetLang(u.lang())
		if s.Person().Role == bk.RoleStaff {
			u.showStaffHome()
			return
		}
		if u.handover != nil {
			u.showHandoverDecision()
			return
		}
		u.showHome()
	})
}

// callStaff asks for help and says so.
func (u *KioskUI) callStaff() {
	var err error
	u.work(func() {
		ctx, cancel := u.ctx()
		defer cancel()
		err = u.k.CallStaff(ctx, u.Screen())
	}, func() {
		u.setNotice(noticeInfo, u.tr.T("staff.help_called", nil))
		if err != nil {
			u.setNotice(noticeError, u.errText(err))
		}
		u.refresh()
	})
}
