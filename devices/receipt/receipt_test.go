package receipt

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	bk "github.com/borgerkiosk/borgerkiosk"
	"github.com/borgerkiosk/borgerkiosk/devices/escpos"
	"github.com/borgerkiosk/borgerkiosk/timefmt"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// Fixed inputs, so that golden files are stable. 13:05 UTC is 14:05 in
// Copenhagen in November.
var (
	at         = time.Date(2026, 11, 26, 13, 5, 0, 0, time.UTC)
	actionID   = "0196b0a2-7c4e-7d21-9f3a-5be1c2d3e4f5"
	jensCPR    = bk.MustParseCPR("010170-1357")
	aseCPR     = bk.MustParseCPR("020295-2468")
	validFrom  = time.Date(2026, 11, 30, 23, 0, 0, 0, time.UTC) // 1 December in Denmark
	validTo    = time.Date(2027, 11, 30, 23, 0, 0, 0, time.UTC)
	codeExpiry = at.Add(24 * time.Hour)
)

func catalogue() *bk.Catalogue {
	t := func(da, en string) bk.Text { return bk.Text{DA: da, EN: en} }
	return &bk.Catalogue{
		Authorities: []bk.Authority{
			{ID: "udk", Name: t("Udbetaling Danmark", "Payments Denmark"), Description: t("Ydelser", "Benefits"), DataCategories: []string{"income", "housing"}},
			{ID: "sst", Name: t("Sundhedsstyrelsen", "Danish Health Authority"), Description: t("Sundhed", "Health"), DataCategories: []string{"health"}},
		},
		DataCategories: []bk.DataCategory{
			{ID: "income", Name: t("Indkomst og skat", "Income and tax"), Description: t("Indkomst", "Income")},
			{ID: "housing", Name: t("Bolig og husstand", "Home and household"), Description: t("Bolig", "Home")},
			{ID: "health", Name: t("Helbred", "Health"), Description: t("Helbred", "Health")},
		},
		Scopes: []bk.Scope{
			{ID: "tax", Name: t("Skat", "Tax"), Description: t("Skat", "Tax")},
			{ID: "health", Name: t("Sundhed og læge", "Health and doctor"), Description: t("Sundhed", "Health")},
			{ID: "post", Name: t("Digital Post", "Digital Post"), Description: t("Post", "Post")},
		},
	}
}

func consent(state bk.ConsentState) *bk.Consent {
	c := &bk.Consent{
		ID: "c-1", CPR: jensCPR, AuthorityID: "udk",
		Purpose:        bk.Text{DA: "At beregne din boligstøtte ud fra din indkomst.", EN: "To work out your housing benefit from your income."},
		DataCategories: []string{"income", "housing"},
		LegalBasis:     bk.Text{DA: "Lov om individuel boligstøtte", EN: "Housing Benefit Act"},
		ValidDays:      365, RequestedAt: at.AddDate(0, 0, -3), State: state, ChangedAt: at,
	}
	if state == bk.ConsentGiven || state == bk.ConsentWithdrawn {
		c.GivenAt = at
		c.ValidUntil = at.AddDate(0, 0, 365)
	}
	if state == bk.ConsentWithdrawn {
		c.GivenAt = at.AddDate(0, -2, 0)
		c.ValidUntil = c.GivenAt.AddDate(0, 0, 365)
	}
	return c
}

func delegation(state bk.DelegationState, delegateName string) *bk.Delegation {
	return &bk.Delegation{
		ID: "d-1", Principal: jensCPR, PrincipalName: "Jens Ærbødig",
		Delegate: aseCPR, DelegateName: delegateName,
		Scopes: []bk.ScopeGrant{
			{ScopeID: "tax"},
			{ScopeID: "health", Until: time.Date(2027, 5, 31, 22, 0, 0, 0, time.UTC)},
			{ScopeID: "post"},
		},
		ValidFrom: validFrom, ValidTo: validTo, CreatedVia: bk.ViaAssisted,
		CreatedAt: at, State: state, ChangedAt: at,
	}
}

var (
	jens = Person{Name: "Jens Ærbødig", CPR: jensCPR}
	ase  = Person{Name: "Åse Sørensen", CPR: aseCPR}
)

