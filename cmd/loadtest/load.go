package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	mrand "math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	bk "github.com/borgerkiosk/borgerkiosk"
	"github.com/borgerkiosk/borgerkiosk/central"
	"github.com/borgerkiosk/borgerkiosk/internal/fixture"
	kiosksync "github.com/borgerkiosk/borgerkiosk/sync"
)

// kiosk is one enrolled kiosk and the signed actions it will push.
type kiosk struct {
	id, inc  string
	client   *kiosksync.Client
	citizen  *fixture.Card
	consent  string // the consent request its first action gives
	items    []bk.PushItem
	lastSeq  atomic.Uint64 // central's last_seq in its last answer
	verdicts map[string]bk.Outcome
}

// cprN is the n-th of 1.4 million distinct adult CPR numbers (born
// 1940–1949, seventh digit 0–3).
func cprN(n int) bk.CPR {
	day := time.Date(1940, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, n/4000)
	return bk.MustParseCPR(day.Format("020106") + fmt.Sprintf("-%04d", n%4000))
}

func newHTTPClient(conns int) *http.Client {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConns, tr.MaxIdleConnsPerHost = conns, conns
	return &http.Client{Timeout: 30 * time.Second, Transport: tr}
}

// enrol enrols the kiosks (one operator token each, through the API), asks
// for one consent per kiosk's citizen and signs every kiosk's actions.
func enrol(ctx context.Context, o *Options, t *target, hc *http.Client, tmp string) ([]*kiosk, error) {
	run := make([]byte, 4)
	rand.Read(run)
	prefix := "load-" + hex.EncodeToString(run)
	staff := t.Issuer.Staff("030370-1111", "Ole Staff", "S1")
	ks := make([]*kiosk, o.Kiosks)
	err := parallel(ctx, o.Concurrency, o.Kiosks, func(i int) error {
		var tok bk.EnrollTokenResponse
		if _, err := call(ctx, hc, "POST", t.URL+"/v1/admin/enrollment-tokens", t.OperatorToken, bk.EnrollTokenRequest{}, &tok); err != nil {
			return fmt.Errorf("enrolment token: %w", err)
		}
		dir := filepath.Join(tmp, "kiosks", strconv.Itoa(i))
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return err
		}
		id, err := kiosksync.Enroll(ctx, dir, t.URL, tok.Token, fmt.Sprintf("%s-%05d", prefix, i), "Load test", hc)
		if err != nil {
			return err
		}
		k := &kiosk{id: id.KioskID, inc: prefix + "-inc", client: kiosksync.NewClient(id, hc), verdicts: map[string]bk.Outcome{}}
		k.citizen = t.Issuer.Citizen(cprN(i).Full(), "Karen Jensen")
		var c bk.Consent
		req := bk.ConsentRequest{
			CPR: k.citizen.Cert.CPR, Purpose: bk.Text{DA: "Belastningsprøve", EN: "Load test"}, DataCategories: []string{consentCategory},
			LegalBasis: bk.Text{DA: "Samtykke", EN: "Consent"}, ValidDays: 365,
		}
		if _, err := call(ctx, hc, "POST", t.URL+"/v1/authority/consent-requests", t.AuthTokens[consentAuthority], req, &c); err != nil {
			return fmt.Errorf("consent request: %w", err)
		}
		k.consent = c.ID
		var assist *fixture.Card
		if o.Assist {
			assist = staff
		}
		now := time.Now()
		from := now.UTC().Truncate(24 * time.Hour).Add(24 * time.Hour)
		for j := range o.Actions {
			var a *bk.Action
			if j == 0 {
				a = fixture.KioskAction(k.id, bk.GiveConsent, bk.Payload{ConsentID: c.ID}, k.citizen, assist, now)
			} else {
				d := cprN(o.Kiosks + i*o.Actions + j)
				a = fixture.KioskAction(k.id, bk.CreateDelegation, bk.Payload{
					DelegationID: bk.NewID(now), Delegate: &d, Scopes: []bk.ScopeGrant{{ScopeID: delegScope}},
					ValidFrom: from, ValidTo: from.AddDate(1, 0, 0),
				}, k.citizen, assist, now)
			}
			k.items = append(k.items, bk.PushItem{Seq: uint64(j + 1), Hash: a.ContentHash(), Action: a})
		}
		ks[i] = k
		return nil
	})
	return ks, err
}

// parallel runs fn(0..n-1) on workers goroutines; the first error stops it.
func parallel(ctx context.Context, workers, n int, fn func(i int) error) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	next := atomic.Int64{}
	var wg sync.WaitGroup
	for range min(workers, n) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				if err := fn(i); err != nil {
					cancel(err)
				}
			}
		}()
	}
	wg.Wait()
	return context.Cause(ctx)
}

// IngestStats is what the pushes met.
type IngestStats struct {
	Actions      int     `json:"actions"`
	Seconds      float64 `json:"seconds"`
	ActionsPerS  float64 `json:"actions_per_s"`
	Pushes       int     `json:"pushes"`
	PushP50ms    float64 `json:"push_p50_ms"`
	PushP99ms    float64 `json:"push_p99_ms"`
	BatchP99ms   float64 `json:"batch_p99_ms"` // first attempt to confirmation, waits included
	Backpressure int     `json:"backpressure"` // 503 and 429 answers, retried after Retry-After
	Timeouts     int     `json:"timeouts"`     // no answer (retried: push is idempotent)
	Errors       int     `json:"errors"`       // other failed attempts
	FirstError   string  `json:"first_error,omitempty"`
	Applied      int     `json:"applied"`
	Refused      int     `json:"refused"` // rejected or superseded
	Unanswered   int     `json:"unanswered"`
}

