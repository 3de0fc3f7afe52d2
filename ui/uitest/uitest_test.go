package uitest_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/borgerkiosk/borgerkiosk/ui/keyboard"
	bktheme "github.com/borgerkiosk/borgerkiosk/ui/theme"
	"github.com/borgerkiosk/borgerkiosk/ui/uitest"
)

var allSettings = []bktheme.Settings{{}, {HighContrast: true}, {LargeText: true}, {HighContrast: true, LargeText: true}}

// sample is a small screen like the kiosk's: heading, entry, keyboard,
// PIN pad and a primary button.
func sample() (fyne.CanvasObject, *widget.Entry, *keyboard.Keyboard, *keyboard.PinPad) {
	e := widget.NewEntry()
	e.SetPlaceHolder("Navn")
	kb := keyboard.New(e)
	pin := keyboard.NewPinPad(nil)
	content := container.NewVBox(
		widget.NewLabelWithStyle("Velkommen", fyne.TextAlignCenter, fyne.TextStyle{Bold: true}),
		bktheme.TouchTarget(e),
		kb,
		container.NewCenter(pin),
		bktheme.PrimaryButton(widget.NewButton("Bekræft", nil)),
		bktheme.TouchTarget(widget.NewButton("?", nil)),
	)
	return content, e, kb, pin
}

func TestSampleLayoutTapTargets(t *testing.T) {
	for _, s := range allSettings {
		t.Run(fmt.Sprintf("hc=%t,large=%t", s.HighContrast, s.LargeText), func(t *testing.T) {
			a := test.NewTempApp(t)
			a.Settings().SetTheme(bktheme.New(s))
			content, _, kb, pin := sample()
			w := test.NewTempWindow(t, content)
			w.Resize(content.MinSize().AddWidthHeight(20, 20))
			n := uitest.AssertTapTargets(t, content, bktheme.MinTouchTarget)
			// 47 keyboard keys + 12 pad keys + entry + 2 buttons.
			if want := len(kb.Keys()) + 12 + 3; n != want {
				t.Errorf("AssertTapTargets checked %d objects; want %d", n, want)
			}
			if got := pin.Key("5").Size(); got.Height < keyboard.MinKeySize {
				t.Errorf("pin key height = %v; want ≥ %d", got.Height, keyboard.MinKeySize)
			}
		})
	}
}

// A too-small button is reported, with its text.
func TestAssertTapTargetsReportsSmall(t *testing.T) {
	test.NewTempApp(t)
	small := widget.NewButton("x", nil)
	c := container.NewWithoutLayout(small)
	small.Resize(fyne.NewSize(30, 30))
	c.Resize(fyne.NewSize(100, 100))
	ft := &fakeT{TB: t}
	n := uitest.AssertTapTargets(ft, c, 44)
	if n != 1 || len(ft.errors) != 1 || !strings.Contains(ft.errors[0], `"x"`) || !strings.Contains(ft.errors[0], "30×30") {
		t.Errorf("AssertTapTargets on a 30×30 button: checked %d, errors %q; want 1 error naming \"x\" and 30×30", n, ft.errors)
	}
	ft = &fakeT{TB: t}
	uitest.AssertTapTargets(ft, widget.NewLabel("no buttons"), 44)
	if len(ft.errors) != 1 {
		t.Errorf("AssertTapTargets with nothing tappable: errors %q; want 1", ft.errors)
	}
}

type fakeT struct {
	testing.TB
	errors []string
}

func (f *fakeT) Helper() {}
func (f *fakeT) Errorf(format string, args ...any) {
	f.errors = append(f.errors, fmt.Sprintf(format, args...))
}

func TestAllText(t *testing.T) {
	a := test.NewTempApp(t)
	a.Settings().SetTheme(bktheme.New(bktheme.Settings{}))
	content, e, kb, pin := sample()
	test.NewTempWindow(t, content)
	test.Tap(kb.Key("Æ"))
	test.Tap(kb.Key("Ø"))
	for _, d := range "1234" {
		test.Tap(pin.Key(string(d)))
	}
	got := uitest.AllText(content)
	for _, want := range []string{"Velkommen", "Æø", "Bekræft", "Mellemrum", "Slet", "å"} {
		if !slices.Contains(got, want) {
			t.Errorf("AllText() = %q; want it to contain %q", got, want)
		}
	}
	if e.Text != "Æø" || pin.Len() != 4 {
		t.Errorf("entry = %q, PIN digits %d; want Æø (a name starts with a capital), 4 (the PIN box draws dots, no text)", e.Text, pin.Len())
	}
	// Hidden objects are not visible text.
	hidden := widget.NewLabel("skjult")
	hidden.Hide()
	if got := uitest.AllText(container.NewVBox(hidden, widget.NewLabel("synlig"))); !slices.Equal(got, []string{"synlig"}) {
		t.Errorf("AllText(hidden, visible) = %q; want [synlig]", got)
	}
	// A password entry shows bullets, not its text.
	pw := widget.NewPasswordEntry()
	pw.SetText("1234")
	for _, s := range uitest.AllText(pw) {
		if strings.Contains(s, "1") {
			t.Errorf("AllText(password entry) contains %q", s)
		}
	}
}

func TestFindReturnsTheWidgetShown(t *testing.T) {
	test.NewTempApp(t)
	content, _, kb, pin := sample()
	if got, ok := uitest.Find[*keyboard.PinPad](content); !ok || got != pin {
		t.Errorf("Find PIN pad = %p, %v; want %p", got, ok, pin)
	}
	if got, ok := uitest.Find[*keyboard.Keyboard](content); !ok || got != kb {
		t.Errorf("Find keyboard = %p, %v; want %p", got, ok, kb)
	}
	if _, ok := uitest.Find[*keyboard.CPRPad](content); ok {
		t.Error("Find found a CPR pad the screen does not hold")
	}
	pin.Hide()
	if _, ok := uitest.Find[*keyboard.PinPad](content); ok {
		t.Error("Find found a hidden PIN pad")
	}
}
