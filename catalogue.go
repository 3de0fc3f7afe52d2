package borgerkiosk

import "slices"

// Text is a plain-language text in both kiosk languages.
type Text struct {
	DA string `json:"da" toml:"da"`
	EN string `json:"en" toml:"en"`
}

// In returns the text in lang ("da" or "en"), falling back to Danish.
func (t Text) In(lang string) string {
	if lang == "en" && t.EN != "" {
		return t.EN
	}
	return t.DA
}

// Authority is a public body that asks citizens for consent.
type Authority struct {
	ID          string `json:"id" toml:"id"`
	Name        Text   `json:"name" toml:"name"`
	Description Text   `json:"description" toml:"description"`
	// DataCategories are the ids of the data categories the authority may
	// ask citizens about; a request for any other is refused
	// (ECategoryNotAllowed), so a tax agency cannot ask for health records.
	DataCategories []string `json:"data_categories" toml:"data_categories"`
}

// DataCategory is a kind of personal data an authority may ask to use.
type DataCategory struct {
	ID          string `json:"id" toml:"id"`
	Name        Text   `json:"name" toml:"name"`
	Description Text   `json:"description" toml:"description"`
}

// Scope is an area in which a delegate may act for the principal.
type Scope struct {
	ID          string `json:"id" toml:"id"`
	Name        Text   `json:"name" toml:"name"`
	Description Text   `json:"description" toml:"description"`
}

// Catalogue lists what consents and delegations may refer to.
type Catalogue struct {
	Authorities    []Authority    `json:"authorities" toml:"authorities"`
	DataCategories []DataCategory `json:"data_categories" toml:"data_categories"`
	Scopes         []Scope        `json:"scopes" toml:"scopes"`
}

// Validate checks that every entry has an id, unique in its list, and texts
// in both languages, and that every authority lists at least one known data
// category it may request, each once.
func (c *Catalogue) Validate() error {
	type entry struct {
		id         string
		name, desc Text
	}
	check := func(list string, entries []entry) error {
		seen := map[string]bool{}
		for i, e := range entries {
			if e.id == "" {
				return Errorf(EInvalid, "catalogue: %s entry %d has no id", list, i+1)
			}
			if seen[e.id] {
				return Errorf(EInvalid, "catalogue: %s id %q appears twice", list, e.id)
			}
			seen[e.id] = true
			if e.name.DA == "" || e.name.EN == "" || e.desc.DA == "" || e.desc.EN == "" {
				return Errorf(EInvalid, "catalogue: %s %q needs a name and a description in Danish and English", list, e.id)
			}
		}
		return nil
	}
	var a, d, s []entry
	for _, x := range c.Authorities {
		a = append(a, entry{x.ID, x.Name, x.Description})
	}
	for _, x := range c.DataCategories {
		d = append(d, entry{x.ID, x.Name, x.Description})
	}
	for _, x := range c.Scopes {
		s = append(s, entry{x.ID, x.Name, x.Description})
	}
	if err := check("authority", a); err != nil {
		return err
	}
	if err := check("data category", d); err != nil {
		return err
	}
	for _, a := range c.Authorities {
		if len(a.DataCategories) == 0 {
			return Errorf(EInvalid, "catalogue: authority %q lists no data_categories it may request", a.ID)
		}
		seen := map[string]bool{}
		for _, id := range a.DataCategories {
			if _, ok := c.DataCategory(id); !ok {
				return Errorf(EInvalid, "catalogue: authority %q may request unknown data category %q", a.ID, id)
			}
			if seen[id] {
				return Errorf(EInvalid, "catalogue: authority %q lists data category %q twice", a.ID, id)
			}
			seen[id] = true
		}
	}
	return check("scope", s)
}

// MayRequest reports whether the catalogue lets authority ask citizens about
// data category.
func (c *Catalogue) MayRequest(authorityID, category string) bool {
	a, ok := c.Authority(authorityID)
	return ok && slices.Contains(a.DataCategories, category)
}

// Authority returns the authority with id.
func (c *Catalogue) Authority(id string) (Authority, bool) {
	for _, a := range c.Authorities {
		if a.ID == id {
			return a, true
		}
	}
	return Authority{}, false
}

// DataCategory returns the data category with id.
func (c *Catalogue) DataCategory(id string) (DataCategory, bool) {
	for _, d := range c.DataCategories {
		if d.ID == id {
			return d, true
		}
	}
	return DataCategory{}, false
}

// Scope returns the delegation scope with id.
func (c *Catalogue) Scope(id string) (Scope, bool) {
	for _, s := range c.Scopes {
		if s.ID == id {
			return s, true
		}
	}
	return Scope{}, false
}
