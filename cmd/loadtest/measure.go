package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"runtime"
	"text/tabwriter"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
)

// Report is everything one run measured.
type Report struct {
	Store        string      `json:"store"`
	Kiosks       int         `json:"kiosks"`
	ActionsEach  int         `json:"actions_per_kiosk"`
	Batch        int         `json:"batch"`
	Concurrency  int         `json:"concurrency"`
	Checkers     int         `json:"checkers"`
	Assisted     bool        `json:"assisted"`
	ViaPgBouncer bool        `json:"via_pgbouncer"`
	CPUs         int         `json:"cpus"`
	LoadAvgStart float64     `json:"load_average_start"`
	LoadAvgEnd   float64     `json:"load_average_end"`
	EnrolSeconds float64     `json:"enrol_seconds"`
	Preload      *Preload    `json:"preload,omitempty"`
	Baselines    Baselines   `json:"baselines"`
	Ingest       IngestStats `json:"ingest"`
	Central      ProcStats   `json:"central_during_ingest"`
	Postgres     ProcStats   `json:"postgres_during_ingest"`
	PgBouncer    ProcStats   `json:"pgbouncer_during_ingest"`
	// Rollbacks are PostgreSQL's (pg_stat_database.xact_rollback) from
	// before the ingest until central stopped; -1 when not known.
	Rollbacks      int64              `json:"rollbacks"`
	DuringIngest   map[string]OpStats `json:"checks_during_ingest"`
	Checks         map[string]OpStats `json:"checks_after_ingest"`
	Ratios         Ratios             `json:"ratios"`
	StoreCheck     StoreCheck         `json:"store_check"`
	CentralLastSeq int                `json:"kiosks_not_fully_acknowledged"`
}

// Ratios set each figure against its baseline from the same run; 0 when
// the baseline was not measured.
type Ratios struct {
	IngestVsVerify    float64 `json:"ingest_vs_verify"`
	IngestVsInsert    float64 `json:"ingest_vs_raw_insert"`
	CPUPerActionVsVer float64 `json:"central_cpu_per_action_vs_verify"`
	ConsentP99VsPK    float64 `json:"consent_check_p99_vs_pk_lookup_p99"`
	DelegP99VsPK      float64 `json:"delegation_check_p99_vs_pk_lookup_p99"`
	ConsentVsHealthz  float64 `json:"consent_check_rate_vs_healthz"`
}

// OK reports whether every action reached central exactly once.
func (r *Report) OK() bool {
	s := r.StoreCheck
	return r.Ingest.Unanswered == 0 && r.CentralLastSeq == 0 && r.Ingest.Applied == r.Ingest.Actions &&
		(!s.Checked || (s.Missing == 0 && s.Extra == 0 && s.Cursors == 0 && s.Stored == r.Ingest.Actions))
}

