package central_test

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"fmt"
	"log/slog"
	"os"
	"runtime"
	"runtime/pprof"
	"strings"
	"syscall"
	"testing"
	"time"

	bk "github.com/borgerkiosk/borgerkiosk"
	"github.com/borgerkiosk/borgerkiosk/central"
	"github.com/borgerkiosk/borgerkiosk/central/badgerstore"
	"github.com/borgerkiosk/borgerkiosk/central/postgres"
	"github.com/borgerkiosk/borgerkiosk/demo"
	"github.com/borgerkiosk/borgerkiosk/internal/fixture"
	"github.com/borgerkiosk/borgerkiosk/internal/pgtest"
)

// cpuTime is the CPU the process has used (user and system): central's
// cost including the store's goroutines, whatever else the machine runs.
func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

const ingestBatch = 100

// ingestServer is a central on st that trusts iss.
func ingestServer(b *testing.B, st central.Store, iss *fixture.Issuer) *central.Server {
	cat, err := demo.Catalogue()
	if err != nil {
		b.Fatal(err)
	}
	_, key, _ := ed25519.GenerateKey(rand.Reader)
	srv, err := central.New(central.Config{Store: st, Key: key, Catalogue: cat, Issuers: []bk.IssuerKey{iss.PublicKey()},
		Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { srv.Close() })
	return srv
}

// assistedBatch is n staff-assisted delegations signed by principal and
// staff, as a kiosk pushes them, from seq from+1.
func assistedBatch(kiosk, inc string, from uint64, n int, principal, staff func(i int) *fixture.Card) *bk.PushRequest {
	now := time.Now()
	req := &bk.PushRequest{Kiosk: kiosk, Incarnation: inc}
	d := bk.MustParseCPR(cprBo)
	day := now.UTC().Truncate(24 * time.Hour).Add(24 * time.Hour)
	for i := range n {
		a := fixture.KioskAction(kiosk, bk.CreateDelegation, bk.Payload{DelegationID: bk.NewID(now), Delegate: &d,
			Scopes: []bk.ScopeGrant{{ScopeID: "tax"}}, ValidFrom: day, ValidTo: day.AddDate(1, 0, 0)}, principal(i), staff(i), now)
		req.Actions = append(req.Actions, bk.PushItem{Seq: from + uint64(i) + 1, Hash: a.ContentHash(), Action: a})
	}
	return req
}

func mustPush(b *testing.B, srv *central.Server, req *bk.PushRequest) {
	resp, err := srv.Push(context.Background(), req.Kiosk, req)
	if err != nil {
		b.Fatal(err)
	}
	for _, v := range resp.Verdicts {
		if v.Outcome != bk.Applied {
			b.Fatalf("verdict %+v", v)
		}
	}
}

// BenchmarkPushCPU measures central's CPU per pushed action (Server.Push
// of batches of 100 staff-assisted actions on the Badger store: checks,
// rules, one transaction) against the CPU of verifying each action's two
// signatures (the card holder's and the staff member's) and nothing else,
// interleaved in one run. "cached" pushes actions of the same two cards
// (a kiosk's day); "fresh-cards" gives every action new cards, so each
// certificate is seen once and costs its issuer signature check too.
func BenchmarkPushCPU(b *testing.B) {
	iss := fixture.NewIssuer()
	karen := iss.Citizen(cprKaren, "Karen Larsen")
	staff := iss.Staff(cprOliver, "Ole Olsen", "KK-1")
	same := func(c *fixture.Card) func(int) *fixture.Card { return func(int) *fixture.Card { return c } }
	for _, mode := range []string{"cached", "fresh-cards"} {
		b.Run(mode, func(b *testing.B) {
			st, err := badgerstore.Open(b.TempDir(), badgerstore.Options{})
			if err != nil {
				b.Fatal(err)
			}
			defer st.Close()
			srv := ingestServer(b, st, iss)
			var cpuPush, cpuVerify time.Duration
			var seq uint64
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				p, s := same(karen), same(staff)
				if mode == "fresh-cards" {
					ps, ss := make([]*fixture.Card, ingestBatch), make([]*fixture.Card, ingestBatch)
					for j := range ps {
						ps[j], ss[j] = iss.Citizen(cprKaren, "Karen Larsen"), iss.Staff(cprOliver, "Ole Olsen", "KK-1")
					}
					p = func(j int) *fixture.Card { return ps[j] }
					s = func(j int) *fixture.Card { return ss[j] }
				}
				req := assistedBatch("k1", "i", seq, ingestBatch, p, s)
				seq += ingestBatch
				runtime.GC() // the batch's making is not central's cost
				b.StartTimer()
				verify := func() {
					for j, it := range req.Actions {
						a := it.Action
						if !ed25519.Verify(p(j).Cert.CardKey, a.Digest(), a.ActorSignature) ||
							!ed25519.Verify(s(j).Cert.CardKey, a.Assist.Digest(), a.Assist.Signature) {
							b.Fatal("bad signature")
						}
					}
				}
				pushIt := func() { mustPush(b, srv, req) }
				steps := []func(){verify, pushIt}
				for k := range 2 {
					j := (i + k) % 2
					c0 := cpuTime(b)
					steps[j]()
					if d := cpuTime(b) - c0; j == 0 {
						cpuVerify += d
					} else {
						cpuPush += d
					}
				}
			}
			n := float64(b.N * ingestBatch)
			b.ReportMetric(float64(cpuPush.Microseconds())/n, "push-cpu-µs/action")
			b.ReportMetric(float64(cpuVerify.Microseconds())/n, "verify2-cpu-µs/action")
			b.ReportMetric(float64(cpuPush)/float64(cpuVerify), "push/verify2")
		})
	}
}

