package central_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/borgerkiosk/borgerkiosk/internal/testtool"
)

// The phone the relative's page is checked on: a common small phone, in
// CSS px.
const phoneW, phoneH = 390, 844

// phoneLayout is what the page looks like to the phone's user, measured in
// the browser.
type phoneLayout struct {
	ScrollWidth int       `json:"scrollWidth"` // wider than the viewport: the page scrolls sideways
	H1, H2      float64   // largest font-size of each, px
	Body        float64   // font-size of the body text, px
	Lang        string    // the page's language (html lang)
	Hyphens     string    // the h1's hyphens: "auto" hyphenates long words by the page's language
	Broken      []string  // heading words split over two lines
	Facts       *phoneBox // the list of what is delegated (#scopes); nil if absent
	Headings    string    // heading levels in document order, e.g. "h1 h2 h2"
	Main        *phoneBox // the page's main button; nil if absent
	Small       []string  // touch targets smaller than 48×48 px
	LowContrast []string  // text under WCAG AA's 4.5:1 (3:1 for large text)
	Clipped     []string  // elements whose text does not fit in them
}

type phoneBox struct{ Top, Bottom, Left, Right float64 }

// measureJS returns a phoneLayout of the page; %q is the main button's id.
const measureJS = `(() => {
window.scrollTo(0, 0);
const px = e => parseFloat(getComputedStyle(e).fontSize);
const max = sel => Math.max(0, ...[...document.querySelectorAll(sel)].map(px));
const name = e => e.id || e.tagName.toLowerCase() + ' "' + e.textContent.trim().slice(0, 40) + '"';
const m = document.getElementById(%q), r = m && m.getBoundingClientRect();
const small = [...document.querySelectorAll('a, button, input:not([type=hidden])')].filter(e => {
  const b = e.getBoundingClientRect(); return b.height < 48 || b.width < 48; }).map(name);
const rgb = s => (s.match(/[\d.]+/g) || []).map(Number);
const lum = c => { const v = c.slice(0, 3).map(x => { x /= 255; return x <= 0.03928 ? x / 12.92 : ((x + 0.055) / 1.055) ** 2.4; });
  return 0.2126 * v[0] + 0.7152 * v[1] + 0.0722 * v[2]; };
const bg = e => { for (; e; e = e.parentElement) { const c = rgb(getComputedStyle(e).backgroundColor); if (c.length < 4 || c[3] > 0) return c; } return [255, 255, 255]; };
const low = [], clipped = [];
for (const e of document.body.querySelectorAll('*')) {
  if (![...e.childNodes].some(n => n.nodeType === 3 && n.textContent.trim())) continue;
  const s = getComputedStyle(e), a = lum(rgb(s.color)), b = lum(bg(e));
  const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
  const large = px(e) >= 24 || (px(e) >= 18.66 && +s.fontWeight >= 700);
  if (ratio < (large ? 3 : 4.5)) low.push(name(e) + ' ' + ratio.toFixed(2));
  if (e.scrollWidth > e.clientWidth + 1 && s.overflowX !== 'visible') clipped.push(name(e));
}
// A word split over two lines has its pieces on two line boxes: two tops.
const broken = [];
for (const h of document.querySelectorAll('h1, h2, h3')) {
  const walk = document.createTreeWalker(h, NodeFilter.SHOW_TEXT);
  for (let n; (n = walk.nextNode());) {
    for (const m of n.textContent.matchAll(/\S+/g)) {
      const rg = document.createRange(); rg.setStart(n, m.index); rg.setEnd(n, m.index + m[0].length);
      const tops = new Set([...rg.getClientRects()].filter(b => b.width > 0).map(b => Math.round(b.top)));
      if (tops.size > 1) broken.push(h.tagName.toLowerCase() + ' "' + m[0] + '"');
    }
  }
}
const f = document.getElementById('scopes'), fr = f && f.getBoundingClientRect();
const h1 = document.querySelector('h1');
return {scrollWidth: document.documentElement.scrollWidth, H1: max('h1'), H2: max('h2'), Body: px(document.body),
  Lang: document.documentElement.lang, Hyphens: h1 ? getComputedStyle(h1).hyphens : '', Broken: broken,
  Facts: fr ? {Top: fr.top, Bottom: fr.bottom, Left: fr.left, Right: fr.right} : null,
  Headings: [...document.querySelectorAll('h1, h2, h3')].map(e => e.tagName.toLowerCase()).join(' '),
  Main: r ? {Top: r.top, Bottom: r.bottom, Left: r.left, Right: r.right} : null,
  Small: small, LowContrast: low, Clipped: clipped};
})()`

