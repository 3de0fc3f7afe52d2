package central

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"math/rand/v2"
	"regexp"
	"sync"
	"time"

	bk "github.com/borgerkiosk/borgerkiosk"
	"github.com/borgerkiosk/borgerkiosk/timefmt"
	"github.com/prometheus/client_golang/prometheus"
)

// Channel delivers messages to people: e-mail (central/smtpmail), and
// whatever an operator plugs in (Digital Post, SMS). Central sends each
// notice through the first configured channel that Reaches the person.
type Channel interface {
	// Name names the channel in delivery records and the dead-letter list.
	Name() string
	// Reaches reports whether the channel can and may deliver m: the
	// person gave it an address and has not turned this kind of message
	// off for it.
	Reaches(m *Message) bool
	// Send delivers m. An error that is (or wraps) a *PermanentError is
	// never retried; any other is retried with backoff. Send may be called
	// again for the same m.ID after a crash or a lost answer: a channel
	// that can, makes that harmless (e-mail: the same Message-ID).
	Send(ctx context.Context, m *Message) error
}

// Message is a notice put into words for one person.
type Message struct {
	// ID is the notice's id: the same on every attempt.
	ID       string
	Kind     bk.NoticeKind
	Reminder bool // Kind.Reminder: the person may have turned these off
	Contact  *bk.Contact
	Subject  string
	Body     string
}

// PermanentError is a refusal no retry will change (no such mailbox).
type PermanentError struct{ Err error }

func (e *PermanentError) Error() string { return e.Err.Error() }
func (e *PermanentError) Unwrap() error { return e.Err }

// NoticeConfig configures notices and their delivery.
type NoticeConfig struct {
	// Reminders are the days before an end that people are reminded;
	// default 30 and 7 for delegations and their areas, 30 for consents.
	Reminders Reminders
	// Channels deliver messages, tried in order; none: notices are kept
	// (and shown at the kiosk) but none is sent.
	Channels []Channel
	// Every is how often the scanner and dispatcher run; default 1m,
	// negative: not in the background (a test calls Scan and Dispatch).
	Every time.Duration
	// RetryBase and RetryMax bound the backoff between attempts (doubling
	// from RetryBase, with jitter); default 1m and 6h. MaxAttempts ends
	// the retries: the notice goes to the dead-letter list; default 12.
	RetryBase, RetryMax time.Duration
	MaxAttempts         int
	// Lease is how long a claimed notice is left to the process that
	// claimed it before another may try (a crash mid-send); default 5m.
	// It must exceed a channel's own send timeout.
	Lease time.Duration
	// Batch is how many notices or timers one transaction takes; 100.
	Batch int
	// Zone formats dates in messages; default Europe/Copenhagen.
	Zone timefmt.Zone
}

func (c *NoticeConfig) defaults() {
	c.Reminders = c.Reminders.orDefault()
	for _, d := range []struct {
		p *time.Duration
		v time.Duration
	}{{&c.Every, time.Minute}, {&c.RetryBase, time.Minute}, {&c.RetryMax, 6 * time.Hour}, {&c.Lease, 5 * time.Minute}} {
		if *d.p == 0 {
			*d.p = d.v
		}
	}
	if c.MaxAttempts <= 0 {
		c.MaxAttempts = 12
	}
	if c.Batch <= 0 {
		c.Batch = 100
	}
}

func (c *NoticeConfig) check() error {
	for _, list := range [][]int{c.Reminders.Delegation, c.Reminders.Consent} {
		for _, d := range list {
			if d < 1 || d > 365 {
				return fmt.Errorf("central: a reminder must be 1 to 365 days before the end, not %d", d)
			}
		}
	}
	if c.RetryBase < 0 || c.RetryMax < c.RetryBase || c.Lease < 0 {
		return errors.New("central: notice retry and lease times must be positive, RetryMax at least RetryBase")
	}
	return nil
}

