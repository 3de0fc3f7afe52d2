package ui

import (
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	fynetheme "fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// touchScroll is a vertical scroll container that follows a finger.
// Fyne 2.7.1's own scroll container ignores drags on desktop
// (internal/widget/scroller.go: Dragged returns unless IsMobile()), and a
// touch screen under cage reaches the app as pointer drags, so without
// this nobody without a mouse wheel could scroll. It embeds container.Scroll
// so the wheel, the scroll bar and the shadows work as before, and is the
// deepest Draggable under the finger: buttons inside it are only Tappable,
// so a drag that starts on a button scrolls the list.
type touchScroll struct {
	container.Scroll

	// velocity of the finger in px/s (positive: content moves up), from
	// the last drag events, for the glide after the finger lifts.
	velocity float32
	lastDrag time.Time
	glide    *fyne.Animation
	now      func() time.Time
	// onMoved is called after every change of the offset (paging buttons
	// enable and disable themselves by it).
	onMoved func()
}

var _ fyne.Draggable = (*touchScroll)(nil)

func newTouchScroll(content fyne.CanvasObject) *touchScroll {
	s := &touchScroll{now: time.Now}
	s.Direction = container.ScrollVerticalOnly
	s.Content = content
	s.OnScrolled = func(fyne.Position) { s.moved() }
	s.ExtendBaseWidget(s)
	return s
}

// MinSize asks for no width or height of the content: the body takes what
// the window leaves it and scrolls; a wide body must wrap, never widen the
// window (see screenLayout).
func (s *touchScroll) MinSize() fyne.Size { return fyne.NewSquareSize(fynetheme.Padding()) }

// maxOffset is how far the content can move up.
func (s *touchScroll) maxOffset() float32 {
	return max(s.Content.MinSize().Height-s.Size().Height, 0)
}

// scrollTo moves the content so that y is at the top, within bounds.
func (s *touchScroll) scrollTo(y float32) {
	y = min(max(y, 0), s.maxOffset())
	if y == s.Offset.Y {
		return
	}
	s.ScrollToOffset(fyne.NewPos(0, y))
	s.moved()
}

func (s *touchScroll) moved() {
	if s.onMoved != nil {
		s.onMoved()
	}
}

// Dragged moves the content with the finger.
func (s *touchScroll) Dragged(e *fyne.DragEvent) {
	if s.glide != nil {
		s.glide.Stop()
		s.glide = nil
	}
	now := s.now()
	if dt := now.Sub(s.lastDrag).Seconds(); !s.lastDrag.IsZero() && dt > 0 && dt < 0.2 {
		v := float32(float64(-e.Dragged.DY) / dt)
		s.velocity = 0.5*s.velocity + 0.5*v // smooth out uneven event timing
	} else {
		s.velocity = 0
	}
	s.lastDrag = now
	s.scrollTo(s.Offset.Y - e.Dragged.DY)
}

// DragEnd lets the content glide on after a flick and come to rest.
func (s *touchScroll) DragEnd() {
	v := s.velocity
	s.velocity, s.lastDrag = 0, time.Time{}
	dist := glideDistance(v)
	if dist == 0 {
		return
	}
	from := s.Offset.Y
	s.glide = fyne.NewAnimation(glideTime, func(p float32) {
		s.scrollTo(from + dist*p)
	})
	s.glide.Curve = fyne.AnimationEaseOut
	s.glide.Start()
}

// glideTime is how long the content keeps moving after a flick.
const glideTime = 400 * time.Millisecond

// glideDistance is how far a flick at v px/s carries the content: none
// for a slow drag (a finger that stopped before lifting means "here"),
// else as far as it would travel in a fifth of a second, at most a screen.
func glideDistance(v float32) float32 {
	const slow, most = 300, 900
	if v > -slow && v < slow {
		return 0
	}
	return min(max(v/5, -most), most)
}

// page moves the content by most of the visible height; dir is +1 (down
// the list) or -1 (back up). A few lines stay in view, so the reader keeps
// their place.
func (s *touchScroll) page(dir float32) {
	s.scrollTo(s.Offset.Y + dir*max(s.Size().Height*0.8, 1))
}

// pagedBody is the scrolling body with large Up and Down buttons at its
// right edge, one above the other at its foot, shown while the content is
// taller than the view: long lists can be read a page at a time with taps
// alone (WCAG 2.5.7), not only by dragging.
type pagedBody struct {
	widget.BaseWidget
	scroll     *touchScroll
	up, down   *widget.Button
	upT, downT fyne.CanvasObject
}

func (u *KioskUI) newPagedBody(content fyne.CanvasObject) *pagedBody {
	p := &pagedBody{scroll: newTouchScroll(content)}
	p.up = u.button("page.up", u.tr.T("button.page_up", nil), func() { p.scroll.page(-1) })
	p.up.SetIcon(fynetheme.MoveUpIcon())
	p.down = u.button("page.down", u.tr.T("button.page_down", nil), func() { p.scroll.page(1) })
	p.down.SetIcon(fynetheme.MoveDownIcon())
	p.upT, p.downT = bigTarget(p.up), bigTarget(p.down)
	p.scroll.onMoved = p.update
	p.ExtendBaseWidget(p)
	return p
}

// update enables Up and Down by where the content is.
func (p *pagedBody) update() {
	setEnabled(p.up, p.scroll.Offset.Y > 0)
	setEnabled(p.down, p.scroll.Offset.Y < p.scroll.maxOffset())
}

func setEnabled(b *widget.Button, on bool) {
	if on == !b.Disabled() {
		return
	}
	if on {
		b.Enable()
	} else {
		b.Disable()
	}
}

func (p *pagedBody) MinSize() fyne.Size { return p.scroll.MinSize() }

// naturalHeight is how tall the content is laid out at width w, with no
// page buttons (it is asked only to find whether it fits).
func (p *pagedBody) naturalHeight(w float32) float32 {
	c := p.scroll.Content
	c.Resize(fyne.NewSize(w, c.MinSize().Height))
	settle(c)
	h := c.MinSize().Height
	// A body whose least size leaves out what it shows given room (the
	// name step's heading) says how tall it would like to be.
	if in, ok := c.(*fyne.Container); ok && len(in.Objects) == 1 {
		if s, ok := in.Objects[0].(*fyne.Container); ok {
			if pl, ok := s.Layout.(interface {
				preferredHeight([]fyne.CanvasObject, float32) float32
			}); ok {
				h = max(h, pl.preferredHeight(s.Objects, s.Size().Width)+2*fynetheme.Padding())
			}
		}
	}
	return h
}

func (p *pagedBody) CreateRenderer() fyne.WidgetRenderer { return &pagedRenderer{p: p} }

type pagedRenderer struct{ p *pagedBody }

func (r *pagedRenderer) Destroy() {}

func (r *pagedRenderer) MinSize() fyne.Size { return r.p.MinSize() }

func (r *pagedRenderer) Objects() []fyne.CanvasObject {
	return []fyne.CanvasObject{r.p.scroll, r.p.upT, r.p.downT}
}

func (r *pagedRenderer) Refresh() {
	r.Layout(r.p.Size())
	r.p.scroll.Refresh()
}

// Layout shows the page buttons only when the content does not fit at the
// full width. They stand in a column at the right edge; a content too wide
// to give up that column (the PIN pad in large text) gets them in a row
// under it instead.
func (r *pagedRenderer) Layout(size fyne.Size) {
	p := r.p
	c := p.scroll.Content
	// fit lays the content out at width w and returns its height there:
	// what wraps only knows its height once it has been given its width.
	fit := func(w float32) float32 {
		c.Resize(fyne.NewSize(w, c.MinSize().Height))
		settle(c)
		c.Resize(fyne.NewSize(w, c.MinSize().Height))
		return c.MinSize().Height
	}
	view := size
	if fit(size.Width) <= size.Height {
		p.upT.Hide()
		p.downT.Hide()
	} else {
		p.upT.Show()
		p.downT.Show()
		bw := max(p.upT.MinSize().Width, p.downT.MinSize().Width)
		bh := max(p.upT.MinSize().Height, p.downT.MinSize().Height)
		if narrow := size.Width - bw - gap(); c.MinSize().Width <= narrow && size.Height >= 2*bh+gap() {
			// Up right above Down at the foot of the column, by the
			// action bar: one place for the hand to find both, however
			// tall the panel (on a portrait one they were 1,500 px apart).
			view.Width = narrow
			p.upT.Move(fyne.NewPos(narrow+gap(), size.Height-2*bh-gap()))
			p.downT.Move(fyne.NewPos(narrow+gap(), size.Height-bh))
		} else {
			view.Height = max(size.Height-bh-gap(), 0)
			bw = (size.Width - gap()) / 2
			p.upT.Move(fyne.NewPos(0, size.Height-bh))
			p.downT.Move(fyne.NewPos(bw+gap(), size.Height-bh))
		}
		p.upT.Resize(fyne.NewSize(bw, bh))
		p.downT.Resize(fyne.NewSize(bw, bh))
	}
	p.scroll.Move(fyne.NewPos(0, 0))
	p.scroll.Resize(view)
	c.Resize(fyne.NewSize(view.Width, max(fit(view.Width), view.Height)))
	settle(c)
	p.scroll.scrollTo(p.scroll.Offset.Y) // keep within bounds after a resize
	p.update()
}
