package i18n

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"testing/fstest"
)

func mustCatalog(t *testing.T) *Catalog {
	t.Helper()
	c, err := DefaultCatalog()
	if err != nil {
		t.Fatalf("DefaultCatalog() error = %v", err)
	}
	return c
}

func mustTranslator(t *testing.T, l Lang) *Translator {
	t.Helper()
	tr, err := NewTranslator(mustCatalog(t), l)
	if err != nil {
		t.Fatalf("NewTranslator(%s) error = %v", l, err)
	}
	return tr
}

// Every key in every language, non-empty, same plural shape and fields.
func TestCatalogComplete(t *testing.T) {
	c := mustCatalog(t)
	if got, want := c.Languages(), []Lang{Danish, English}; !slices.Equal(got, want) {
		t.Fatalf("Languages() = %v; want %v", got, want)
	}
	for _, p := range c.Check() {
		t.Error(p)
	}
	da, en := c.Keys(Danish), c.Keys(English)
	if !slices.Equal(da, en) {
		t.Errorf("key sets differ: da has %d keys, en has %d", len(da), len(en))
	}
	t.Logf("%d keys in each language", len(da))
}

func TestCheckFindsProblems(t *testing.T) {
	fsys := fstest.MapFS{
		"m/a.da.toml": {Data: []byte(`"x" = "Hej {{.Name}}"
"only.da" = "kun dansk"
"empty" = "  "
"p" = { one = "{{.Count}} ting", other = "{{.Count}} ting" }
`)},
		"m/a.en.toml": {Data: []byte(`"x" = "Hello"
"empty" = "Empty"
"p" = "things"
`)},
	}
	c, err := LoadCatalog(fsys, "m")
	if err != nil {
		t.Fatalf("LoadCatalog() error = %v", err)
	}
	got := strings.Join(c.Check(), "\n")
	for _, want := range []string{
		`en: key "only.da" is missing`,
		`da: key "empty" is empty`,
		`en: key "p" plural=false but da plural=true`,
		`en: key "x" uses fields [] but da uses [Name]`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("Check() = %q; want it to contain %q", got, want)
		}
	}
}

func TestLoadCatalogErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		fsys fstest.MapFS
		want string
	}{
		{"bad toml", fstest.MapFS{"m/a.da.toml": {Data: []byte(`"x" = `)}}, "a.da.toml"},
		{"unknown language", fstest.MapFS{"m/a.fr.toml": {Data: []byte(`"x" = "y"`)}}, "unsupported language"},
		{"no language in name", fstest.MapFS{"m/da.toml": {Data: []byte(`"x" = "y"`)}}, "NAME.LANG.toml"},
		{"duplicate key", fstest.MapFS{
			"m/a.da.toml": {Data: []byte(`"x" = "y"`)},
			"m/b.da.toml": {Data: []byte(`"x" = "z"`)},
		}, "defined twice"},
		{"not a string", fstest.MapFS{"m/a.da.toml": {Data: []byte(`"x" = 3`)}}, "want a string"},
		{"no danish", fstest.MapFS{"m/a.en.toml": {Data: []byte(`"x" = "y"`)}}, "default language"},
		{"no dir", fstest.MapFS{}, "read m"},
	} {
		_, err := LoadCatalog(tc.fsys, "m")
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: LoadCatalog() error = %v; want containing %q", tc.name, err, tc.want)
		}
	}
}

func TestNestedTablesFlatten(t *testing.T) {
	fsys := fstest.MapFS{"m/a.da.toml": {Data: []byte(`[screen]
title = "Titel"
[screen.items]
one = "{{.Count}} punkt"
other = "{{.Count}} punkter"
`)}}
	c, err := LoadCatalog(fsys, "m")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := c.Keys(Danish), []string{"screen.items", "screen.title"}; !slices.Equal(got, want) {
		t.Errorf("Keys(da) = %v; want %v", got, want)
	}
	tr, _ := NewTranslator(c, Danish)
	if got, want := tr.TN("screen.items", 2, nil), "2 punkter"; got != want {
		t.Errorf("TN(screen.items, 2) = %q; want %q", got, want)
	}
}

// The vocabulary the screens are known to need.
func TestVocabulary(t *testing.T) {
	c := mustCatalog(t)
	for _, k := range []string{
		"welcome.title", "card.insert", "pin.enter", "pin.wrong", "card.locked", "card.expired", "card.revoked",
		"button.still_here", "idle.warning", "menu.consents", "menu.delegations", "consent.give", "consent.decline",
		"consent.withdraw", "delegation.revoke", "delegation.renounce", "button.confirm", "button.cancel",
		"button.back", "button.print", "button.help", "staff.assisted_by", "offline.banner",
		"button.ok", "button.yes", "button.no", "button.dismiss", "lang.da", "lang.en",
	} {
		for _, l := range c.Languages() {
			if !c.Has(l, k) {
				t.Errorf("Has(%s, %q) = false; want true", l, k)
			}
		}
	}
}