// Notifier turns timers into notices (Scan) and sends notices (Dispatch).
// Both are safe to run in several central processes at once: every step is
// a store transaction, and a notice is claimed before it is sent.
type Notifier struct {
	store Store
	cfg   NoticeConfig
	cat   *bk.Catalogue
	now   func() time.Time
	log   *slog.Logger

	// outcomes counts delivery attempts by what became of the notice:
	// sent, retry, dead, unreachable, moot.
	outcomes *prometheus.CounterVec

	stop chan struct{}
	wg   sync.WaitGroup
	once sync.Once
}

func newNotifier(store Store, cfg NoticeConfig, cat *bk.Catalogue, now func() time.Time, log *slog.Logger, reg *prometheus.Registry) *Notifier {
	n := &Notifier{store: store, cfg: cfg, cat: cat, now: now, log: log.With("component", "notices"), stop: make(chan struct{}),
		outcomes: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "borgerkiosk_central_notice_deliveries_total",
			Help: "Notice delivery attempts by outcome: sent, retry (failed, will try again), dead (a dead letter), unreachable (no channel reaches the person), moot.",
		}, []string{"outcome"}),
	}
	reg.MustRegister(n.outcomes)
	if cfg.Every > 0 {
		n.wg.Add(1)
		go n.loop()
	}
	return n
}

func (n *Notifier) loop() {
	defer n.wg.Done()
	t := time.NewTicker(n.cfg.Every)
	defer t.Stop()
	for {
		select {
		case <-n.stop:
			return
		case <-t.C:
		}
		ctx, cancel := context.WithCancel(context.Background())
		go func() {
			select {
			case <-n.stop:
			case <-ctx.Done():
			}
			cancel()
		}()
		if _, err := n.Scan(ctx); err != nil {
			n.log.Warn("scanning for ends coming near", "err", err)
		}
		if _, err := n.Dispatch(ctx); err != nil {
			n.log.Warn("sending notices", "err", err)
		}
		cancel()
	}
}

func (n *Notifier) close() {
	n.once.Do(func() { close(n.stop) })
	n.wg.Wait()
}

