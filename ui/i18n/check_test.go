package i18n

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	goi18n "github.com/nicksnyder/go-i18n/v2/i18n"
)

// Languages returns the languages that have messages, sorted.
func (c *Catalog) Languages() []Lang {
	out := make([]Lang, 0, len(c.messages))
	for l := range c.messages {
		out = append(out, l)
	}
	slices.Sort(out)
	return out
}

// Keys returns the message keys of lang, sorted.
func (c *Catalog) Keys(lang Lang) []string {
	out := make([]string, 0, len(c.messages[lang]))
	for id := range c.messages[lang] {
		out = append(out, id)
	}
	sort.Strings(out)
	return out
}

// Has reports whether key is defined for lang.
func (c *Catalog) Has(lang Lang, key string) bool {
	_, ok := c.messages[lang][key]
	return ok
}

// Check returns a description of every problem in the catalog, or nil: a key
// missing in a language, an empty text, a message plural in one language and
// not in another, or template fields ({{.Name}}) that differ between
// languages (a translation that forgets a number would mislead).
func (c *Catalog) Check() []string {
	var problems []string
	all := map[string]bool{}
	for _, msgs := range c.messages {
		for id := range msgs {
			all[id] = true
		}
	}
	ids := make([]string, 0, len(all))
	for id := range all {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	// Danish and English are always checked, even if a file set lacks one.
	langs := sortedUnique(append([]Lang{Danish, English}, c.Languages()...))
	for _, id := range ids {
		var refFields string
		var refLang Lang
		var refPlural, first = false, true
		for _, l := range langs {
			m, ok := c.messages[l][id]
			if !ok {
				problems = append(problems, fmt.Sprintf("%s: key %q is missing", l, id))
				continue
			}
			if strings.TrimSpace(m.Other) == "" {
				problems = append(problems, fmt.Sprintf("%s: key %q is empty", l, id))
			}
			plural := m.One != "" || m.Zero != "" || m.Two != "" || m.Few != "" || m.Many != ""
			if plural && strings.TrimSpace(m.One) == "" {
				problems = append(problems, fmt.Sprintf("%s: plural key %q has no 'one' form", l, id))
			}
			fields := strings.Join(templateFields(m), ",")
			if first {
				refFields, refLang, refPlural, first = fields, l, plural, false
				continue
			}
			if plural != refPlural {
				problems = append(problems, fmt.Sprintf("%s: key %q plural=%t but %s plural=%t", l, id, plural, refLang, refPlural))
			}
			if fields != refFields {
				problems = append(problems, fmt.Sprintf("%s: key %q uses fields [%s] but %s uses [%s]", l, id, fields, refLang, refFields))
			}
		}
	}
	return problems
}

func sortedUnique(l []Lang) []Lang {
	slices.Sort(l)
	return slices.Compact(l)
}

func templateFields(m *goi18n.Message) []string {
	set := map[string]bool{}
	for _, s := range []string{m.Zero, m.One, m.Two, m.Few, m.Many, m.Other} {
		for _, f := range placeholderRE.FindAllStringSubmatch(s, -1) {
			set[f[1]] = true
		}
	}
	out := make([]string, 0, len(set))
	for f := range set {
		out = append(out, f)
	}
	sort.Strings(out)
	return out
}
