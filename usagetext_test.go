package borgerkiosk_test

import (
	"testing"

	bk "github.com/borgerkiosk/borgerkiosk"
)

// TestUsageSentence: each kind of record, each answer, read by the
// principal and by the delegate, in both languages.
func TestUsageSentence(t *testing.T) {
	cat := &bk.Catalogue{
		Authorities:    []bk.Authority{{ID: "skat", Name: bk.Text{DA: "Skattestyrelsen", EN: "Danish Tax Agency"}}},
		DataCategories: []bk.DataCategory{{ID: "income", Name: bk.Text{DA: "Indkomst", EN: "Income"}}},
		Scopes:         []bk.Scope{{ID: "tax", Name: bk.Text{DA: "Skat", EN: "Tax"}}},
	}
	consent := func(a bk.UsageAnswer) *bk.UsageRecord {
		return &bk.UsageRecord{Kind: bk.UsageConsentCheck, Role: bk.UsagePrincipal, Authority: "skat", DataCategory: "income", Answer: a}
	}
	deleg := func(kind bk.UsageKind, role bk.UsageRole, a bk.UsageAnswer) *bk.UsageRecord {
		return &bk.UsageRecord{Kind: kind, Role: role, Authority: "skat", Scope: "tax", Answer: a,
			PrincipalName: "Ingrid Sørensen", DelegateName: "Mads  Nielsen"}
	}
	nameless := deleg(bk.UsageDelegationCheck, bk.UsagePrincipal, bk.UsageDenied)
	nameless.PrincipalName, nameless.DelegateName = "", ""
	unknown := &bk.UsageRecord{Kind: bk.UsageConsentCheck, Role: bk.UsagePrincipal, Authority: "nyt", DataCategory: "dna", Answer: bk.UsageDenied}
	const P, D = bk.UsagePrincipal, bk.UsageDelegate
	for _, tt := range []struct {
		name string
		r    *bk.UsageRecord
		lang string
		date string
		want string
	}{
		{"consent yes", consent(bk.UsageAllowed), "da", "3. december",
			"Skattestyrelsen spurgte 3. december, om de må bruge disse oplysninger om dig: Indkomst. De fik ja."},
		{"consent no", consent(bk.UsageDenied), "da", "3. december",
			"Skattestyrelsen spurgte 3. december, om de må bruge disse oplysninger om dig: Indkomst. De fik nej."},
		{"consent no, en", consent(bk.UsageDenied), "en", "3 December",
			"Danish Tax Agency asked on 3 December whether they may use this information about you: Income. They were told no."},
		{"consent no date", consent(bk.UsageAllowed), "da", "",
			"Skattestyrelsen spurgte, om de må bruge disse oplysninger om dig: Indkomst. De fik ja."},
		{"check yes, principal", deleg(bk.UsageDelegationCheck, P, bk.UsageAllowed), "da", "3. december",
			"Skattestyrelsen spurgte 3. december, om Mads Nielsen må handle for dig om skat. De fik ja."},
		{"check no, principal", deleg(bk.UsageDelegationCheck, P, bk.UsageDenied), "da", "3. december",
			"Skattestyrelsen spurgte 3. december, om Mads Nielsen må handle for dig om skat. De fik nej."},
		{"check yes, delegate", deleg(bk.UsageDelegationCheck, D, bk.UsageAllowed), "da", "3. december",
			"Skattestyrelsen spurgte 3. december, om du må handle for Ingrid Sørensen om skat. De fik ja."},
		{"check no, delegate, en", deleg(bk.UsageDelegationCheck, D, bk.UsageDenied), "en", "3 December",
			"Danish Tax Agency asked on 3 December whether you may act for Ingrid Sørensen on tax. They were told no."},
		{"check refused", deleg(bk.UsageDelegationCheck, P, bk.UsageRefused), "da", "3. december",
			"Skattestyrelsen spurgte 3. december, om Mads Nielsen må handle for dig om skat. De fik nej. De må ikke spørge om det."},
		{"check with no delegation", nameless, "da", "3. december",
			"Skattestyrelsen spurgte 3. december, om en anden person må handle for dig om skat. De fik nej."},
		{"token, principal", deleg(bk.UsageTokenExchange, P, bk.UsageAllowed), "da", "3. december",
			"Mads Nielsen handlede for dig hos Skattestyrelsen om skat den 3. december."},
		{"token refused, principal", deleg(bk.UsageTokenExchange, P, bk.UsageDenied), "da", "3. december",
			"Mads Nielsen ville handle for dig hos Skattestyrelsen om skat den 3. december. De fik nej."},
		{"token, delegate", deleg(bk.UsageTokenExchange, D, bk.UsageAllowed), "da", "3. december",
			"Du handlede for Ingrid Sørensen hos Skattestyrelsen om skat den 3. december."},
		{"token, delegate, en", deleg(bk.UsageTokenExchange, D, bk.UsageAllowed), "en", "3 December",
			"You acted for Ingrid Sørensen with Danish Tax Agency on tax on 3 December."},
		{"token denied, delegate", deleg(bk.UsageTokenExchange, D, bk.UsageDenied), "da", "",
			"Du ville handle for Ingrid Sørensen hos Skattestyrelsen om skat. De fik nej."},
		{"not in the catalogue", unknown, "da", "",
			"Nyt spurgte, om de må bruge disse oplysninger om dig: dna. De fik nej."},
	} {
		if got := tt.r.Sentence(tt.lang, tt.date, cat); got != tt.want {
			t.Errorf("%s: Sentence(%s, %q) = %q; want %q", tt.name, tt.lang, tt.date, got, tt.want)
		}
	}
}