// base is the part every receipt shares.
func base(kind bk.ActionKind, lang string, st Status, p Person) Receipt {
	return Receipt{
		Kind: kind, Lang: lang, Kiosk: "KBH-HB-03", Site: "Hovedbiblioteket, Krystalgade",
		At: at, Status: st, Person: p, ActionID: actionID, Catalogue: catalogue(),
	}
}

// handoverURL is a realistic handover URL: the 25-character prefix and 295
// characters of Base45 (no space, '%' or '/', which the URL escapes), 320 in all.
var handoverURL = func() string {
	const set = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ$*+-.:"
	s := []byte("HTTPS://BORGERKIOSK.DK/H/")
	x := uint32(2463534242)
	for len(s) < 320 {
		x ^= x << 13
		x ^= x >> 17
		x ^= x << 5
		s = append(s, set[x%uint32(len(set))])
	}
	return string(s)
}()

type layoutCase struct {
	name   string
	layout func(Receipt) (*Doc, error)
	r      Receipt
	want   []string // lines or phrases the paper and the text must hold
}

func cases() []layoutCase {
	confirmedSt := Status{State: Confirmed}
	pendingSt := Status{State: Pending}
	withConsent := func(r Receipt, c *bk.Consent) Receipt { r.Consent = c; return r }
	withDeleg := func(r Receipt, g *bk.Delegation) Receipt { r.Delegation = g; return r }
	withContact := func(r Receipt, c *bk.Contact) Receipt { r.Contact = c; return r }
	assisted := func(r Receipt) Receipt { r.AssistedBy = "Mette Højgaard"; return r }
	slip := func(lang string) Receipt {
		r := assisted(base(bk.CreateDelegation, lang, pendingSt, jens))
		r.Delegation = delegation(bk.DelegationPending, "")
		r.Handover = &Handover{URL: handoverURL, Expires: codeExpiry, Typed: "K7M4-XQ9-P2R", TypedAddress: "borgerkiosk.dk/kode"}
		return r
	}
	reminder := func(lang string, m bk.Reminder) Receipt {
		r := base("", lang, confirmedSt, jens)
		r.ActionID, r.Reminder = "", &m
		return r
	}
	overview := func(lang string, st Status) Receipt {
		r := base("", lang, st, jens)
		r.ActionID = ""
		withdrawn := consent(bk.ConsentWithdrawn)
		withdrawn.AuthorityID = "sst"
		withdrawn.DataCategories = []string{"health"}
		r.Arrangements = &bk.CitizenState{
			Consents:  []*bk.Consent{consent(bk.ConsentGiven), withdrawn, consent(bk.ConsentRequested)},
			GivenByMe: []*bk.Delegation{delegation(bk.DelegationActive, "Åse Sørensen"), delegation(bk.DelegationPending, "")},
			FetchedAt: at,
		}
		return r
	}
	usage := func(lang string, more bool) Receipt {
		r := base("", lang, confirmedSt, ase)
		r.ActionID = ""
		rec := func(ago time.Duration, kind bk.UsageKind, role bk.UsageRole, a bk.UsageAnswer) *bk.UsageRecord {
			return &bk.UsageRecord{ID: bk.NewID(at.Add(-ago)), At: at.Add(-ago), Kind: kind, Role: role, Authority: "sst",
				Scope: "health", DataCategory: "health", Answer: a, Purpose: "Tjek før en aftale hos lægen",
				PrincipalName: "Jens Ærbødig", DelegateName: "Åse Sørensen"}
		}
		r.Usage = &bk.UsageLog{Records: []*bk.UsageRecord{
			rec(time.Hour, bk.UsageTokenExchange, bk.UsageDelegate, bk.UsageAllowed),
			rec(2*time.Hour, bk.UsageDelegationCheck, bk.UsageDelegate, bk.UsageAllowed),
			rec(24*time.Hour, bk.UsageConsentCheck, bk.UsagePrincipal, bk.UsageDenied),
			rec(400*24*time.Hour, bk.UsageDelegationCheck, bk.UsagePrincipal, bk.UsageRefused),
		}, FetchedAt: at}
		if more {
			r.Usage.Next = r.Usage.Records[3].ID
		}
		return r
	}
	return []layoutCase{
		{"usage_da", UsageDoc, usage("da", false),
			[]string{"Hvem har brugt dine oplysninger", "Åse Sørensen", "020295-xxxx", "Periode: 22. oktober 2025 - 26. november 2026",
				"26. november 2026 kl. 13.05", "Du handlede for Jens Ærbødig hos Sundhedsstyrelsen om sundhed og læge.",
				"Sundhedsstyrelsen spurgte, om du må handle for Jens Ærbødig om sundhed og læge. De fik ja.",
				"Sundhedsstyrelsen spurgte, om de må bruge disse oplysninger om dig: Helbred. De fik nej.",
				"De fik nej. De må ikke spørge om det.", "Formål: Tjek før en aftale hos lægen", "Hentet fra det centrale system."}},
		{"usage_en", UsageDoc, usage("en", true),
			[]string{"Who has used your information", "You acted for Jens Ærbødig with Danish Health Authority on health and doctor.",
				"Only the newest 4 are shown here."}},
		{"give_consent_da", ActionDoc, assisted(withConsent(base(bk.GiveConsent, "da", pendingSt, jens), consent(bk.ConsentGiven))),
			[]string{"Samtykke givet", "Udbetaling Danmark", "Indkomst og skat", "Bolig og husstand", "boligstøtte",
				"Afventer - sendes når forbindelsen er tilbage", "Hjulpet af Mette Højgaard", "26. november 2026 kl. 14.05",
				"Gælder til: 26. november 2027 kl. 14.05", "010170-xxxx", "Jens Ærbødig", "KBH-HB-03", "Hovedbiblioteket"}},
		{"give_consent_en", ActionDoc, withConsent(base(bk.GiveConsent, "en", confirmedSt, jens), consent(bk.ConsentGiven)),
			[]string{"Consent given", "Payments Denmark", "Income and tax", "Status: Confirmed", "26 November 2026, 14:05", "Valid until: 26 November 2027, 14:05"}},
		{"decline_consent_da", ActionDoc, withConsent(base(bk.DeclineConsent, "da", confirmedSt, jens), consent(bk.ConsentDeclined)),
			[]string{"Samtykke afslået", "Du har sagt nej", "1 år", "Status: Bekræftet"}},
		{"withdraw_consent_da", ActionDoc, withConsent(base(bk.WithdrawConsent, "da", Status{State: Refused, Code: bk.EInvalidState}, jens), consent(bk.ConsentWithdrawn)),
			[]string{"Samtykke trukket tilbage", "Afvist: Det kan ikke ændres på den måde nu.", "Intet er ændret.", "26. september 2026"}},
		{"create_delegation_da", ActionDoc, assisted(withDeleg(base(bk.CreateDelegation, "da", pendingSt, jens), delegation(bk.DelegationPending, ""))),
			[]string{"Fuldmagt oprettet", "personen med CPR-nummer 020295-xxxx", "Skat", "Sundhed og læge (til og med 31. maj 2027)",
				"Digital Post", "Gælder fra: 1. december 2026", "Gælder til og med: 30. november 2027", "Hjulpet af Mette Højgaard"}},
		{"create_delegation_en", ActionDoc, withDeleg(base(bk.CreateDelegation, "en", confirmedSt, jens), delegation(bk.DelegationPending, "")),
			[]string{"Power of attorney created", "the person with CPR number 020295-xxxx", "Health and doctor (through 31 May 2027)", "Valid through: 30 November 2027"}},
		{"revoke_delegation_da", ActionDoc, withDeleg(base(bk.RevokeDelegation, "da", confirmedSt, jens), delegation(bk.DelegationRevoked, "Åse Sørensen")),
			[]string{"Fuldmagt stoppet", "Åse Sørensen (020295-xxxx)"}},
		{"accept_delegation_da", ActionDoc, withDeleg(base(bk.AcceptDelegation, "da", confirmedSt, ase), delegation(bk.DelegationActive, "Åse Sørensen")),
			[]string{"Fuldmagt modtaget", "Jens Ærbødig (010170-xxxx)", "020295-xxxx"}},
		{"decline_delegation_da", ActionDoc, withDeleg(base(bk.DeclineDelegation, "da", pendingSt, ase), delegation(bk.DelegationDeclined, "Åse Sørensen")),
			[]string{"Fuldmagt afslået", "Du har sagt nej til en fuldmagt fra Jens Ærbødig"}},
		{"renounce_delegation_da", ActionDoc, withDeleg(base(bk.RenounceDelegation, "da", Status{State: Refused, Code: bk.EAlreadyRevoked}, ase), delegation(bk.DelegationRevoked, "Åse Sørensen")),
			[]string{"Fuldmagt til dig stoppet", "Afvist: Det er allerede stoppet."}},
		{"renew_delegation_da", ActionDoc, withDeleg(base(bk.RenewDelegation, "da", confirmedSt, jens), delegation(bk.DelegationActive, "Åse Sørensen")),
			[]string{"Fuldmagt fornyet", "Du har fornyet den fuldmagt, du gav Åse Sørensen (020295-xxxx).", "Gælder til og med: 30. november 2027"}},
		{"renew_delegation_en", ActionDoc, withDeleg(base(bk.RenewDelegation, "en", pendingSt, jens), delegation(bk.DelegationPending, "Åse Sørensen")),
			[]string{"Power of attorney renewed", "There are new areas. It takes effect once it has been accepted again."}},
		{"set_contact_da", ActionDoc, withContact(base(bk.SetContact, "da", confirmedSt, jens), &bk.Contact{Email: "jens@example.dk", Language: "da", EmailReminders: true}),
			[]string{"E-mail til påmindelser", "Du får en e-mail, før noget udløber.", "jens@example.dk", "dansk"}},
		{"set_contact_en", ActionDoc, withContact(base(bk.SetContact, "en", pendingSt, jens), &bk.Contact{Language: "en"}),
			[]string{"E-mail for reminders", "Your e-mail address is removed."}},
		{"reminder_da", ReminderDoc, reminder("da", bk.Reminder{Kind: bk.RemindGiven, ID: "d-1", Ends: validTo, Other: "Åse Sørensen", Scopes: []string{"tax", "health"}}),
			[]string{"Husk", "Din fuldmagt til Åse Sørensen om Skat og Sundhed og læge gælder til og med 30. november 2027.", "Du kan forny den ved en Borgerkiosk.", "010170-xxxx"}},
		{"reminder_en", ReminderDoc, reminder("en", bk.Reminder{Kind: bk.RemindRequest, ID: "c-1", Ends: validTo, Authority: "udk", Categories: []string{"income"}}),
			[]string{"Reminder", "Payments Denmark is waiting for your answer about Income and tax. You can answer through 30 November 2027."}},
		{"handover_da", HandoverDoc, slip("da"),
			[]string{"Fuldmagt til dig", "Jens Ærbødig (010170-xxxx) vil give dig fuldmagt",
				"Scan koden med din telefons kamera eller ved en Borgerkiosk for at tage imod. Koden kan bruges én gang, indtil 27. november 2026 kl. 14.05.",
				"020295-xxxx", "Hjulpet af Mette Højgaard", "Afventer"}},
		{"handover_en", HandoverDoc, slip("en"),
			[]string{"Power of attorney for you",
				"Scan the code with your phone's camera, or at a Borgerkiosk, to accept. The code can be used once, until 27 November 2026, 14:05.",
				"Assisted by Mette Højgaard", "Pending - sent when the connection returns"}},
		{"overview_da", OverviewDoc, overview("da", confirmedSt),
			[]string{"Overblik", "Samtykker", "Givet, gælder til 26. november 2027", "Sundhedsstyrelsen", "Trukket tilbage",
				"Venter på dit svar", "Fuldmagter du har givet", "Til Åse Sørensen (020295-xxxx)",
				"Aktiv", "1. december 2026 - 30. november 2027", "Venter på at blive taget imod", "Fuldmagter du har fået", "Ingen.",
				"Hentet fra det centrale system."}},
		{"overview_en", OverviewDoc, overview("en", pendingSt),
			[]string{"Overview", "Powers of attorney you have received", "None.", "Offline: shows what the kiosk knows."}},
	}
}

