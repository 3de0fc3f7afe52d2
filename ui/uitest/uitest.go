// Package uitest has helpers for screen tests: walking a laid-out widget
// tree to check tap target sizes and to read the text a person would see.
// It is imported by tests only.
package uitest

import (
	"fmt"
	"reflect"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"
)

// Tappable is one tappable object found in a tree.
type Tappable struct {
	Object   fyne.CanvasObject
	Position fyne.Position // relative to the root given to Tappables
	Size     fyne.Size
	Text     string // its visible text, for messages
}

func (t Tappable) String() string {
	name := reflect.TypeOf(t.Object).String()
	if t.Text != "" {
		return fmt.Sprintf("%s %q at %v", name, t.Text, t.Position)
	}
	return fmt.Sprintf("%s at %v", name, t.Position)
}

// Walk calls f for every visible object under obj (obj included), depth
// first, with its position relative to obj. It descends into containers and
// into widgets through their renderers. f returns false to skip the
// object's children.
func Walk(obj fyne.CanvasObject, f func(o fyne.CanvasObject, pos fyne.Position) bool) {
	walk(obj, fyne.NewPos(0, 0), f, true)
}

func walk(o fyne.CanvasObject, pos fyne.Position, f func(fyne.CanvasObject, fyne.Position) bool, root bool) {
	if o == nil || !o.Visible() {
		return
	}
	if !root {
		pos = pos.Add(o.Position())
	}
	if !f(o, pos) {
		return
	}
	var children []fyne.CanvasObject
	switch v := o.(type) {
	case *fyne.Container:
		children = v.Objects
	case fyne.Widget:
		if r := test.WidgetRenderer(v); r != nil {
			children = r.Objects()
		}
	}
	for _, c := range children {
		walk(c, pos, f, false)
	}
}

// Find returns the first visible object of type T under obj (a PIN pad,
// a keyboard), so a test outside package ui can reach the widgets of the
// screen shown; ok is false when there is none.
func Find[T fyne.CanvasObject](obj fyne.CanvasObject) (found T, ok bool) {
	Walk(obj, func(o fyne.CanvasObject, _ fyne.Position) bool {
		if ok {
			return false
		}
		found, ok = o.(T)
		return !ok
	})
	return found, ok
}

// layOut gives a root that was never laid out its minimum size, so sizes
// mean something.
func layOut(obj fyne.CanvasObject) {
	if obj.Size().IsZero() {
		obj.Resize(obj.MinSize())
	}
}

// Tappables returns every visible fyne.Tappable under obj. A root that was
// never sized is laid out at its minimum size first.
func Tappables(obj fyne.CanvasObject) []Tappable {
	layOut(obj)
	var out []Tappable
	Walk(obj, func(o fyne.CanvasObject, pos fyne.Position) bool {
		if _, ok := o.(fyne.Tappable); ok {
			out = append(out, Tappable{Object: o, Position: pos, Size: o.Size(), Text: strings.Join(AllText(o), " ")})
		}
		return true
	})
	return out
}

// AssertTapTargets fails t for every tappable object under obj smaller than
// min×min (use theme.MinTouchTarget, 44) and returns how many it checked.
// It fails too when obj holds nothing tappable, since that usually means the
// tree was not built.
func AssertTapTargets(t testing.TB, obj fyne.CanvasObject, min float32) int {
	t.Helper()
	found := Tappables(obj)
	if len(found) == 0 {
		t.Errorf("AssertTapTargets: no tappable object under %T", obj)
	}
	for _, tp := range found {
		if tp.Size.Width < min || tp.Size.Height < min {
			t.Errorf("tap target %s: size = %.0f×%.0f; want ≥ %.0f×%.0f", tp, tp.Size.Width, tp.Size.Height, min, min)
		}
	}
	return len(found)
}

// AllText returns the text of every visible, non-empty canvas.Text under
// obj, in drawing order: what a person could read on the screen (and what a
// read-aloud of the screen may say).
func AllText(obj fyne.CanvasObject) []string {
	var out []string
	Walk(obj, func(o fyne.CanvasObject, _ fyne.Position) bool {
		if t, ok := o.(*canvas.Text); ok && strings.TrimSpace(t.Text) != "" {
			out = append(out, t.Text)
		}
		return true
	})
	return out
}
