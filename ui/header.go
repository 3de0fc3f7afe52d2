package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	fynetheme "fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	bk "github.com/borgerkiosk/borgerkiosk"
	"github.com/borgerkiosk/borgerkiosk/ui/i18n"
	"github.com/borgerkiosk/borgerkiosk/ui/theme"
)

// header is the bar on every screen: the large "Læs op" in the top left
// corner (where the spoken hint says it is), the kiosk name, "Skærm og lyd"
// (the display panel), the other language and log out, then the banners
// (offline, stale trust, assisted by). One row when it fits; on a narrow
// panel the name makes way, then the buttons go to a second row; never
// wider than the window.
func (u *KioskUI) header() fyne.CanvasObject {
	tr := u.tr
	name := widget.NewLabelWithStyle(u.cfg.KioskName, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	read := u.button("read", tr.T("chrome.read_page", nil), u.readPage)
	read.SetIcon(fynetheme.VolumeUpIcon())
	if !u.speechAvailable() {
		read.Disable()
	}
	display := u.button("display", tr.T("display.button", nil), u.openDisplay)
	if u.displayOpen {
		display.Importance = widget.HighImportance // before SetIcon, as in toggle
	}
	display.SetIcon(fynetheme.VisibilityIcon())
	// One button names the other language in that language ("English" on
	// a Danish screen): what a person who cannot read Danish looks for.
	other := i18n.English
	if tr.Lang() == i18n.English {
		other = i18n.Danish
	}
	langs := bigTarget(u.button("lang."+string(other), tr.T("lang."+string(other), nil), func() { u.setLang(other) }))
	items := []fyne.CanvasObject{nil, name, bigTarget(display), langs}
	if (u.sess != nil || u.card != nil || u.assist != nil) && (u.current == nil || !u.current.exitInBar) {
		// Before the PIN is accepted nobody is signed in to log out: the
		// same way back to the welcome (taking the card out first) is
		// called cancel.
		word := tr.T("button.logout", nil)
		if u.sess == nil {
			word = tr.T("button.cancel", nil)
		}
		items = append(items, bigTarget(u.button("logout", word, func() { u.logout("") })))
	}
	items[0] = wide(read, items[2:]...)
	// One row with the name; one row without it (a narrow panel, large
	// text); two rows. "Læs op" stays at the left, log out at the right.
	arrangements := [][][]int{{{0, 1, 2, 3, 4}}, {{0, 2, 3, 4}}, {{0, 4}, {2, 3}}}
	rows := []fyne.CanvasObject{&fyne.Container{Layout: &rowsLayout{arrangements: arrangements, lead: 2}, Objects: items}}
	if !u.status.Online {
		rows = append(rows, u.banner(noticeWarning, "banner.offline", u.tr.TN("offline.banner", u.status.Pending, nil)))
	}
	if u.status.TrustStale {
		rows = append(rows, u.banner(noticeWarning, "banner.stale", u.tr.T("action.stale_trust", nil)))
	}
	if u.assist != nil {
		rows = append(rows, u.banner(noticeInfo, "banner.assisted", u.tr.T("staff.assisted_by", map[string]any{"Name": u.helper()})))
	}
	rows = append(rows, widget.NewSeparator())
	return container.NewVBox(rows...)
}

// banner is a notice box across the window for a state of the kiosk
// (offline, stale trust, assisted by).
func (u *KioskUI) banner(kind theme.NoticeKind, id, text string) fyne.CanvasObject {
	return u.noticeBox(kind, id, text)
}

// helper is the name of the staff member helping: once the citizen is
// signed in, as the session records it for the actions (from the staff
// card that signed the grant), before that as the grant says.
func (u *KioskUI) helper() string {
	if u.sess != nil {
		if a := u.sess.AssistedBy(); a != nil {
			return a.Name
		}
	}
	return u.assist.Staff.Name
}

func (u *KioskUI) setLang(l i18n.Lang) {
	u.touch()
	if err := u.tr.SetLang(l); err != nil {
		u.log.Error("set language", "err", err)
		return
	}
	if u.sess != nil {
		u.sess.SetLang(string(l))
	}
	u.refresh()
}

// onStatus keeps the banners current. Only the header is rebuilt, so a
// status change never wipes digits being typed; the staff home, which is
// all status, is rebuilt whole.
//
// A banner that appears is read aloud when read-aloud is on (EN 301 549
// 5.1.3.1, WCAG 4.1.3): a person who cannot see it must still learn that
// the kiosk went offline or that new permissions are refused.
func (u *KioskUI) onStatus(s bk.Status) {
	old := u.status
	u.status = s
	var news []string
	if old.Online && !s.Online {
		news = append(news, u.tr.TN("offline.banner", s.Pending, nil))
	}
	if !old.TrustStale && s.TrustStale {
		news = append(news, u.tr.T("action.stale_trust", nil))
	}
	if u.Screen() == "staff_home" {
		u.refresh() // reads the whole status page again when read-aloud is on
		return
	}
	if u.headerBox != nil {
		u.headerBox.Objects = []fyne.CanvasObject{u.header()}
		u.headerBox.Refresh()
	}
	if len(news) > 0 {
		u.announce(news...)
	}
}
