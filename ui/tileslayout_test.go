package ui

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"
)

// A viewport that the tiles' own choice changes (the page buttons come and
// go with the body's height) must not make the layout flip for ever: resized
// lays out again at once, as the body's Refresh does, so an endless flip is
// a stack overflow. Here the viewport is tall enough for the full texts
// only while they are short, the worst case.
func TestTilesLayoutSettles(t *testing.T) {
	long := strings.Repeat("Her står hvad valget er til, med mange ord. ", 6)
	var objs []fyne.CanvasObject
	var texts []tileText
	for range 7 {
		tx := tileText{full: widget.NewRichTextWithText(long), short: widget.NewRichTextWithText("Titel")}
		tx.full.Wrapping, tx.short.Wrapping = fyne.TextWrapWord, fyne.TextWrapWord
		tx.short.Hide()
		texts = append(texts, tx)
		objs = append(objs, container.NewStack(tx.full, tx.short))
	}
	const tall, low = 5000, 50
	view := float32(tall)
	l := &tilesLayout{must: 4, texts: texts, viewport: func() float32 { return view }}
	tiles := &fyne.Container{Layout: l, Objects: objs}
	l.self = tiles
	size := fyne.NewSize(600, 2000)
	depth, layouts := 0, 0
	l.resized = func() {
		layouts++
		if depth > 20 {
			t.Errorf("the tiles re-laid out %d times inside one another: they never settle", depth)
			return
		}
		depth++
		defer func() { depth-- }()
		if l.short { // short text: no page buttons, room for the full text
			view = tall
		} else {
			view = low
		}
		l.Layout(objs, size)
	}
	view = low
	for range 10 { // later layouts (a resize, a refresh) as well as the first
		l.Layout(objs, size)
	}
	if t.Failed() {
		return
	}
	if !l.short {
		t.Error("the tiles settled on the full text, which does not fit the low viewport")
	}
	if layouts > 3 { // short, full, short: then the short text stays
		t.Errorf("the tiles flipped %d times; want at most 3", layouts)
	}
}