// Scan fires the timers that are due: each becomes its notices (or none,
// when the object changed) and is deleted, in one transaction per batch,
// so two processes scanning at once add each notice once. It returns how
// many notices it added.
func (n *Notifier) Scan(ctx context.Context) (int, error) {
	total := 0
	for {
		now := n.now().UTC()
		var added, fired int
		err := n.store.Update(ctx, func(tx Tx) error {
			added, fired = 0, 0
			due, err := tx.DueTimers(now, n.cfg.Batch)
			if err != nil {
				return err
			}
			fired = len(due)
			for _, tm := range due {
				notices, err := fire(tx, n.cfg.Reminders, tm, now)
				if err != nil {
					return err
				}
				for _, x := range notices {
					ok, err := tx.AddNotice(x)
					if err != nil {
						return err
					}
					if ok {
						added++
					}
				}
				if err := tx.DeleteTimer(tm.ID); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return total, err
		}
		total += added
		if fired < n.cfg.Batch {
			return total, nil
		}
	}
}

// Dispatch sends the notices that are due, each through the first channel
// that reaches its person, and returns how many it finished (sent, dead,
// unreachable or moot). A notice is claimed (its next try moved a lease
// ahead) in a transaction before it is sent and recorded after, so
// processes do not send the same notice at once; a crash between a send
// and its record sends it again after the lease, with the same id.
func (n *Notifier) Dispatch(ctx context.Context) (int, error) {
	done := 0
	for {
		now := n.now().UTC()
		var claimed []*Notice
		err := n.store.Update(ctx, func(tx Tx) error {
			claimed = nil
			due, err := tx.DueNotices(now, n.cfg.Batch)
			if err != nil {
				return err
			}
			for _, x := range due {
				x.Attempts++
				x.NextAt = now.Add(n.cfg.Lease)
				if err := tx.PutNotice(x); err != nil {
					return err
				}
				claimed = append(claimed, x)
			}
			return nil
		})
		if err != nil || len(claimed) == 0 {
			return done, err
		}
		for _, x := range claimed {
			if err := ctx.Err(); err != nil {
				return done, err // the lease hands it to the next run
			}
			finished, err := n.deliver(ctx, x)
			if err != nil {
				return done, err
			}
			if finished {
				done++
			}
		}
		if len(claimed) < n.cfg.Batch {
			return done, nil
		}
	}
}

// deliver sends one claimed notice and records the outcome.
func (n *Notifier) deliver(ctx context.Context, x *Notice) (bool, error) {
	now := n.now().UTC()
	m, err := n.message(ctx, x, now)
	if err != nil {
		return false, err
	}
	var ch Channel
	if m != nil {
		for _, c := range n.cfg.Channels {
			if c.Reaches(m) {
				ch = c
				break
			}
		}
	}
	switch {
	case m == nil:
		x.State = NoticeMoot
	case ch == nil:
		x.State = NoticeUnreachable
	default:
		x.Channel = ch.Name()
		err := ch.Send(ctx, m)
		now = n.now().UTC()
		var perm *PermanentError
		switch {
		case err == nil:
			x.State, x.LastError = NoticeSent, ""
		case errors.As(err, &perm) || x.Attempts >= n.cfg.MaxAttempts:
			x.State, x.LastError = NoticeDead, scrub(err.Error())
		default:
			x.LastError = scrub(err.Error())
			x.NextAt = now.Add(n.backoff(x.Attempts))
		}
		if err != nil {
			n.log.Warn("notice not delivered", "notice", x.ID, "kind", x.Kind, "channel", x.Channel, "attempt", x.Attempts, "state", x.State, "err", x.LastError)
		}
	}
	if x.State != NoticePending {
		x.NextAt, x.DoneAt = time.Time{}, now
	}
	err = n.store.Update(ctx, func(tx Tx) error {
		cur, err := tx.Notice(x.ID)
		if err != nil {
			return err
		}
		// An operator's retry (or another process after our lease) may have
		// changed it meanwhile; a sent record is never undone.
		if cur.State == NoticeSent && x.State != NoticeSent {
			return nil
		}
		return tx.PutNotice(x)
	})
	if err == nil {
		outcome := string(x.State)
		if x.State == NoticePending {
			outcome = "retry"
		}
		n.outcomes.WithLabelValues(outcome).Inc()
	}
	if err == nil && x.State != NoticePending {
		n.log.Info("notice done", "notice", x.ID, "kind", x.Kind, "to", x.To, "state", x.State, "channel", x.Channel, "attempts", x.Attempts)
	}
	return x.State != NoticePending, err
}

// backoff is the wait after attempt: RetryBase doubling, at most RetryMax,
// with up to a quarter more of jitter so failing notices spread out.
func (n *Notifier) backoff(attempt int) time.Duration {
	d := float64(n.cfg.RetryBase) * math.Pow(2, float64(attempt-1))
	if d > float64(n.cfg.RetryMax) {
		d = float64(n.cfg.RetryMax)
	}
	return time.Duration(d) + time.Duration(jitter(int64(d)/4))
}

// emailLike finds addresses in a server's answer, to mask them.
var emailLike = regexp.MustCompile(`[^\s<>"'(),;:]+@[^\s<>"'(),;:]+`)

// scrub masks any e-mail address in a channel's error, so that neither the
// dead-letter list nor the log holds one in full; and bounds its length.
func scrub(s string) string {
	s = emailLike.ReplaceAllStringFunc(s, bk.MaskEmail)
	if len(s) > 500 {
		s = s[:500]
	}
	return s
}

// message puts x into words for its person, or returns nil when the
// object it is about is gone.
func (n *Notifier) message(ctx context.Context, x *Notice, now time.Time) (*Message, error) {
	var m *Message
	err := n.store.View(ctx, func(tx Tx) error {
		m = nil
		var cpr bk.CPR
		f := bk.NoticeFacts{Kind: x.Kind, Role: x.To}
		var areas func(lang string) []string
		var other func(lang string) string
		switch x.To {
		case bk.ToCitizen:
			c, err := tx.Consent(x.Subject)
			if bk.ErrorCode(err) == bk.ENotFound {
				return nil
			}
			if err != nil {
				return err
			}
			cpr = c.CPR
			other = func(lang string) string {
				if a, ok := n.cat.Authority(c.AuthorityID); ok {
					return a.Name.In(lang)
				}
				return c.AuthorityID
			}
			areas = func(lang string) []string {
				var out []string
				for _, id := range c.DataCategories {
					if dc, ok := n.cat.DataCategory(id); ok {
						out = append(out, dc.Name.In(lang))
					}
				}
				return out
			}
		default:
			d, err := tx.Delegation(x.Subject)
			if bk.ErrorCode(err) == bk.ENotFound {
				return nil
			}
			if err != nil {
				return err
			}
			name := d.DelegateShown()
			cpr = d.Principal
			if x.To == bk.ToDelegate {
				cpr, name = d.Delegate, d.PrincipalName
			}
			other = func(string) string { return name }
			areas = func(lang string) []string {
				var out []string
				for _, s := range d.Scopes {
					if x.Scope != "" && s.ScopeID != x.Scope {
						continue
					}
					if sc, ok := n.cat.Scope(s.ScopeID); ok {
						out = append(out, sc.Name.In(lang))
					}
				}
				return out
			}
			if x.Kind == bk.NoticeRenewed {
				x.EndsAt = d.ValidTo // the message says the new end
			}
		}
		contact, err := tx.Contact(cpr)
		if bk.ErrorCode(err) == bk.ENotFound {
			contact, err = nil, nil
		}
		if err != nil {
			return err
		}
		lang := bk.LangDanish
		if contact != nil {
			lang = contact.Language
		}
		f.Other, f.Areas = other(lang), areas(lang)
		if !x.EndsAt.IsZero() {
			// The last day in force, in words as in the kiosk's sentences
			// ("2. marts"): an end at midnight is the day before, through.
			last := x.EndsAt
			if through, _ := n.cfg.Zone.End(last, lang); through {
				last = n.cfg.Zone.In(last).AddDate(0, 0, -1)
			}
			f.Date = n.cfg.Zone.Day(last, now, lang)
			days := int(math.Ceil(x.EndsAt.Sub(now).Hours() / 24))
			f.Period = bk.PeriodText(max(days, 1), lang)
		}
		m = &Message{ID: x.ID, Kind: x.Kind, Reminder: x.Kind.Reminder(), Contact: contact}
		m.Subject, m.Body = f.Message(lang)
		return nil
	})
	return m, err
}

// DeadNotices lists the dead-letter list for operators: notices no channel
// would take, by id, after after, at most limit (1 to 500; 0: 100).
func (s *Server) DeadNotices(ctx context.Context, after string, limit int) ([]*Notice, error) {
	if limit == 0 {
		limit = 100
	}
	if limit < 1 || limit > 500 {
		return nil, bk.Errorf(bk.EInvalid, "limit must be 1 to 500")
	}
	var list []*Notice
	err := s.store.View(ctx, func(tx Tx) error {
		var err error
		list, err = tx.NoticesIn(NoticeDead, after, limit)
		return err
	})
	return list, err
}

// RetryNotice puts a dead or unreachable notice back to be sent now, with
// its attempts counted from zero (an operator fixed the cause).
func (s *Server) RetryNotice(ctx context.Context, id string) (*Notice, error) {
	var x *Notice
	err := s.store.Update(ctx, func(tx Tx) error {
		var err error
		if x, err = tx.Notice(id); err != nil {
			return err
		}
		if x.State != NoticeDead && x.State != NoticeUnreachable {
			return bk.Errorf(bk.EConflict, "Only a dead or unreachable notice can be sent again; this one is %s.", x.State)
		}
		x.State, x.Attempts, x.NextAt, x.DoneAt = NoticePending, 0, s.now().UTC(), time.Time{}
		return tx.PutNotice(x)
	})
	if err == nil {
		s.log.Info("notice put back to send", "notice", id)
	}
	return x, err
}

// Notifier returns the server's notifier (tests drive Scan and Dispatch).
func (s *Server) Notifier() *Notifier { return s.notifier }

// jitter is a random duration in [0, n).
func jitter(n int64) int64 {
	if n <= 0 {
		return 0
	}
	return rand.Int64N(n)
}