// golden compares got with testdata/name, or rewrites it with -update. On a
// mismatch the actual bytes go to testdata/failed/name.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err == nil && bytes.Equal(got, want) {
		return
	}
	failed := filepath.Join("testdata", "failed", name)
	if err := os.MkdirAll(filepath.Dir(failed), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(failed, got, 0o644); err != nil {
		t.Fatal(err)
	}
	if err != nil {
		t.Fatalf("golden %s: %v (actual written to %s; run go test -update to create it)", path, err, failed)
	}
	t.Errorf("%s differs from the golden file; actual written to %s (inspect it, then go test -update)", path, failed)
}

func TestGolden(t *testing.T) {
	for _, tc := range cases() {
		t.Run(tc.name, func(t *testing.T) {
			d, err := tc.layout(tc.r)
			if err != nil {
				t.Fatalf("layout: %v", err)
			}
			job, err := d.ESCPOS(Printer{})
			if err != nil {
				t.Fatalf("ESCPOS: %v", err)
			}
			golden(t, tc.name+".escpos", job)
			golden(t, tc.name+".txt", []byte(d.Text()))
		})
	}
}

// TestDatesInWords: every receipt writes its dates as the screens and the
// e-mails do, in words ("30. november 2027"), never as digits.
func TestDatesInWords(t *testing.T) {
	digits := regexp.MustCompile(`\b\d{1,2}[./-]\d{1,2}[./-]\d{2,4}\b`)
	for _, tc := range cases() {
		d, err := tc.layout(tc.r)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if m := digits.FindString(d.Text()); m != "" {
			t.Errorf("%s writes a date as digits (%q):\n%s", tc.name, m, d.Text())
		}
	}
}

