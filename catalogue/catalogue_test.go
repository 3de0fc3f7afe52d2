package catalogue

import (
	"strings"
	"testing"
)

func TestParseRefuses(t *testing.T) {
	for _, tc := range []struct{ name, in, want string }{
		{"unknown key", "[[authorities]]\nid = \"a\"\ncolour = \"red\"\n", "unknown key(s): authorities.colour"},
		{"unknown table", "[extra]\nx = 1\n", "unknown key(s): extra"},
		{"syntax", "[[authorities]\n", "catalogue:"},
		{"missing english", "[[scopes]]\nid = \"s\"\nname.da = \"S\"\ndescription.da = \"S\"\n", "Danish and English"},
		{"duplicate id", "[[scopes]]\nid = \"s\"\nname = {da = \"a\", en = \"a\"}\ndescription = {da = \"a\", en = \"a\"}\n[[scopes]]\nid = \"s\"\nname = {da = \"a\", en = \"a\"}\ndescription = {da = \"a\", en = \"a\"}\n", "appears twice"},
		{"unknown delegation scope", scoped(`["tax", "health"]`), `may check unknown delegation scope "health"`},
		{"delegation scope twice", scoped(`["tax", "tax"]`), `lists delegation scope "tax" twice`},
	} {
		_, err := Parse(strings.NewReader(tc.in))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: Parse = %v; want an error containing %q", tc.name, err, tc.want)
		}
	}
}

// scoped is a small catalogue whose one authority may check the delegation
// scopes in list (TOML); its one scope is tax.
func scoped(list string) string {
	t := `name = {da = "a", en = "a"}
description = {da = "a", en = "a"}
`
	return "[[authorities]]\nid = \"skat\"\n" + t + "data_categories = [\"income\"]\ndelegation_scopes = " + list + "\n" +
		"[[data_categories]]\nid = \"income\"\n" + t + "[[scopes]]\nid = \"tax\"\n" + t
}

func TestParseDelegationScopes(t *testing.T) {
	c, err := Parse(strings.NewReader(scoped(`["tax"]`)))
	if err != nil || !c.MayCheckScope("skat", "tax") {
		t.Fatalf("Parse(delegation_scopes = [\"tax\"]) = %v; want skat may check tax", err)
	}
}
