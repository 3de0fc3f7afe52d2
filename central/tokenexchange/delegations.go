package tokenexchange

import (
	"context"
	"slices"
	"time"

	bk "github.com/borgerkiosk/borgerkiosk"
	"github.com/borgerkiosk/borgerkiosk/central"
)

// activeDelegation finds, among the delegations principal has given, the
// one given to delegate that covers every one of scopes at now (active,
// begun, each scope not ended), and until when it does; nil when none does.
func activeDelegation(ctx context.Context, st central.Store, principal, delegate bk.CPR, scopes []string, now time.Time) (*grant, error) {
	var list []*bk.Delegation
	err := st.View(ctx, func(tx central.Tx) error {
		var err error
		list, err = tx.DelegationsByPrincipal(principal)
		return err
	})
	if err != nil {
		return nil, err
	}
	var best *grant
	for _, d := range list {
		if d.Delegate != delegate {
			continue
		}
		active := d.ActiveScopes(now)
		if !slices.ContainsFunc(scopes, func(sc string) bool { return !slices.Contains(active, sc) }) {
			g := &grant{DelegationID: d.ID, Until: d.ValidTo}
			for _, sg := range d.Scopes {
				if slices.Contains(scopes, sg.ScopeID) && !sg.Until.IsZero() && sg.Until.Before(g.Until) {
					g.Until = sg.Until
				}
			}
			if best == nil || g.Until.After(best.Until) {
				best = g
			}
		}
	}
	return best, nil
}
