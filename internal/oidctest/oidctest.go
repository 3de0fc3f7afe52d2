// Package oidctest runs a real OpenID Connect provider (mockoidc) in a
// test, standing in for the national eID broker: its ID tokens carry the
// claims "cpr" and "name" that central's OIDC sign-in reads.
package oidctest

import (
	"testing"

	"github.com/golang-jwt/jwt/v5"
	"github.com/oauth2-proxy/mockoidc"
)

// User is what the eID broker says about the person signing in.
type User struct{ CPR, Name string }

func (u User) ID() string { return "sub-" + u.CPR }

func (u User) Userinfo([]string) ([]byte, error) {
	return []byte(`{"sub":"sub-` + u.CPR + `"}`), nil
}

func (u User) Claims(_ []string, base *mockoidc.IDTokenClaims) (jwt.Claims, error) {
	return &struct {
		*mockoidc.IDTokenClaims
		CPR  string `json:"cpr"`
		Name string `json:"name"`
	}{base, u.CPR, u.Name}, nil
}

// Start runs a provider on a loopback port until the test ends. Queue the
// people who sign in next with QueueUser(User{…}); each authorization
// takes one.
func Start(t testing.TB) *mockoidc.MockOIDC {
	t.Helper()
	idp, err := mockoidc.Run()
	if err != nil {
		t.Fatalf("oidctest: %v", err)
	}
	t.Cleanup(func() { idp.Shutdown() })
	return idp
}
