package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	fynetheme "fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	bk "github.com/borgerkiosk/borgerkiosk"
	"github.com/borgerkiosk/borgerkiosk/ui/i18n"
)

// once makes a submit button's action run at most once per build of its
// screen: a double tap, or a tap that arrives while the action is being
// saved, is ignored (EN 301 549 5.8). Each rebuild makes a fresh button.
func once(f func()) func() {
	done := false
	return func() {
		if done {
			return
		}
		done = true
		f()
	}
}

// fact is one line a person checks before deciding: a name and its value.
type fact struct{ name, value string }

// decision is one yes/no question on a screen of its own that says what
// is decided (facts), what a yes means, and names both answers by what
// they do.
type decision struct {
	id, question string
	facts        []fact
	means        string
	yes, no      string // button labels; no "" is Afbryd
	danger       bool   // the yes ends something: drawn destructive
	neutral      bool   // neither answer is the one to urge: both drawn alike
	exitInBar    bool   // the yes is the way out: the header offers none (see screen.exitInBar)
}

// decide shows the decision mk makes: the question, the facts in a box,
// what a yes means, and the answers in the action bar. mk runs at every
// build, so a change of language says it all again in the new one.
func (u *KioskUI) decide(mk func() decision, yes, no func()) {
	u.show(func() *screen {
		tr := u.tr
		d := mk()
		noLabel := d.no
		if noLabel == "" {
			noLabel = tr.T("button.cancel", nil)
		}
		body := []fyne.CanvasObject{heading(d.question)}
		speak := []string{d.question}
		if len(d.facts) > 0 {
			var rows []fyne.CanvasObject
			for _, f := range d.facts {
				rows = append(rows, factLine(f))
				speak = append(speak, f.name+": "+f.value)
			}
			body = append(body, card(rows...))
		}
		if d.means != "" {
			body = append(body, u.label(d.id+".means", d.means))
			speak = append(speak, d.means)
		}
		yesButton := u.primary
		switch {
		case d.danger:
			yesButton = u.destructive
		case d.neutral:
			yesButton = u.big
		}
		return &screen{
			id:   d.id,
			body: vbox(body...),
			actions: []fyne.CanvasObject{
				u.big(d.id+".no", noLabel, no),
				yesButton(d.id+".yes", d.yes, once(yes)),
			},
			speak:     says(append(speak, tr.T("confirm.speak", map[string]any{"Yes": d.yes, "No": noLabel}))...),
			exitInBar: d.exitInBar,
		}
	})
}

// factLine is a fact as one wrapping line with its name in bold.
func factLine(f fact) fyne.CanvasObject {
	t := widget.NewRichText(
		&widget.TextSegment{Text: f.name + ": ", Style: widget.RichTextStyleStrong},
		&widget.TextSegment{Text: f.value, Style: widget.RichTextStyleInline},
	)
	t.Wrapping = fyne.TextWrapWord
	return t
}

// do runs one action and shows its outcome; back returns to the list.
func (u *KioskUI) do(kind bk.ActionKind, p bk.Payload, back func()) {
	u.doThen(kind, p, back, nil)
}

// doThen is do with a continuation instead of the plain result screen.
// While one action is being saved another is ignored.
func (u *KioskUI) doThen(kind bk.ActionKind, p bk.Payload, back func(), then func(bk.Result)) {
	if u.acting {
		u.log.Info("second action ignored while the first is saved", "kind", kind)
		return
	}
	u.acting = true
	var res bk.Result
	var err error
	sess := u.sess
	u.showBusy("saving", u.tr.T("action.saving", nil))
	u.work(func() {
		ctx, cancel := u.ctx()
		defer cancel()
		res, err = sess.Do(ctx, kind, p)
	}, func() {
		u.acting = false
		if u.sess != sess {
			return
		}
		if err != nil {
			u.showActionErrorOf(kind, err, back)
			return
		}
		if then != nil {
			then(res)
			return
		}
		u.showResult(kind, p, res, back)
	})
}

func (u *KioskUI) showActionError(err error, back func()) { u.showActionErrorOf("", err, back) }

// showActionErrorOf says why kind was refused; a refusal for stale trust
// names what cannot be done and what to do instead.
func (u *KioskUI) showActionErrorOf(kind bk.ActionKind, err error, back func()) {
	u.show(func() *screen {
		tr := u.tr
		// Worded at each build, so a change of language says it anew.
		msg := u.errText(err)
		if bk.ErrorCode(err) == bk.EStaleTrust && u.status.TrustStale {
			// The banner already says why; the screen says what it means here.
			msg = tr.T("result.stale_trust", nil)
			if key, ok := staleTrustRefusal[kind]; ok {
				msg = tr.T(key, nil)
			}
		}
		return &screen{
			id: "action_error",
			body: vbox(
				heading(tr.T("result.not_saved", nil)),
				u.label("action_error.message", msg),
			),
			actions: []fyne.CanvasObject{
				u.helpButton("action_error.help"),
				u.primary("action_error.back", tr.T("button.back", nil), back),
			},
			speak: says(tr.T("result.not_saved", nil), msg, tr.T("result.speak", nil)),
		}
	})
}

// receiptRows says whether the receipt was printed, and offers staff help
// when it was not; the action is saved either way.
func (u *KioskUI) receiptRows(id string, r bk.Receipt) ([]fyne.CanvasObject, string) {
	tr := u.tr
	if r.Printed {
		t := tr.T("action.receipt_printed", nil)
		return []fyne.CanvasObject{u.label(id+".receipt", t)}, t
	}
	t := tr.T("error.printer", nil)
	return []fyne.CanvasObject{u.noticeBox(noticeWarning, id+".receipt", t), u.helpButton(id + ".help")}, t
}

