package central

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"time"

	bk "github.com/borgerkiosk/borgerkiosk"
)

// UsageRecorder records a use of a citizen's data or of a delegation in
// the usage logs of the people it concerns. Every endpoint that answers
// such a question (consent check, delegation check, token exchange) calls
// Record before it answers.
type UsageRecorder interface {
	// Record takes e for the logs without waiting for the store (the
	// record is written moments later, together with others: see
	// docs/decisions.md). It returns an error with code EUnavailable when
	// the log cannot take e; the caller must then not give its answer, so
	// that no use goes unrecorded. Record sets e.Record.ID and At when
	// they are empty.
	Record(e UsageEntry) error
}

// Usage returns the server's usage recorder.
func (s *Server) Usage() UsageRecorder { return s.usage }

// usageBatch is the most records one group commit writes.
const usageBatch = 512

// usageLog is the UsageRecorder of a Server: a bounded queue that one
// goroutine drains into the store, many records to a transaction.
type usageLog struct {
	store   Store
	s       *Server
	q       chan usageItem
	stop    chan struct{}
	done    chan struct{}
	closed  atomic.Bool
	closing sync.Once
}

// usageItem is a record to write, or (flushed set) a marker that is closed
// once everything queued before it is written.
type usageItem struct {
	e       UsageEntry
	flushed chan struct{}
}

func newUsageLog(s *Server, capacity int) *usageLog {
	l := &usageLog{store: s.store, s: s, q: make(chan usageItem, capacity), stop: make(chan struct{}), done: make(chan struct{})}
	go l.run()
	return l
}

var errUsageFull = bk.Errorf(bk.EUnavailable, "The central service is too busy to record this check. Please try again in a moment.")

func (l *usageLog) Record(e UsageEntry) error {
	if e.Record == nil {
		return bk.Errorf(bk.EInvalid, "a usage entry needs a record")
	}
	if e.Record.At.IsZero() {
		e.Record.At = l.s.now().UTC()
	}
	if e.Record.ID == "" {
		e.Record.ID = bk.NewID(e.Record.At)
	}
	if err := e.Check(); err != nil {
		return err
	}
	if l.closed.Load() {
		return bk.Errorf(bk.EUnavailable, "The central service is shutting down. Please try again in a moment.")
	}
	select {
	case l.q <- usageItem{e: e}:
		return nil
	default:
		l.s.metrics.usage.WithLabelValues("queue_full").Inc()
		l.s.log.Warn("usage log queue is full: check refused", "capacity", cap(l.q))
		return errUsageFull
	}
}

