package sync

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	bk "github.com/borgerkiosk/borgerkiosk"
)

// PusherConfig wires a Pusher. Queue and Client are required.
type PusherConfig struct {
	Queue  Queue
	Client *Client
	// Bundles, if set, is refreshed from central at start and every
	// BundleInterval (default 15 minutes).
	Bundles        *Bundles
	BundleInterval time.Duration
	// StateDir holds the identity; with EnrollToken set, central answering
	// that it does not know the kiosk (bk.EUnknownKiosk, nothing else) makes
	// the pusher re-enrol once with that token (a token is used at most
	// once, remembered in StateDir).
	StateDir    string
	EnrollToken string
	Site        string
	// MinBackoff (default 500 ms) and MaxBackoff (default 60 s) bound the
	// retry delay after a failure; the delay doubles, with full jitter.
	MinBackoff time.Duration
	MaxBackoff time.Duration
	// MaxBatch caps the actions per push (default and upper limit
	// bk.MaxPushActions).
	MaxBatch int
	Logger   *slog.Logger
	Now      func() time.Time
}

// Pusher sends queued actions to central in order, in batches, as soon as
// they are queued and central is reachable; it keeps the trust bundle fresh
// and reports its status to subscribers.
type Pusher struct {
	cfg     PusherConfig
	q       Queue
	c       *Client
	log     *slog.Logger
	now     func() time.Time
	syncNow chan struct{}
	bc      broadcaster

	// Owned by the Run goroutine; st is copied into each published Status.
	st           Status
	unknownKiosk bool // the last 401 said central does not know this kiosk
}

// ErrHalted is in the status when central's record of this kiosk's queue
// disagrees with the kiosk's (a fork), which needs an operator.
var ErrHalted = errors.New("sync halted")

