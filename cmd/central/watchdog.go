package main

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/borgerkiosk/borgerkiosk/internal/watchdog"
)

// startWatchdog tells systemd (Type=notify) that central listens, and pings
// its watchdog while central's own HTTP server answers: each ping follows a
// GET /healthz to url through the listener, so a wedged accept loop or
// handler stops the pings and systemd restarts central. Any HTTP answer
// counts: a store that is down is /healthz's news, not a reason to restart.
func startWatchdog(ctx context.Context, url string, log *slog.Logger) {
	client := &http.Client{Timeout: 10 * time.Second}
	answers := func(ping func()) {
		go func() {
			resp, err := client.Get(url + "/healthz")
			if err != nil {
				log.Error("watchdog: central does not answer its own /healthz; no ping", "err", err)
				return
			}
			resp.Body.Close()
			ping()
		}()
	}
	watchdog.Start(ctx, answers, log)
}