// A small phone's width, CSS px, where long Danish words are hardest to fit.
const narrowW = 320

// answers reports whether the main button with id answers (accepts,
// declines, renounces): it comes after the facts it answers on, so with
// large text it may be below the first view (checkFirstView is for the
// first step of a page that has one).
func answers(id string) bool {
	return id == "accept" || strings.HasSuffix(id, "-confirm") || strings.HasPrefix(id, "renounce-")
}

// checkFirstView checks that the element with id, the first thing to do
// on the page (sign in, type the code), is wholly in the first phoneW×phoneH
// view with the browser's text size doubled: the heading and the reading
// do not push it out of sight.
func checkFirstView(t *testing.T, ctx context.Context, name, id string) {
	t.Helper()
	var b *phoneBox
	err := chromedp.Do(ctx, textSize(32))
	if err == nil {
		b, err = chromedp.Run(ctx, chromedp.Evaluate[*phoneBox](fmt.Sprintf(`(() => { window.scrollTo(0, 0);
			const e = document.getElementById(%q), r = e && e.getBoundingClientRect();
			return r ? {Top: r.top, Bottom: r.bottom, Left: r.left, Right: r.right} : null; })()`, id)))
	}
	if err == nil {
		err = chromedp.Do(ctx, textSize(16))
	}
	if err != nil {
		t.Fatalf("%s: measuring #%s: %v", name, id, err)
	}
	if !inFirstView(b, phoneW) {
		t.Errorf("%s at text zoom 200%%: #%s at %+v; want it wholly in the first %d×%d view", name, id, b, phoneW, phoneH)
	}
}

