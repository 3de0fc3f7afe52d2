package borgerkiosk_test

import (
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"strings"
	"testing"
	"time"

	bk "github.com/borgerkiosk/borgerkiosk"
)

var stateSeed = flag.Uint64("state.seed", 0, "seed of TestStateMachineProperty (0: a new one)")

// edgeTable renders edges the way the package comment and
// docs/state-machines.md show them.
func edgeTable(edges []bk.Edge) string {
	dash := func(s string) string {
		if s == "" {
			return "—"
		}
		return s
	}
	var b strings.Builder
	b.WriteString("| from | to | action | by | when |\n|---|---|---|---|---|\n")
	for _, e := range edges {
		from := e.From
		if from == "" {
			from = "(new)"
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s |\n", from, e.To, dash(string(e.Action)), e.By, e.When)
	}
	return b.String()
}

// TestStateMachineDocs keeps the written state machines the ones the rules
// use: both tables appear, unchanged, in the package comment and in
// docs/state-machines.md.
func TestStateMachineDocs(t *testing.T) {
	docGo, err := os.ReadFile("doc.go")
	if err != nil {
		t.Fatal(err)
	}
	md, err := os.ReadFile("docs/state-machines.md")
	if err != nil {
		t.Fatal(err)
	}
	for name, edges := range map[string][]bk.Edge{"consent": bk.ConsentEdges, "delegation": bk.DelegationEdges} {
		table := edgeTable(edges)
		if !strings.Contains(string(md), table) {
			t.Errorf("docs/state-machines.md lacks the %s table as the rules have it:\n%s", name, table)
		}
		commented := "//\t" + strings.ReplaceAll(strings.TrimSuffix(table, "\n"), "\n", "\n//\t") + "\n"
		if !strings.Contains(string(docGo), commented) {
			t.Errorf("the package comment (doc.go) lacks the %s table as the rules have it:\n%s", name, commented)
		}
	}
}

// TestStateMachineProperty applies random sequences of actions and clock
// moves to consents and delegations and checks that every change the rules
// make is an edge of the written state machine, taken by the party the edge
// names; and that every edge is taken somewhere, so the table holds no edge
// the rules never make. Rerun a failure with -state.seed.
func TestStateMachineProperty(t *testing.T) {
	seed := *stateSeed
	if seed == 0 {
		seed = uint64(time.Now().UnixNano())
	}
	t.Logf("seed %d (rerun: go test -run TestStateMachineProperty -state.seed=%d)", seed, seed)
	rng := rand.New(rand.NewPCG(seed, 0))
	pick := func(n int) int { return rng.IntN(n) }
	rules := testRules()
	// The parties act more often than outsiders, so that long paths are walked.
	actors := []*bk.Certificate{principal, principal, delegate, delegate, stranger, citizen(age14CPR, "Mads Mindreårig"), citizen(age17CPR, "Sytten")}
	consentKinds := []bk.ActionKind{bk.GiveConsent, bk.DeclineConsent, bk.WithdrawConsent}
	delegationKinds := []bk.ActionKind{bk.CreateDelegation, bk.AcceptDelegation, bk.DeclineDelegation, bk.RenounceDelegation, bk.RevokeDelegation, bk.RenewDelegation}
	// 40 days (weighted) ends a 30-day delegation within the renewal grace.
	moves := []time.Duration{time.Minute, 3 * time.Minute, 10 * time.Minute, time.Hour, 24 * time.Hour, 40 * 24 * time.Hour, 40 * 24 * time.Hour, 40 * 24 * time.Hour, 200 * 24 * time.Hour, 400 * 24 * time.Hour}
	lags := []time.Duration{0, 0, time.Minute, 3 * time.Minute, 10 * time.Minute, time.Hour, -10 * time.Minute}

	type key struct {
		from, to string
		action   bk.ActionKind
		by       bk.Party
	}
	taken := map[key]int{}
	const runs, steps = 40000, 14
	for run := range runs {
		clock := now
		onConsent := pick(2) == 0
		var cur bk.Target
		var log []string
		edges := bk.DelegationEdges
		if onConsent {
			edges = bk.ConsentEdges
			c := consent(bk.ConsentRequested)
			c.RequestedAt, c.ChangedAt = clock, clock
			cur.Consent = c
			taken[key{"", string(bk.ConsentRequested), "", bk.ByAuthority}]++
		}
		state := func(tg bk.Target, at time.Time) string {
			switch {
			case tg.Consent != nil:
				return string(tg.Consent.StateAt(at))
			case tg.Delegation != nil:
				return string(tg.Delegation.StateAt(at))
			}
			return ""
		}
		fail := func(format string, args ...any) {
			t.Helper()
			t.Fatalf("seed %d, run %d: %s\nsteps:\n%s", seed, run, fmt.Sprintf(format, args...), strings.Join(log, "\n"))
		}
		for range steps {
			if pick(4) == 0 {
				d := moves[pick(len(moves))]
				from := state(cur, clock)
				clock = clock.Add(d)
				to := state(cur, clock)
				log = append(log, fmt.Sprintf("  clock +%v: %s → %s", d, from, to))
				if from != to {
					if !bk.IsEdge(edges, from, to, "", bk.ByTime) {
						fail("time made %s → %s, which is not an edge", from, to)
					}
					taken[key{from, to, "", bk.ByTime}]++
				}
				continue
			}
			kinds := delegationKinds
			if onConsent {
				kinds = consentKinds
			}
			kind, actor := kinds[pick(len(kinds))], actors[pick(len(actors))]
			if d := cur.Delegation; d != nil && d.State == bk.DelegationActive && d.StateAt(clock) == bk.DelegationExpired && pick(2) == 0 {
				// Renewing within the grace after the end needs a delegation
				// that was accepted, then ran out: a random walk reaches it
				// a few times in 12,000 runs, so the principal tries more often.
				kind, actor = bk.RenewDelegation, principal
			}
			at := clock.Add(-lags[pick(len(lags))])
			p := bk.Payload{ConsentID: consentID}
			if !onConsent {
				p = bk.Payload{DelegationID: delegationID}
			}
			if kind == bk.CreateDelegation {
				dc := delegate.CPR
				p.Delegate, p.Scopes = &dc, []bk.ScopeGrant{{ScopeID: "tax"}}
				p.ValidFrom, p.ValidTo = at, at.AddDate(0, 0, []int{30, 365}[pick(2)])
			}
			if kind == bk.RenewDelegation {
				// The same area, or one more: the delegate then accepts again.
				p.Scopes = [][]bk.ScopeGrant{{{ScopeID: "tax"}}, {{ScopeID: "tax"}, {ScopeID: "health"}}}[pick(2)]
				p.ValidFrom, p.ValidTo = at, at.AddDate(0, 0, []int{30, 365}[pick(2)])
			}
			a := newAction(t, kind, p, at)
			from := state(cur, clock)
			v, next := rules.Apply(cur, a, actor, nil, clock)
			log = append(log, fmt.Sprintf("  %s by %s at clock%+v: %s/%s", kind, actor.Name, at.Sub(clock), v.Outcome, v.Reason))
			if v.Reason == bk.EInternal {
				// Apply computed a change that is not an edge and refused it.
				fail("%s by %s from %s: the rules computed a change off the machine (%s)", kind, actor.Name, from, v.Message)
			}
			if v.Outcome != bk.Applied {
				if next.Consent != nil || next.Delegation != nil {
					fail("%s was %s but returned an object", kind, v.Outcome)
				}
				continue
			}
			to := state(next, clock)
			by := bk.Party("stranger")
			switch {
			case onConsent && actor.CPR == next.Consent.CPR:
				by = bk.ByCitizen
			case !onConsent && actor.CPR == next.Delegation.Principal:
				by = bk.ByPrincipal
			case !onConsent && actor.CPR == next.Delegation.Delegate:
				by = bk.ByDelegate
			}
			if !bk.IsEdge(edges, from, to, kind, by) {
				fail("%s by %s made %s → %s, which is not an edge", kind, by, from, to)
			}
			taken[key{from, to, kind, by}]++
			cur = next
		}
	}
	least, rarest := runs*steps, ""
	for _, edges := range [][]bk.Edge{bk.ConsentEdges, bk.DelegationEdges} {
		for _, e := range edges {
			n := taken[key{e.From, e.To, e.Action, e.By}]
			if n == 0 {
				t.Errorf("seed %d: edge %q → %q (%s by %s) was never taken in %d runs", seed, e.From, e.To, e.Action, e.By, runs)
			}
			if n < least {
				least, rarest = n, fmt.Sprintf("%q → %q (%s)", e.From, e.To, e.Action)
			}
		}
	}
	t.Logf("the rarest edge, %s, was taken %d times", rarest, least)
}
