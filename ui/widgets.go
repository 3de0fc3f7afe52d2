package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	fynetheme "fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	bk "github.com/borgerkiosk/borgerkiosk"
	"github.com/borgerkiosk/borgerkiosk/ui/theme"
)

// Kinds of notice box, see theme.NoticeKind.
const (
	noticeInfo    = theme.NoticeInfo
	noticeWarning = theme.NoticeWarning
	noticeError   = theme.NoticeError
)

// noticeBox shows an error, a warning or a piece of information as a box
// with an icon and the text beside it, in the foreground colour on a fill
// tinted by the kind (theme.NoticeColors; contrast-checked in every mode
// by TestNoticeContrast): not small coloured text, which is easy to miss
// and hard to read. The text label is registered under id (id may be "").
func (u *KioskUI) noticeBox(kind theme.NoticeKind, id, text string) fyne.CanvasObject {
	l := u.label(id, text)
	return newNoticeView(kind, l).box
}

// noticeView is a notice box whose text can change in place: empty, the
// box keeps its room but shows nothing (see actionBar).
type noticeView struct {
	box   *fyne.Container
	frame *canvas.Rectangle
	icon  *canvas.Image
	label *widget.Label
	// kind and inBar are kept for a state banner (updateBanners).
	kind  theme.NoticeKind
	inBar bool
	// folds: empty, the box is hidden and keeps no room.
	folds bool
}

// fold makes the box keep no room while it is empty.
func (n *noticeView) fold() {
	n.folds = true
	n.sync()
}

func newNoticeView(kind theme.NoticeKind, l *widget.Label) *noticeView {
	th := fynetheme.Current()
	fill, edge := theme.NoticeColors(th, kind)
	frame := canvas.NewRectangle(fill)
	frame.StrokeColor = edge
	frame.StrokeWidth = 2 * th.Size(fynetheme.SizeNameInputBorder)
	frame.CornerRadius = th.Size(fynetheme.SizeNameInputRadius)
	icon := canvas.NewImageFromResource(kind.IconResource())
	icon.FillMode = canvas.ImageFillContain
	side := 1.25 * th.Size(fynetheme.SizeNameInlineIcon)
	icon.SetMinSize(fyne.NewSquareSize(side))
	l.Wrapping = fyne.TextWrapWord
	l.Importance = widget.MediumImportance
	l.TextStyle.Bold = true
	n := &noticeView{frame: frame, icon: icon, label: l}
	// No padding around the whole: the label's own inner padding is the
	// room above and below the text, which keeps a one-line box no taller
	// than a button (a notice should not push a screen into scrolling).
	n.box = container.NewStack(frame, container.NewBorder(nil, nil, container.NewVBox(container.NewPadded(icon)), nil, l))
	n.sync()
	return n
}

// set changes the text ("" hides the box but keeps its room).
func (n *noticeView) set(text string) {
	n.label.SetText(text)
	n.sync()
}

func (n *noticeView) sync() {
	empty := n.label.Text == ""
	// The icon is made invisible, not hidden, so it keeps its room and the
	// text does not shift when a message appears.
	n.frame.Hidden = empty
	n.box.Hidden = empty && n.folds
	n.icon.Translucency = 0
	if empty {
		n.icon.Translucency = 1
	}
	n.frame.Refresh()
	n.icon.Refresh()
}

// helpButton offers to call staff, except while staff are already
// helping (an assisted session) or the action bar offers it (a citizen
// signed in): then it is nil, which vbox and the layouts leave out.
func (u *KioskUI) helpButton(id string) fyne.CanvasObject {
	if u.assist != nil || u.helpInBar() {
		return nil
	}
	return u.big(id, u.tr.T("button.help", nil), u.callStaff)
}

// helpInBar reports whether every screen's action bar starts with "Bed om
// hjælp": for a citizen signed in on their own. The same place on every
// screen, never scrolled away (in large text on 1024×768 the home menu's
// help tile was below the fold).
func (u *KioskUI) helpInBar() bool {
	return u.sess != nil && u.assist == nil && u.sess.Person().Role == bk.RoleCitizen
}

// barHelp is the action bar's "Bed om hjælp", with the help icon so it is
// not taken for the screen's way back or on.
func (u *KioskUI) barHelp() fyne.CanvasObject {
	b := u.button("help", u.tr.T("bar.help", nil), u.callStaff)
	b.SetIcon(fynetheme.HelpIcon())
	return theme.TouchTarget(b)
}

// button makes a button whose tap counts as activity (resets the idle
// timer) and registers it under id for tests.
func (u *KioskUI) button(id, label string, tapped func()) *widget.Button {
	b := widget.NewButton(label, func() {
		u.touch()
		if tapped != nil {
			tapped()
		}
	})
	u.buttons[id] = b
	return b
}

// tall makes a secondary button as large as a primary one, without the
// primary colour (a screen has one main action).
func tall(b *widget.Button) fyne.CanvasObject { return theme.TallButton(b) }

// square makes a one-character button (volume – and +) a large square.
func square(b *widget.Button) fyne.CanvasObject { return theme.SquareButton(b) }

// wide makes the header's "Læs op" the largest target: a touch target
// wider than any of others (wideLayout).
func wide(b *widget.Button, others ...fyne.CanvasObject) fyne.CanvasObject {
	return &fyne.Container{Layout: wideLayout{others: others}, Objects: []fyne.CanvasObject{theme.TouchTarget(b)}}
}

// bigTarget keeps a chrome button at least a touch target square.
func bigTarget(b *widget.Button) fyne.CanvasObject { return theme.TouchTarget(b) }

// primary makes the screen's main button: high importance, 64 px tall
// (96 in large text), at least a touch target wide.
func (u *KioskUI) primary(id, label string, tapped func()) fyne.CanvasObject {
	return theme.PrimaryButton(u.button(id, label, tapped))
}

// big makes a secondary button at least the touch-target size.
func (u *KioskUI) big(id, label string, tapped func()) fyne.CanvasObject {
	return theme.TouchTarget(u.button(id, label, tapped))
}

// label makes a wrapping label registered under id (id may be "").
func (u *KioskUI) label(id, text string) *widget.Label {
	l := widget.NewLabel(text)
	l.Wrapping = fyne.TextWrapWord
	if id != "" {
		u.labels[id] = l
	}
	return l
}

func heading(text string) fyne.CanvasObject {
	t := widget.NewRichText(&widget.TextSegment{Text: text, Style: widget.RichTextStyleHeading})
	t.Wrapping = fyne.TextWrapWord
	return t
}

func subheading(text string) fyne.CanvasObject {
	t := widget.NewRichText(&widget.TextSegment{Text: text, Style: widget.RichTextStyleSubHeading})
	t.Wrapping = fyne.TextWrapWord
	return t
}

// vbox drops nil objects, so optional rows can be passed as nil.
func vbox(objs ...fyne.CanvasObject) *fyne.Container {
	var out []fyne.CanvasObject
	for _, o := range objs {
		if o != nil {
			out = append(out, o)
		}
	}
	return container.NewVBox(out...)
}

// card groups a few rows with a border, for one consent or delegation.
func card(objs ...fyne.CanvasObject) fyne.CanvasObject {
	bg := canvas.NewRectangle(fynetheme.Color(fynetheme.ColorNameInputBackground))
	bg.StrokeColor = fynetheme.Color(fynetheme.ColorNameInputBorder)
	bg.StrokeWidth = 2
	bg.CornerRadius = 6
	return container.NewStack(bg, container.NewPadded(vbox(objs...)))
}
