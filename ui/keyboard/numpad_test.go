package keyboard_test

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"
	fynetheme "fyne.io/fyne/v2/theme"

	"github.com/borgerkiosk/borgerkiosk/ui/i18n"
	"github.com/borgerkiosk/borgerkiosk/ui/keyboard"
	bktheme "github.com/borgerkiosk/borgerkiosk/ui/theme"
	"github.com/borgerkiosk/borgerkiosk/ui/uitest"
)

var update = flag.Bool("update", false, "rewrite golden files under testdata/")

// assertMarkup compares the canvas with testdata/name (Fyne writes the
// actual to testdata/failed/ on a mismatch); -update rewrites the golden.
func assertMarkup(t *testing.T, name string, c fyne.Canvas) {
	t.Helper()
	if *update {
		p := filepath.Join("testdata", name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(test.RenderToMarkup(c)), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	test.AssertRendersToMarkup(t, name, c)
}

// keyLabels is the multiset of labels on a pad's keys.
func keyLabels(keys ...*keyboard.Key) map[string]int {
	m := map[string]int{}
	for _, k := range keys {
		m[k.Label()]++
	}
	return m
}

func TestPinPadMasksAndSubmits(t *testing.T) {
	newApp(t, bktheme.Settings{})
	var got []string
	pad := keyboard.NewPinPad(func(pin string) { got = append(got, pin) })
	test.NewTempWindow(t, pad)
	tapAll(t, pad.Key, "2", "5", "8", keyboard.KeyOK) // too short: ignored
	if len(got) != 0 {
		t.Fatalf("OK with 3 digits submitted %d PINs; want none", len(got))
	}
	tapAll(t, pad.Key, "0", keyboard.KeyDelete, "9", "1")
	if n := pad.Len(); n != 5 {
		t.Fatalf("Len() = %d; want 5", n)
	}

	// Nothing shown or described contains a typed digit: only key labels do.
	var keys []*keyboard.Key
	for _, id := range strings.Split("0 1 2 3 4 5 6 7 8 9 delete ok", " ") {
		keys = append(keys, pad.Key(id))
	}
	labels := keyLabels(keys...)
	for _, s := range uitest.AllText(pad) {
		if labels[s] > 0 {
			labels[s]--
			continue
		}
		if strings.IndexFunc(s, unicode.IsDigit) >= 0 {
			t.Errorf("pin pad shows %q; want no typed digits", s)
		}
	}
	if got, want := pad.DisplayText(), "• • • • •"; got != want {
		t.Errorf("DisplayText() = %q; want %q", got, want)
	}
	if got, want := pad.Description(), "5 cifre tastet"; got != want {
		t.Errorf("Description() = %q; want %q", got, want)
	}
	for _, k := range keys {
		if strings.ContainsAny(k.Description(), "•") {
			t.Errorf("key %q Description() = %q", k.Label(), k.Description())
		}
	}

	tapAll(t, pad.Key, keyboard.KeyOK)
	if len(got) != 1 || got[0] != "25891" {
		t.Errorf("submitted %q; want [25891]", got)
	}
	if pad.Len() != 0 || pad.DisplayText() != "" {
		t.Errorf("after submit Len() = %d, DisplayText() = %q; want 0, \"\"", pad.Len(), pad.DisplayText())
	}
	if got := pad.Description(); got != "Ingen cifre tastet" {
		t.Errorf("empty Description() = %q; want \"Ingen cifre tastet\"", got)
	}
}

func TestPinPadMaxLenAndPhysicalKeys(t *testing.T) {
	newApp(t, bktheme.Settings{})
	var got string
	pad := keyboard.NewPinPad(func(pin string) { got = pin })
	pad.MaxLen = 6
	var counts []int
	pad.OnChanged = func(n int) { counts = append(counts, n) }
	test.NewTempWindow(t, pad)
	for _, r := range "12345678x" {
		pad.TypedRune(r)
	}
	if pad.Len() != 6 {
		t.Errorf("Len() after typing 8 digits with MaxLen 6 = %d; want 6", pad.Len())
	}
	pad.TypedKey(&fyne.KeyEvent{Name: fyne.KeyBackspace})
	pad.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	if got != "12345" {
		t.Errorf("submitted %q; want 12345", got)
	}
	if want := []int{1, 2, 3, 4, 5, 6, 5, 0}; !equalInts(counts, want) {
		t.Errorf("OnChanged counts = %v; want %v", counts, want)
	}
	tapAll(t, pad.Key, "1", "2")
	pad.Clear()
	if pad.Len() != 0 {
		t.Errorf("Len() after Clear = %d; want 0", pad.Len())
	}
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestPinPadEnglish(t *testing.T) {
	newApp(t, bktheme.Settings{})
	tr := i18n.MustDefault()
	_ = tr.SetLang(i18n.English)
	pad := keyboard.NewPinPad(nil)
	pad.SetLabels(keyboard.LabelsFor(tr))
	tapAll(t, pad.Key, "1")
	if got := pad.Description(); got != "1 digit entered" {
		t.Errorf("Description() = %q; want \"1 digit entered\"", got)
	}
	if got := pad.Key(keyboard.KeyDelete).Label(); got != "Delete" {
		t.Errorf("delete label = %q; want Delete", got)
	}
}

// The masked pad renders as recorded: bullets, never the digits.
func TestPinPadMarkup(t *testing.T) {
	newApp(t, bktheme.Settings{})
	pad := keyboard.NewPinPad(nil)
	w := test.NewTempWindow(t, pad)
	w.SetPadded(false)
	w.Resize(pad.MinSize())
	tapAll(t, pad.Key, "4", "7", "1")
	assertMarkup(t, "pinpad_masked.xml", w.Canvas())
}

func TestCPRPad(t *testing.T) {
	newApp(t, bktheme.Settings{})
	var submitted string
	pad := keyboard.NewCPRPad(func(v string) { submitted = v })
	pad.Now = steppingClock(time.Second) // taps a second apart: no double-strike filtering here
	var values []string
	pad.OnChanged = func(v string) { values = append(values, v) }
	test.NewTempWindow(t, pad)
	for _, tc := range []struct {
		tap  string
		want string
	}{
		{"0", "0"}, {"1", "01"}, {"0", "010"}, {"2", "0102"}, {"0", "01020"}, {"3", "010203-"},
		{"1", "010203-1"}, {keyboard.KeyDelete, "010203-"}, {keyboard.KeyDelete, "01020"}, {"3", "010203-"},
		{"1", "010203-1"}, {"2", "010203-12"}, {"3", "010203-123"}, {"4", "010203-1234"}, {"5", "010203-1234"},
	} {
		tapAll(t, pad.Key, tc.tap)
		if got := pad.Value(); got != tc.want {
			t.Errorf("after tapping %s Value() = %q; want %q", tc.tap, got, tc.want)
		}
	}
	if !pad.Complete() {
		t.Errorf("Complete() = false; want true")
	}
	pad.TypedRune('-') // the pad places the hyphen itself
	tapAll(t, pad.Key, keyboard.KeyOK)
	if submitted != "010203-1234" {
		t.Errorf("submitted %q; want 010203-1234", submitted)
	}
	if got := shownCPR(pad); got != "0102031234" {
		t.Errorf("box shows %q; want 0102031234", got)
	}
	if len(values) == 0 || values[len(values)-1] != "010203-1234" {
		t.Errorf("OnChanged values = %v", values)
	}
	pad.Clear()
	submitted = ""
	tapAll(t, pad.Key, "1", keyboard.KeyOK)
	if submitted != "" {
		t.Errorf("OK with 1 digit submitted %q; want nothing", submitted)
	}
}

// shownCPR is the digits drawn in the CPR box's slots.
func shownCPR(pad *keyboard.CPRPad) string {
	_, texts := pad.Slots()
	var b strings.Builder
	for _, t := range texts {
		b.WriteString(t.Text)
	}
	return b.String()
}

// TestCPRBox: before anything is typed the CPR box shows ten framed slots
// (six, a dash, four) so a person sees where the digits go; each typed digit
// appears in its own slot, and the frame is drawn in the theme's border
// colour, the next slot in the primary colour.
func TestCPRBox(t *testing.T) {
	for _, s := range []bktheme.Settings{{}, {LargeText: true}, {HighContrast: true}} {
		newApp(t, s)
		pad := keyboard.NewCPRPad(nil)
		pad.Now = steppingClock(time.Second)
		w := test.NewTempWindow(t, pad)
		w.Resize(pad.MinSize().AddWidthHeight(40, 40))
		slots, texts := pad.Slots()
		if len(slots) != 10 || len(texts) != 10 {
			t.Fatalf("%+v: %d slots, %d texts; want 10", s, len(slots), len(texts))
		}
		th := fyne.CurrentApp().Settings().Theme()
		border := th.Color(fynetheme.ColorNameInputBorder, fynetheme.VariantLight)
		for i, r := range slots {
			if !r.Visible() || r.Size().Width < 10 || r.Size().Height < 10 || r.StrokeWidth <= 0 {
				t.Errorf("%+v: slot %d visible=%v size=%v stroke=%v; want a framed box", s, i, r.Visible(), r.Size(), r.StrokeWidth)
			}
			if i > 0 && r.StrokeColor != border {
				t.Errorf("%+v: slot %d frame %v; want the input border colour", s, i, r.StrokeColor)
			}
			if i > 0 && r.Position().X <= slots[i-1].Position().X+slots[i-1].Size().Width {
				t.Errorf("%+v: slot %d overlaps slot %d", s, i, i-1)
			}
		}
		// the dash sits between slot 6 and slot 7: a wider gap there
		g := func(i int) float32 { return slots[i].Position().X - slots[i-1].Position().X - slots[i-1].Size().Width }
		if g(6) <= g(5) {
			t.Errorf("%+v: gap before the seventh slot %v not wider than before the sixth %v (no dash)", s, g(6), g(5))
		}
		if slots[0].StrokeColor == border {
			t.Errorf("%+v: the first slot is not marked as where the next digit goes", s)
		}
		if tx := texts[0].TextSize; tx < th.Size(fynetheme.SizeNameHeadingText) {
			t.Errorf("%+v: digit size %v; want at least heading size", s, tx)
		}
		tapAll(t, pad.Key, "1", "2")
		if got := shownCPR(pad); got != "12" {
			t.Errorf("%+v: box shows %q; want 12", s, got)
		}
		if slots[2].StrokeColor == border || slots[0].StrokeColor != border {
			t.Errorf("%+v: after two digits the third slot is not the marked one", s)
		}
	}
}

func TestFormatCPR(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"", ""}, {"01020", "01020"}, {"010203", "010203-"}, {"0102031234", "010203-1234"},
	} {
		if got := keyboard.FormatCPR([]byte(tc.in)); got != tc.want {
			t.Errorf("FormatCPR(%q) = %q; want %q", tc.in, got, tc.want)
		}
	}
}

// steppingClock returns a clock that moves on by step each time it is read.
func steppingClock(step time.Duration) func() time.Time {
	t := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	return func() time.Time {
		t = t.Add(step)
		return t
	}
}

// manualClock is a clock a test sets by hand.
type manualClock struct{ t time.Time }

func (c *manualClock) Now() time.Time          { return c.t }
func (c *manualClock) Advance(d time.Duration) { c.t = c.t.Add(d) }

// TestDoubleStrikeIgnored checks EN 301 549 5.8: a second tap of the same
// key within DoubleTapWindow is ignored on both pads; a later tap, or a
// different key, counts.
func TestDoubleStrikeIgnored(t *testing.T) {
	newApp(t, bktheme.Settings{})
	c := &manualClock{t: time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)}
	pin := keyboard.NewPinPad(nil)
	pin.Now = c.Now
	cpr := keyboard.NewCPRPad(nil)
	cpr.Now = c.Now
	test.NewTempWindow(t, container.NewVBox(pin, cpr))
	for _, tc := range []struct {
		key     string
		after   time.Duration
		pinLen  int
		cprWant string
	}{
		{"1", 0, 1, "1"},
		{"1", 100 * time.Millisecond, 1, "1"},   // double strike: ignored
		{"1", 149 * time.Millisecond, 1, "1"},   // 249 ms after the accepted tap: still ignored
		{"1", 1 * time.Millisecond, 2, "11"},    // 250 ms: a new tap
		{"2", 10 * time.Millisecond, 3, "112"},  // another key counts at once
		{"1", 10 * time.Millisecond, 4, "1121"}, // and so does the first key again
		{keyboard.KeyDelete, 300 * time.Millisecond, 3, "112"},
		{keyboard.KeyDelete, 50 * time.Millisecond, 3, "112"}, // a double strike of delete too
		{keyboard.KeyDelete, 250 * time.Millisecond, 2, "11"},
	} {
		c.Advance(tc.after)
		test.Tap(pin.Key(tc.key))
		test.Tap(cpr.Key(tc.key))
		if pin.Len() != tc.pinLen || cpr.Value() != tc.cprWant {
			t.Errorf("tap %q after %v: PIN length = %d, CPR = %q; want %d, %q", tc.key, tc.after, pin.Len(), cpr.Value(), tc.pinLen, tc.cprWant)
		}
	}
	// OK too: a double strike submits once.
	var submits int
	pin.OnSubmit = func(string) { submits++ }
	for _, d := range "34" {
		c.Advance(time.Second)
		test.Tap(pin.Key(string(d)))
	}
	c.Advance(time.Second)
	test.Tap(pin.Key(keyboard.KeyOK))
	for _, d := range "5678" {
		c.Advance(time.Second)
		test.Tap(pin.Key(string(d)))
	}
	c.Advance(100 * time.Millisecond)
	test.Tap(pin.Key(keyboard.KeyOK)) // not a double strike: a digit came between
	c.Advance(100 * time.Millisecond)
	test.Tap(pin.Key(keyboard.KeyOK)) // double strike of OK: ignored (and the pad is empty anyway)
	if submits != 2 {
		t.Errorf("submits = %d; want 2", submits)
	}
	// Physical keys are not filtered.
	pin.Clear()
	for _, r := range "999" {
		pin.TypedRune(r)
	}
	if pin.Len() != 3 {
		t.Errorf("three physical 9s typed %d digits; want 3", pin.Len())
	}
}