// flush waits until everything recorded before it is in the store (or
// lost, and logged), or ctx ends.
func (l *usageLog) flush(ctx context.Context) error {
	if l.closed.Load() {
		<-l.done
		return nil
	}
	m := usageItem{flushed: make(chan struct{})}
	select {
	case l.q <- m:
	case <-l.done:
		return nil // closed: everything was written
	case <-ctx.Done():
		return ctx.Err()
	}
	select {
	case <-m.flushed:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// close stops taking records and writes what is queued.
func (l *usageLog) close() {
	l.closing.Do(func() {
		l.closed.Store(true)
		close(l.stop)
		<-l.done
	})
}

func (l *usageLog) run() {
	defer close(l.done)
	var batch []UsageEntry
	var markers []chan struct{}
	take := func(it usageItem) {
		if it.flushed != nil {
			markers = append(markers, it.flushed)
		} else {
			batch = append(batch, it.e)
		}
	}
	for {
		select {
		case it := <-l.q:
			take(it)
		case <-l.stop:
			// Write what is queued, then end.
			for {
				select {
				case it := <-l.q:
					take(it)
					if len(batch) >= usageBatch {
						l.write(batch)
						batch = batch[:0]
					}
					continue
				default:
				}
				break
			}
			l.write(batch)
			for _, m := range markers {
				close(m)
			}
			return
		}
		// Group commit: whatever queued up while the last write ran goes
		// into this one.
	more:
		for len(batch) < usageBatch {
			select {
			case it := <-l.q:
				take(it)
			default:
				break more
			}
		}
		l.write(batch)
		for _, m := range markers {
			close(m)
		}
		batch, markers = batch[:0], markers[:0]
	}
}

// write stores batch in one transaction, retrying a few times; a group
// that still fails is written record by record, so one bad record loses
// only itself. What cannot be written is logged and counted as lost.
func (l *usageLog) write(batch []UsageEntry) {
	if len(batch) == 0 {
		return
	}
	put := func(es []UsageEntry) error {
		var err error
		for attempt := range 3 {
			if attempt > 0 {
				time.Sleep(time.Duration(attempt) * 50 * time.Millisecond)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			err = l.store.Update(ctx, func(tx Tx) error { return tx.PutUsage(es) })
			cancel()
			if err == nil || bk.ErrorCode(err) == bk.EInvalid || bk.ErrorCode(err) == bk.EConflict {
				return err
			}
		}
		return err
	}
	err := put(batch)
	if err == nil {
		l.s.metrics.usage.WithLabelValues("written").Add(float64(len(batch)))
		return
	}
	if len(batch) > 1 {
		for _, e := range batch {
			l.write([]UsageEntry{e})
		}
		return
	}
	l.s.metrics.usage.WithLabelValues("lost").Inc()
	l.s.log.Error("usage record lost: the store did not take it", "kind", batch[0].Record.Kind,
		"authority", batch[0].Record.Authority, "record", batch[0].Record.ID, "err", err)
}

// FlushUsage waits until every use recorded so far is in the store, or ctx
// ends. The usage log endpoint calls it, so a citizen sees a check made a
// moment ago.
func (s *Server) FlushUsage(ctx context.Context) error { return s.usage.flush(ctx) }

// Close stops the usage log sweep and writes the usage records still
// queued. Call it after the HTTP server has stopped and before closing the
// store; checks answered afterwards are refused (unavailable).
func (s *Server) Close() error {
	s.closing.Do(func() {
		close(s.stopSweep)
		s.sweeps.Wait()
		s.notifier.close()
		s.usage.close()
	})
	return nil
}

// usageSweepBatch is how many records one sweep transaction deletes.
const usageSweepBatch = 1000

// SweepUsage deletes the usage records older than the retention period
// (Config.UsageRetentionMonths before now) and returns how many. It runs
// every Config.UsageSweepEvery; tests call it with an injected clock.
func (s *Server) SweepUsage(ctx context.Context) (int, error) {
	cutoff := s.now().UTC().AddDate(0, -s.cfg.UsageRetentionMonths, 0)
	total := 0
	for {
		var n int
		err := s.store.Update(ctx, func(tx Tx) error {
			var err error
			n, err = tx.DeleteUsageBefore(cutoff, usageSweepBatch)
			return err
		})
		total += n
		if err != nil {
			return total, err
		}
		if n < usageSweepBatch {
			break
		}
	}
	if total > 0 {
		s.log.Info("usage log swept", "deleted", total, "older_than", cutoff)
	}
	return total, nil
}

// sweepLoop runs sweep every period until Close; what names it in the log.
func (s *Server) sweepLoop(every time.Duration, what string, sweep func(context.Context) (int, error)) {
	defer s.sweeps.Done()
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-s.stopSweep:
			return
		case <-t.C:
		}
		ctx, cancel := context.WithTimeout(context.Background(), every)
		if _, err := sweep(ctx); err != nil && !errors.Is(err, context.Canceled) {
			s.log.Error(what+" sweep failed", "err", err)
		}
		cancel()
	}
}

// CitizenUsage checks that the card holder is present, as CitizenState
// does, and returns a page of their usage log: the uses of their data and
// delegations, and of the delegations they hold, newest first.
func (s *Server) CitizenUsage(ctx context.Context, kioskID string, req *bk.UsageRequest) (*bk.UsageLog, error) {
	limit := req.Limit
	if limit == 0 {
		limit = bk.DefaultUsagePage
	}
	if limit < 1 || limit > bk.MaxUsagePage {
		return nil, bk.Errorf(bk.EInvalid, "limit must be between 1 and %d", bk.MaxUsagePage)
	}
	if req.Before != "" && !bk.ValidID(req.Before) {
		return nil, bk.Errorf(bk.EInvalid, "before must be a record id from an earlier page")
	}
	cert, err := s.signIn(ctx, kioskID, &req.Auth)
	if err != nil {
		return nil, err
	}
	// Read your own checks: what was recorded a moment ago is shown. A
	// slow store only makes the page miss the newest records.
	fctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	if err := s.FlushUsage(fctx); err != nil {
		s.log.Warn("usage log page read before the queue was written", "err", err)
	}
	cancel()
	out := &bk.UsageLog{FetchedAt: s.now().UTC()}
	err = s.store.View(ctx, func(tx Tx) error {
		var err error
		out.Records, err = tx.Usage(cert.CPR, req.Before, limit+1)
		return err
	})
	if err != nil {
		return nil, err
	}
	if len(out.Records) > limit {
		out.Records = out.Records[:limit]
		out.Next = out.Records[limit-1].ID
	}
	s.log.Info("citizen usage log fetched", "kiosk", kioskID, "cpr", cert.CPR, "records", len(out.Records))
	return out, nil
}
