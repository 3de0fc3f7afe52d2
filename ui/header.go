package ui

import (
	"slices"

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
		items = append(items, bigTarget(u.button("logout", word, u.leave)))
	}
	items[0] = wide(read, items[2:]...)
	// One row with the name; one row without it (a narrow panel, large
	// text); two rows. "Læs op" stays at the left, log out at the right.
	// Log out keeps a touch target's width from the language button: side
	// by side, a finger meant for "English" ended the session.
	arrangements := [][][]int{{{0, 1, 2, 3, 4}}, {{0, 2, 3, 4}}, {{0, 4}, {2, 3}}}
	rows := []fyne.CanvasObject{&fyne.Container{Layout: &rowsLayout{arrangements: arrangements, lead: 2, apart: 4}, Objects: items}}
	for _, b := range u.bannersDue() {
		rows = append(rows, u.banner(b))
	}
	rows = append(rows, widget.NewSeparator())
	return container.NewVBox(rows...)
}

// bannerDue is a banner the kiosk's state calls for.
type bannerDue struct {
	kind     theme.NoticeKind
	id, text string
}

// bannersDue are the banners for the kiosk's state now: offline, stale
// trust, assisted by.
func (u *KioskUI) bannersDue() []bannerDue {
	var out []bannerDue
	if !u.status.Online {
		out = append(out, bannerDue{noticeWarning, "banner.offline", u.tr.TN("offline.banner", u.status.Pending, nil)})
	}
	if u.status.TrustStale {
		out = append(out, bannerDue{noticeWarning, "banner.stale", u.tr.T("action.stale_trust", nil)})
	}
	if u.assist != nil {
		out = append(out, bannerDue{noticeInfo, "banner.assisted", u.tr.T("staff.assisted_by", map[string]any{"Name": u.helper()})})
	}
	return out
}

// banner is a notice box across the window for a state of the kiosk,
// kept by id so that updateBanners can change it in place.
func (u *KioskUI) banner(b bannerDue) fyne.CanvasObject {
	v := newNoticeView(b.kind, u.label(b.id, b.text))
	v.kind = b.kind
	u.banners[b.id] = v
	return v.box
}

// emptyBarBanner is a banner of kind that updateBanners put in the bar
// and emptied since, if there is one.
func (u *KioskUI) emptyBarBanner(kind theme.NoticeKind) *noticeView {
	for _, v := range u.banners {
		if v.inBar && v.kind == kind && v.label.Text == "" {
			return v
		}
	}
	return nil
}

// updateBanners brings the current screen's banners in line with the
// kiosk's state without moving anything under a finger (a header that
// grew by a banner pushed the whole body down, PIN keys included): a
// banner shown already changes its text in place; one that is no longer
// due empties but keeps its room; a new one goes in the action bar above
// the actions, which grows upwards over the foot of the body as for a
// notice. The next screen has them all in the header again.
func (u *KioskUI) updateBanners() {
	due := map[string]bool{}
	for _, b := range u.bannersDue() {
		due[b.id] = true
		if v, ok := u.banners[b.id]; ok {
			if v.label.Text != b.text {
				v.set(b.text)
			}
			continue
		}
		if u.bar == nil {
			continue
		}
		if v := u.emptyBarBanner(b.kind); v != nil {
			// The room a banner left in the bar, reused: the bar grows only
			// for banners shown at the same time.
			for id, w := range u.banners {
				if w == v {
					delete(u.banners, id)
					delete(u.labels, id)
				}
			}
			u.banners[b.id] = v
			u.labels[b.id] = v.label
			v.set(b.text)
			continue
		}
		v := newNoticeView(b.kind, u.label(b.id, b.text))
		v.kind, v.inBar = b.kind, true
		u.banners[b.id] = v
		// After the bar's line and the banners put there before.
		at := min(u.barBanners, len(u.bar.Objects))
		u.bar.Objects = slices.Insert(u.bar.Objects, at, fyne.CanvasObject(v.box))
		u.barBanners++
		u.bar.Show()
	}
	for id, v := range u.banners {
		if !due[id] && v.label.Text != "" {
			v.set("")
		}
	}
	if c := u.win.Content(); c != nil {
		c.Refresh()
	}
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

// onStatus keeps the banners current (updateBanners). Only they change,
// so a status change never wipes digits being typed; the staff home,
// which is all status, is rebuilt whole.
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
		u.updateBanners()
	}
	if len(news) > 0 {
		u.announce(news...)
	}
}
