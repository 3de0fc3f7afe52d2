package demo_test

import (
	"testing"
	"time"

	bk "github.com/borgerkiosk/borgerkiosk"
	"github.com/borgerkiosk/borgerkiosk/demo"
	"github.com/borgerkiosk/borgerkiosk/internal/fixture"
)

func TestCatalogue(t *testing.T) {
	c, err := demo.Catalogue()
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Authorities) < 5 || len(c.DataCategories) < 8 || len(c.Scopes) < 6 {
		t.Errorf("demo catalogue has %d authorities, %d data categories, %d scopes; want at least 5, 8, 6",
			len(c.Authorities), len(c.DataCategories), len(c.Scopes))
	}
}

func TestLoad(t *testing.T) {
	c, err := demo.Catalogue()
	if err != nil {
		t.Fatal(err)
	}
	d, err := demo.Load(c, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Citizens) < 3 || len(d.Requests) < 5 {
		t.Errorf("demo data has %d citizens and %d requests; want at least 3 and 5", len(d.Citizens), len(d.Requests))
	}
	seen := map[string]bool{}
	for _, r := range d.Requests {
		if !bk.ValidID(r.ID) || seen[r.ID] {
			t.Errorf("demo request id %q is not a fresh valid id", r.ID)
		}
		seen[r.ID] = true
	}
	again, _ := demo.Load(c, time.Now())
	if again.Requests[0].ID != d.Requests[0].ID {
		t.Errorf("StableID changed between loads: %s, %s", d.Requests[0].ID, again.Requests[0].ID)
	}
}

// TestScopesNameNoOwner: a scope is read by both sides of a power of
// attorney, so its words must not say "my" or "your".
func TestScopesNameNoOwner(t *testing.T) {
	c, err := demo.Catalogue()
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range c.Scopes {
		for _, text := range []string{s.Description.DA, s.Description.EN, s.Name.DA, s.Name.EN} {
			if w := fixture.OwnerWords(text); len(w) > 0 {
				t.Errorf("scope %q: %q names an owner %q; say it from neither side", s.ID, text, w)
			}
		}
	}
}
