package suite

import "github.com/painscreen/painscreen/screen/catalog"

// depFinder computes the items a score depends on: those its condition and expression read, and those of
// the scores it reads (bands and lookups read their `of` score).
type depFinder struct {
	scores map[string]*catalog.ScoreDoc
	memo   map[string][]string
}

func newDepFinder(doc *catalog.InstrumentDoc) *depFinder {
	d := &depFinder{scores: map[string]*catalog.ScoreDoc{}, memo: map[string][]string{}}
	for i := range doc.Scores {
		d.scores[doc.Scores[i].ID] = &doc.Scores[i]
	}
	return d
}

func (d *depFinder) ofScore(id string) []string {
	if deps, ok := d.memo[id]; ok {
		return deps
	}
	d.memo[id] = nil // a cycle cannot compile; this only guards the recursion
	s := d.scores[id]
	if s == nil {
		return nil
	}
	set := map[string]bool{}
	var out []string
	add := func(items []string) {
		for _, it := range items {
			if !set[it] {
				set[it] = true
				out = append(out, it)
			}
		}
	}
	for _, r := range []*catalog.Reads{reads(s.WhenReads), reads(s.ExprReads)} {
		add(r.Items)
		for _, sc := range r.Scores {
			add(d.ofScore(sc))
		}
	}
	if s.Of != "" {
		add(d.ofScore(s.Of))
	}
	d.memo[id] = out
	return out
}
