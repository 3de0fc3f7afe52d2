package handoverweb

import (
	"errors"
	"net/http"
)

// NoSignIn is the sign-in of a central that has neither OIDC configured nor
// runs in demo mode: the code pages still show what a code is for, but say
// plainly that it cannot be answered here, and the sign-in path refuses with
// 503. New uses it when Config.SignIn is nil.
type NoSignIn struct{}

// ErrNoSignIn is what NoSignIn.Start returns.
var ErrNoSignIn = errors.New("handoverweb: no sign-in is configured (set up OIDC, or run central with --demo)")

func (NoSignIn) Name() string { return "none" }

func (NoSignIn) Start(*http.Request, *Flow) (string, error) {
	return "", ErrNoSignIn
}

func (NoSignIn) Routes(Mux, Flows) {}
