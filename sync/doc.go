// Package sync is the kiosk side of sync: the durable outbox on Badger, the
// pusher that sends queued actions to central, the trust-bundle refresh,
// enrolment, and a small client for live citizen state.
//
// The package name shadows the standard library's; callers import it as
// kiosksync:
//
//	import kiosksync "github.com/borgerkiosk/borgerkiosk/sync"
//
// Wiring in cmd/kiosk:
//
//	id, err := kiosksync.LoadIdentity(stateDir) // or kiosksync.Enroll(ctx, stateDir, url, token, kioskID, site, nil)
//	ob, err := kiosksync.Open(outboxDir, kiosksync.Options{KeyFile: keyPath, Logger: log})
//	client := kiosksync.NewClient(id, nil)
//	bundles := kiosksync.LoadBundles(stateDir, id.CentralKey, log)
//	p, err := kiosksync.NewPusher(kiosksync.PusherConfig{Queue: ob, Client: client, Bundles: bundles,
//		StateDir: stateDir, EnrollToken: spareToken, Site: site, Logger: log})
//	go p.Run(ctx)
//	statuses, stop := p.Subscribe() // banner and staff screen
//
// For each action (session does this): bundles.Bundle().AllowAction(kind,
// now), the card's signature, then ob.Enqueue; tell the person "saved" only
// when Enqueue returns nil.
package sync
