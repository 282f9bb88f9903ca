package screen

import (
	"unsafe"

	"github.com/painscreen/painscreen/screen/internal/plan"
)

// constJSON holds the JSON (quoted, escaped) of the definition strings every report repeats — rule ids,
// digests, flag messages, referral texts, rationales and sources — keyed by the address and length of
// their bytes. A report built by the engine carries the plan's own strings, so the encoder finds each in
// one hash probe and copies it instead of scanning it for characters to escape again. A string that is
// not the plan's (a report read back or changed by its user, text made per record) is simply not found
// and written as always: the table can only give the bytes appendString would give for the same string.
type constJSON struct {
	keys  []constKey // open addressing, a power of two long
	shift uint
}

type constKey struct {
	p    *byte
	n    int
	json []byte
}

// minConstLen is the shortest string worth looking up: shorter ones are escaped as fast as found.
const minConstLen = 1

// constStrings lists the plan's strings that reports carry as they are.
func constStrings(p *plan.Plan) []string {
	var ss []string
	add := func(s ...string) {
		for _, x := range s {
			if len(x) >= minConstLen {
				ss = append(ss, x)
			}
		}
	}
	for _, in := range p.Insts {
		add(in.ID, in.Version, in.Def.Digest, in.Def.Status)
		for _, it := range in.Items {
			add(it.ID)
		}
		for _, sc := range in.Scores {
			add(sc.ID, sc.Rule)
		}
		for _, f := range in.Flags {
			add(f.ID, f.Level, f.Message, f.Rule)
		}
		for _, fu := range in.FollowUps {
			add(fu.ID, fu.Rule)
		}
		for _, n := range in.Notes {
			add(n.Code, n.About, n.Message)
		}
	}
	add(StatusComplete, StatusIncomplete, StatusError, EngineName, Version, "context_unknown", "context")
	if rs := p.Rules; rs != nil {
		add(rs.Def.ID, rs.Version, rs.Def.Digest)
		add(rs.CtxUnknownMsgs...)
		for _, d := range rs.Domains {
			add(d.ID, d.Rule)
		}
		for _, t := range rs.Tiers {
			add(t.ID, t.Rule)
		}
		for _, r := range rs.Referrals {
			d := r.Def
			add(d.ID, d.Priority, d.Text, d.Rationale, d.Source, r.Rule)
			for _, a := range d.Addenda {
				add(a.Text)
			}
		}
	}
	return ss
}

// newConstJSON builds the table of ss.
func newConstJSON(ss []string) *constJSON {
	size := 16
	for size < 2*len(ss) {
		size *= 2
	}
	t := &constJSON{keys: make([]constKey, size), shift: uint(64 - bitsOf(size))}
	for _, s := range ss {
		p := unsafe.StringData(s)
		for i := t.home(p); ; i = (i + 1) & (len(t.keys) - 1) {
			k := &t.keys[i]
			if k.p == p && k.n == len(s) {
				break // listed twice
			}
			if k.p == nil {
				*k = constKey{p: p, n: len(s), json: appendString(nil, s)}
				break
			}
		}
	}
	return t
}

func bitsOf(size int) int {
	n := 0
	for size > 1 {
		size >>= 1
		n++
	}
	return n
}

func (t *constJSON) home(p *byte) int {
	return int(uint64(uintptr(unsafe.Pointer(p))) * 0x9E3779B97F4A7C15 >> t.shift)
}

// appendString appends s as a quoted JSON string, from the table when s is one of the plan's strings.
func (t *constJSON) appendString(b []byte, s string) []byte {
	if t != nil && len(s) >= minConstLen {
		p := unsafe.StringData(s)
		for i := t.home(p); ; i = (i + 1) & (len(t.keys) - 1) {
			k := &t.keys[i]
			if k.p == p && k.n == len(s) {
				return append(b, k.json...)
			}
			if k.p == nil {
				break
			}
		}
	}
	return appendString(b, s)
}