// checkPhone measures the page now in the browser at phoneW×phoneH, keeps a
// screenshot of the first viewport as phone-<name>.png, and reports what an
// older person with a phone would stumble on: the main button (id main; ""
// for none) not wholly in the first viewport, headings out of order or an h2
// larger than the h1, sideways scrolling, small touch targets, low contrast,
// a heading word split over two lines. It does it again with the browser's
// text size doubled (text zoom 200%), where the page may grow longer but
// never wider and an answer stays below its facts, and both again at
// narrowW wide.
func checkPhone(t *testing.T, ctx context.Context, name, main string) {
	t.Helper()
	l := measurePhone(t, ctx, name, main, 16)
	if main != "" {
		if b := l.Main; !inFirstView(b, phoneW) {
			t.Errorf("%s: main button #%s at %+v; want wholly inside the first %d×%d viewport", name, main, b, phoneW, phoneH)
		}
	}
	if l.Hyphens != "auto" || (l.Lang != "da" && l.Lang != "en") {
		t.Errorf("%s: h1 hyphens %q on a page in %q; want auto, with the page's language set (da or en) so words are split at their syllables", name, l.Hyphens, l.Lang)
	}
	if l.H1 <= l.H2 {
		t.Errorf("%s: h1 font-size %.1fpx, h2 %.1fpx; want the h1 larger", name, l.H1, l.H2)
	}
	if !headingsInOrder(l.Headings) {
		t.Errorf("%s: headings %q; want one h1 first, then h2s, each h3 under an h2", name, l.Headings)
	}
	if len(l.LowContrast) > 0 {
		t.Errorf("%s: text below WCAG AA contrast: %v", name, l.LowContrast)
	}
	zoomed := measurePhone(t, ctx, name+"-text200", main, 32)
	if main != "" {
		if b, f := zoomed.Main, zoomed.Facts; answers(main) && f != nil && b != nil && b.Top < f.Bottom {
			t.Errorf("%s at text zoom 200%%: #%s at %+v above the end of the facts at %+v; want the answer after what it answers", name, main, b, f)
		}
	}
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(narrowW, phoneH, chromedp.EmulatePortrait, chromedp.EmulateMobile, chromedp.EmulateTouch)); err != nil {
		t.Fatalf("%s: narrow viewport: %v", name, err)
	}
	narrow := measurePhone(t, ctx, name+"-320-text200", main, 32)
	narrowSmall := measurePhone(t, ctx, name+"-320", main, 16)
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(phoneW, phoneH, chromedp.EmulatePortrait, chromedp.EmulateMobile, chromedp.EmulateTouch)); err != nil {
		t.Fatalf("%s: viewport back: %v", name, err)
	}
	for _, m := range []struct {
		l     phoneLayout
		w     int
		where string
	}{{l, phoneW, ""}, {zoomed, phoneW, " at text zoom 200%"}, {narrow, narrowW, " at text zoom 200%"}, {narrowSmall, narrowW, ""}} {
		l := m.l
		if l.ScrollWidth > m.w {
			t.Errorf("%s%s: page %dpx wide; want no sideways scrolling at %dpx", name, m.where, l.ScrollWidth, m.w)
		}
		if len(l.Small) > 0 {
			t.Errorf("%s%s: touch targets under 48×48 px: %v", name, m.where, l.Small)
		}
		if len(l.Clipped) > 0 {
			t.Errorf("%s%s: text that does not fit: %v", name, m.where, l.Clipped)
		}
		if len(l.Broken) > 0 {
			t.Errorf("%s%s at %dpx wide: heading words split over two lines: %v; want each heading word whole on a line", name, m.where, m.w, l.Broken)
		}
		if l.H1 < 1.1*l.Body {
			t.Errorf("%s%s at %dpx wide: h1 %.1fpx, text %.1fpx; want the h1 larger than the text", name, m.where, m.w, l.H1, l.Body)
		}
	}
	if err := chromedp.Do(ctx, textSize(16)); err != nil {
		t.Fatalf("%s: text size back to normal: %v", name, err)
	}
	if zoomed.Body < 1.9*l.Body {
		t.Errorf("%s: text %.1fpx at text zoom 200%%, %.1fpx at 100%%; want the text to grow with the browser's text size", name, zoomed.Body, l.Body)
	}
}

// inFirstView reports whether b is wholly inside the first view of a
// phone w px wide.
func inFirstView(b *phoneBox, w int) bool {
	return b != nil && b.Top >= 0 && b.Left >= 0 && b.Bottom <= phoneH && b.Right <= float64(w)
}

// measurePhone sets the browser's default font size to fontPx (16 is
// normal), measures the page and keeps a screenshot of the first viewport.
func measurePhone(t *testing.T, ctx context.Context, name, main string, fontPx int64) phoneLayout {
	t.Helper()
	var l phoneLayout
	err := chromedp.Do(ctx, textSize(fontPx))
	if err == nil {
		l, err = chromedp.Run(ctx, chromedp.Evaluate[phoneLayout](fmt.Sprintf(measureJS, main)))
	}
	if err != nil {
		t.Fatalf("%s: measuring the page: %v", name, err)
	}
	shot, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatalf("%s: screenshot: %v", name, err)
	}
	p := filepath.Join(t.ArtifactDir(), "phone-"+name+".png")
	if err := os.WriteFile(p, shot, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: %s", p)
	if os.Getenv("BK_ARTIFACTS") != "" {
		testtool.KeepArtifact(t, p, "phone-"+name+".png")
	}
	return l
}

// textSize sets the browser's default font size, as a phone's text size
// setting does (16 px is normal).
func textSize(px int64) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, page.SetFontSizes, page.SetFontSizesParams{FontSizes: &page.FontSizes{Standard: px}})
		return err
	})
}

// headingsInOrder reports whether levels ("h1 h2 h3 h2") start with the
// only h1 and never skip a level going down.
func headingsInOrder(levels string) bool {
	prev := 0
	for i, f := range strings.Fields(levels) {
		n := int(f[1] - '0')
		if (i == 0) != (n == 1) || n > prev+1 {
			return false
		}
		prev = n
	}
	return prev > 0
}
