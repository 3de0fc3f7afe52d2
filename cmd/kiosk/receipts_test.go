package main

import (
	"context"
	"flag"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	bk "github.com/borgerkiosk/borgerkiosk"
	"github.com/borgerkiosk/borgerkiosk/devices/escpos"
	"github.com/borgerkiosk/borgerkiosk/devices/printersim"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// TestEveryReceiptFromARealFlow prints every kind of receipt the kiosk has
// through the real session service, its rules and a real central, with the
// calls the screens make (an accept straight after signing in fetches
// nothing first), and reads each one back from the simulated printer. A
// receipt is a record a person may have to show: none may say "?", show
// the zero time or leave a field out (issue 10, item 2).
func TestEveryReceiptFromARealFlow(t *testing.T) {
	r := startRig(t)
	ctx := context.Background()
	const ingridCPR, madsCPR = "150550-1234", "230492-2345"
	ingrid := r.card("ingrid", r.central.Issuer.Citizen(ingridCPR, "Ingrid Sørensen"), "1234")
	mads := r.card("mads", r.central.Issuer.Citizen(madsCPR, "Mads Nielsen"), "2345")
	// Central lists consents by id, a UUIDv7: a millisecond apart, they
	// list (and the overview prints them) in the order asked.
	var consents []*bk.Consent
	for range 3 {
		consents = append(consents, r.central.RequestConsent(t, "sundhed", ingridCPR, "health"))
		time.Sleep(2 * time.Millisecond)
	}
	give, decline, withdraw := consents[0], consents[1], consents[2]

	var printed []string // receipt kinds in the order they were printed
	do := func(s bk.Session, kind bk.ActionKind, p bk.Payload) bk.Result {
		t.Helper()
		res, err := s.Do(ctx, kind, p)
		if err != nil {
			t.Fatalf("Do(%s) = %v", kind, err)
		}
		if !res.Receipt.Printed {
			t.Fatalf("Do(%s): receipt not printed: %v", kind, res.Receipt.Err)
		}
		printed = append(printed, string(kind))
		return res
	}
	signIn := func(card, pin string) bk.Session {
		t.Helper()
		r.insert(card)
		s, err := r.k.svc.SignIn(ctx, pin, nil)
		if err != nil {
			t.Fatalf("SignIn: %v", err)
		}
		return s
	}
	state := func(s bk.Session) {
		t.Helper()
		if _, err := s.State(ctx); err != nil {
			t.Fatalf("State: %v", err)
		}
	}

	// Ingrid answers three consent requests (the consent screen fetches her
	// state first) and gives three powers of attorney to Mads.
	s := signIn(ingrid, "1234")
	state(s)
	do(s, bk.GiveConsent, bk.Payload{ConsentID: give.ID})
	do(s, bk.DeclineConsent, bk.Payload{ConsentID: decline.ID})
	do(s, bk.GiveConsent, bk.Payload{ConsentID: withdraw.ID})
	printed = printed[:len(printed)-1] // the same kind again: not compared
	do(s, bk.WithdrawConsent, bk.Payload{ConsentID: withdraw.ID})
	now := time.Now().UTC().Truncate(time.Second)
	delegate := bk.MustParseCPR(madsCPR)
	var ids []string
	for i := 0; i < 3; i++ {
		id := bk.NewID(now.Add(time.Duration(i) * time.Millisecond)) // in order
		res := do(s, bk.CreateDelegation, bk.Payload{
			DelegationID: id, Delegate: &delegate, DelegateName: "Mads Nielsen",
			Scopes:    []bk.ScopeGrant{{ScopeID: "tax"}, {ScopeID: "health"}},
			ValidFrom: now, ValidTo: now.AddDate(1, 0, 0),
		})
		if res.Pending {
			r.eventually("central has the delegation", func() bool { return r.centralDelegation(id) != nil })
		}
		ids = append(ids, id)
		if i > 0 {
			printed = printed[:len(printed)-1]
		}
	}
	var codes []string
	for i, id := range ids[:2] {
		h, err := s.HandoverCode(ctx, id)
		if err != nil || !h.Receipt.Printed {
			t.Fatalf("HandoverCode = %+v, %v", h, err)
		}
		codes = append(codes, h.Code)
		if i == 0 {
			printed = append(printed, "handover_slip")
		}
	}
	do(s, bk.RevokeDelegation, bk.Payload{DelegationID: ids[2]})
	if err := s.PrintOverview(ctx); err != nil {
		t.Fatalf("PrintOverview: %v", err)
	}
	printed = append(printed, "overview")
	r.remove()

	// Mads scans each slip at the kiosk and answers straight after signing
	// in, as the handover screens do: no state is fetched first.
	answer := func(code string, kind bk.ActionKind, id string) {
		t.Helper()
		if _, err := r.k.svc.VerifyHandover(ctx, code); err != nil {
			t.Fatalf("VerifyHandover: %v", err)
		}
		do(signIn(mads, "2345"), kind, bk.Payload{DelegationID: id})
		r.remove()
	}
	answer(codes[0], bk.AcceptDelegation, ids[0])
	answer(codes[1], bk.DeclineDelegation, ids[1])
	// Ingrid renews the one Mads took, from the reminder on her home
	// screen: the same areas for a new period, so it stays in force.
	r.eventually("central has the accept", func() bool { return r.centralDelegation(ids[0]).State == bk.DelegationActive })
	s = signIn(ingrid, "1234")
	state(s)
	do(s, bk.RenewDelegation, bk.Payload{DelegationID: ids[0], Scopes: []bk.ScopeGrant{{ScopeID: "tax"}, {ScopeID: "health"}},
		ValidFrom: time.Now().UTC().Truncate(time.Second), ValidTo: now.AddDate(2, 0, 0)})
	r.remove()
	m := signIn(mads, "2345")
	state(m) // the delegations screen fetches first
	r.eventually("central has the accept", func() bool { return r.centralDelegation(ids[0]).State == bk.DelegationActive })
	// While Mads may act for Ingrid, the tax agency asks whether he may,
	// and the health authority checks the consent she gave.
	for _, c := range []struct{ authority, path, body string }{
		{"skat", "/v1/authority/delegation-checks", `{"principal":"` + ingridCPR + `","delegate":"` + madsCPR + `","scope":"tax","purpose":"Årsopgørelse"}`},
		{"sundhed", "/v1/authority/consent-checks", `{"cpr":"` + ingridCPR + `","data_category":"health","purpose":"Invitation til vaccination"}`},
	} {
		if status, body := r.central.Authority(t, c.authority, "POST", c.path, []byte(c.body)); status != 200 {
			t.Fatalf("POST %s = %d %s", c.path, status, body)
		}
		time.Sleep(2 * time.Millisecond) // ids order by the millisecond: the statement's order is fixed
	}
	state(m)
	do(m, bk.RenounceDelegation, bk.Payload{DelegationID: ids[0]})
	r.remove()

	// Ingrid prints who has used her information.
	s = signIn(ingrid, "1234")
	if res, err := s.PrintUsage(ctx); err != nil || !res.Printed {
		t.Fatalf("PrintUsage = %+v, %v", res, err)
	}
	printed = append(printed, "usage_statement")
	// She gives an e-mail address for reminders.
	state(s)
	do(s, bk.SetContact, bk.Payload{Contact: &bk.Contact{Email: "ingrid@example.dk", Language: bk.LangDanish, EmailReminders: true}})
	// With everything at central and her state fresh, her overview
	// carries central's signed QR.
	state(s)
	if err := s.PrintOverview(ctx); err != nil {
		t.Fatalf("PrintOverview online: %v", err)
	}
	printed = append(printed, "overview_proof")
	r.remove()

	r.eventually("every receipt is printed", func() bool { return len(r.printer.Printed()) >= 18 })
	byKind := map[string]string{}
	for _, p := range r.printer.Printed() {
		k := kindOf(p)
		if _, seen := byKind[k]; !seen {
			byKind[k] = p.Text
		}
	}
	for _, kind := range printed {
		text, ok := byKind[kind]
		if !ok {
			t.Errorf("no %s receipt was printed; printed: %v", kind, keys(byKind))
			continue
		}
		for _, bad := range receiptFaults(kind, text) {
			t.Errorf("%s receipt %s:\n%s", kind, bad, text)
		}
		goldenText(t, filepath.Join("receipts", kind+".txt"), normalise(text))
	}
	checkOverviewProof(t, r, byKind["overview_proof"])
}

// checkOverviewProof opens the QR of a printed overview as a phone would
// and wants central's page to call the paper genuine and current.
func checkOverviewProof(t *testing.T, r *rig, text string) {
	t.Helper()
	m := regexp.MustCompile(`\[QR: ([^\]]*)\]`).FindStringSubmatch(text)
	if m == nil {
		t.Fatalf("the online overview has no QR:\n%s", text)
	}
	u := strings.Replace(m[1], strings.ToUpper(r.central.URL), r.central.URL, 1)
	resp, err := http.Get(u + "?lang=da")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	page, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 || !strings.Contains(string(page), "Papiret er ægte og gælder stadig") {
		t.Errorf("the overview's QR opens %d:\n%s", resp.StatusCode, page)
	}
}

// kindOf names a printed receipt by its heading (the second line).
func kindOf(p printersim.Printed) string {
	headings := map[string]string{
		"Samtykke givet": "give_consent", "Samtykke afslået": "decline_consent",
		"Samtykke trukket tilbage": "withdraw_consent", "Fuldmagt oprettet": "create_delegation",
		"Fuldmagt stoppet": "revoke_delegation", "Fuldmagt modtaget": "accept_delegation",
		"Fuldmagt afslået": "decline_delegation", "Fuldmagt til dig stoppet": "renounce_delegation",
		"Fuldmagt fornyet": "renew_delegation", "E-mail til påmindelser": "set_contact",
		"Fuldmagt til dig": "handover_slip", "Overblik": "overview",
		"Hvem har brugt dine oplysninger": "usage_statement",
	}
	for _, l := range strings.Split(p.Text, "\n") {
		if k, ok := headings[strings.TrimSpace(l)]; ok {
			if k == "overview" && strings.Contains(p.Text, "[QR: ") {
				return "overview_proof"
			}
			return k
		}
	}
	return "unknown"
}

func keys(m map[string]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// receiptFaults lists what is wrong with a printed receipt: a "?", the
// zero time, or a field the kind must have that is missing or empty.
func receiptFaults(kind, text string) []string {
	var faults []string
	if strings.Contains(text, "?") {
		faults = append(faults, `says "?"`)
	}
	if strings.Contains(text, "0001") {
		faults = append(faults, "shows the zero time")
	}
	fields := []string{"Tidspunkt", "Kiosk", "Sted"}
	switch {
	case kind == "overview" || kind == "overview_proof":
		fields = append(fields, "Navn", "CPR")
	case kind == "usage_statement":
		fields = append(fields, "Navn", "CPR", "Periode", "Formål")
	case kind == "set_contact":
		fields = append(fields, "E-mail", "Sprog", "Navn", "CPR", "Handlings-id")
	case kind == "handover_slip":
		fields = append(fields, "Til", "Gælder fra", "Gælder til")
	case strings.HasSuffix(kind, "_consent"):
		fields = append(fields, "Myndighed", "Navn", "CPR", "Handlings-id")
	default:
		fields = append(fields, "Gælder fra", "Gælder til", "Navn", "CPR", "Handlings-id")
	}
	lines := strings.Split(text, "\n")
	for _, f := range fields {
		found := false
		for i, l := range lines {
			if v, ok := strings.CutPrefix(strings.TrimSpace(l), f); ok && strings.TrimSpace(strings.TrimPrefix(strings.TrimPrefix(strings.TrimSpace(v), "og med"), ":")) != "" {
				found = true
			}
			// A value too long to share the label's line is printed on
			// the next, at its right edge.
			if strings.TrimSpace(l) == f && i+1 < len(lines) && strings.HasPrefix(lines[i+1], "   ") && strings.TrimSpace(lines[i+1]) != "" {
				found = true
			}
		}
		if !found {
			faults = append(faults, "has no "+f)
		}
	}
	if kind == "usage_statement" {
		for _, want := range []string{"Mads Nielsen må handle for dig om skat. De fik ja.", "Sundhedsstyrelsen spurgte, om de må bruge disse oplysninger om dig: Helbredsoplysninger. De fik ja."} {
			if !strings.Contains(strings.Join(strings.Fields(text), " "), want) {
				faults = append(faults, "does not say "+want)
			}
		}
	}
	if strings.Contains(kind, "delegation") || kind == "handover_slip" {
		for _, scope := range []string{"Skat", "Sundhed"} {
			if !strings.Contains(text, scope) {
				faults = append(faults, "does not name the scope "+scope)
			}
		}
		if !strings.Contains(text, "Mads") && !strings.Contains(text, "Ingrid") {
			faults = append(faults, "names nobody")
		}
	}
	return faults
}

var (
	// A date in words with its time, wherever the paper broke it: today's
	// date is the test's, and the month's name ("maj", "september") moves
	// the padding and line breaks around it, so the golden holds one
	// placeholder and one layout for every date (the exact layout is
	// devices/receipt's, on a fixed date).
	dateRE   = regexp.MustCompile(`\b\d{1,2}\.\s+(?:januar|februar|marts|april|maj|juni|juli|august|september|oktober|november|december)\s+\d{4}(\s+kl\.\s+\d\d\.\d\d)?`)
	datePads = []struct {
		re   *regexp.Regexp
		with string
	}{
		{regexp.MustCompile(`([^\n ]) {2,}(D\. MÅNED)`), "$1 $2"},   // a field's padding
		{regexp.MustCompile(`([^\n ])\n {3,}(D\. MÅNED)`), "$1 $2"}, // a field's value on a line of its own, at the right
		{regexp.MustCompile(`([^\n ])\n(D\. MÅNED)`), "$1 $2"},      // a paragraph broken before the date
		{regexp.MustCompile(`(ÅÅÅÅ)\s+-\s+(D\. MÅNED)`), "$1 - $2"}, // a period broken at its dash
	}
	actionIDRE = regexp.MustCompile(`(Handlings-id +)[0-9a-f]{8}`)
	qrRE       = regexp.MustCompile(`\[QR: [^\]]*\]`)
	typedRE    = regexp.MustCompile(`\b[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{3}-[0-9A-HJKMNP-TV-Z]{3}\b`) // a typed handover code
	hostRE     = regexp.MustCompile(`127\.0\.0\.1:[0-9]+`)                                                   // the test central
)

// normalise blanks what changes from run to run (dates, times, action
// ids, the code in the QR), so the golden file holds the words and layout of a real receipt.
func normalise(text string) string {
	text = dateRE.ReplaceAllStringFunc(text, func(m string) string {
		if strings.Contains(m, "kl.") {
			return "D. MÅNED ÅÅÅÅ kl. TT.MM"
		}
		return "D. MÅNED ÅÅÅÅ"
	})
	for _, p := range datePads {
		text = p.re.ReplaceAllString(text, p.with)
	}
	text = qrRE.ReplaceAllString(text, "[QR: the handover URL]")
	text = typedRE.ReplaceAllString(text, "XXXX-XXX-XXX")
	text = hostRE.ReplaceAllString(text, "borgerkiosk.dk")
	return actionIDRE.ReplaceAllString(text, "${1}xxxxxxxx")
}

// goldenText compares got with testdata/name, or rewrites it with -update.
// On a mismatch the actual text goes to testdata/failed/name.
func goldenText(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		os.MkdirAll(filepath.Dir(path), 0o755)
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("golden %s: %v (run go test -update)", name, err)
	}
	if string(want) == got {
		return
	}
	failed := filepath.Join("testdata", "failed", name)
	os.MkdirAll(filepath.Dir(failed), 0o755)
	os.WriteFile(failed, []byte(got), 0o644)
	t.Errorf("%s differs from the golden file; the actual text is in %s", name, failed)
}

// TestNormaliseHidesTheDate: the same receipt printed on 1 May and on 30
// September differs only in the date; normalise must leave no trace of the
// month's length in the padding or the line breaks, or the golden files
// would fail on some days of the year.
func TestNormaliseHidesTheDate(t *testing.T) {
	const cols = 42
	paper := func(from, to, until string) string {
		var b strings.Builder
		field := func(label, value string) {
			if n := len([]rune(label)) + 1 + len([]rune(value)); n <= cols {
				b.WriteString(label + strings.Repeat(" ", cols-n+1) + value + "\n")
				return
			}
			b.WriteString(label + "\n" + strings.Repeat(" ", cols-len([]rune(value))) + value + "\n")
		}
		field("Gælder fra", from)
		field("Periode", from+" - "+to)
		for _, l := range escpos.Wrap("Scan koden for at tage imod. Koden kan bruges én gang, indtil "+until+".", cols) {
			b.WriteString(l + "\n")
		}
		for _, l := range escpos.Wrap("Venter på at blive taget imod, "+from+" - "+to, cols-2) {
			b.WriteString("  " + l + "\n")
		}
		return b.String()
	}
	may := normalise(paper("1. maj 2026", "1. maj 2027", "3. maj 2026 kl. 09.05"))
	sep := normalise(paper("30. september 2026", "30. september 2027", "30. september 2026 kl. 14.05"))
	if may != sep {
		t.Errorf("normalised receipts differ by the date:\n%s\n%s", may, sep)
	}
}
