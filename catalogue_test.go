package borgerkiosk_test

import (
	"testing"

	bk "github.com/borgerkiosk/borgerkiosk"
	"github.com/borgerkiosk/borgerkiosk/internal/fixture"
)

func TestCatalogueValidate(t *testing.T) {
	if err := fixture.Catalogue().Validate(); err != nil {
		t.Fatalf("Validate(fixture catalogue) = %v; want nil", err)
	}
	if err := (&bk.Catalogue{}).Validate(); err != nil {
		t.Errorf("Validate(empty catalogue) = %v; want nil", err)
	}
	tests := []struct {
		name   string
		change func(c *bk.Catalogue)
	}{
		{"authority without id", func(c *bk.Catalogue) { c.Authorities[0].ID = "" }},
		{"data category without id", func(c *bk.Catalogue) { c.DataCategories[1].ID = "" }},
		{"scope without id", func(c *bk.Catalogue) { c.Scopes[0].ID = "" }},
		{"duplicate authority", func(c *bk.Catalogue) { c.Authorities = append(c.Authorities, c.Authorities[0]) }},
		{"duplicate data category", func(c *bk.Catalogue) { c.DataCategories[1].ID = c.DataCategories[0].ID }},
		{"duplicate scope", func(c *bk.Catalogue) { c.Scopes[1].ID = c.Scopes[0].ID }},
		{"authority name without Danish", func(c *bk.Catalogue) { c.Authorities[0].Name.DA = "" }},
		{"authority name without English", func(c *bk.Catalogue) { c.Authorities[0].Name.EN = "" }},
		{"authority description without Danish", func(c *bk.Catalogue) { c.Authorities[0].Description.DA = "" }},
		{"authority description without English", func(c *bk.Catalogue) { c.Authorities[0].Description.EN = "" }},
		{"data category name without Danish", func(c *bk.Catalogue) { c.DataCategories[0].Name.DA = "" }},
		{"data category description without English", func(c *bk.Catalogue) { c.DataCategories[1].Description.EN = "" }},
		{"scope name without English", func(c *bk.Catalogue) { c.Scopes[1].Name.EN = "" }},
		{"scope description without Danish", func(c *bk.Catalogue) { c.Scopes[0].Description.DA = "" }},
		{"authority may request nothing", func(c *bk.Catalogue) { c.Authorities[0].DataCategories = nil }},
		{"authority may request an unknown category", func(c *bk.Catalogue) { c.Authorities[1].DataCategories = []string{"income", "dna"} }},
		{"authority lists a category twice", func(c *bk.Catalogue) { c.Authorities[0].DataCategories = []string{"health", "health"} }},
		{"authority's category renamed away", func(c *bk.Catalogue) { c.DataCategories[0].ID = "helbred" }},
		{"authority may check an unknown scope", func(c *bk.Catalogue) { c.Authorities[1].DelegationScopes = []string{"tax", "pension"} }},
		{"authority lists a scope twice", func(c *bk.Catalogue) { c.Authorities[0].DelegationScopes = []string{"health", "health"} }},
		{"authority's scope renamed away", func(c *bk.Catalogue) { c.Scopes[0].ID = "skat" }},
	}
	for _, tt := range tests {
		c := fixture.Catalogue()
		tt.change(c)
		if err := c.Validate(); bk.ErrorCode(err) != bk.EInvalid {
			t.Errorf("Validate(%s) = %v; want an %q error", tt.name, err, bk.EInvalid)
		}
	}
}

func TestCatalogueLookup(t *testing.T) {
	c := fixture.Catalogue()
	if a, ok := c.Authority("sundhed"); !ok || a.ID != "sundhed" {
		t.Errorf("Authority(sundhed) = %v, %v; want it", a, ok)
	}
	if d, ok := c.DataCategory("income"); !ok || d.ID != "income" {
		t.Errorf("DataCategory(income) = %v, %v; want it", d, ok)
	}
	if s, ok := c.Scope("tax"); !ok || s.ID != "tax" {
		t.Errorf("Scope(tax) = %v, %v; want it", s, ok)
	}
	for _, tt := range []struct {
		authority, category string
		want                bool
	}{
		{"sundhed", "health", true}, {"sundhed", "income", true}, {"skat", "income", true},
		{"skat", "health", false}, {"skat", "dna", false}, {"nobody", "income", false}, {"", "", false},
	} {
		if got := c.MayRequest(tt.authority, tt.category); got != tt.want {
			t.Errorf("MayRequest(%q, %q) = %v; want %v", tt.authority, tt.category, got, tt.want)
		}
	}
	for _, tt := range []struct {
		authority, scope string
		want             bool
	}{
		{"sundhed", "health", true}, {"skat", "tax", true},
		{"skat", "health", false}, {"sundhed", "tax", false}, {"skat", "pension", false}, {"nobody", "tax", false}, {"", "", false},
	} {
		if got := c.MayCheckScope(tt.authority, tt.scope); got != tt.want {
			t.Errorf("MayCheckScope(%q, %q) = %v; want %v", tt.authority, tt.scope, got, tt.want)
		}
	}
	for _, id := range []string{"", "nope", "TAX"} {
		if _, ok := c.Authority(id); ok {
			t.Errorf("Authority(%q) found; want not found", id)
		}
		if _, ok := c.DataCategory(id); ok {
			t.Errorf("DataCategory(%q) found; want not found", id)
		}
		if _, ok := c.Scope(id); ok {
			t.Errorf("Scope(%q) found; want not found", id)
		}
	}
}

func TestTextIn(t *testing.T) {
	tests := []struct {
		text      bk.Text
		lang, out string
	}{
		{bk.Text{DA: "Skat", EN: "Tax"}, "da", "Skat"},
		{bk.Text{DA: "Skat", EN: "Tax"}, "en", "Tax"},
		{bk.Text{DA: "Skat", EN: "Tax"}, "de", "Skat"},
		{bk.Text{DA: "Skat"}, "en", "Skat"},
	}
	for _, tt := range tests {
		if got := tt.text.In(tt.lang); got != tt.out {
			t.Errorf("%+v.In(%q) = %q; want %q", tt.text, tt.lang, got, tt.out)
		}
	}
}