// TestTextHoldsKeyLines checks the read-aloud text, which keeps the real
// dashes the printer replaces.
func TestTextHoldsKeyLines(t *testing.T) {
	for _, tc := range cases() {
		d, err := tc.layout(tc.r)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		txt := printable.Replace(d.Text())
		for _, w := range tc.want {
			if !strings.Contains(txt, w) {
				t.Errorf("%s: text lacks %q; text:\n%s", tc.name, w, txt)
			}
		}
		if strings.ContainsAny(d.Text(), "\x1b\x1d\x00\r") {
			t.Errorf("%s: text holds control bytes", tc.name)
		}
	}
}

// TestActionIDPrintedNotRead: the short action id is on the paper for
// support, and left out of the text read aloud.
func TestActionIDPrintedNotRead(t *testing.T) {
	for _, tc := range cases() {
		if tc.r.ActionID == "" {
			continue
		}
		d, err := tc.layout(tc.r)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		job, err := d.ESCPOS(Printer{})
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		id := ShortID(tc.r.ActionID)
		if !bytes.Contains(job, []byte(id)) {
			t.Errorf("%s: the printed receipt lacks the action id %q", tc.name, id)
		}
		if strings.Contains(d.Text(), id) {
			t.Errorf("%s: the text read aloud holds the action id %q", tc.name, id)
		}
	}
}