// revokedCount is how many cards BenchmarkRevoked puts on the list:
// 1,000,000, a hundredth under -short, or BK_BENCH_REVOKED.
func revokedCount() int { return benchSize("BK_BENCH_REVOKED", 1_000_000) }

// benchRevocations is n revocations of serials R000000000, R000000001 ….
func benchRevocations(n int) []central.Revocation {
	list := make([]central.Revocation, n)
	now := time.Now().UTC()
	for i := range list {
		list[i] = central.Revocation{Serial: fmt.Sprintf("R%09d", i), RevokedAt: now}
	}
	return list
}

// BenchmarkRevoked measures push ingest and citizen sign-in on a store
// with a long revocation list against the same store kind with an empty
// one, interleaved in one run, on both stores. The list is loaded with
// the stores' bulk loaders (a write batch; COPY).
func BenchmarkRevoked(b *testing.B) {
	n := revokedCount()
	list := benchRevocations(n)
	iss := fixture.NewIssuer()
	karen := iss.Citizen(cprKaren, "Karen Larsen")
	staff := iss.Staff(cprOliver, "Ole Olsen", "KK-1")
	same := func(c *fixture.Card) func(int) *fixture.Card { return func(int) *fixture.Card { return c } }
	type opened struct {
		st   central.Store
		load func([]central.Revocation) error
	}
	stores := []struct {
		name string
		open func(b *testing.B) opened
	}{
		{"badger", func(b *testing.B) opened {
			s, err := badgerstore.Open(b.TempDir(), badgerstore.Options{})
			if err != nil {
				b.Fatal(err)
			}
			return opened{s, s.LoadRevocations}
		}},
		{"postgres", func(b *testing.B) opened {
			s, err := postgres.Open(context.Background(), pgtest.NewSchema(b), postgres.Options{})
			if err != nil {
				b.Fatal(err)
			}
			return opened{s, func(rs []central.Revocation) error { return s.LoadRevocations(context.Background(), rs) }}
		}},
	}
	rounds := benchSize("BK_BENCH_ROUNDS", 3)
	if testing.Short() {
		rounds = 1
	}
	// One load per store, then rounds of the interleaved loop (a
	// sub-benchmark runs its function more than once).
	for _, sc := range stores {
		empty, full := sc.open(b), sc.open(b)
		start := time.Now()
		for from := 0; from < n; from += 100_000 {
			if err := full.load(list[from:min(from+100_000, n)]); err != nil {
				b.Fatal(err)
			}
		}
		b.Logf("%s: loaded %d revocations in %v", sc.name, n, time.Since(start).Round(time.Millisecond))
		srvs := []*central.Server{ingestServer(b, empty.st, iss), ingestServer(b, full.st, iss)}
		var seq [2]uint64
		for round := 1; round <= rounds; round++ {
			b.Run(fmt.Sprintf("%s/round-%d", sc.name, round), func(b *testing.B) {
				var tPush, tSign [2]time.Duration
				for i := 0; i < b.N; i++ {
					for k := range 2 {
						j := (i + k) % 2
						b.StopTimer()
						req := assistedBatch("k1", "i", seq[j], ingestBatch, same(karen), same(staff))
						seq[j] += ingestBatch
						b.StartTimer()
						t0 := time.Now()
						mustPush(b, srvs[j], req)
						tPush[j] += time.Since(t0)
						t0 = time.Now()
						nr, err := srvs[j].NewNonce(context.Background(), "k1")
						if err != nil {
							b.Fatal(err)
						}
						sig, _ := karen.Sign(context.Background(), bk.AuthChallenge(nr.Nonce))
						if _, err := srvs[j].CitizenState(context.Background(), "k1", &bk.CitizenAuth{Nonce: nr.Nonce, Cert: karen.Cert.Encode(), Signature: sig}); err != nil {
							b.Fatal(err)
						}
						tSign[j] += time.Since(t0)
					}
				}
				acts := float64(b.N * ingestBatch)
				b.ReportMetric(acts/tPush[0].Seconds(), "empty-actions/s")
				b.ReportMetric(acts/tPush[1].Seconds(), "revoked-actions/s")
				b.ReportMetric(tPush[0].Seconds()/tPush[1].Seconds(), "ingest-ratio")
				b.ReportMetric(tSign[0].Seconds()/tSign[1].Seconds(), "signin-ratio")
			})
		}
		empty.st.Close()
		full.st.Close()
	}
}

