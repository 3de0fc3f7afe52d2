package keyboard_test

import (
	"slices"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
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
		{"a capital to start", []string{"Æ", "Ø", "Å"}, "Æøå"},
		{"each part a capital", []string{"B", "O", keyboard.KeySpace, "A", "-", "B"}, "Bo A-B"},
		{"delete", []string{"H", "E", "J", "X", keyboard.KeyDelete, keyboard.KeySpace, "Ø"}, "Hej Ø"},
		{"delete on empty", []string{keyboard.KeyDelete, "A"}, "A"},
	} {
		e := widget.NewEntry()
		kb := keyboard.New(e)
		test.NewTempWindow(t, container.NewVBox(e, kb))
		tapAll(t, kb.Key, tc.taps...)
		if e.Text != tc.want {
			t.Errorf("%s: tapping %v gives Entry.Text = %q; want %q", tc.name, tc.taps, e.Text, tc.want)
		}
	}
}

// The keys are what a name needs, in Danish order, and no more: no digits,
// no full stop, no Enter.
func TestKeyboardLayoutIsDanish(t *testing.T) {
	newApp(t, bktheme.Settings{})
	kb := keyboard.New(nil)
	var got []string
	for _, k := range kb.Keys() {
		got = append(got, k.Label())
	}
	want := strings.Fields("Q W E R T Y U I O P Å - A S D F G H J K L Æ Ø Z X C V B N M Mellemrum Slet")
	if !slices.Equal(got, want) {
		t.Errorf("key labels = %v; want %v", got, want)
	}
}

// CapitaliseAfter gives each part of a name a capital, also after a delete
// brings the start of a word back, and the letters show how they will type.
func TestKeyboardCapitalisesEachPart(t *testing.T) {
	newApp(t, bktheme.Settings{})
	e := widget.NewEntry()
	kb := keyboard.New(e)
	e.OnChanged = kb.CapitaliseAfter
	test.NewTempWindow(t, container.NewVBox(e, kb))
	tapAll(t, kb.Key, "A", "N", "N", "E", "-", "M", "E", keyboard.KeySpace, "Ø", keyboard.KeyDelete, "Å")
	if e.Text != "Anne-Me Å" {
		t.Errorf("typed %q; want %q", e.Text, "Anne-Me Å")
	}
	if got := kb.Key("Q").Label(); got != "q" {
		t.Errorf("within a word Key(Q).Label() = %q; want \"q\"", got)
	}
	tapAll(t, kb.Key, keyboard.KeyDelete)
	if got := kb.Key("Q").Label(); got != "Q" {
		t.Errorf("after deleting back to a space Key(Q).Label() = %q; want \"Q\"", got)
	}
}

// The TextBox takes what the keys type, Delete included, reports each
// change, and cannot be tapped or focused (no cursor to move by accident).
func TestTextBox(t *testing.T) {
	newApp(t, bktheme.Settings{LargeText: true})
	box := keyboard.NewTextBox()
	kb := keyboard.New(box)
	var changes []string
	box.OnChanged = func(s string) { changes = append(changes, s); kb.CapitaliseAfter(s) }
	w := test.NewTempWindow(t, container.NewVBox(box, kb))
	w.Resize(fyne.NewSize(1024, 600))
	tapAll(t, kb.Key, "Å", "S", "E", keyboard.KeySpace, "B", "X", keyboard.KeyDelete, "O")
	if box.Text() != "Åse Bo" || len(changes) != 8 {
		t.Errorf("typed %q in %d changes; want %q in 8", box.Text(), len(changes), "Åse Bo")
	}
	if _, tappable := any(box).(fyne.Tappable); tappable {
		t.Errorf("TextBox is tappable; a finger on it must do nothing")
	}
	if _, focusable := any(box).(fyne.Focusable); focusable {
		t.Errorf("TextBox is focusable")
	}
	// A long name shows its end in the box, inside the box.
	box.SetText(strings.Repeat("Æblegrød ", 8))
	w.Resize(fyne.NewSize(600, 600))
	if txt := strings.Join(uitestTexts(box), ""); !strings.HasPrefix(txt, "…") || !strings.HasSuffix(strings.TrimSpace(txt), "Æblegrød") {
		t.Errorf("a long text shows %q; want its end after …", txt)
	}
}

// uitestTexts lists the text drawn by o's renderer.
func uitestTexts(o fyne.Widget) []string {
	var out []string
	for _, c := range test.WidgetRenderer(o).Objects() {
		if tx, ok := c.(*canvas.Text); ok {
			out = append(out, tx.Text)
		}
	}
	return out
}

func TestKeyboardNoTarget(t *testing.T) {
	newApp(t, bktheme.Settings{})
	kb := keyboard.New(nil)
	test.NewTempWindow(t, kb)
	tapAll(t, kb.Key, "A", keyboard.KeyDelete, keyboard.KeySpace) // must not panic
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
	for id, want := range map[string]string{keyboard.KeySpace: "Space", keyboard.KeyDelete: "Delete"} {
		if got := kb.Key(id).Label(); got != want {
			t.Errorf("English Key(%s).Label() = %q; want %q", id, got, want)
		}
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

// The e-mail keyboard types an address in small letters, with @ . - _ and
// the digits behind its 123 key, and no space.
func TestEmailKeyboard(t *testing.T) {
	newApp(t, bktheme.Settings{})
	e := widget.NewEntry()
	kb := keyboard.NewEmail(e)
	test.NewTempWindow(t, container.NewVBox(e, kb))
	tapAll(t, kb.Key, "M", "A", "D", "S", "_", "H", "-", "N", keyboard.KeyDigits, "Q", "W", keyboard.KeyDigits, "@", "K", ".", "D", "K", "X", keyboard.KeyDelete)
	if want := "mads_h-n12@k.dk"; e.Text != want {
		t.Errorf("typed %q; want %q", e.Text, want)
	}
	if kb.Key(keyboard.KeySpace) != nil {
		t.Errorf("the e-mail keyboard has a space key; an address has no space")
	}
	kb.CapitaliseAfter("")
	if l := kb.Key("A").Label(); l != "a" {
		t.Errorf("key A says %q; want small letters always", l)
	}
	tapAll(t, kb.Key, keyboard.KeyDigits)
	if l, d := kb.Key("P").Label(), kb.Key(keyboard.KeyDigits).Label(); l != "0" || d != "abc" {
		t.Errorf("with digits on, P says %q and the toggle %q; want 0 and abc", l, d)
	}
}