func TestConvenienceFunctionsMatchDocs(t *testing.T) {
	for _, tc := range cases() {
		var job []byte
		var txt string
		var err, err2 error
		switch tc.name[:strings.IndexByte(tc.name, '_')] {
		case "handover":
			job, err = HandoverSlip(tc.r, Printer{})
			txt, err2 = HandoverSlipText(tc.r)
		case "overview":
			job, err = Overview(tc.r, Printer{})
			txt, err2 = OverviewText(tc.r)
		case "usage":
			job, err = UsageStatement(tc.r, Printer{})
			txt, err2 = UsageStatementText(tc.r)
		case "reminder":
			job, err = Reminder(tc.r, Printer{})
			txt, err2 = ReminderText(tc.r)
		default:
			job, err = Action(tc.r, Printer{})
			txt, err2 = ActionText(tc.r)
		}
		if err != nil || err2 != nil {
			t.Fatalf("%s: %v, %v", tc.name, err, err2)
		}
		d, _ := tc.layout(tc.r)
		want, _ := d.ESCPOS(Printer{})
		if !bytes.Equal(job, want) || txt != d.Text() {
			t.Errorf("%s: convenience function differs from its Doc", tc.name)
		}
	}
}

// fullForms are the ways a full CPR number could appear.
func fullForms(c bk.CPR) []string {
	d := c.Digits()
	return []string{d, c.Full(), d[:6] + " " + d[6:]}
}

