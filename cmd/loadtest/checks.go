package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	mrand "math/rand/v2"
	"net/http"
	"os"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	bk "github.com/borgerkiosk/borgerkiosk"
	"github.com/borgerkiosk/borgerkiosk/central"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// OpStats is one kind of request: how many, how fast, what answered.
type OpStats struct {
	Count   int     `json:"count"`
	PerS    float64 `json:"per_s"` // clients / mean latency when interleaved, else count / time
	P50ms   float64 `json:"p50_ms"`
	P99ms   float64 `json:"p99_ms"`
	Allowed int     `json:"allowed,omitempty"`
	Errors  int     `json:"errors"`
	Busy    int     `json:"backpressure,omitempty"`
}

type opRec struct {
	mu      sync.Mutex
	lat     []time.Duration
	allowed int
	errors  int
	busy    int
}

func (r *opRec) add(d time.Duration, allowed bool, err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	var he *statusError
	switch {
	case errors.As(err, &he) && (he.code == http.StatusServiceUnavailable || he.code == http.StatusTooManyRequests):
		r.busy++
	case err != nil:
		r.errors++
	default:
		r.lat = append(r.lat, d)
		if allowed {
			r.allowed++
		}
	}
}

// stats summarises; clients > 0 means the ops were interleaved among that
// many clients, so the rate one kind alone would reach is clients/mean.
func (r *opRec) stats(clients int, elapsed time.Duration) OpStats {
	s := OpStats{Count: len(r.lat), Allowed: r.allowed, Errors: r.errors, Busy: r.busy}
	s.P50ms, s.P99ms = ms(quantile(r.lat, 0.5)), ms(quantile(r.lat, 0.99))
	if clients > 0 {
		var sum time.Duration
		for _, d := range r.lat {
			sum += d
		}
		if sum > 0 {
			s.PerS = float64(clients) * float64(len(r.lat)) / sum.Seconds()
		}
	} else if elapsed > 0 {
		s.PerS = float64(len(r.lat)) / elapsed.Seconds()
	}
	return s
}

type statusError struct {
	code int
	err  error
}

func (e *statusError) Error() string { return e.err.Error() }

// checker asks central what authorities ask.
type checker struct {
	t  *target
	hc *http.Client
	ks []*kiosk
}

func (c *checker) consent(ctx context.Context, rng *mrand.Rand) (bool, error) {
	k := c.ks[rng.IntN(len(c.ks))]
	var res bk.ConsentCheckResult
	q := bk.ConsentCheck{CPR: k.citizen.Cert.CPR, DataCategory: consentCategory, Purpose: "Belastningsprøve"}
	code, err := call(ctx, c.hc, "POST", c.t.URL+"/v1/authority/consent-checks", c.t.AuthTokens[consentAuthority], q, &res)
	if err != nil {
		return false, &statusError{code, err}
	}
	return res.Allowed, nil
}

func (c *checker) delegation(ctx context.Context, rng *mrand.Rand) (bool, error) {
	k := c.ks[rng.IntN(len(c.ks))]
	it := k.items[len(k.items)-1] // a create_delegation unless the kiosk pushes one action
	var delegate bk.CPR
	if len(k.items) > 1 {
		p, err := it.Action.DecodePayload()
		if err != nil {
			return false, err
		}
		delegate = *p.Delegate
	} else {
		delegate = cprN(0)
	}
	var res central.DelegationCheckResult
	q := central.DelegationCheck{Principal: k.citizen.Cert.CPR, Delegate: delegate, Scope: delegScope, Purpose: "Belastningsprøve"}
	code, err := call(ctx, c.hc, "POST", c.t.URL+"/v1/authority/delegation-checks", c.t.AuthTokens[delegAuthority], q, &res)
	if err != nil {
		return false, &statusError{code, err}
	}
	return res.Allowed, nil
}

func (c *checker) health(ctx context.Context, _ *mrand.Rand) (bool, error) {
	code, err := call(ctx, c.hc, "GET", c.t.URL+"/healthz", "", nil, nil)
	if err != nil {
		return false, &statusError{code, err}
	}
	return true, nil
}

type op struct {
	name string
	fn   func(context.Context, *mrand.Rand) (bool, error)
	rec  *opRec
}

// interleave runs clients goroutines until stop closes, each taking the
// ops in turn (each client starting at another), so load that drifts
// during the run falls on every op alike.
func interleave(ctx context.Context, clients int, ops []*op, stop <-chan struct{}) time.Duration {
	start := time.Now()
	var wg sync.WaitGroup
	for i := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := mrand.New(mrand.NewPCG(uint64(i), 7))
			for n := i; ; n++ {
				select {
				case <-stop:
					return
				case <-ctx.Done():
					return
				default:
				}
				o := ops[n%len(ops)]
				t0 := time.Now()
				allowed, err := o.fn(ctx, rng)
				o.rec.add(time.Since(t0), allowed, err)
			}
		}()
	}
	wg.Wait()
	return time.Since(start)
}