// procMem reads the process's resident memory from /proc/self/status:
// anonymous (heap, Badger's memtables and caches) and file-backed (the
// mmapped tables and logs, which the kernel can drop), and the peak.
func procMem(b *testing.B) (anon, file, peak int64) {
	raw, err := os.ReadFile("/proc/self/status")
	if err != nil {
		b.Skip("no /proc/self/status:", err)
	}
	for _, line := range strings.Split(string(raw), "\n") {
		var kb int64
		for _, f := range []struct {
			format string
			to     *int64
		}{{"RssAnon: %d kB", &anon}, {"RssFile: %d kB", &file}, {"VmHWM: %d kB", &peak}} {
			if _, err := fmt.Sscanf(line, f.format, &kb); err == nil {
				*f.to = kb << 10
			}
		}
	}
	return anon, file, peak
}

// BenchmarkIngestMemory pushes batches of 100 staff-assisted actions into
// central on the Badger store, b.N batches in a row, with a consent check
// (and its usage record) per action alongside, and reports the process's
// resident memory: anonymous after 20 batches, its maximum and at the end,
// file-backed at the end, and the peak of both.
// Run it alone (-run '^$' -bench IngestMemory): the peak is the process's.
func BenchmarkIngestMemory(b *testing.B) {
	iss := fixture.NewIssuer()
	karen := iss.Citizen(cprKaren, "Karen Larsen")
	staff := iss.Staff(cprOliver, "Ole Olsen", "KK-1")
	same := func(c *fixture.Card) func(int) *fixture.Card { return func(int) *fixture.Card { return c } }
	st, err := badgerstore.Open(b.TempDir(), badgerstore.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	srv := ingestServer(b, st, iss)
	c := bk.NewConsent(bk.NewID(time.Now()), "sundhed", &bk.ConsentRequest{CPR: bk.MustParseCPR(cprKaren), Purpose: bk.Text{DA: "F", EN: "P"},
		DataCategories: []string{"health"}, LegalBasis: bk.Text{DA: "S", EN: "C"}, ValidDays: 30}, time.Now())
	if err := st.Update(context.Background(), func(tx central.Tx) error { return tx.PutConsent(c) }); err != nil {
		b.Fatal(err)
	}
	var early, maxAnon int64
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		req := assistedBatch("k1", "i", uint64(i*ingestBatch), ingestBatch, same(karen), same(staff))
		b.StartTimer()
		mustPush(b, srv, req)
		for range ingestBatch {
			if _, err := srv.CheckConsent(context.Background(), "sundhed", &bk.ConsentCheck{CPR: c.CPR, DataCategory: "health", Purpose: "Benchmark"}); err != nil {
				b.Fatal(err)
			}
		}
		anon, _, _ := procMem(b)
		maxAnon = max(maxAnon, anon)
		if i == min(b.N-1, 20) {
			early = anon
		}
	}
	anon, file, peak := procMem(b)
	if f := os.Getenv("BK_HEAP_PROFILE"); f != "" { // where the heap is, with the store open
		out, err := os.Create(f)
		if err == nil {
			runtime.GC()
			err = pprof.WriteHeapProfile(out)
			out.Close()
		}
		if err != nil {
			b.Fatal(err)
		}
	}
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	b.ReportMetric(float64(early>>20), "anon-after-20-MB")
	b.ReportMetric(float64(maxAnon>>20), "anon-max-MB")
	b.ReportMetric(float64(anon>>20), "anon-end-MB")
	b.ReportMetric(float64(file>>20), "file-end-MB")
	b.ReportMetric(float64(peak>>20), "rss-peak-MB")
	b.ReportMetric(float64(ms.HeapInuse>>20), "heap-inuse-end-MB")
}