// NewPusher makes a pusher; call Run to start it.
func NewPusher(cfg PusherConfig) (*Pusher, error) {
	if cfg.Queue == nil || cfg.Client == nil {
		return nil, errors.New("pusher: Queue and Client are required")
	}
	if cfg.BundleInterval <= 0 {
		cfg.BundleInterval = 15 * time.Minute
	}
	if cfg.MinBackoff <= 0 {
		cfg.MinBackoff = 500 * time.Millisecond
	}
	if cfg.MaxBackoff <= 0 {
		cfg.MaxBackoff = 60 * time.Second
	}
	if cfg.MaxBatch <= 0 || cfg.MaxBatch > bk.MaxPushActions {
		cfg.MaxBatch = bk.MaxPushActions
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	p := &Pusher{cfg: cfg, q: cfg.Queue, c: cfg.Client, log: cfg.Logger.With("component", "pusher"), now: cfg.Now, syncNow: make(chan struct{}, 1)}
	p.st.State = StateStarting
	p.refreshCounts()
	p.bc.publish(p.st)
	return p, nil
}

// Subscribe returns a channel that always holds the newest status (a slow
// reader misses intermediate ones, never blocks the pusher) and a function
// to stop the subscription.
func (p *Pusher) Subscribe() (<-chan Status, func()) { return p.bc.subscribe() }

// Status returns the newest status.
func (p *Pusher) Status() Status { return p.bc.current() }

// SyncNow asks for an immediate attempt (the staff screen's "sync now"): it
// cuts a backoff wait short and retries after an authorization failure.
func (p *Pusher) SyncNow() {
	select {
	case p.syncNow <- struct{}{}:
	default:
	}
}

func (p *Pusher) refreshCounts() {
	s := p.q.Stats()
	p.st.Pending, p.st.OldestPending, p.st.Attention = s.Pending, s.OldestPending, s.Attention
	if b := p.cfg.Bundles; b != nil {
		if cur := b.Bundle(); cur != nil {
			p.st.BundleIssuedAt = cur.IssuedAt
		}
		p.st.BundleStale = b.Stale(p.now())
	}
}

func (p *Pusher) publish() {
	p.refreshCounts()
	p.st.At = p.now()
	p.bc.publish(p.st)
}

// Run pushes until ctx ends. It returns ctx's error; problems are reported
// through the status, never by returning, so the kiosk keeps working offline.
func (p *Pusher) Run(ctx context.Context) error {
	bundleCh := make(chan error, 1)
	var bundleTimer <-chan time.Time
	refreshBundle := func() {
		if p.cfg.Bundles == nil {
			return
		}
		go func() {
			bctx, cancel := context.WithTimeout(ctx, time.Minute)
			defer cancel()
			bundleCh <- p.fetchBundle(bctx)
		}()
	}
	refreshBundle()

	backoff := time.Duration(0)
	var retry <-chan time.Time
	waiting := false // after 401 with no token, or halted: push only on SyncNow
	for {
		if !waiting && retry == nil {
			err := p.drain(ctx)
			later := false
			switch {
			case err == nil:
				backoff = 0
			case ctx.Err() != nil:
				return ctx.Err()
			case p.st.State == StateHalted:
				waiting = true
			case p.st.State == StateUnauthorized && p.unknownKiosk:
				ok, again := p.reenrol(ctx)
				if ok {
					continue
				}
				waiting, later = !again, again
			default:
				later = true
			}
			if later {
				backoff = min(max(2*backoff, p.cfg.MinBackoff), p.cfg.MaxBackoff)
				d := time.Duration(rand.Int64N(int64(backoff))) + p.cfg.MinBackoff/2
				if wait := busyWait(err); wait > 0 {
					// Central is busy and said when to come back; a little
					// spread so the kiosks it turned away do not return
					// together. The backoff does not grow: it was an answer.
					d = wait + time.Duration(rand.Int64N(int64(wait/4)+1))
					backoff = 0
				}
				retry = time.After(d)
				p.log.Debug("push failed; retrying", "in", d, "err", err)
			}
			p.publish()
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-p.q.Notify():
			if !waiting && retry == nil {
				continue
			}
			if p.st.State != StateHalted && !waiting {
				// The link may be back; the person's action should not wait
				// out a long backoff. Human-paced, so this cannot hammer.
				retry = nil
			}
			p.publish()
		case <-p.syncNow:
			if p.st.State == StateHalted {
				p.publish()
				continue
			}
			waiting, retry, backoff = false, nil, 0
		case <-retry:
			retry = nil
		case err := <-bundleCh:
			var off *OfflineError
			switch {
			case err == nil:
				// A fresh trust bundle is a sync too (a pull): staff should
				// not read "never synced" on an idle kiosk that is online.
				p.st.Online, p.st.LastSync = true, p.now()
				p.clockRight()
			case p.clockWrong(err):
				p.st.Online = true
			case errors.As(err, &off) || Retryable(err):
				p.st.Online = false
				if p.st.State == StateIdle {
					p.st.LastError = err.Error()
				}
			}
			if err != nil {
				p.log.Warn("trust bundle refresh failed", "err", err)
				bundleTimer = time.After(min(p.cfg.BundleInterval, time.Minute))
			} else {
				bundleTimer = time.After(p.cfg.BundleInterval)
			}
			p.publish()
		case <-bundleTimer:
			bundleTimer = nil
			refreshBundle()
		}
	}
}

func (p *Pusher) fetchBundle(ctx context.Context) error {
	since := p.cfg.Bundles.Since()
	sb, err := p.c.TrustBundle(ctx, since, p.cfg.Bundles.KiosksDigest())
	if err != nil {
		return err
	}
	changed, err := p.cfg.Bundles.Update(sb)
	if bk.ErrorCode(err) == bk.EConflict && since != "" {
		// A delta that does not fit this kiosk's list: take the whole.
		p.log.Warn("the trust bundle delta does not fit; fetching the full bundle", "since", since, "err", err)
		if sb, err = p.c.TrustBundle(ctx, "", ""); err != nil {
			return err
		}
		changed, err = p.cfg.Bundles.Update(sb)
	}
	if err == nil && changed {
		p.log.Info("trust bundle updated", "issued_at", p.cfg.Bundles.Bundle().IssuedAt)
	}
	return err
}

// batchBytes leaves room for the request envelope around the items.
const batchBytes = bk.MaxPushBytes - 16<<10

// drain pushes batches until the queue is empty. On failure it sets the
// state (offline, error, unauthorized, halted) and returns the error.
func (p *Pusher) drain(ctx context.Context) error {
	for {
		items, err := p.q.Pending(0, p.cfg.MaxBatch, batchBytes)
		if err != nil {
			return p.fail(StateError, fmt.Errorf("reading the outbox: %w", err))
		}
		if len(items) == 0 {
			// Nothing to send says nothing about the link: Online and
			// LastSync keep what the last real contact showed.
			p.st.State, p.st.LastError = StateIdle, ""
			return nil
		}
		if p.st.State != StatePushing {
			p.st.State = StatePushing
			p.publish()
		}
		id := p.c.Identity()
		req := &bk.PushRequest{Kiosk: id.KioskID, Incarnation: p.q.Incarnation(), Actions: items}
		resp, err := p.c.Push(ctx, req)
		if err != nil {
			return p.pushFailed(err)
		}
		first, last := items[0].Seq, items[len(items)-1].Seq
		if resp.LastSeq < first-1 {
			return p.halt(fmt.Sprintf("central has this kiosk's queue only up to %d, but it acknowledged up to %d before", resp.LastSeq, first-1))
		}
		if err := p.q.Ack(*resp); err != nil {
			return p.halt(err.Error())
		}
		p.st.Online, p.st.LastSync, p.st.LastError = true, p.now(), ""
		p.clockRight()
		if resp.LastSeq < first {
			return p.fail(StateError, fmt.Errorf("central accepted none of actions %d–%d", first, last))
		}
		p.publish()
	}
}

func (p *Pusher) fail(s State, err error) error {
	p.st.State, p.st.LastError = s, err.Error()
	return err
}

func (p *Pusher) halt(why string) error {
	p.st.State, p.st.Alarm, p.st.LastError = StateHalted, why, why
	p.log.Error("sync halted: central's record of this kiosk differs from the outbox", "why", why)
	return fmt.Errorf("%w: %s", ErrHalted, why)
}

// busyWait is how long central asked a push to wait (503 or 429 with
// Retry-After), else zero.
func busyWait(err error) time.Duration {
	var he *HTTPError
	if errors.As(err, &he) && (he.Status == http.StatusServiceUnavailable || he.Status == http.StatusTooManyRequests) {
		return he.RetryAfter
	}
	return 0
}

func (p *Pusher) pushFailed(err error) error {
	var he *HTTPError
	if errors.As(err, &he) {
		switch {
		case busyWait(err) > 0:
			// Central answered: online, and the actions wait their turn.
			p.st.Online = true
			return p.fail(StatePushing, err)
		case p.clockWrong(err):
			// Not an enrolment problem: keep the key, keep the actions,
			// retry with backoff (and at once on a new action) until the
			// clock is right.
			p.st.Online = true
			return p.fail(StateClockSkew, errors.New(ClockSkewText(p.st.ClockSkew)))
		case he.Status == http.StatusUnauthorized:
			p.st.Online = true
			p.unknownKiosk = he.Code == bk.EUnknownKiosk
			return p.fail(StateUnauthorized, err)
		case he.Status == http.StatusConflict:
			p.st.Online = true
			return p.halt(fmt.Sprintf("central reports %q: %s", he.Code, he.Message))
		case !Retryable(err):
			p.st.Online = true
			return p.fail(StateError, err)
		}
	}
	p.st.Online = false
	return p.fail(StateOffline, err)
}

// clockWrong reports whether err is central refusing a request because
// the kiosk's clock is too far from its own, and then records by how much.
func (p *Pusher) clockWrong(err error) bool {
	var he *HTTPError
	if !errors.As(err, &he) || he.Code != bk.EClockSkew {
		return false
	}
	skew := time.Minute // central said so but gave no time: at least say the clock is wrong
	if !he.CentralTime.IsZero() {
		skew = p.now().Sub(he.CentralTime).Round(time.Second)
	}
	if (skew - p.st.ClockSkew).Abs() >= time.Minute {
		p.log.Warn("central refuses this kiosk's requests: the kiosk's clock is wrong", "kiosk_clock_off_by", skew, "central_time", he.CentralTime)
	}
	p.st.ClockSkew = skew
	return true
}

// clockRight notes that central accepted the kiosk's time.
func (p *Pusher) clockRight() {
	if p.st.ClockSkew != 0 {
		p.log.Info("central accepts the kiosk's clock again")
		p.st.ClockSkew = 0
	}
}

// reenrol tries the configured enrolment token once. It reports whether
// the kiosk is enrolled again, and if not, whether trying later may work
// (central limited enrolments before looking at the token).
func (p *Pusher) reenrol(ctx context.Context) (ok, again bool) {
	tok := p.cfg.EnrollToken
	if tok == "" || p.cfg.StateDir == "" {
		p.st.LastError = "central does not accept this kiosk; enrol it again (kioskctl enroll)"
		return false, false
	}
	used := filepath.Join(p.cfg.StateDir, "used-enrol-tokens")
	b, _ := os.ReadFile(used)
	h := bk.TokenHash(tok)
	if strings.Contains(string(b), h) {
		p.st.LastError = "central does not accept this kiosk and the configured enrolment token is used up; enrol it again with a new token"
		return false, false
	}
	// Remember the token as used before trying, so a crash cannot make us
	// present it twice.
	if err := writeFileSync(used, append(b, h+"\n"...), 0o600, false); err != nil {
		p.st.LastError = "cannot record the enrolment token: " + err.Error()
		return false, false
	}
	old := p.c.Identity()
	id, err := Enroll(ctx, p.cfg.StateDir, old.BaseURL, tok, old.KioskID, p.cfg.Site, p.c.http)
	var he *HTTPError
	if errors.As(err, &he) && he.Status == http.StatusTooManyRequests {
		// Refused before the token was looked at (many kiosks of one site
		// at once): it is still good, so forget that it was presented.
		p.st.LastError = "central is limiting enrolments from this address; trying again later"
		p.log.Warn("re-enrolment refused for now: central limits enrolments from this address", "err", err)
		return false, writeFileSync(used, b, 0o600, false) == nil
	}
	if err != nil {
		p.st.LastError = "re-enrolment failed: " + err.Error()
		p.log.Error("re-enrolment failed", "err", err)
		return false, false
	}
	p.c.SetIdentity(id)
	if p.cfg.Bundles != nil {
		p.cfg.Bundles.SetCentralKey(id.CentralKey)
	}
	p.log.Warn("kiosk re-enrolled after central refused its key", "kiosk", id.KioskID)
	return true, false
}