func measure(ctx context.Context, o *Options, progress func(string, ...any)) (*Report, error) {
	rep := &Report{
		Store: o.Store, Kiosks: o.Kiosks, ActionsEach: o.Actions, Batch: o.Batch, Concurrency: o.Concurrency,
		Checkers: o.Checkers, Assisted: o.Assist, ViaPgBouncer: o.PgBouncer, CPUs: runtime.NumCPU(), LoadAvgStart: loadAverage(), Rollbacks: -1,
	}
	tmp, err := os.MkdirTemp("", "bk-load-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	t, err := open(ctx, o, tmp, progress)
	if err != nil {
		return nil, err
	}
	defer t.close()
	progress("central at %s (%s store)", t.URL, o.Store)
	hc := newHTTPClient(o.Concurrency + 2*o.Checkers + 4)

	var pool *pgxpool.Pool
	if t.DSN != "" {
		// At most maxDBClients connections, whatever -concurrency: with
		// 1,000 pushes in flight the baseline's clients would pass the
		// cluster's max_connections (60 in the temporary one) and fail.
		cfg, err := pgxpool.ParseConfig(t.DSN)
		if err != nil {
			return nil, fmt.Errorf("-dsn: %w", err)
		}
		cfg.MaxConns = int32(min(max(o.Concurrency, o.Checkers, 4), maxDBClients))
		if pool, err = pgxpool.NewWithConfig(ctx, cfg); err != nil {
			return nil, err
		}
		defer pool.Close()
	}

	if o.PreloadCitizens > 0 {
		pre, err := preload(ctx, pool, o, progress)
		if err != nil {
			return nil, err
		}
		rep.Preload = &pre
	}

	start := time.Now()
	progress("enrolling %d kiosks and signing %d actions each", o.Kiosks, o.Actions)
	ks, err := enrol(ctx, o, t, hc, tmp)
	if err != nil {
		return nil, err
	}
	rep.EnrolSeconds = time.Since(start).Seconds()

	progress("baseline: verifying every action's signatures on %d cores", runtime.NumCPU())
	var verifyCPU float64
	if rep.Baselines.VerifyPerS, verifyCPU, err = verifyRate(ctx, t, ks); err != nil {
		return nil, err
	}
	rep.Baselines.VerifyCPUms = 1000 * verifyCPU
	if pool != nil {
		progress("baseline: the same rows as INSERT … ON CONFLICT DO NOTHING, %d clients × %d rows", min(o.Concurrency, maxDBClients), o.Batch)
		rate, d, err := insertRate(ctx, pool, o, ks)
		if err != nil {
			return nil, fmt.Errorf("raw insert baseline: %w", err)
		}
		rep.Baselines.InsertPerS, rep.Baselines.InsertSecond = rate, d.Seconds()
	}
	rb0 := rollbacks(ctx, pool)

	progress("pushing %d actions, %d pushes in flight, %d authority clients checking alongside", o.Kiosks*o.Actions, o.Concurrency, o.Checkers)
	chk := &checker{t: t, hc: hc, ks: ks}
	during := []*op{{name: "consent_check", fn: chk.consent, rec: &opRec{}}, {name: "delegation_check", fn: chk.delegation, rec: &opRec{}}}
	stop := make(chan struct{})
	checked := make(chan time.Duration, 1)
	go func() { checked <- interleave(ctx, o.Checkers, during, stop) }()
	cs, ps, bs := startSampler(t.pid(), false), startSampler(t.postmasterPID(), true), startSampler(t.bouncer.pid(), true)
	rep.Ingest = ingest(ctx, o, ks)
	rep.Central, rep.Postgres, rep.PgBouncer = cs.end(), ps.end(), bs.end()
	close(stop)
	elapsed := <-checked
	rep.DuringIngest = map[string]OpStats{}
	for _, op := range during {
		rep.DuringIngest[op.name] = op.rec.stats(0, elapsed)
	}
	for _, k := range ks {
		if k.lastSeq.Load() != uint64(len(k.items)) {
			rep.CentralLastSeq++
		}
	}

	if o.Checkers > 0 && o.CheckFor > 0 {
		progress("checks against their baselines for %v, %d clients, interleaved", o.CheckFor, o.Checkers)
		after := []*op{
			{name: "consent_check", fn: chk.consent, rec: &opRec{}},
			{name: "delegation_check", fn: chk.delegation, rec: &opRec{}},
			{name: "healthz", fn: chk.health, rec: &opRec{}},
		}
		if pool != nil {
			after = append(after, &op{name: "pk_lookup", fn: pkLookup(pool, ks), rec: &opRec{}})
		}
		stop := make(chan struct{})
		time.AfterFunc(o.CheckFor, func() { close(stop) })
		elapsed := interleave(ctx, o.Checkers, after, stop)
		rep.Checks = map[string]OpStats{}
		for _, op := range after {
			rep.Checks[op.name] = op.rec.stats(o.Checkers, elapsed)
		}
	}

	if t.proc != nil {
		progress("stopping central and reading its store")
		if err := t.stopCentral(); err != nil {
			return nil, err
		}
		st, err := t.openStore(ctx, o)
		if err != nil {
			return nil, fmt.Errorf("opening central's store to check it: %w", err)
		}
		rep.StoreCheck, err = checkStore(ctx, st, ks)
		st.Close()
		if err != nil {
			return nil, fmt.Errorf("reading central's store: %w", err)
		}
		if rb1 := rollbacks(ctx, pool); rb0 >= 0 && rb1 >= 0 {
			rep.Rollbacks = rb1 - rb0
		}
	} else {
		rep.StoreCheck.Why = "central runs elsewhere: its store was not read (kiosks' last_seq checked instead)"
	}
	rep.LoadAvgEnd = loadAverage()
	rep.ratios()
	return rep, nil
}

// rollbacks reads PostgreSQL's count of rolled-back transactions in the
// database, -1 without one. Backends report it when idle or exiting, so
// the final reading is taken after central has stopped.
func rollbacks(ctx context.Context, pool *pgxpool.Pool) int64 {
	if pool == nil {
		return -1
	}
	var n int64
	if err := pool.QueryRow(ctx, `SELECT xact_rollback FROM pg_stat_database WHERE datname = current_database()`).Scan(&n); err != nil {
		return -1
	}
	return n
}

func (r *Report) ratios() {
	div := func(a, b float64) float64 {
		if b == 0 {
			return 0
		}
		return a / b
	}
	r.Ratios.IngestVsVerify = div(r.Ingest.ActionsPerS, r.Baselines.VerifyPerS)
	r.Ratios.IngestVsInsert = div(r.Ingest.ActionsPerS, r.Baselines.InsertPerS)
	if r.Central.Measured && r.Ingest.Actions > 0 {
		r.Ratios.CPUPerActionVsVer = div(1000*r.Central.CPUSeconds/float64(r.Ingest.Actions), r.Baselines.VerifyCPUms)
	}
	c, d, h, pk := r.Checks["consent_check"], r.Checks["delegation_check"], r.Checks["healthz"], r.Checks["pk_lookup"]
	r.Ratios.ConsentP99VsPK = div(c.P99ms, pk.P99ms)
	r.Ratios.DelegP99VsPK = div(d.P99ms, pk.P99ms)
	r.Ratios.ConsentVsHealthz = div(c.PerS, h.PerS)
}

// WriteTable prints the report for a person.
func (r *Report) WriteTable(out io.Writer) {
	w := tabwriter.NewWriter(out, 2, 8, 2, ' ', 0)
	defer w.Flush()
	p := func(format string, a ...any) { fmt.Fprintf(w, format+"\n", a...) }
	mode := "citizen alone"
	if r.Assisted {
		mode = "staff-assisted"
	}
	store := r.Store
	if r.ViaPgBouncer {
		store += " via pgbouncer"
	}
	p("store\t%s\t%d kiosks × %d actions (%s), batches of %d, %d pushes in flight, %d checkers", store, r.Kiosks, r.ActionsEach, mode, r.Batch, r.Concurrency, r.Checkers)
	p("machine\t%d CPUs\tload average %.1f at start, %.1f at end", r.CPUs, r.LoadAvgStart, r.LoadAvgEnd)
	if pr := r.Preload; pr != nil {
		p("preload\t%.1f s\t%d consents of %d citizens, %d delegations, COPYed in before the run", pr.Seconds, pr.Consents, pr.Citizens, pr.Delegations)
	}
	p("enrolment\t%.1f s\t(enrolling every kiosk through the API, one consent request each, signing the actions)", r.EnrolSeconds)
	in := r.Ingest
	p("ingest\t%.0f actions/s\t%d actions in %.1f s, %d pushes; push p50 %.0f ms, p99 %.0f ms; batch p99 with waits %.0f ms", in.ActionsPerS, in.Actions, in.Seconds, in.Pushes, in.PushP50ms, in.PushP99ms, in.BatchP99ms)
	p("  outcomes\t%d applied\t%d refused, %d unanswered", in.Applied, in.Refused, in.Unanswered)
	p("  failures\t%d backpressure (503/429)\t%d timeouts, %d other errors%s", in.Backpressure, in.Timeouts, in.Errors, firstErr(in.FirstError))
	if r.Rollbacks >= 0 {
		p("  rollbacks\t%d\t(PostgreSQL xact_rollback, ingest and checks)", r.Rollbacks)
	}
	if r.Central.Measured {
		p("  central\t%.0f%% of a core\t%.2f ms CPU per action; RSS peak %.0f MB, end %.0f MB", r.Central.CPUPercent, 1000*r.Central.CPUSeconds/float64(max(in.Actions, 1)), r.Central.PeakMB, r.Central.EndMB)
	}
	if r.Postgres.Measured {
		p("  postgres\t%.0f%% of a core\t%.2f ms CPU per action; PSS peak %.0f MB, end %.0f MB", r.Postgres.CPUPercent, 1000*r.Postgres.CPUSeconds/float64(max(in.Actions, 1)), r.Postgres.PeakMB, r.Postgres.EndMB)
	}
	if r.PgBouncer.Measured {
		p("  pgbouncer\t%.0f%% of a core\t%.2f ms CPU per action; PSS peak %.0f MB", r.PgBouncer.CPUPercent, 1000*r.PgBouncer.CPUSeconds/float64(max(in.Actions, 1)), r.PgBouncer.PeakMB)
	}
	for _, name := range []string{"consent_check", "delegation_check"} {
		if s, ok := r.DuringIngest[name]; ok && s.Count > 0 {
			p("  %s alongside\t%.0f/s\tp50 %.1f ms, p99 %.1f ms, %d allowed, %d errors, %d backpressure", name, s.PerS, s.P50ms, s.P99ms, s.Allowed, s.Errors, s.Busy)
		}
	}
	for _, name := range []string{"consent_check", "delegation_check", "healthz", "pk_lookup"} {
		if s, ok := r.Checks[name]; ok {
			p("after ingest: %s\t%.0f/s\tp50 %.1f ms, p99 %.1f ms, %d done, %d allowed, %d errors", name, s.PerS, s.P50ms, s.P99ms, s.Count, s.Allowed, s.Errors)
		}
	}
	b := r.Baselines
	p("baseline: verify\t%.0f actions/s\tbk.Trust.VerifyAction on %d cores, central idle; %.2f ms CPU per action", b.VerifyPerS, r.CPUs, b.VerifyCPUms)
	if b.InsertPerS > 0 {
		p("baseline: raw insert\t%.0f rows/s\tINSERT … ON CONFLICT DO NOTHING, %d clients × %d rows a transaction", b.InsertPerS, min(r.Concurrency, maxDBClients), r.Batch)
	}
	x := r.Ratios
	p("ratio: ingest / verify\t%.3f×", x.IngestVsVerify)
	if x.IngestVsInsert > 0 {
		p("ratio: ingest / raw insert\t%.3f×\t(goal ≥ 0.5)", x.IngestVsInsert)
	}
	if x.CPUPerActionVsVer > 0 {
		p("ratio: central CPU per action / verify\t%.2f×\t(goal ≤ 1.5)", x.CPUPerActionVsVer)
	}
	if x.ConsentP99VsPK > 0 {
		p("ratio: consent check p99 / PK lookup p99\t%.2f×\t(goal ≤ 2)", x.ConsentP99VsPK)
		p("ratio: delegation check p99 / PK lookup p99\t%.2f×\t(goal ≤ 2)", x.DelegP99VsPK)
	}
	if x.ConsentVsHealthz > 0 {
		p("ratio: consent check rate / healthz\t%.2f×", x.ConsentVsHealthz)
	}
	s := r.StoreCheck
	switch {
	case s.Checked:
		p("store check\t%d of %d stored\t%d missing, %d extra, %d push cursors wrong%s", s.Stored, in.Actions, s.Missing, s.Extra, s.Cursors, firstErr(s.Mismatch))
	default:
		p("store check\tnot done\t%s; %d kiosks not fully acknowledged", s.Why, r.CentralLastSeq)
	}
	verdict := "every action confirmed exactly once"
	if !r.OK() {
		verdict = "FAILED: actions lost, duplicated or refused"
	}
	p("result\t%s", verdict)
}

func firstErr(s string) string {
	if s == "" {
		return ""
	}
	return " (first: " + s + ")"
}

// maxDBClients bounds the tool's own PostgreSQL connections (the raw insert
// baseline, the checks' baselines), leaving room under max_connections for
// central's pool, which admission control keeps near max_pushes.
const maxDBClients = 32
