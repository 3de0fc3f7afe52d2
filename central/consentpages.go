package central

import (
	"context"
	"encoding/base64"
	"net/url"
	"strconv"
	"strings"

	bk "github.com/borgerkiosk/borgerkiosk"
)

// An authority's consent list comes in pages: limit consents each,
// DefaultConsentPage when the request names none, at most MaxConsentPage, so
// that no answer grows with the number of consents an authority holds.
const (
	DefaultConsentPage = 100
	MaxConsentPage     = 1000
)

// cursorPrefix marks a consent list cursor, so that a cursor of some other
// list (or a made-up string) is refused rather than read as an id.
const cursorPrefix = "consents/"

// ConsentCursor is the opaque cursor of the page after the consent id.
func ConsentCursor(id string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(cursorPrefix + id))
}

func parseConsentCursor(c string) (string, error) {
	raw, err := base64.RawURLEncoding.DecodeString(c)
	id, ok := strings.CutPrefix(string(raw), cursorPrefix)
	if err != nil || !ok || id == "" || len(id) > 100 {
		return "", bk.Errorf(bk.EInvalid, "cursor is not one this list gave out; start again without it")
	}
	return id, nil
}

// parseConsentPage reads the cursor and limit query parameters.
func parseConsentPage(q url.Values) (after string, limit int, err error) {
	limit = DefaultConsentPage
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > MaxConsentPage {
			return "", 0, bk.Errorf(bk.EInvalid, "limit must be a whole number from 1 to %d", MaxConsentPage)
		}
		limit = n
	}
	if c := q.Get("cursor"); c != "" {
		if after, err = parseConsentCursor(c); err != nil {
			return "", 0, err
		}
	}
	return after, limit, nil
}

// AuthorityConsentPage lists at most limit of an authority's own consents
// with id > after, by id (for one citizen when cpr is not zero), and the
// cursor of the next page, empty after the last.
func (s *Server) AuthorityConsentPage(ctx context.Context, authorityID string, cpr bk.CPR, after string, limit int) (*bk.ConsentList, error) {
	var list []*bk.Consent
	err := s.store.View(ctx, func(tx Tx) error {
		var err error
		if cpr.IsZero() {
			list, err = tx.ConsentsPage(authorityID, after, limit+1)
			return err
		}
		// One citizen's consents with one authority are few: read them all.
		all, err := tx.ConsentsByAuthority(authorityID, cpr)
		list = []*bk.Consent{}
		for _, c := range all {
			if c.ID > after && len(list) <= limit {
				list = append(list, c)
			}
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	page := &bk.ConsentList{Consents: list}
	if len(list) > limit {
		page.Consents = list[:limit]
		page.NextCursor = ConsentCursor(list[limit-1].ID)
	}
	return page, nil
}
