// Package i18n holds the kiosk's words in Danish (the default) and English
// and a per-session Translator that can switch language at run time.
//
// Messages live in embedded TOML files under messages/, named
// NAME.LANG.toml (active.da.toml, active.en.toml, …). To add words for a new
// screen, add the keys to both active files, or add a pair of files such as
// delegation.da.toml and delegation.en.toml; every *.toml file is loaded.
// TestCatalogComplete fails when a key is missing or empty in a language, and
// TestSourceKeysExist fails when code under ui/ calls T or TN with a literal
// key that no file defines.
package i18n

import (
	"embed"
	"fmt"
	"io/fs"
	"log/slog"
	"path"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/BurntSushi/toml"
	goi18n "github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"
)

// Lang is a language the kiosk speaks, as a BCP 47 base tag.
type Lang string

// The languages we ship. Danish is the default for every new session.
const (
	Danish  Lang = "da"
	English Lang = "en"
	Default      = Danish
)

// ParseLang reads a language from a tag or a POSIX locale ("da", "en-GB",
// "da_DK.UTF-8") and returns one of the languages we ship.
func ParseLang(s string) (Lang, error) {
	base := strings.ToLower(s)
	if i := strings.IndexAny(base, "-_.@"); i >= 0 {
		base = base[:i]
	}
	switch Lang(base) {
	case Danish, English:
		return Lang(base), nil
	}
	return "", fmt.Errorf("i18n: unsupported language %q (want da or en)", s)
}

//go:embed messages/*.toml
var messageFS embed.FS

// pluralForms are the CLDR plural categories a message may have.
var pluralForms = []string{"zero", "one", "two", "few", "many", "other"}

// Catalog is every message in every language, loaded once and shared by all
// sessions. It is read-only after loading and safe for concurrent use.
type Catalog struct {
	bundle   *goi18n.Bundle
	messages map[Lang]map[string]*goi18n.Message
}

var (
	defaultOnce    sync.Once
	defaultCatalog *Catalog
	defaultErr     error
)

// DefaultCatalog returns the catalog of the embedded message files.
func DefaultCatalog() (*Catalog, error) {
	defaultOnce.Do(func() { defaultCatalog, defaultErr = LoadCatalog(messageFS, "messages") })
	return defaultCatalog, defaultErr
}

// LoadCatalog reads every NAME.LANG.toml file in dir of fsys. A key defined
// twice for one language, a malformed file or an unsupported language is an
// error.
func LoadCatalog(fsys fs.FS, dir string) (*Catalog, error) {
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, fmt.Errorf("i18n: read %s: %w", dir, err)
	}
	c := &Catalog{
		bundle:   goi18n.NewBundle(language.Make(string(Default))),
		messages: map[Lang]map[string]*goi18n.Message{},
	}
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || path.Ext(name) != ".toml" {
			continue
		}
		parts := strings.Split(strings.TrimSuffix(name, ".toml"), ".")
		if len(parts) < 2 {
			return nil, fmt.Errorf("i18n: %s: file name must be NAME.LANG.toml", name)
		}
		lang, err := ParseLang(parts[len(parts)-1])
		if err != nil {
			return nil, fmt.Errorf("i18n: %s: %w", name, err)
		}
		data, err := fs.ReadFile(fsys, path.Join(dir, name))
		if err != nil {
			return nil, fmt.Errorf("i18n: %w", err)
		}
		var raw map[string]any
		if err := toml.Unmarshal(data, &raw); err != nil {
			return nil, fmt.Errorf("i18n: %s: %w", name, err)
		}
		msgs := map[string]*goi18n.Message{}
		if err := flatten("", raw, msgs); err != nil {
			return nil, fmt.Errorf("i18n: %s: %w", name, err)
		}
		if c.messages[lang] == nil {
			c.messages[lang] = map[string]*goi18n.Message{}
		}
		list := make([]*goi18n.Message, 0, len(msgs))
		for id, m := range msgs {
			if _, dup := c.messages[lang][id]; dup {
				return nil, fmt.Errorf("i18n: %s: key %q is defined twice for %s", name, id, lang)
			}
			c.messages[lang][id] = m
			list = append(list, m)
		}
		if err := c.bundle.AddMessages(language.Make(string(lang)), list...); err != nil {
			return nil, fmt.Errorf("i18n: %s: %w", name, err)
		}
	}
	if len(c.messages[Default]) == 0 {
		return nil, fmt.Errorf("i18n: no messages for the default language %s in %s", Default, dir)
	}
	return c, nil
}