// ingest pushes every kiosk's actions, o.Concurrency pushes in flight; a
// kiosk's batches go in order, one at a time, as its pusher sends them.
func ingest(ctx context.Context, o *Options, ks []*kiosk) IngestStats {
	var (
		mu              sync.Mutex
		lat, batchLat   []time.Duration
		st              IngestStats
		backp, to, errs atomic.Int64
	)
	note := func(err error) {
		mu.Lock()
		if st.FirstError == "" {
			st.FirstError = err.Error()
		}
		mu.Unlock()
	}
	start := time.Now()
	parallel(ctx, o.Concurrency, len(ks), func(i int) error {
		k := ks[i]
		for off := 0; off < len(k.items); off += o.Batch {
			req := &bk.PushRequest{Kiosk: k.id, Incarnation: k.inc, Actions: k.items[off:min(off+o.Batch, len(k.items))]}
			first := time.Now()
			for ctx.Err() == nil {
				var wait time.Duration
				t0 := time.Now()
				resp, err := k.client.Push(ctx, req)
				d := time.Since(t0)
				if err == nil {
					mu.Lock()
					lat, batchLat = append(lat, d), append(batchLat, time.Since(first))
					for _, v := range resp.Verdicts {
						if v.Outcome == bk.Duplicate && v.First != nil {
							v = *v.First
						}
						if _, seen := k.verdicts[v.ActionID]; !seen || v.Outcome != bk.Duplicate {
							k.verdicts[v.ActionID] = v.Outcome
						}
					}
					mu.Unlock()
					k.lastSeq.Store(resp.LastSeq)
					break
				}
				var he *kiosksync.HTTPError
				var off *kiosksync.OfflineError
				switch {
				case errors.As(err, &he) && (he.Status == http.StatusServiceUnavailable || he.Status == http.StatusTooManyRequests):
					// Central is busy and said when to come back: wait as
					// the kiosk's pusher does, with its spread of a quarter.
					backp.Add(1)
					if wait = he.RetryAfter; wait <= 0 {
						wait = time.Second
					}
					wait += time.Duration(mrand.Int64N(int64(wait/4) + 1))
				case errors.As(err, &off):
					to.Add(1)
					note(err)
					wait = time.Second
				case kiosksync.Retryable(err):
					errs.Add(1)
					note(err)
					wait = time.Second
				default: // a refusal that retrying does not change: this kiosk stops
					errs.Add(1)
					note(err)
					return nil
				}
				select {
				case <-time.After(min(wait, 30*time.Second)):
				case <-ctx.Done():
				}
			}
		}
		return nil
	})
	elapsed := time.Since(start)
	st.Seconds = elapsed.Seconds()
	st.Pushes = len(lat)
	st.PushP50ms, st.PushP99ms = ms(quantile(lat, 0.5)), ms(quantile(lat, 0.99))
	st.BatchP99ms = ms(quantile(batchLat, 0.99))
	st.Backpressure, st.Timeouts, st.Errors = int(backp.Load()), int(to.Load()), int(errs.Load())
	for _, k := range ks {
		st.Actions += len(k.items)
		for _, it := range k.items {
			switch k.verdicts[it.Action.ID] {
			case bk.Applied:
				st.Applied++
			case bk.Rejected, bk.Superseded:
				st.Refused++
			default:
				st.Unanswered++
			}
		}
	}
	st.ActionsPerS = float64(st.Actions-st.Unanswered) / elapsed.Seconds()
	return st
}

// StoreCheck is what central kept, read from its store after it stopped.
type StoreCheck struct {
	Checked  bool   `json:"checked"`
	Stored   int    `json:"stored"`  // action records of the run's kiosks
	Missing  int    `json:"missing"` // pushed, not there
	Extra    int    `json:"extra"`   // there more than once, or not pushed
	Cursors  int    `json:"cursors_wrong"`
	Why      string `json:"why,omitempty"` // why not checked
	Mismatch string `json:"first_mismatch,omitempty"`
}

// checkStore reads every kiosk's action records: each pushed action must
// be there exactly once, at its sequence number, and the push cursor at
// the last.
func checkStore(ctx context.Context, st central.Store, ks []*kiosk) (StoreCheck, error) {
	c := StoreCheck{Checked: true}
	err := st.View(ctx, func(tx central.Tx) error {
		c = StoreCheck{Checked: true}
		for _, k := range ks {
			recs, err := tx.Actions(k.id, k.inc, 0, 0)
			if err != nil && bk.ErrorCode(err) != bk.ENotFound {
				return err
			}
			c.Stored += len(recs)
			want := map[string]uint64{}
			for _, it := range k.items {
				want[it.Action.ID] = it.Seq
			}
			seen := map[string]bool{}
			for _, r := range recs {
				id := r.Action.ID
				if seq, ok := want[id]; !ok || seen[id] || seq != r.Seq {
					c.Extra++
					if c.Mismatch == "" {
						c.Mismatch = fmt.Sprintf("kiosk %s seq %d action %s", k.id, r.Seq, id)
					}
				}
				seen[id] = true
			}
			for id := range want {
				if !seen[id] {
					c.Missing++
					if c.Mismatch == "" {
						c.Mismatch = fmt.Sprintf("kiosk %s: action %s missing", k.id, id)
					}
				}
			}
			cur, err := tx.PushCursor(k.id, k.inc)
			if err != nil && bk.ErrorCode(err) != bk.ENotFound {
				return err
			}
			if cur != uint64(len(k.items)) {
				c.Cursors++
			}
		}
		return nil
	})
	return c, err
}
