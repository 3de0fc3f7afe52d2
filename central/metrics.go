package central

import (
	"context"
	"net/http"
	"strconv"
	"time"

	bk "github.com/borgerkiosk/borgerkiosk"
	"github.com/borgerkiosk/borgerkiosk/handover"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// metrics live in a registry of their own, so that several servers (tests)
// never collide in the global one.
type metrics struct {
	reg         *prometheus.Registry
	requests    *prometheus.CounterVec
	durations   *prometheus.HistogramVec
	pushActions *prometheus.CounterVec
	forks       prometheus.Counter
	pushBusy    prometheus.Counter
	handover    *prometheus.CounterVec
	typed       *prometheus.CounterVec
	usage       *prometheus.CounterVec

	// Latencies of the work behind the routes: a whole push (all its
	// store retries), a check by kind (bk.UsageKind), a store transaction
	// by op (view, update).
	pushTime  prometheus.Histogram
	checkTime *prometheus.HistogramVec
	storeTime *prometheus.HistogramVec
}

// latencyBuckets run from 0.5 ms to about 60 s: a check answers in
// milliseconds, a push under a burst may take its whole 30 s timeout.
var latencyBuckets = prometheus.ExponentialBuckets(0.0005, 2.5, 14)

func newMetrics() *metrics {
	m := &metrics{
		reg: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "borgerkiosk_central_http_requests_total",
			Help: "HTTP requests by route pattern and status code.",
		}, []string{"route", "code"}),
		durations: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "borgerkiosk_central_http_request_duration_seconds",
			Help:    "Time to answer an HTTP request, by route pattern.",
			Buckets: prometheus.ExponentialBuckets(0.0005, 2.5, 12),
		}, []string{"route"}),
		pushActions: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "borgerkiosk_central_push_actions_total",
			Help: "Pushed actions by verdict outcome.",
		}, []string{"outcome"}),
		handover: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "borgerkiosk_central_handover_redemptions_total",
			Help: "Answers to handover codes on the web pages, by verdict outcome or refusal code.",
		}, []string{"outcome"}),
		typed: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "borgerkiosk_central_typed_code_lookups_total",
			Help: "Typed handover codes looked up on the web pages, by outcome (found or refusal code).",
		}, []string{"outcome"}),
		usage: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "borgerkiosk_central_usage_records_total",
			Help: "Usage records: written to the store, lost (the store refused them after retries), or checks refused because the queue was full.",
		}, []string{"result"}),
		pushBusy: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "borgerkiosk_central_push_busy_total",
			Help: "Pushes answered 503 with Retry-After because max_pushes were in flight.",
		}),
		forks: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "borgerkiosk_central_fork_alarms_total",
			Help: "Pushes where a sequence number came again with different content.",
		}),
	}
	m.pushTime = prometheus.NewHistogram(prometheus.HistogramOpts{
		Name:    "borgerkiosk_central_push_duration_seconds",
		Help:    "Time to decide and store one push, including the store's retries.",
		Buckets: latencyBuckets,
	})
	m.checkTime = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "borgerkiosk_central_check_duration_seconds",
		Help:    "Time to answer a consent or delegation check (or a token exchange's check), by kind.",
		Buckets: latencyBuckets,
	}, []string{"kind"})
	m.storeTime = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "borgerkiosk_central_store_duration_seconds",
		Help:    "Time of a store transaction (view or update, with its retries), by op.",
		Buckets: latencyBuckets,
	}, []string{"op"})
	m.reg.MustRegister(m.requests, m.durations, m.pushActions, m.forks, m.pushBusy, m.handover, m.typed, m.usage,
		m.pushTime, m.checkTime, m.storeTime,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	// Show every outcome from the start, so dashboards see zeros, not gaps.
	for _, o := range []bk.Outcome{bk.Applied, bk.Duplicate, bk.Superseded, bk.Rejected} {
		m.pushActions.WithLabelValues(string(o))
	}
	for _, o := range []string{string(bk.Applied), string(bk.Superseded), string(bk.Rejected), handover.ECodeUsed, handover.ECodeSuperseded} {
		m.handover.WithLabelValues(o)
	}
	for _, r := range []string{"written", "lost", "queue_full"} {
		m.usage.WithLabelValues(r)
	}
	return m
}

func (m *metrics) observe(route string, code int, d time.Duration) {
	m.requests.WithLabelValues(route, strconv.Itoa(code)).Inc()
	m.durations.WithLabelValues(route).Observe(d.Seconds())
}

func (m *metrics) handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{})
}

// timedStore is the server's store with each transaction's time observed.
type timedStore struct {
	Store
	view, update prometheus.Observer
}

func (m *metrics) timed(st Store) Store {
	return &timedStore{Store: st, view: m.storeTime.WithLabelValues("view"), update: m.storeTime.WithLabelValues("update")}
}

func (t *timedStore) View(ctx context.Context, fn func(tx Tx) error) error {
	defer observeSince(t.view, time.Now())
	return t.Store.View(ctx, fn)
}

func (t *timedStore) Update(ctx context.Context, fn func(tx Tx) error) error {
	defer observeSince(t.update, time.Now())
	return t.Store.Update(ctx, fn)
}

func observeSince(o prometheus.Observer, start time.Time) { o.Observe(time.Since(start).Seconds()) }
