package borgerkiosk_test

import (
	"testing"

	bk "github.com/borgerkiosk/borgerkiosk"
)

func TestPeriodText(t *testing.T) {
	for _, tt := range []struct {
		days int
		lang string
		want string
	}{
		{1825, "da", "5 år"},
		{365, "da", "1 år"},
		{730, "en", "2 years"},
		{365, "en", "1 year"},
		{180, "da", "6 måneder"},
		{30, "da", "1 måned"},
		{90, "en", "3 months"},
		{30, "en", "1 month"},
		{14, "da", "2 uger"},
		{7, "en", "1 week"},
		{1, "da", "1 dag"},
		{45, "da", "45 dage"},
		{400, "en", "400 days"},
		{0, "da", "0 dage"},
	} {
		if got := bk.PeriodText(tt.days, tt.lang); got != tt.want {
			t.Errorf("PeriodText(%d, %q) = %q; want %q", tt.days, tt.lang, got, tt.want)
		}
	}
}