func TestNeverFullCPR(t *testing.T) {
	leaky := func(r Receipt) Receipt {
		// Free text from elsewhere holding full numbers must come out masked.
		r.Person.Name = "Jens 010170-1357 Ærbødig"
		r.AssistedBy = "Mette (0202952468)"
		r.Site = "Filial 010170 1357"
		if r.Delegation != nil {
			g := *r.Delegation
			g.PrincipalName = "Jens 0101701357"
			g.DelegateName = "Åse 020295-2468"
			r.Delegation = &g
		}
		if r.Consent != nil {
			c := *r.Consent
			c.Purpose = bk.Text{DA: "Tjek af 010170-1357.", EN: "Check of 010170-1357."}
			r.Consent = &c
		}
		return r
	}
	for _, tc := range cases() {
		for _, r := range []Receipt{tc.r, leaky(tc.r)} {
			for _, p := range []Printer{{}, {RasterQR: true}, {Config: escposCols(32)}} {
				d, err := tc.layout(r)
				if err != nil {
					t.Fatalf("%s: %v", tc.name, err)
				}
				job, err := d.ESCPOS(p)
				if err != nil {
					t.Fatalf("%s: %v", tc.name, err)
				}
				for _, cpr := range []bk.CPR{jensCPR, aseCPR} {
					for _, f := range fullForms(cpr) {
						if bytes.Contains(job, []byte(f)) || strings.Contains(d.Text(), f) {
							t.Errorf("%s: receipt holds full CPR %s", tc.name, cpr.Masked())
						}
					}
				}
			}
		}
	}
}

func TestClean(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Jens  Ærbødig", "Jens Ærbødig"},
		{"a\nb\tc\x1b@", "a b c @"},
		{"010170-1357", "010170-xxxx"},
		{"x0101701357y", "x010170-xxxxy"},
		{"010170-1357 020295-2468", "010170-xxxx 020295-xxxx"},
		{"010170-1357,020295-2468", "010170-xxxx,020295-xxxx"},
		{"12345678901", "12345678901"}, // eleven digits: not a CPR number
		{"tlf. 33 66 33 66", "tlf. 33 66 33 66"},
		{"26.11.2026", "26.11.2026"},
	}
	for _, tt := range tests {
		if got := clean(tt.in); got != tt.want {
			t.Errorf("clean(%q) = %q; want %q", tt.in, got, tt.want)
		}
	}
}

// TestReceiptZone: times print in the receipt's zone, Danish time when
// none is set (timefmt has the formats themselves).
func TestReceiptZone(t *testing.T) {
	utc, err := timefmt.Load("UTC")
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		zone timefmt.Zone
		want string
	}{
		{timefmt.Zone{}, "Tidspunkt: 26. november 2026 kl. 14.05"},
		{utc, "Tidspunkt: 26. november 2026 kl. 13.05"},
	} {
		r := base(bk.GiveConsent, "da", Status{}, jens)
		r.Consent, r.Zone = consent(bk.ConsentGiven), tt.zone
		text, err := ActionText(r)
		if err != nil || !strings.Contains(text, tt.want) {
			t.Errorf("zone %s: ActionText = %v, lacks %q:\n%s", tt.zone, err, tt.want, text)
		}
	}
}