// readReceiptButton offers to read the receipt aloud: large, with a
// loudspeaker icon, and only when there is a text and a voice to say it.
func (u *KioskUI) readReceiptButton(id, text string) fyne.CanvasObject {
	if text == "" || !u.speechAvailable() {
		return nil
	}
	b := u.button(id+".read_receipt", u.tr.T("receipt.read", nil), u.speakReceipt)
	b.SetIcon(fynetheme.VolumeUpIcon())
	return tall(b)
}

// showResult is the panel that says what changed: saved, and (for a
// consent) who may now use what, or no longer; whether it has reached
// central yet; what the preview says and whether the receipt printed. Its
// two ways on say where they go.
func (u *KioskUI) showResult(kind bk.ActionKind, p bk.Payload, res bk.Result, back func()) {
	u.show(func() *screen {
		tr := u.tr
		title := tr.T("action.saved", nil)
		done := u.whatChanged(kind, p, res)
		panel := []fyne.CanvasObject{u.label("result.done", done)}
		speak := []string{title, done}
		// Offline, the banner already says the answer is kept and sent later.
		if res.Pending && u.status.Online { // central has not answered yet
			t := tr.T("result.sent_soon", nil)
			panel = append(panel, u.label("result.pending", t))
			speak = append(speak, t)
		}
		rows := []fyne.CanvasObject{titledCard(fynetheme.NewSuccessThemedResource(fynetheme.ConfirmIcon()), title, panel...)}
		if v := u.verdictText(res.Verdict); v != "" {
			rows = append(rows, u.noticeBox(noticeWarning, "result.verdict", v))
			speak = append(speak, v)
		}
		rr, rt := u.receiptRows("result", res.Receipt)
		rows = append(rows, rr...)
		speak = append(speak, rt)
		rows = append(rows, u.readReceiptButton("result", res.Receipt.Text))
		home := tr.T("result.home", nil)
		actions := []fyne.CanvasObject{u.primary("result.home", home, u.showHome)}
		choices := tr.T("result.speak_home", map[string]any{"Home": home})
		if backKey := resultBack[kind]; backKey != "" {
			b := tr.T(backKey, nil)
			actions = []fyne.CanvasObject{u.big("result.home", home, u.showHome), u.primary("result.back", b, back)}
			choices = tr.T("result.speak_choices", map[string]any{"Back": b, "Home": home})
		}
		speak = append(speak, choices)
		return &screen{id: "result", body: vbox(rows...), actions: actions, speak: says(speak...), receipt: res.Receipt.Text,
			receiptLang: i18n.Lang(res.Receipt.Lang)}
	})
}

// whatChanged says what the action changed for the person: for a consent
// the authority and the data by name ("Københavns Kommune må nu bruge …"),
// said as what will happen while it has not reached central; for anything
// else, or a consent the kiosk does not know, the kind's own sentence.
func (u *KioskUI) whatChanged(kind bk.ActionKind, p bk.Payload, res bk.Result) string {
	if c := p.Contact; kind == bk.SetContact && c != nil {
		switch {
		case c.Email == "":
			return u.tr.T("result.set_contact_removed", nil)
		case !c.EmailReminders:
			return u.tr.T("result.set_contact_off", nil)
		}
	}
	generic := u.tr.T("result."+string(kind), nil)
	c := u.knownConsent(p.ConsentID)
	if c == nil || res.Verdict.Outcome != "" && res.Verdict.Outcome != bk.Applied {
		return generic
	}
	data := map[string]any{"Authority": u.authorityName(c.AuthorityID), "Data": u.categories(c.DataCategories),
		"Purpose": c.Purpose.In(u.lang()), "Date": u.date(u.now().AddDate(0, 0, c.ValidDays))}
	when := ".now"
	if res.Pending {
		when = ".later"
	}
	switch kind {
	case bk.GiveConsent, bk.WithdrawConsent:
		return u.tr.T("result."+string(kind)+when, data)
	case bk.DeclineConsent:
		return u.tr.T("result.decline_consent.now", data)
	}
	return generic
}

// titledCard is a card headed by an icon and a title: a panel that says
// one thing (what a result changed) at a glance.
func titledCard(icon fyne.Resource, title string, rows ...fyne.CanvasObject) fyne.CanvasObject {
	// Twice the heading's height: an inline-sized tick is a speck at arm's
	// length, worst as a thin green line on high contrast's black.
	side := 2 * fynetheme.Current().Size(fynetheme.SizeNameHeadingText)
	mark := &fyne.Container{Layout: squareLayout{side: side}, Objects: []fyne.CanvasObject{widget.NewIcon(icon)}}
	head := container.NewBorder(nil, nil, mark, nil, heading(title))
	return card(append([]fyne.CanvasObject{head}, rows...)...)
}

// squareLayout gives its objects a square side × side, centred.
type squareLayout struct{ side float32 }

func (l squareLayout) MinSize([]fyne.CanvasObject) fyne.Size { return fyne.NewSize(l.side, l.side) }

func (l squareLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	for _, o := range objs {
		o.Resize(fyne.NewSize(l.side, l.side))
		o.Move(fyne.NewPos((size.Width-l.side)/2, (size.Height-l.side)/2))
	}
}
