package borgerkiosk_test

import (
	"strings"
	"testing"

	bk "github.com/borgerkiosk/borgerkiosk"
)

// noticeRoles are the people each kind of notice goes to.
var noticeRoles = map[bk.NoticeKind][]bk.NoticeRole{
	bk.NoticeOffered: {bk.ToDelegate}, bk.NoticeAccepted: {bk.ToPrincipal}, bk.NoticeDeclined: {bk.ToPrincipal},
	bk.NoticeRevoked: {bk.ToDelegate}, bk.NoticeRenounced: {bk.ToPrincipal}, bk.NoticeRenewed: {bk.ToDelegate},
	bk.NoticeEnding: {bk.ToPrincipal, bk.ToDelegate}, bk.NoticeEnded: {bk.ToPrincipal, bk.ToDelegate},
	bk.NoticeLapsed:      {bk.ToPrincipal, bk.ToDelegate},
	bk.NoticeScopeEnding: {bk.ToPrincipal, bk.ToDelegate}, bk.NoticeScopeEnded: {bk.ToPrincipal, bk.ToDelegate},
	bk.NoticeConsentWaiting: {bk.ToCitizen}, bk.NoticeConsentEnding: {bk.ToCitizen}, bk.NoticeConsentEnded: {bk.ToCitizen},
}

// TestNoticeTextsArePlain checks every message in both languages: its own
// words (not the fallback), every placeholder filled, and the Danish within
// the kiosk's LIX rule.
func TestNoticeTextsArePlain(t *testing.T) {
	fallbackDA, _ := bk.NoticeFacts{Kind: "unknown"}.Message("da")
	if len(noticeRoles) != len(bk.NoticeKinds) {
		t.Fatalf("the test knows %d kinds; there are %d", len(noticeRoles), len(bk.NoticeKinds))
	}
	for _, k := range bk.NoticeKinds {
		for _, role := range noticeRoles[k] {
			// Long area names, as the demo catalogue's: the worst case.
			f := bk.NoticeFacts{Kind: k, Role: role, Other: "Mads Nielsen", Areas: []string{"Skatteoplysninger", "Pensionsoplysninger"}, Period: "1 uge", Date: "14.12.2026"}
			for _, lang := range []string{"da", "en"} {
				subject, body := f.Message(lang)
				if subject == "" || strings.Contains(body, "%") || !strings.Contains(body, "Mads Nielsen") && k != bk.NoticeConsentEnded {
					t.Errorf("%s to %s (%s) = %q, %q; want a subject and every placeholder filled", k, role, lang, subject, body)
				}
				if lang == "da" && subject == fallbackDA {
					t.Errorf("%s to %s has no words of its own", k, role)
				}
				if lang == "da" {
					if score, words, sentences, long := bk.LIX([]string{subject, body}); score > bk.MaxLIX {
						t.Errorf("%s to %s: LIX = %.1f (%d words, %d sentences, %d long); want ≤ %d:\n%s\n%s", k, role, score, words, sentences, long, bk.MaxLIX, subject, body)
					}
				}
			}
		}
	}
}

func TestNoticeMessage(t *testing.T) {
	f := bk.NoticeFacts{Kind: bk.NoticeEnding, Role: bk.ToPrincipal, Other: "Mads Nielsen", Areas: []string{"skat", "pension", "bolig"}, Period: "12 dage", Date: "14. december 2026"}
	subject, body := f.Message("da")
	if subject != "Din fuldmagt slutter snart" || !strings.HasPrefix(body, "Din fuldmagt til Mads Nielsen om skat, pension og bolig slutter om 12 dage, den 14. december 2026.") {
		t.Errorf("Message(da) = %q, %q", subject, body)
	}
	subject, body = f.Message("en")
	if subject != "Your power of attorney ends soon" || !strings.Contains(body, "for skat, pension and bolig ends in 12 dage") {
		t.Errorf("Message(en) = %q, %q", subject, body)
	}
	// Someone whose name central does not know yet is "another person".
	if _, body := (bk.NoticeFacts{Kind: bk.NoticeOffered, Role: bk.ToDelegate, Areas: []string{"skat"}}).Message("da"); !strings.HasPrefix(body, "En anden person vil") {
		t.Errorf("Message without a name = %q", body)
	}
	for _, k := range bk.NoticeKinds {
		if want := k == bk.NoticeEnding || k == bk.NoticeScopeEnding || k == bk.NoticeConsentEnding; k.Reminder() != want {
			t.Errorf("%s.Reminder() = %v; want %v", k, k.Reminder(), want)
		}
	}
}