func TestTranslate(t *testing.T) {
	da, en := mustTranslator(t, Danish), mustTranslator(t, English)
	for _, tc := range []struct {
		tr    *Translator
		key   string
		count int // < 0: T, else TN
		data  map[string]any
		want  string
	}{
		{da, "welcome.title", -1, nil, "Velkommen"},
		{en, "welcome.title", -1, nil, "Welcome"},
		{da, "pin.wrong", 2, map[string]any{"Tries": 2}, "Forkert PIN-kode. Du har 2 forsøg tilbage."},
		{en, "pin.wrong", 1, map[string]any{"Tries": 1}, "Wrong PIN. You have 1 try left."},
		{en, "pin.wrong", 2, map[string]any{"Tries": 2}, "Wrong PIN. You have 2 tries left."},
		{da, "idle.warning", 30, map[string]any{"Seconds": 30}, "Du bliver logget ud om 30 sekunder."},
		{en, "idle.warning", 1, map[string]any{"Seconds": 1}, "You will be logged out in 1 second."},
		{da, "offline.banner", 3, nil, "Kiosken har ingen forbindelse. 3 ændringer venter. De er gemt og sendes senere."},
		{en, "offline.banner", 1, nil, "The kiosk has no connection. 1 change is waiting. It is saved and sent later."},
		{da, "staff.assisted_by", -1, map[string]any{"Name": "Hanne Ø."}, "Hjælp fra Hanne Ø."},
		{en, "staff.assisted_by", -1, map[string]any{"Name": "Hanne Ø."}, "Assisted by Hanne Ø."},
		{da, "pin.digits_entered", 1, nil, "1 ciffer tastet"},
		{en, "no.such.key", -1, nil, "no.such.key"},
	} {
		var got string
		if tc.count < 0 {
			got = tc.tr.T(tc.key, tc.data)
		} else {
			got = tc.tr.TN(tc.key, tc.count, tc.data)
		}
		if got != tc.want {
			t.Errorf("%s T(%q, %d, %v) = %q; want %q", tc.tr.Lang(), tc.key, tc.count, tc.data, got, tc.want)
		}
	}
}

func TestSetLangAndListeners(t *testing.T) {
	tr := mustTranslator(t, Default)
	if got := tr.Lang(); got != Danish {
		t.Fatalf("Lang() = %s; want da", got)
	}
	var calls atomic.Int32
	var last atomic.Value
	remove := tr.OnChange(func(l Lang) { calls.Add(1); last.Store(l) })
	if err := tr.SetLang(English); err != nil {
		t.Fatalf("SetLang(en) error = %v", err)
	}
	if got := tr.T("button.cancel", nil); got != "Cancel" {
		t.Errorf("after SetLang(en) T(button.cancel) = %q; want Cancel", got)
	}
	if got := last.Load(); got != English || calls.Load() != 1 {
		t.Errorf("listener got %v after %d calls; want en after 1", got, calls.Load())
	}
	_ = tr.SetLang(English) // no change, no call
	if n := calls.Load(); n != 1 {
		t.Errorf("listener calls after same-language SetLang = %d; want 1", n)
	}
	if err := tr.SetLang("fr"); err == nil {
		t.Errorf("SetLang(fr) error = nil; want an error")
	}
	if got := tr.Lang(); got != English {
		t.Errorf("Lang() after failed SetLang = %s; want en", got)
	}
	remove()
	_ = tr.SetLang(Danish)
	if n := calls.Load(); n != 1 {
		t.Errorf("listener calls after remove = %d; want 1", n)
	}
	if got := tr.T("button.cancel", nil); got != "Afbryd" {
		t.Errorf("after SetLang(da) T(button.cancel) = %q; want Afbryd", got)
	}
	if _, err := NewTranslator(mustCatalog(t), "xx"); err == nil {
		t.Errorf("NewTranslator(xx) error = nil; want an error")
	}
}

func TestParseLang(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Lang
		ok   bool
	}{
		{"da", Danish, true}, {"da_DK.UTF-8", Danish, true}, {"en-GB", English, true},
		{"EN", English, true}, {"fr", "", false}, {"", "", false}, {"C", "", false},
	} {
		got, err := ParseLang(tc.in)
		if got != tc.want || (err == nil) != tc.ok {
			t.Errorf("ParseLang(%q) = %q, %v; want %q, ok=%t", tc.in, got, err, tc.want, tc.ok)
		}
	}
}

// Every literal key passed to T or TN in ui/ (outside tests) exists, so a
// screen cannot ship showing a raw key.
func TestSourceKeysExist(t *testing.T) {
	c := mustCatalog(t)
	fset := token.NewFileSet()
	checked := 0
	err := filepath.WalkDir("..", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "testdata" || strings.HasPrefix(d.Name(), ".")) && p != ".." {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, p, nil, 0)
		if err != nil {
			t.Logf("skipping %s: %v", p, err) // another helper's file being written
			return nil
		}
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok || len(call.Args) == 0 {
				return true
			}
			sel, ok := call.Fun.(*ast.SelectorExpr)
			if !ok || (sel.Sel.Name != "T" && sel.Sel.Name != "TN") {
				return true
			}
			lit, ok := call.Args[0].(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				return true
			}
			key, err := strconv.Unquote(lit.Value)
			if err != nil {
				return true
			}
			checked++
			if !c.Has(Default, key) {
				t.Errorf("%s: key %q is not in the message files", fset.Position(lit.Pos()), key)
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d literal keys checked", checked)
}

// TestNoStiffDanish keeps out the officialese a reader of the screens
// stumbles on ("Frasig", "på deres vegne", "for sig"): the plain word says
// the same ("Sig … op", "for dig", "for personen").
func TestNoStiffDanish(t *testing.T) {
	c := mustCatalog(t)
	stiff := []string{"frasig", "på deres vegne", "på hans vegne", "på hendes vegne", " for sig", "for sig selv"}
	for id, m := range c.messages[Danish] {
		for _, form := range []string{m.Zero, m.One, m.Two, m.Few, m.Many, m.Other} {
			low := strings.ToLower(form)
			for _, s := range stiff {
				if strings.Contains(low+" ", s+" ") || strings.Contains(low, s+".") || strings.Contains(low, s+",") {
					t.Errorf("%s: %q says %q", id, form, strings.TrimSpace(s))
				}
			}
		}
	}
}
