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
	// DelegationScopes are the ids of the delegation scopes the authority
	// may ask about in a delegation check; a check of any other is refused
	// (EScopeNotAllowed), so a tax agency cannot learn who may act for a
	// citizen about health. None: it may check no delegations.
	DelegationScopes []string `json:"delegation_scopes,omitempty" toml:"delegation_scopes"`
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
// in both languages, that every authority lists at least one known data
// category it may request, each once, and that the delegation scopes an
// authority may check are known scopes, each listed once.
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
	if err := check("scope", s); err != nil {
		return err
	}
	// refs checks that an authority's ids name known entries, each once.
	refs := func(a Authority, verb, what string, ids []string, known func(string) bool) error {
		seen := map[string]bool{}
		for _, id := range ids {
			if !known(id) {
				return Errorf(EInvalid, "catalogue: authority %q may %s unknown %s %q", a.ID, verb, what, id)
			}
			if seen[id] {
				return Errorf(EInvalid, "catalogue: authority %q lists %s %q twice", a.ID, what, id)
			}
			seen[id] = true
		}
		return nil
	}
	isCategory := func(id string) bool { _, ok := c.DataCategory(id); return ok }
	isScope := func(id string) bool { _, ok := c.Scope(id); return ok }
	for _, a := range c.Authorities {
		if len(a.DataCategories) == 0 {
			return Errorf(EInvalid, "catalogue: authority %q lists no data_categories it may request", a.ID)
		}
		if err := refs(a, "request", "data category", a.DataCategories, isCategory); err != nil {
			return err
		}
		if err := refs(a, "check", "delegation scope", a.DelegationScopes, isScope); err != nil {
			return err
		}
	}
	return nil
}

// MayCheckScope reports whether the catalogue lets authority ask whether a
// delegation covers scope.
func (c *Catalogue) MayCheckScope(authorityID, scope string) bool {
	a, ok := c.Authority(authorityID)
	return ok && slices.Contains(a.DelegationScopes, scope)
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