// pkLookup is the baseline of a check: one primary-key read of a consent
// on the same PostgreSQL, from a pool of the tool's own.
func pkLookup(pool *pgxpool.Pool, ks []*kiosk) func(context.Context, *mrand.Rand) (bool, error) {
	return func(ctx context.Context, rng *mrand.Rand) (bool, error) {
		k := ks[rng.IntN(len(ks))]
		var doc []byte
		err := pool.QueryRow(ctx, `SELECT doc FROM consents WHERE id = $1`, k.consent).Scan(&doc)
		return err == nil, err
	}
}

// Baselines are what the ingest and checks are set against, in this run.
type Baselines struct {
	VerifyPerS   float64 `json:"verify_actions_per_s"`         // bk.Trust.VerifyAction on every core
	VerifyCPUms  float64 `json:"verify_cpu_ms_per_action"`     // CPU time of one such verification
	InsertPerS   float64 `json:"raw_insert_rows_per_s"`        // idempotent INSERT … ON CONFLICT DO NOTHING, same clients, same batches
	InsertSecond float64 `json:"raw_insert_seconds,omitempty"` // how long that took
}

// verifyRate checks every action's signatures as central does, on every
// core, while central is idle, over and over for at least a second: the
// rate, and the CPU time one verification costs (this process's CPU time,
// which a loaded machine does not inflate as it does wall time).
func verifyRate(ctx context.Context, t *target, ks []*kiosk) (perS, cpuPerAction float64, err error) {
	trust := t.Issuer.Trust()
	var all []*bk.Action
	for _, k := range ks {
		for _, it := range k.items {
			all = append(all, it.Action)
		}
	}
	var failed atomic.Value
	var done atomic.Int64
	n := runtime.NumCPU()
	cpu0 := cpuSeconds(os.Getpid(), false)
	start := time.Now()
	parallel(ctx, n, n, func(w int) error {
		for time.Since(start) < time.Second {
			for i := w; i < len(all); i += n {
				if _, _, err := trust.VerifyAction(all[i]); err != nil {
					failed.Store(err)
					return err
				}
				done.Add(1)
			}
		}
		return nil
	})
	if err, ok := failed.Load().(error); ok {
		return 0, 0, fmt.Errorf("verifying the tool's own actions: %w", err)
	}
	cpu := cpuSeconds(os.Getpid(), false) - cpu0
	return float64(done.Load()) / time.Since(start).Seconds(), cpu / float64(done.Load()), nil
}

// insertRate writes the same rows central keeps per action (kiosk,
// incarnation, seq, id, the action as JSON) into a table of its own, with
// as many clients and rows per transaction as the pushes: the floor that
// PostgreSQL ingest is measured against.
func insertRate(ctx context.Context, pool *pgxpool.Pool, o *Options, ks []*kiosk) (float64, time.Duration, error) {
	table := fmt.Sprintf("load_baseline_%d", time.Now().UnixNano())
	if _, err := pool.Exec(ctx, `CREATE TABLE `+table+` (
		kiosk text COLLATE "C" NOT NULL, incarnation text COLLATE "C" NOT NULL, seq bigint NOT NULL,
		action_id text COLLATE "C" NOT NULL UNIQUE, doc json NOT NULL, PRIMARY KEY (kiosk, incarnation, seq))`); err != nil {
		return 0, 0, err
	}
	defer pool.Exec(context.WithoutCancel(ctx), `DROP TABLE IF EXISTS `+table)
	docs := make([][]string, len(ks))
	for i, k := range ks {
		for _, it := range k.items {
			b, err := json.Marshal(it.Action)
			if err != nil {
				return 0, 0, err
			}
			docs[i] = append(docs[i], string(b))
		}
	}
	rows := 0
	start := time.Now()
	err := parallel(ctx, o.Concurrency, len(ks), func(i int) error {
		k := ks[i]
		for off := 0; off < len(k.items); off += o.Batch {
			end := min(off+o.Batch, len(k.items))
			var kio, inc, ids []string
			var seqs []int64
			for _, it := range k.items[off:end] {
				kio, inc, ids, seqs = append(kio, k.id), append(inc, k.inc), append(ids, it.Action.ID), append(seqs, int64(it.Seq))
			}
			err := pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
				_, err := tx.Exec(ctx, `INSERT INTO `+table+` SELECT k, i, s, a, d::json
					FROM unnest($1::text[], $2::text[], $3::bigint[], $4::text[], $5::text[]) AS u(k, i, s, a, d)
					ON CONFLICT DO NOTHING`, kio, inc, seqs, ids, docs[i][off:end])
				return err
			})
			if err != nil {
				return err
			}
		}
		return nil
	})
	elapsed := time.Since(start)
	for _, k := range ks {
		rows += len(k.items)
	}
	return float64(rows) / elapsed.Seconds(), elapsed, err
}

func quantile(ds []time.Duration, q float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[min(len(s)-1, int(q*float64(len(s))))]
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
