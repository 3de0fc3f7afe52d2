package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	bk "github.com/borgerkiosk/borgerkiosk"
	"github.com/borgerkiosk/borgerkiosk/central"
	"github.com/borgerkiosk/borgerkiosk/central/badgerstore"
	"github.com/borgerkiosk/borgerkiosk/central/postgres"
	"github.com/borgerkiosk/borgerkiosk/internal/fixture"
	"github.com/borgerkiosk/borgerkiosk/internal/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// buildCentral builds the real central binary for the tool to start.
func buildCentral(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "central")
	cmd := exec.Command("go", "build", "-o", bin, "github.com/borgerkiosk/borgerkiosk/cmd/central")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("building central: %v\n%s", err, out)
	}
	return bin
}

// TestTinyLoad runs the tool, as make load does, with a tiny load on both
// stores, and checks that its report adds up: every action pushed once,
// applied, and found exactly once in central's store afterwards.
func TestTinyLoad(t *testing.T) {
	bin := buildCentral(t)
	for _, store := range []string{"badger", "postgres"} {
		t.Run(store, func(t *testing.T) {
			args := []string{"-central-bin", bin, "-store", store, "-kiosks", "3", "-actions", "7", "-batch", "3",
				"-concurrency", "2", "-checkers", "2", "-check-time", "300ms", "-json", "-q"}
			dsn := ""
			if store == "postgres" {
				dsn = pgtest.NewDatabase(t)
				args = append(args, "-dsn", dsn, "-preload-citizens", "50", "-preload-consents", "120")
			}
			var out, errs bytes.Buffer
			rep, err := run(context.Background(), args, &out, &errs)
			if err != nil {
				t.Fatalf("run: %v\n%s", err, errs.String())
			}
			var got Report
			if err := json.Unmarshal(out.Bytes(), &got); err != nil {
				t.Fatalf("the -json output does not parse: %v\n%s", err, out.String())
			}
			const total = 3 * 7
			in := got.Ingest
			if !rep.OK() || in.Actions != total || in.Applied != total || in.Unanswered != 0 || in.Refused != 0 {
				t.Errorf("ingest %+v, want %d actions all applied", in, total)
			}
			if in.Pushes != 3*3 { // 7 actions in batches of 3: 3 pushes a kiosk
				t.Errorf("%d pushes, want 9", in.Pushes)
			}
			if in.ActionsPerS <= 0 || in.PushP99ms < in.PushP50ms {
				t.Errorf("rate %v, p50 %v, p99 %v", in.ActionsPerS, in.PushP50ms, in.PushP99ms)
			}
			s := got.StoreCheck
			if !s.Checked || s.Stored != total || s.Missing != 0 || s.Extra != 0 || s.Cursors != 0 {
				t.Errorf("store check %+v, want all %d there once", s, total)
			}
			if !got.Central.Measured || got.Central.CPUSeconds <= 0 || got.Central.PeakMB <= 0 {
				t.Errorf("central's CPU and memory not measured: %+v", got.Central)
			}
			for _, name := range []string{"consent_check", "delegation_check", "healthz"} {
				if c := got.Checks[name]; c.Count == 0 || c.Errors != 0 {
					t.Errorf("%s after ingest: %+v", name, c)
				}
			}
			// Every kiosk's citizen gave the consent that is checked.
			if c := got.Checks["consent_check"]; c.Allowed != c.Count {
				t.Errorf("consent checks: %d of %d allowed", c.Allowed, c.Count)
			}
			if got.Baselines.VerifyPerS <= 0 || got.Ratios.IngestVsVerify <= 0 {
				t.Errorf("verify baseline %+v, ratios %+v", got.Baselines, got.Ratios)
			}
			if store == "postgres" {
				if got.Baselines.InsertPerS <= 0 || got.Ratios.IngestVsInsert <= 0 || got.Checks["pk_lookup"].Count == 0 || got.Rollbacks < 0 {
					t.Errorf("PostgreSQL baselines %+v, pk %+v, rollbacks %d", got.Baselines, got.Checks["pk_lookup"], got.Rollbacks)
				}
				// The preloaded registry is there, found by the CPR index
				// central computes: each loaded citizen's consents and
				// the delegation they gave.
				if p := got.Preload; p == nil || p.Consents != 120 || p.Delegations != 50 {
					t.Errorf("preload %+v, want 120 consents and 50 delegations", p)
				}
				st, err := postgres.Open(context.Background(), dsn, postgres.Options{})
				if err != nil {
					t.Fatal(err)
				}
				defer st.Close()
				st.View(context.Background(), func(tx central.Tx) error {
					cs, err1 := tx.ConsentsByCPR(preloadCPR(7))
					ds, err2 := tx.DelegationsByPrincipal(preloadCPR(7))
					if len(cs) != 3 || len(ds) != 1 || err1 != nil || err2 != nil || ds[0].Delegate != preloadCPR(8) {
						t.Errorf("preloaded citizen 7: %d consents, %d delegations (%v, %v); want 3 and 1, to citizen 8", len(cs), len(ds), err1, err2)
					}
					return nil
				})
			}
		})
	}
}

// TestCheckStoreFindsLoss: the store check reports an action central does
// not hold, so a run that lost one fails.
func TestCheckStoreFindsLoss(t *testing.T) {
	st, err := badgerstore.Open(t.TempDir(), badgerstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	iss := fixture.NewIssuer()
	card := iss.Citizen(cprN(1).Full(), "Karen Jensen")
	a := fixture.KioskAction("k1", bk.GiveConsent, bk.Payload{ConsentID: bk.NewID(nowForTest())}, card, nil, nowForTest())
	k := &kiosk{id: "k1", inc: "i1", items: []bk.PushItem{{Seq: 1, Hash: a.ContentHash(), Action: a}}}
	c, err := checkStore(context.Background(), st, []*kiosk{k})
	if err != nil {
		t.Fatal(err)
	}
	if c.Missing != 1 || c.Cursors != 1 || !strings.Contains(c.Mismatch, "missing") {
		t.Errorf("check of an empty store: %+v, want the action missing", c)
	}
}

func TestFlagsRefuseBadInput(t *testing.T) {
	for _, args := range [][]string{
		{"-store", "sqlite"}, {"-kiosks", "0"}, {"-batch", "300"}, {"-central", "http://x"}, {"stray"},
		{"-store", "postgres", "-preload-citizens", "10"}, {"-preload-citizens", "10", "-preload-consents", "20"},
	} {
		if _, err := parseFlags(args, &bytes.Buffer{}); err == nil {
			t.Errorf("parseFlags(%q) accepted it", args)
		}
	}
}

func nowForTest() time.Time { return time.Now() }

// TestBurstBeyondMaxConnections: more pushes in flight than PostgreSQL takes
// connections (the 1,000 kiosks at once; 60 in the test cluster):
// the tool's own baseline clients stay under the limit and the run drains.
func TestBurstBeyondMaxConnections(t *testing.T) {
	bin := buildCentral(t)
	args := []string{"-central-bin", bin, "-store", "postgres", "-dsn", pgtest.NewDatabase(t), "-kiosks", "80", "-actions", "1",
		"-batch", "1", "-concurrency", "80", "-checkers", "0", "-check-time", "100ms", "-json", "-q"}
	var out, errs bytes.Buffer
	rep, err := run(context.Background(), args, &out, &errs)
	if err != nil {
		t.Fatalf("run: %v\n%s", err, errs.String())
	}
	if !rep.OK() || rep.Ingest.Timeouts != 0 {
		t.Errorf("80 pushes at once: %+v; want every action confirmed, no timeouts", rep.Ingest)
	}
}
