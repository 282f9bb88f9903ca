// Command cardpage renders the CDS Hooks cards of the bundled examples as a static HTML page, laid out
// as an EHR shows cards (indicator bar, summary, detail, suggestion buttons, links, override reasons),
// so that a reviewer can look at them as a clinician would. scripts/cards-screenshot.sh screenshots it.
//
//	go run ./cmd/painscreen/internal/cardpage [-o cards.html] [examples/responses/*.yaml ...]
package main

import (
	"context"
	"flag"
	"fmt"
	"html"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/painscreen/painscreen/bundled"
	"github.com/painscreen/painscreen/screen"
	"github.com/painscreen/painscreen/screen/cds"
	"github.com/painscreen/painscreen/screen/respfile"
)

func main() {
	out := flag.String("o", "cards.html", "output `FILE`")
	flag.Parse()
	files := flag.Args()
	if len(files) == 0 {
		files, _ = filepath.Glob("examples/responses/*.yaml")
	}
	if err := run(*out, files); err != nil {
		fmt.Fprintln(os.Stderr, "cardpage:", err)
		os.Exit(1)
	}
}

func run(out string, files []string) error {
	eng, err := screen.New(bundled.Definitions())
	if err != nil {
		return err
	}
	n := 0
	maker := cds.NewMaker(eng, cds.Options{NewUUID: func() string { n++; return fmt.Sprintf("00000000-0000-4000-8000-%012d", n) }})
	var b strings.Builder
	b.WriteString(head)
	for _, f := range files {
		r, err := os.Open(f)
		if err != nil {
			return err
		}
		format, _ := respfile.FormatFromPath(f)
		rec, err := respfile.NewDecoder(r, format, respfile.Limits{}).Next()
		r.Close()
		if err != nil || rec.Err != nil {
			return fmt.Errorf("%s: cannot read the first record", f)
		}
		// In a CDS call the subject is the patient: suggestions are proposed for them.
		rec.Response.Subject = "Patient/example"
		rep, err := eng.Score(context.Background(), rec.Response)
		if err != nil {
			return fmt.Errorf("%s: not scored", f)
		}
		cards := maker.Cards(rep)
		fmt.Fprintf(&b, "<section><h2>%s <small>%d card(s)</small></h2>\n", html.EscapeString(filepath.Base(f)), len(cards))
		if len(cards) == 0 {
			b.WriteString(`<p class="none">No cards (<code>"cards": []</code>).</p>`)
		}
		for _, c := range cards {
			writeCard(&b, c)
		}
		b.WriteString("</section>\n")
	}
	b.WriteString("</body></html>\n")
	return os.WriteFile(out, []byte(b.String()), 0o644)
}

func writeCard(b *strings.Builder, c cds.Card) {
	fmt.Fprintf(b, `<div class="card %s"><div class="summary">%s</div>`, c.Indicator, html.EscapeString(c.Summary))
	fmt.Fprintf(b, `<div class="detail">%s</div>`, markdown(c.Detail))
	if len(c.Suggestions) > 0 {
		b.WriteString(`<div class="row">`)
		for _, s := range c.Suggestions {
			fmt.Fprintf(b, `<button class="suggest">%s</button>`, html.EscapeString(s.Label))
		}
		b.WriteString(`</div>`)
	}
	if len(c.Links) > 0 {
		b.WriteString(`<div class="row">`)
		for _, l := range c.Links {
			fmt.Fprintf(b, `<a href="%s">%s</a>`, html.EscapeString(l.URL), html.EscapeString(l.Label))
		}
		b.WriteString(`</div>`)
	}
	b.WriteString(`<div class="row foot">`)
	fmt.Fprintf(b, `<span class="source">%s</span>`, html.EscapeString(c.Source.Label))
	if len(c.OverrideReasons) > 0 {
		b.WriteString(`<select><option>Dismiss…</option>`)
		for _, o := range c.OverrideReasons {
			fmt.Fprintf(b, `<option>%s</option>`, html.EscapeString(o.Display))
		}
		b.WriteString(`</select>`)
	}
	b.WriteString("</div></div>\n")
}

var (
	boldRE   = regexp.MustCompile(`\*\*(.+?)\*\*`)
	italicRE = regexp.MustCompile(`(^|\s)_(.+?)_(\s|$)`)
	escRE    = regexp.MustCompile(`\\([\\` + "`" + `*_\[\]<>#|~])`)
)

// markdown renders the small Markdown subset the cards use: paragraphs, "- " lists, **bold**, _italic_.
func markdown(s string) string {
	var b strings.Builder
	inList := false
	for _, para := range strings.Split(strings.TrimSpace(s), "\n\n") {
		for _, line := range strings.Split(para, "\n") {
			h := html.EscapeString(line)
			h = boldRE.ReplaceAllString(h, "<b>$1</b>")
			h = italicRE.ReplaceAllString(h, "$1<i>$2</i>$3")
			h = escRE.ReplaceAllString(h, "$1")
			if item, ok := strings.CutPrefix(h, "- "); ok {
				if !inList {
					b.WriteString("<ul>")
					inList = true
				}
				b.WriteString("<li>" + item + "</li>")
				continue
			}
			if inList {
				b.WriteString("</ul>")
				inList = false
			}
			b.WriteString("<p>" + h + "</p>")
		}
	}
	if inList {
		b.WriteString("</ul>")
	}
	return b.String()
}

const head = `<!doctype html><html><head><meta charset="utf-8"><title>painscreen cards</title><style>
body{font:14px/1.4 system-ui,sans-serif;background:#f3f4f6;margin:16px;max-width:760px}
h2{font-size:15px;margin:20px 0 6px}h2 small{color:#666;font-weight:normal}
.card{background:#fff;border:1px solid #d1d5db;border-left:6px solid #3b82f6;border-radius:4px;margin:8px 0;padding:8px 12px}
.card.warning{border-left-color:#f59e0b}.card.critical{border-left-color:#dc2626}
.summary{font-weight:600;font-size:15px}.detail p{margin:6px 0}.detail ul{margin:4px 0 4px 18px;padding:0}
.row{margin-top:6px;display:flex;gap:8px;flex-wrap:wrap;align-items:center}
.suggest{background:#2563eb;color:#fff;border:0;border-radius:3px;padding:4px 8px}
a{color:#1d4ed8}.foot{color:#6b7280;font-size:12px;justify-content:space-between}.none{color:#666}
</style></head><body><h1>painscreen: CDS Hooks cards of the bundled examples</h1>
`
