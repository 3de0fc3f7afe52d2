package keyboard_test

import (
	"slices"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/borgerkiosk/borgerkiosk/ui/i18n"
	"github.com/borgerkiosk/borgerkiosk/ui/keyboard"
	bktheme "github.com/borgerkiosk/borgerkiosk/ui/theme"
)

func newApp(t *testing.T, s bktheme.Settings) fyne.App {
	t.Helper()
	a := test.NewTempApp(t)
	a.Settings().SetTheme(bktheme.New(s))
	return a
}

// tapAll taps the keys with the given ids in order.
func tapAll(t *testing.T, key func(string) *keyboard.Key, ids ...string) {
	t.Helper()
	for _, id := range ids {
		k := key(id)
		if k == nil {
			t.Fatalf("Key(%q) = nil", id)
		}
		test.Tap(k)
	}
}

func TestKeyboardTypesIntoEntry(t *testing.T) {
	newApp(t, bktheme.Settings{})
	for _, tc := range []struct {
		name string
		taps []string
		want string
	}{
		{"danish letters", []string{"Æ", "Ø", "Å"}, "æøå"},
		{"shift once", []string{keyboard.KeyShift, "Æ", "R", "Ø"}, "Ærø"},
		{"caps lock", []string{keyboard.KeyShift, keyboard.KeyShift, "Å", "Ø", keyboard.KeyShift, "Æ"}, "ÅØæ"},
		{"digits and space", []string{"1", "2", keyboard.KeySpace, "0", "+"}, "12 0+"},
		{"delete", []string{"H", "E", "J", "X", keyboard.KeyDelete, keyboard.KeySpace, "Ø"}, "hej ø"},
		{"delete on empty", []string{keyboard.KeyDelete, "A"}, "a"},
		{"punctuation", []string{"A", ",", ".", "-"}, "a,.-"},
	} {
		e := widget.NewEntry()
		kb := keyboard.New(e)
		w := test.NewTempWindow(t, container.NewVBox(e, kb))
		_ = w
		tapAll(t, kb.Key, tc.taps...)
		if e.Text != tc.want {
			t.Errorf("%s: tapping %v gives Entry.Text = %q; want %q", tc.name, tc.taps, e.Text, tc.want)
		}
	}
}

func TestKeyboardLayoutIsDanish(t *testing.T) {
	newApp(t, bktheme.Settings{})
	kb := keyboard.New(nil)
	var got []string
	for _, k := range kb.Keys() {
		got = append(got, k.Label())
	}
	want := strings.Fields("Skift 1 2 3 4 5 6 7 8 9 0 + Slet q w e r t y u i o p å a s d f g h j k l æ ø z x c v b n m , . - Mellemrum Færdig")
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("key labels = %v; want %v", got, want)
	}
}

func TestKeyboardEnterSubmits(t *testing.T) {
	newApp(t, bktheme.Settings{})
	e := widget.NewEntry()
	var submitted string
	e.OnSubmitted = func(s string) { submitted = s }
	entered := 0
	kb := keyboard.New(e)
	kb.OnEnter = func() { entered++ }
	test.NewTempWindow(t, container.NewVBox(e, kb))
	tapAll(t, kb.Key, "O", "K", keyboard.KeyEnter)
	if submitted != "ok" || entered != 1 {
		t.Errorf("after o k enter: OnSubmitted got %q, OnEnter ran %d times; want \"ok\", 1", submitted, entered)
	}
}

// With Follow, the keyboard types into whichever entry has focus, and keeps
// typing there after a tap took focus away.
func TestKeyboardFollowsFocus(t *testing.T) {
	newApp(t, bktheme.Settings{})
	a, b := widget.NewEntry(), widget.NewEntry()
	kb := keyboard.New(nil)
	w := test.NewTempWindow(t, container.NewVBox(a, b, kb))
	kb.Follow(w.Canvas())
	w.Canvas().Focus(a)
	kb.Key("A").Tapped(&fyne.PointEvent{}) // as the desktop driver does: focus stays on the entry
	w.Canvas().Focus(b)
	kb.Key("B").Tapped(&fyne.PointEvent{})
	test.Tap(kb.Key("C")) // the test driver unfocuses first; the remembered target still gets it
	if a.Text != "a" || b.Text != "bc" {
		t.Errorf("entries = %q, %q; want \"a\", \"bc\"", a.Text, b.Text)
	}
	if got := w.Canvas().Focused(); got != b {
		t.Errorf("focus after typing = %T; want the entry typed into", got)
	}
	// Physical typing that lands on a focused key goes on to the target.
	kb.Key("D").TypedRune('x')
	if b.Text != "bcx" {
		t.Errorf("after TypedRune on a key b = %q; want \"bcx\"", b.Text)
	}
}

func TestKeyboardNoTarget(t *testing.T) {
	newApp(t, bktheme.Settings{})
	kb := keyboard.New(nil)
	test.NewTempWindow(t, kb)
	tapAll(t, kb.Key, "A", keyboard.KeyDelete, keyboard.KeyEnter) // must not panic
	if kb.Key("nope") != nil {
		t.Errorf("Key(nope) = non-nil; want nil")
	}
}

func TestKeyboardLabelsFollowLanguage(t *testing.T) {
	newApp(t, bktheme.Settings{})
	tr := i18n.MustDefault()
	kb := keyboard.New(nil)
	if err := tr.SetLang(i18n.English); err != nil {
		t.Fatal(err)
	}
	kb.SetLabels(keyboard.LabelsFor(tr))
	for id, want := range map[string]string{keyboard.KeySpace: "Space", keyboard.KeyDelete: "Delete", keyboard.KeyEnter: "Done", keyboard.KeyShift: "Shift"} {
		if got := kb.Key(id).Label(); got != want {
			t.Errorf("English Key(%s).Label() = %q; want %q", id, got, want)
		}
	}
	test.Tap(kb.Key(keyboard.KeyShift))
	test.Tap(kb.Key(keyboard.KeyShift))
	if got := kb.Key(keyboard.KeyShift).Description(); got != "Caps lock" {
		t.Errorf("caps lock Description() = %q; want \"Caps lock\"", got)
	}
	if got := kb.Key("Q").Label(); got != "Q" {
		t.Errorf("caps lock Key(Q).Label() = %q; want \"Q\"", got)
	}
}

func TestKeySizes(t *testing.T) {
	for _, s := range []bktheme.Settings{{}, {LargeText: true}, {HighContrast: true, LargeText: true}} {
		newApp(t, s)
		kb := keyboard.New(nil)
		pin := keyboard.NewPinPad(nil)
		w := test.NewTempWindow(t, container.NewVBox(kb, pin))
		w.Resize(w.Content().MinSize())
		for _, k := range append(kb.Keys(), pin.Key("5"), pin.Key(keyboard.KeyOK)) {
			if sz := k.Size(); sz.Width < keyboard.MinKeySize || sz.Height < keyboard.MinKeySize {
				t.Errorf("%+v: key %q size = %v; want ≥ 64×64", s, k.Label(), sz)
			}
		}
		t.Logf("%+v: keyboard %v, pin pad %v", s, kb.MinSize(), pin.MinSize())
	}
}