func TestStatusOf(t *testing.T) {
	tests := []struct {
		v    bk.Verdict
		want Status
	}{
		{bk.Verdict{}, Status{State: Pending}},
		{bk.Verdict{Outcome: bk.Applied}, Status{State: Confirmed}},
		{bk.Verdict{Outcome: bk.Duplicate}, Status{State: Confirmed}},
		{bk.Verdict{Outcome: bk.Superseded, Message: "m"}, Status{State: Refused, Code: "superseded", Message: "m"}},
		{bk.Verdict{Outcome: bk.Rejected, Reason: bk.EAgeRule, Message: "m"}, Status{State: Refused, Code: bk.EAgeRule, Message: "m"}},
	}
	for _, tt := range tests {
		if got := StatusOf(tt.v); got != tt.want {
			t.Errorf("StatusOf(%+v) = %+v; want %+v", tt.v, got, tt.want)
		}
	}
}

func TestRefusalReasons(t *testing.T) {
	tests := []struct {
		s          Status
		lang, want string
	}{
		{Status{State: Refused, Code: bk.EAgeRule}, "da", "Man skal være mindst 15 år"},
		{Status{State: Refused, Code: "superseded"}, "en", "Another change came first."},
		{Status{State: Refused, Code: "new_code", Message: "The thing was odd."}, "en", "The thing was odd."},
		{Status{State: Refused, Code: "new_code", Message: "The thing was odd."}, "da", "Handlingen blev afvist. Spørg personalet."},
		{Status{State: Refused}, "en", "The action was refused. Please ask staff."},
	}
	for _, tt := range tests {
		if got := reasonText(tt.s, tt.lang); !strings.HasPrefix(got, tt.want) {
			t.Errorf("reasonText(%+v, %s) = %q; want prefix %q", tt.s, tt.lang, got, tt.want)
		}
	}
	for code := range reasons {
		if reasons[code].da == "" || reasons[code].en == "" {
			t.Errorf("reason %s lacks a language", code)
		}
	}
}

func TestBadInput(t *testing.T) {
	ok := base(bk.GiveConsent, "da", Status{}, jens)
	ok.Consent = consent(bk.ConsentGiven)
	mod := func(f func(r *Receipt)) Receipt { r := ok; f(&r); return r }
	tests := []struct {
		name   string
		layout func(Receipt) (*Doc, error)
		r      Receipt
	}{
		{"language", ActionDoc, mod(func(r *Receipt) { r.Lang = "de" })},
		{"kiosk", ActionDoc, mod(func(r *Receipt) { r.Kiosk = " " })},
		{"time", ActionDoc, mod(func(r *Receipt) { r.At = time.Time{} })},
		{"status", ActionDoc, mod(func(r *Receipt) { r.Status.State = 7 })},
		{"kind", ActionDoc, mod(func(r *Receipt) { r.Kind = "frobnicate" })},
		{"action id", ActionDoc, mod(func(r *Receipt) { r.ActionID = "" })},
		{"no consent", ActionDoc, mod(func(r *Receipt) { r.Consent = nil })},
		{"no delegation", ActionDoc, mod(func(r *Receipt) { r.Kind = bk.RevokeDelegation })},
		{"slip without delegation", HandoverDoc, mod(func(r *Receipt) { r.Handover = &Handover{URL: "X", Expires: at} })},
		{"slip without code", HandoverDoc, mod(func(r *Receipt) { r.Delegation = delegation(bk.DelegationPending, "") })},
		{"slip without expiry", HandoverDoc, mod(func(r *Receipt) {
			r.Delegation = delegation(bk.DelegationPending, "")
			r.Handover = &Handover{URL: "X"}
		})},
		{"overview without state", OverviewDoc, ok},
		{"usage without the log", UsageDoc, ok},
		{"usage for nobody", UsageDoc, mod(func(r *Receipt) { r.Usage, r.Person = &bk.UsageLog{}, Person{} })},
		{"usage record with no time", UsageDoc, mod(func(r *Receipt) {
			r.Usage = &bk.UsageLog{Records: []*bk.UsageRecord{{ID: "x", Kind: bk.UsageConsentCheck, Authority: "sst"}}}
		})},
		// A receipt with a gap is no record (issue 10, item 2).
		{"consent without authority", ActionDoc, mod(func(r *Receipt) { r.Consent = &bk.Consent{ID: "c-1", DataCategories: []string{"income"}} })},
		{"consent without categories", ActionDoc, mod(func(r *Receipt) { r.Consent = &bk.Consent{ID: "c-1", AuthorityID: "udk"} })},
		{"accept from nobody", ActionDoc, mod(func(r *Receipt) {
			r.Kind, r.Delegation = bk.AcceptDelegation, delegation(bk.DelegationActive, "Åse")
			r.Delegation.PrincipalName, r.Delegation.Principal = "", bk.CPR{}
		})},
		{"accept of no scopes", ActionDoc, mod(func(r *Receipt) {
			r.Kind, r.Delegation = bk.AcceptDelegation, delegation(bk.DelegationActive, "Åse")
			r.Delegation.Scopes = nil
		})},
		{"accept with no validity", ActionDoc, mod(func(r *Receipt) {
			r.Kind, r.Delegation = bk.AcceptDelegation, delegation(bk.DelegationActive, "Åse")
			r.Delegation.ValidFrom = time.Time{}
		})},
		{"slip from nobody", HandoverDoc, mod(func(r *Receipt) {
			r.Delegation = delegation(bk.DelegationPending, "")
			r.Delegation.PrincipalName, r.Delegation.Principal = "", bk.CPR{}
			r.Handover = &Handover{URL: "X", Expires: at}
		})},
	}
	for _, tt := range tests {
		_, err := tt.layout(tt.r)
		if bk.ErrorCode(err) != bk.EInvalid {
			t.Errorf("%s: error = %v; want code %s", tt.name, err, bk.EInvalid)
		}
	}
	// A code no QR symbol can hold is refused when printing, not a panic.
	r := mod(func(r *Receipt) {
		r.Delegation = delegation(bk.DelegationPending, "")
		r.Handover = &Handover{URL: strings.Repeat("A", 5000), Expires: at}
	})
	for _, p := range []Printer{{}, {RasterQR: true}} {
		if _, err := HandoverSlip(r, p); err == nil {
			t.Errorf("HandoverSlip(5000-character code, raster %v) = nil error; want an error", p.RasterQR)
		}
	}
}

