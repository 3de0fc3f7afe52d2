package ui

import (
	"fyne.io/fyne/v2"
	fynetheme "fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	bk "github.com/borgerkiosk/borgerkiosk"
	"github.com/borgerkiosk/borgerkiosk/ui/theme"
)

// UsagePage is how many records the usage screen shows at a time: few
// enough to read through in large text, and Ældre brings the next ones.
const UsagePage = 10

// usageView is the usage log as this session has read it; wiped at
// logout. befores[i] is the Before of page i, so Nyere goes back
// without a cursor of its own from central.
type usageView struct {
	befores []string
	page    int
	log     *bk.UsageLog // the page shown; nil until one was fetched
	err     error        // why the last fetch failed
}

// openUsage shows the newest page of "Hvem har spurgt om mig".
func (u *KioskUI) openUsage() {
	u.usage = &usageView{befores: []string{""}}
	u.loadUsage(0)
}

// loadUsage fetches page i (known in befores) and shows it. Offline the
// page shown stays, and the screen says why the next did not come.
func (u *KioskUI) loadUsage(i int) {
	sess, v := u.sess, u.usage
	if sess == nil || v == nil || i < 0 || i >= len(v.befores) {
		return
	}
	var l *bk.UsageLog
	var err error
	u.work(func() {
		ctx, cancel := u.ctx()
		defer cancel()
		l, err = sess.UsageLog(ctx, v.befores[i], UsagePage)
	}, func() {
		if u.sess != sess || u.usage != v { // logged out meanwhile
			return
		}
		v.err = err
		if err == nil {
			v.log, v.page = l, i
			v.befores = v.befores[:i+1]
			if l.Next != "" {
				v.befores = append(v.befores, l.Next)
			}
		}
		u.showUsage()
	})
}

// usageLine is what the screen and the voice say of one record.
func (u *KioskUI) usageLine(r *bk.UsageRecord) string {
	return r.Sentence(u.lang(), u.cfg.Zone.Day(r.At, u.now(), u.lang()), u.k.Catalogue())
}

// showUsage lists the page of the usage log fetched last.
func (u *KioskUI) showUsage() {
	u.show(func() *screen {
		tr := u.tr
		v := u.usage
		title := tr.T("usage.title", nil)
		rows := []fyne.CanvasObject{heading(title)}
		speak := []string{title}
		back := u.big("usage.back", tr.T("button.back", nil), u.showHome)
		if v == nil || v.log == nil {
			// Nothing to show: the list lives at central only.
			msg := tr.T("usage.offline", nil)
			if v != nil && v.err != nil && bk.ErrorCode(v.err) != bk.EUnavailable {
				msg = u.errText(v.err)
			}
			l := u.label("usage.message", msg)
			l.Importance = widget.WarningImportance
			rows = append(rows, l)
			return &screen{id: "usage", body: vbox(rows...),
				actions: []fyne.CanvasObject{back, u.primary("usage.retry", tr.T("usage.retry", nil), u.openUsage)},
				speak:   says(append(speak, msg, tr.T("usage.speak_offline", nil))...)}
		}
		paged := v.page > 0 || v.log.Next != ""
		intro := tr.T("usage.intro", nil)
		if paged {
			// On the intro's line: a row of its own would push the first
			// record below the fold in large text on a 1024×768 panel.
			intro += " " + tr.T("usage.page", map[string]any{"Page": v.page + 1})
		}
		rows = append(rows, u.label("usage.intro", intro))
		speak = append(speak, intro)
		if v.err != nil {
			// The next page did not come; this one is still true.
			t := tr.T("usage.page_offline", nil)
			l := u.label("usage.message", t)
			l.Importance = widget.WarningImportance
			rows = append(rows, l)
			speak = append(speak, t)
		}
		if len(v.log.Records) == 0 {
			t := tr.T("usage.none", nil)
			rows = append(rows, u.label("usage.none", t))
			speak = append(speak, t)
		}
		for _, r := range v.log.Records {
			// One label, the purpose on a line of its own: two labels
			// would leave a blank line between them in every card.
			line := u.usageLine(r)
			speak = append(speak, line)
			if r.Purpose != "" {
				// The authority's own words, in the one language it wrote
				// them in (docs/api.yaml): shown as written on English
				// screens too, as nothing can translate them.
				p := tr.T("usage.purpose", map[string]any{"Purpose": r.Purpose})
				speak = append(speak, p)
				line += "\n" + p
			}
			rows = append(rows, card(u.label("", line)))
		}
		actions := []fyne.CanvasObject{back}
		if paged {
			// "Nyere"/"Ældre", not "Forrige"/"Næste": in the wizards Næste
			// is the next step, here it would be older records.
			prev := u.button("usage.previous", tr.T("usage.previous", nil), func() { u.loadUsage(v.page - 1) })
			prev.SetIcon(fynetheme.NavigateBackIcon())
			next := u.button("usage.next", tr.T("usage.older", nil), func() { u.loadUsage(v.page + 1) })
			next.SetIcon(fynetheme.NavigateNextIcon())
			next.IconPlacement = widget.ButtonIconTrailingText
			// Disabled rather than hidden at either end, so neither moves
			// under a finger that taps through the pages.
			setEnabled(prev, v.page > 0)
			setEnabled(next, v.log.Next != "")
			actions = append(actions, theme.TallButton(prev), theme.TallButton(next))
		}
		if len(v.log.Records) > 0 {
			// Secondary: the screen is for reading, and paper is one
			// choice among the others, not the way on.
			p := u.button("usage.print", tr.T("usage.print", nil), u.printUsage)
			p.SetIcon(fynetheme.DocumentPrintIcon())
			actions = append(actions, theme.TallButton(p))
		}
		hint := "usage.speak"
		if paged {
			hint = "usage.speak_paged"
		}
		speak = append(speak, tr.T(hint, nil))
		return &screen{id: "usage", body: vbox(rows...), actions: actions, speak: says(speak...)}
	})
}

// printUsage prints the statement and says how it went on the same page.
func (u *KioskUI) printUsage() {
	var res bk.Receipt
	var err error
	sess := u.sess
	u.work(func() {
		ctx, cancel := u.ctx()
		defer cancel()
		res, err = sess.PrintUsage(ctx)
	}, func() {
		if u.sess != sess {
			return
		}
		switch {
		case err != nil && bk.ErrorCode(err) == bk.EUnavailable:
			u.notice = u.tr.T("usage.print_offline", nil)
		case err != nil:
			u.notice = u.errText(err)
		case !res.Printed:
			u.notice = u.tr.T("usage.print_failed", nil)
		default:
			u.notice = u.tr.T("home.overview_printed", nil)
		}
		u.refresh()
	})
}