// flatten turns nested TOML tables into dotted keys. A table whose keys are
// all plural categories (one, other, …) is one plural message.
func flatten(prefix string, raw map[string]any, out map[string]*goi18n.Message) error {
	for k, v := range raw {
		id := k
		if prefix != "" {
			id = prefix + "." + k
		}
		switch v := v.(type) {
		case string:
			out[id] = &goi18n.Message{ID: id, Other: v}
		case map[string]any:
			if isPlural(v) {
				m := &goi18n.Message{ID: id}
				for form, s := range v {
					str, ok := s.(string)
					if !ok {
						return fmt.Errorf("key %q form %q: want a string, got %T", id, form, s)
					}
					switch form {
					case "zero":
						m.Zero = str
					case "one":
						m.One = str
					case "two":
						m.Two = str
					case "few":
						m.Few = str
					case "many":
						m.Many = str
					case "other":
						m.Other = str
					}
				}
				out[id] = m
				continue
			}
			if err := flatten(id, v, out); err != nil {
				return err
			}
		default:
			return fmt.Errorf("key %q: want a string or a table, got %T", id, v)
		}
	}
	return nil
}

func isPlural(m map[string]any) bool {
	if len(m) == 0 {
		return false
	}
	for k := range m {
		if !slices.Contains(pluralForms, k) {
			return false
		}
	}
	return true
}

var placeholderRE = regexp.MustCompile(`\{\{\s*\.(\w+)\s*\}\}`)

// Translator gives one session its words. The language is per session:
// a new session starts in Default, the person may switch, and screens ask
// the Translator each time they draw. It is safe for concurrent use.
type Translator struct {
	cat *Catalog

	mu        sync.Mutex
	lang      Lang
	loc       *goi18n.Localizer
	listeners map[int]func(Lang)
	next      int
}

// NewTranslator returns a Translator over c speaking lang.
func NewTranslator(c *Catalog, lang Lang) (*Translator, error) {
	t := &Translator{cat: c, listeners: map[int]func(Lang){}}
	if err := t.set(lang); err != nil {
		return nil, err
	}
	return t, nil
}

// MustDefault returns a Danish Translator over the embedded catalog. The
// embedded files are checked by the package tests, so failing here is a
// build fault; it panics rather than run a kiosk without words.
func MustDefault() *Translator {
	c, err := DefaultCatalog()
	if err != nil {
		panic(err)
	}
	t, err := NewTranslator(c, Default)
	if err != nil {
		panic(err)
	}
	return t
}

func (t *Translator) set(lang Lang) error {
	if len(t.cat.messages[lang]) == 0 {
		return fmt.Errorf("i18n: no messages for language %q", lang)
	}
	t.lang = lang
	// The default language follows as fallback, so a key missing in
	// English shows Danish rather than nothing.
	t.loc = goi18n.NewLocalizer(t.cat.bundle, string(lang), string(Default))
	return nil
}

// Lang returns the current language.
func (t *Translator) Lang() Lang {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.lang
}

// SetLang switches the language and, if it changed, calls every listener
// with the new language on the calling goroutine (listeners that touch
// widgets from elsewhere must use fyne.Do).
func (t *Translator) SetLang(lang Lang) error {
	t.mu.Lock()
	if lang == t.lang {
		t.mu.Unlock()
		return nil
	}
	if err := t.set(lang); err != nil {
		t.mu.Unlock()
		return err
	}
	ls := make([]func(Lang), 0, len(t.listeners))
	keys := make([]int, 0, len(t.listeners))
	for k := range t.listeners {
		keys = append(keys, k)
	}
	sort.Ints(keys) // in the order they were added
	for _, k := range keys {
		ls = append(ls, t.listeners[k])
	}
	t.mu.Unlock()
	for _, f := range ls {
		f(lang)
	}
	return nil
}

// OnChange adds a listener called after each language change and returns a
// function that removes it (call it when the screen goes away).
func (t *Translator) OnChange(f func(Lang)) (remove func()) {
	t.mu.Lock()
	defer t.mu.Unlock()
	id := t.next
	t.next++
	t.listeners[id] = f
	return func() {
		t.mu.Lock()
		defer t.mu.Unlock()
		delete(t.listeners, id)
	}
}

// T returns the text of key in the current language with data filled into
// its {{.Field}} placeholders. A missing key returns the key itself (so the
// gap is visible in testing) and logs a warning; it never panics.
func (t *Translator) T(key string, data map[string]any) string {
	return t.localize(key, nil, data)
}

// TN is T for plural messages: count picks the form (one/other) and is
// also available to the template as {{.Count}} unless data sets Count.
func (t *Translator) TN(key string, count int, data map[string]any) string {
	d := make(map[string]any, len(data)+1)
	d["Count"] = count
	for k, v := range data {
		d[k] = v
	}
	return t.localize(key, count, d)
}

func (t *Translator) localize(key string, count any, data map[string]any) string {
	t.mu.Lock()
	loc, lang := t.loc, t.lang
	t.mu.Unlock()
	s, err := loc.Localize(&goi18n.LocalizeConfig{MessageID: key, TemplateData: data, PluralCount: count})
	if err != nil {
		slog.Warn("i18n: cannot localize", "key", key, "lang", string(lang), "err", err)
		if s == "" {
			return key
		}
	}
	return s
}
