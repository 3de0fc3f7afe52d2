// Package sync is the kiosk side of sync: the durable outbox on Badger, the
// pusher that sends queued actions to central, the trust-bundle refresh,
// enrolment, and a small client for live citizen state.
//
// The package name shadows the standard library's; callers import it as
// kiosksync:
//
//	import kiosksync "github.com/borgerkiosk/borgerkiosk/sync"
package sync