// Missing catalogue entries print their ids rather than failing: a receipt
// must print even with an old catalogue.
func TestUnknownCatalogueEntries(t *testing.T) {
	r := base(bk.GiveConsent, "da", Status{}, jens)
	r.Catalogue = nil
	r.Consent = consent(bk.ConsentGiven)
	txt, err := ActionText(r)
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{"udk", "income", "housing"} {
		if !strings.Contains(txt, w) {
			t.Errorf("ActionText without catalogue lacks id %q:\n%s", w, txt)
		}
	}
}

func TestShortID(t *testing.T) {
	for in, want := range map[string]string{actionID: "c2d3e4f5", "abc": "abc", "": ""} {
		if got := ShortID(in); got != want {
			t.Errorf("ShortID(%q) = %q; want %q", in, got, want)
		}
	}
}

func escposCols(n int) escpos.Config { return escpos.Config{Columns: n} }

// TestAnswerWithUnknownTerms: an answer given offline to a compact code,
// which names neither scopes nor validity, says so instead of printing
// empty areas and dates.
func TestAnswerWithUnknownTerms(t *testing.T) {
	for _, kind := range []bk.ActionKind{bk.AcceptDelegation, bk.DeclineDelegation} {
		r := base(kind, "da", Status{State: Pending}, jens)
		r.Delegation = &bk.Delegation{ID: "0195f3a2-7c4e-7b21-9d3a-5e8f0c1b2a47", PrincipalName: "Alice H.", State: bk.DelegationPending}
		text, err := ActionText(r)
		if err != nil {
			t.Fatalf("ActionText(%s, no terms) = %v", kind, err)
		}
		if !strings.Contains(text, "fuldmagt fra Alice H.") || strings.Contains(text, "H..") || strings.Contains(text, "0001") || strings.Contains(text, "Gælder") {
			t.Errorf("%s receipt without terms:\n%s", kind, text)
		}
	}
	r := base(bk.AcceptDelegation, "da", Status{State: Pending}, jens)
	r.Delegation = &bk.Delegation{PrincipalName: "Alice H."}
	if text, _ := ActionText(r); !strings.Contains(text, "ikke forbindelse") {
		t.Errorf("accept receipt without terms does not say why:\n%s", text)
	}
}
