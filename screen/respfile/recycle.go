package respfile

import "github.com/painscreen/painscreen/screen"

// Recycle gives the decoder back a response set it returned, which the caller no longer uses: its maps
// are emptied and the next records of a JSON or JSON Lines input are read into them, so a loop that
// recycles each response set after scoring it allocates little per record. After Recycle, r and every
// map it holds belong to the decoder again: the caller must not read or keep them (nor anything taken
// from them, such as an instrument's answer map), and must recycle a response set at most once. Only
// what this decoder returned may be recycled. Other formats ignore it; a nil r is ignored.
func (d *Decoder) Recycle(r *screen.Response) {
	if r != nil && d.fh == nil && (d.format == FormatJSONL || d.format == FormatJSON) && len(d.p.free) < maxRecycled {
		d.p.free = append(d.p.free, r)
	}
}

// maxRecycled bounds the recycled response sets and answer maps a decoder keeps.
const maxRecycled = 1024

// newResponse returns an empty response set: a recycled one, its maps emptied and set aside for the
// parse to fill, or a new one.
func (p *jparser) newResponse() *screen.Response {
	p.spareAnswers, p.spareCtx = nil, nil
	n := len(p.free)
	if n == 0 {
		return &screen.Response{}
	}
	r := p.free[n-1]
	p.free[n-1] = nil
	p.free = p.free[:n-1]
	for _, m := range r.Answers {
		if m != nil && len(p.freeMaps) < maxRecycled {
			clear(m)
			p.freeMaps = append(p.freeMaps, m)
		}
	}
	if r.Answers != nil {
		clear(r.Answers)
		p.spareAnswers = r.Answers
	}
	if r.Context != nil {
		clear(r.Context)
		p.spareCtx = r.Context
	}
	*r = screen.Response{}
	return r
}

// answerMap returns an empty map for an instrument's answers: a recycled one, or a new one with room for
// size answers.
func (p *jparser) answerMap(size int) map[string]any {
	if n := len(p.freeMaps); n > 0 {
		m := p.freeMaps[n-1]
		p.freeMaps[n-1] = nil
		p.freeMaps = p.freeMaps[:n-1]
		return m // emptied when it was set aside
	}
	return make(map[string]any, size)
}
