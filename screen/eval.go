package screen

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"unicode/utf8"

	"cel.dev/cel-go/interpreter"
)

const (
	itemUnanswered uint8 = iota
	itemAnswered
	itemDisabled
)

const (
	scorePending uint8 = iota
	scoreComputed
	scoreNotComputed
	scoreNotApplicable
)

const (
	flagNotEvaluated uint8 = iota
	flagNotFired
	flagFired
)

var (
	statusComplete   = StringValue(StatusComplete)
	statusIncomplete = StringValue(StatusIncomplete)
	statusAbsent     = StringValue("absent")
)

// maxSubjectBytes bounds the subject id.
const maxSubjectBytes = 1024

// read is one field an expression read; spans of reads become a result's reasons.
type read struct {
	ie      *instEval
	kind    readKind
	missing bool // a presence test (has) that found the field not set
	idx     int32
}

type span struct{ from, to int32 }

// evalState is the scratch space of one Score call; the engine pools them so scoring does not allocate it.
type evalState struct {
	eng   *Engine
	insts []instEval // one per loaded instrument, indexed like Engine.insts
	used  []int      // the instruments this response answered, in Engine.insts order
	ctx   ctxEval
	reads []read
	comp  compEval
	act   activation
	fx    fctx
	epoch uint32 // for deduplicating reasons (see why)
}

// marks are per-field stamps used to drop repeated reads from reasons.
type marks struct {
	items, scores, flags []uint32
	status               uint32
}

type ctxEval struct {
	vals  []Value
	set   []bool
	marks []uint32
}

// note kinds recorded during evaluation; turned into Notes when the report is built.
const (
	noteProrated uint8 = iota
	noteNotComputed
	noteTooFew
	noteDependency
	noteNotApplicable
	noteFlagNotEvaluated
)

type noteRec struct {
	kind  uint8
	about int // score or flag index
	field *fieldError
	a, b  int
}

type instEval struct {
	inst       *instrument
	ev         *evalState
	present    bool
	incomplete bool
	key        string // the answers key as given
	vals       []int64
	st         []uint8
	sv         []Value
	ss         []uint8
	sr         []span
	fs         []uint8
	fr         []span
	notes      []noteRec
	cur        int
	ctxView    contextView
	marks      marks
	// pos is the instrument's position in the report being built, or -1-i for rule-set input i's
	// placeholder (an absent input).
	pos int
}

func (ie *instEval) posOrNone() int {
	if ie == nil {
		return 0
	}
	return ie.pos
}

func (ie *instEval) status() Value {
	switch {
	case !ie.present:
		return statusAbsent
	case ie.incomplete:
		return statusIncomplete
	}
	return statusComplete
}

func (ie *instEval) prorated(answered, listed int) {
	ie.notes = append(ie.notes, noteRec{kind: noteProrated, about: ie.cur, a: answered, b: listed})
}

func (ie *instEval) reset() {
	ie.present, ie.incomplete, ie.key = false, false, ""
	clear(ie.vals)
	clear(ie.st)
	clear(ie.sv)
	clear(ie.ss)
	clear(ie.sr)
	clear(ie.fs)
	clear(ie.fr)
	ie.notes = ie.notes[:0]
}

type compEval struct {
	rs           *ruleSet
	ev           *evalState
	inputs       []*instEval
	placeholders []instEval
	mismatch     []*instEval // per input: a present instrument of another version, if any
	applied      bool
	reason       string
	dv           []Value
	dr           []span
	tier         int
	tierVal      Value
	tr           span
	fired        []bool
	fr           []span
	addFired     [][]bool
	marks        []uint32 // per domain
	tierMark     uint32
}

// activation resolves the variables of whichever expression is running.
type activation struct {
	ev    *evalState
	ie    *instEval
	rules bool
}

func (a *activation) ResolveName(name string) (any, bool) {
	if !a.rules {
		switch name {
		case "answers":
			return (*answersView)(a.ie), true
		case "scores":
			return (*scoresView)(a.ie), true
		case "context":
			return &a.ie.ctxView, true
		}
		return nil, false
	}
	switch name {
	case "domains":
		return (*domainsView)(&a.ev.comp), true
	case "tier":
		return refOf(tierGet(&a.ev.comp)), true
	}
	if i, ok := a.ev.comp.rs.inputIdx[name]; ok {
		return (*resultView)(a.ev.comp.inputs[i]), true
	}
	return nil, false
}

func (a *activation) Parent() interpreter.Activation { return nil }

func (ev *evalState) record(ie *instEval, k readKind, idx int) {
	ev.reads = append(ev.reads, read{ie: ie, kind: k, idx: int32(idx)})
}

func (ev *evalState) recordMissing(ie *instEval, k readKind, idx int) {
	ev.reads = append(ev.reads, read{ie: ie, kind: k, missing: true, idx: int32(idx)})
}

// run evaluates one expression: through its compiled fast path when it has one, else CEL's interpreter.
func (ev *evalState) run(p *prog, ie *instEval, rules bool) (Value, error) {
	if p.fast != nil {
		ev.fx.ev, ev.fx.ie = ev, ie
		return p.fast(&ev.fx)
	}
	ev.act.ie, ev.act.rules = ie, rules
	out, _, err := p.prg.Eval(&ev.act)
	if err != nil {
		return Value{}, err
	}
	return valueOf(out), nil
}

func (e *Engine) newState() *evalState {
	ev := &evalState{eng: e, insts: make([]instEval, len(e.insts)), used: make([]int, 0, len(e.insts))}
	ev.act.ev = ev
	for i, in := range e.insts {
		ie := &ev.insts[i]
		*ie = newInstEval(in, ev)
	}
	ev.ctx = ctxEval{vals: make([]Value, len(e.ctxFields)), set: make([]bool, len(e.ctxFields)), marks: make([]uint32, len(e.ctxFields))}
	if rs := e.rules; rs != nil {
		ce := &ev.comp
		ce.rs, ce.ev = rs, ev
		ce.inputs = make([]*instEval, len(rs.inputs))
		ce.mismatch = make([]*instEval, len(rs.inputs))
		ce.placeholders = make([]instEval, len(rs.inputs))
		for i, in := range rs.inputs {
			ce.placeholders[i] = newInstEval(in.inst, ev)
			ce.placeholders[i].pos = -1 - i
		}
		ce.dv = make([]Value, len(rs.domains))
		ce.marks = make([]uint32, len(rs.domains))
		ce.dr = make([]span, len(rs.domains))
		ce.fired = make([]bool, len(rs.referrals))
		ce.fr = make([]span, len(rs.referrals))
		ce.addFired = make([][]bool, len(rs.referrals))
		for i, r := range rs.referrals {
			ce.addFired[i] = make([]bool, len(r.addenda))
		}
	}
	ev.reads = make([]read, 0, 256)
	return ev
}

func newInstEval(in *instrument, ev *evalState) instEval {
	ie := instEval{inst: in, ev: ev,
		vals: make([]int64, len(in.items)), st: make([]uint8, len(in.items)),
		sv: make([]Value, len(in.scores)), ss: make([]uint8, len(in.scores)), sr: make([]span, len(in.scores)),
		fs: make([]uint8, len(in.flags)), fr: make([]span, len(in.flags)),
		notes: make([]noteRec, 0, 4),
		marks: marks{items: make([]uint32, len(in.items)), scores: make([]uint32, len(in.scores)), flags: make([]uint32, len(in.flags))}}
	ie.ctxView.typ = in.contextT.typ
	return ie
}

func (ev *evalState) reset() {
	for _, i := range ev.used {
		ev.insts[i].reset()
	}
	ev.used = ev.used[:0]
	clear(ev.ctx.vals)
	clear(ev.ctx.set)
	ev.reads = ev.reads[:0]
	if ce := &ev.comp; ce.rs != nil {
		for i := range ce.placeholders {
			ce.placeholders[i].reset()
		}
		clear(ce.inputs)
		clear(ce.mismatch)
		clear(ce.dv)
		clear(ce.dr)
		clear(ce.fired)
		clear(ce.fr)
		for _, a := range ce.addFired {
			clear(a)
		}
		ce.applied, ce.reason, ce.tier, ce.tierVal, ce.tr = false, "", 0, Value{}, span{}
	}
	ev.act.ie = nil
}

// Score scores one response set. It is safe to call from many goroutines at once. Problems with the
// response (unknown items, values out of range, …) come back as a *ScoreError; a cancelled context as its
// error. A score that cannot be computed because answers are missing is not an error: the report says so.
func (e *Engine) Score(ctx context.Context, r *Response) (*Report, error) {
	rep := new(Report)
	if err := e.ScoreTo(ctx, r, rep); err != nil {
		return nil, err
	}
	return rep, nil
}

// ScoreTo is Score writing into dst, reusing the memory dst holds from an earlier call: in a batch loop
// with one Report per goroutine, scoring allocates almost nothing. Everything dst held before — including
// slices taken from it — is overwritten. On error dst's contents are unspecified.
func (e *Engine) ScoreTo(ctx context.Context, r *Response, dst *Report) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if r == nil {
		return scoreErr(ErrNoAnswers, "", "", "no response set")
	}
	ev := e.pool.Get().(*evalState)
	defer func() {
		ev.reset()
		e.pool.Put(ev)
	}()
	if err := ev.load(r); err != nil {
		return err
	}
	for _, i := range ev.used {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := ev.scoreInstrument(&ev.insts[i]); err != nil {
			return err
		}
	}
	if e.rules != nil {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := ev.scoreComposite(); err != nil {
			return err
		}
		if !ev.comp.applied && e.requireComposite {
			return scoreErr(ErrCompositeNotApplied, "", e.rules.key, "%s was not applied: %s", e.rules.key, ev.comp.reason)
		}
	}
	ev.report(dst, r.Subject)
	return nil
}

// errRank orders candidate errors so the one reported is the same whatever the map iteration order.
type errRank struct {
	err      *ScoreError
	key, sub string
}

func (r *errRank) offer(err *ScoreError, key, sub string) {
	if r.err == nil || key < r.key || (key == r.key && sub < r.sub) {
		r.err, r.key, r.sub = err, key, sub
	}
}

// load resolves the response's answers and context into the evaluation state, validating every value.
func (ev *evalState) load(r *Response) error {
	e := ev.eng
	if len(r.Subject) > maxSubjectBytes {
		return scoreErr(ErrInvalidSubject, "", "subject", "subject id is longer than %d bytes", maxSubjectBytes)
	}
	if !utf8.ValidString(r.Subject) {
		return scoreErr(ErrInvalidSubject, "", "subject", "subject id is not valid UTF-8")
	}
	if len(r.Answers) == 0 {
		return scoreErr(ErrNoAnswers, "", "", "the response set has no answers")
	}
	var worst errRank
	answered := 0
	for key, items := range r.Answers {
		in, err := e.resolve(key)
		if err != nil {
			worst.offer(err, key, "")
			continue
		}
		ie := &ev.insts[in.index]
		dup := false
		for _, j := range ev.used {
			if ev.insts[j].inst.id == in.id {
				dup = true
				worst.offer(scoreErr(ErrDuplicateInstrument, key, "", "instrument %s is answered under two keys (%q and %q)", in.id, ev.insts[j].key, key), max(key, ev.insts[j].key), "")
			}
		}
		if dup {
			continue
		}
		ie.present, ie.key = true, key
		ev.used = append(ev.used, in.index)
		here := 0
		for itemID, v := range items {
			idx, ok := in.itemIdx[itemID]
			if !ok {
				worst.offer(scoreErr(ErrUnknownItem, key, itemID, "%s has no item %q", in.key, itemID), key, itemID)
				continue
			}
			if v == nil {
				continue
			}
			val, err := in.items[idx].convert(v)
			if err != nil {
				err.Instrument, err.Item = key, itemID
				worst.offer(err, key, itemID)
				continue
			}
			ie.vals[idx], ie.st[idx] = val, itemAnswered
			here++
		}
		if here == 0 {
			// Nothing answered (every item null or left out, as a row of empty CSV cells): the instrument
			// was not administered. It is left out of the report and is absent for the rule set.
			ie.present, ie.key = false, ""
			ev.used = ev.used[:len(ev.used)-1]
		}
		answered += here
	}
	for k, v := range r.Context {
		f, ok := e.ctxIdx[k]
		if !ok {
			worst.offer(scoreErr(ErrUnknownContext, "", "context."+k, "no loaded definition declares the context field %q", k), "\xff", k)
			continue
		}
		if v == nil {
			continue
		}
		cv, err := f.convert(v)
		if err != nil {
			worst.offer(err, "\xff", k)
			continue
		}
		ev.ctx.vals[f.slot], ev.ctx.set[f.slot] = cv, true
	}
	if worst.err != nil {
		return worst.err
	}
	if answered == 0 {
		return scoreErr(ErrNoAnswers, "", "", "every answer in the response set is empty")
	}
	sortInts(ev.used)
	for _, i := range ev.used {
		ie := &ev.insts[i]
		ie.ctxView.ie = ie
		if ie.inst.hasSkip {
			if err := ev.applySkipLogic(ie); err != nil {
				return err
			}
		}
	}
	ev.reads = ev.reads[:0]
	return nil
}

func sortInts(a []int) {
	for i := 1; i < len(a); i++ {
		for j := i; j > 0 && a[j] < a[j-1]; j-- {
			a[j], a[j-1] = a[j-1], a[j]
		}
	}
}

// applySkipLogic evaluates enable_when in item order. A condition that reads an unanswered item leaves its
// item enabled (absence then counts as missing, the conservative choice); one that reads a disabled item
// disables its item too.
func (ev *evalState) applySkipLogic(ie *instEval) error {
	for i, it := range ie.inst.items {
		if it.enable == nil {
			continue
		}
		out, err := ev.run(it.enable, ie, false)
		enabled := true
		if err != nil {
			var fe *fieldError
			switch {
			case errors.As(err, &fe) && fe.disabled:
				enabled = false
			case errors.As(err, &fe):
				enabled = true
			default:
				return evalError(ie.inst.key, it.id+".enable_when", err)
			}
		} else {
			enabled = out.isTrue()
		}
		if !enabled {
			if ie.st[i] == itemAnswered {
				return scoreErr(ErrDisabledItem, ie.key, it.id, "item %s is not asked with these answers (skip logic: %s), but it was answered", it.id, strings.TrimSpace(it.enable.expr.Src))
			}
			ie.st[i] = itemDisabled
		}
	}
	return nil
}

// evalError reports an expression failure without echoing values (CEL messages can quote them).
func evalError(key, what string, err error) *ScoreError {
	var fe *fieldError
	reason := "runtime error"
	msg := err.Error()
	switch {
	case errors.As(err, &fe) && fe.disabled:
		reason = fe.Error()
	case strings.Contains(msg, "division by zero"):
		reason = "division by zero"
	case strings.Contains(msg, "overflow"):
		reason = "integer overflow"
	case strings.Contains(msg, "no such overload"), strings.Contains(msg, "no matching overload"):
		reason = "no matching function for these value types"
	case strings.Contains(msg, "outside"), strings.Contains(msg, "no table row"), strings.Contains(msg, "declared values"):
		reason = msg
	}
	return scoreErr(ErrEvaluation, key, what, "evaluating %s failed: %s (a definition bug: please report it with the definition's digest)", what, reason)
}

// convert validates one answer: an integer among the options (or in range), or an option code.
func (it *item) convert(v any) (int64, *ScoreError) {
	var n int64
	switch x := v.(type) {
	case int:
		n = int64(x)
	case int8:
		n = int64(x)
	case int16:
		n = int64(x)
	case int32:
		n = int64(x)
	case int64:
		n = x
	case uint:
		if uint64(x) > math.MaxInt64 {
			return 0, scoreErr(ErrInvalidValue, "", "", "value is out of range (%s)", it.allowed)
		}
		n = int64(x)
	case uint8:
		n = int64(x)
	case uint16:
		n = int64(x)
	case uint32:
		n = int64(x)
	case uint64:
		if x > math.MaxInt64 {
			return 0, scoreErr(ErrInvalidValue, "", "", "value is out of range (%s)", it.allowed)
		}
		n = int64(x)
	case float64:
		if x != math.Trunc(x) || math.IsInf(x, 0) || math.Abs(x) > 1<<53 {
			return 0, scoreErr(ErrNotInteger, "", "", "answer is not a whole number (%s)", it.allowed)
		}
		n = int64(x)
	case float32:
		f := float64(x)
		if f != math.Trunc(f) || math.IsInf(f, 0) || math.Abs(f) > 1<<24 {
			return 0, scoreErr(ErrNotInteger, "", "", "answer is not a whole number (%s)", it.allowed)
		}
		n = int64(f)
	case json.Number:
		i, err := x.Int64()
		if err != nil {
			return 0, scoreErr(ErrNotInteger, "", "", "answer is not a whole number (%s)", it.allowed)
		}
		n = i
	case string:
		if c, ok := it.codes[x]; ok {
			return c, nil
		}
		if len(it.codes) == 0 {
			return 0, scoreErr(ErrWrongType, "", "", "answer must be a whole number (%s), not text: the item's options have no codes", it.allowed)
		}
		return 0, scoreErr(ErrInvalidValue, "", "", "answer is not one of the item's option codes")
	default:
		return 0, scoreErr(ErrWrongType, "", "", "answer must be a whole number or an option code, not %s", goKind(v))
	}
	if it.options != nil {
		for _, o := range it.options {
			if o.Value == n {
				return n, nil
			}
		}
		return 0, scoreErr(ErrInvalidValue, "", "", "value is not among the options (%s)", it.allowed)
	}
	if n < it.min || (it.hasMax && n > it.max) {
		return 0, scoreErr(ErrInvalidValue, "", "", "value is out of range (%s)", it.allowed)
	}
	return n, nil
}

func goKind(v any) string {
	switch v.(type) {
	case bool:
		return "true/false"
	case []any:
		return "a list"
	case map[string]any:
		return "an object"
	}
	return fmt.Sprintf("a %T", v)
}

func (f *ctxField) convert(v any) (Value, *ScoreError) {
	bad := func(format string, args ...any) (Value, *ScoreError) {
		return Value{}, scoreErr(ErrInvalidContext, "", "context."+f.id, format, args...)
	}
	if f.typ == "string" {
		s, ok := v.(string)
		if !ok {
			return bad("context field %s must be text", f.id)
		}
		if len(s) > maxContextString || !utf8.ValidString(s) {
			return bad("context field %s must be valid UTF-8 text of at most %d bytes", f.id, maxContextString)
		}
		return StringValue(s), nil
	}
	it := item{min: math.MinInt64, allowed: "a whole number"}
	n, err := it.convert(v)
	if err != nil {
		return bad("context field %s must be a whole number", f.id)
	}
	if f.bounded && (n < f.min || n > f.max) {
		return bad("context field %s must be a whole number from %d to %d", f.id, f.min, f.max)
	}
	return IntValue(n), nil
}

// scoreInstrument computes one instrument's scores and flags.
func (ev *evalState) scoreInstrument(ie *instEval) error {
	in := ie.inst
	for si, s := range in.scores {
		ie.cur = si
		start := int32(len(ev.reads))
		if s.when != nil {
			out, err := ev.run(s.when, ie, false)
			if err != nil {
				if cerr := ie.notComputed(si, err); cerr != nil {
					return cerr
				}
				ie.sr[si] = span{start, int32(len(ev.reads))}
				continue
			}
			if !out.isTrue() {
				ie.ss[si] = scoreNotApplicable
				ie.notes = append(ie.notes, noteRec{kind: noteNotApplicable, about: si})
				ie.sr[si] = span{start, int32(len(ev.reads))}
				continue
			}
		}
		switch s.kind {
		case scoreExpr:
			out, err := ev.run(s.expr, ie, false)
			if err != nil {
				if cerr := ie.notComputed(si, err); cerr != nil {
					return cerr
				}
			} else {
				ie.sv[si], ie.ss[si] = out, scoreComputed
			}
		case scoreBands, scoreLookup:
			if ie.ss[s.of] != scoreComputed {
				ie.ss[si] = scoreNotComputed
				ie.incomplete = true
				ie.notes = append(ie.notes, noteRec{kind: noteDependency, about: si, a: s.of})
				break
			}
			ev.record(ie, readScore, s.of)
			v := ie.sv[s.of]
			var out Value
			var ok bool
			if s.kind == scoreBands {
				out, ok = s.band(v)
				if !ok {
					return scoreErr(ErrEvaluation, in.key, s.id, "score %s: the value of %s falls outside every band (a definition bug)", s.id, in.scores[s.of].id)
				}
			} else {
				out, ok = s.lookupValue(v)
				if !ok {
					return scoreErr(ErrEvaluation, in.key, s.id, "score %s: the lookup table has no row for this value of %s (a definition bug)", s.id, in.scores[s.of].id)
				}
			}
			ie.sv[si], ie.ss[si] = out, scoreComputed
		}
		ie.sr[si] = span{start, int32(len(ev.reads))}
	}
	for fi, f := range in.flags {
		start := int32(len(ev.reads))
		out, err := ev.run(f.when, ie, false)
		switch {
		case err != nil:
			fe, _, missing := missingData(err)
			if !missing {
				return evalError(in.key, "flags."+f.id, err)
			}
			ie.notes = append(ie.notes, noteRec{kind: noteFlagNotEvaluated, about: fi, field: fe})
			ie.fs[fi] = flagNotEvaluated
		case out.isTrue():
			ie.fs[fi] = flagFired
		default:
			ie.fs[fi] = flagNotFired
		}
		ie.fr[fi] = span{start, int32(len(ev.reads))}
	}
	return nil
}

// missingData reports whether an evaluation failed only because data was missing: a field that is not
// set (fe) or a prorated sum with too many items missing (ne). Any other failure, including reading an
// item that skip logic disabled, is a definition bug.
func missingData(err error) (fe *fieldError, ne *notEnoughError, missing bool) {
	if errors.As(err, &fe) {
		return fe, nil, !fe.disabled
	}
	if errors.As(err, &ne) {
		return nil, ne, true
	}
	return nil, nil, false
}

// notComputed records why score si could not be computed, or returns the error when the failure is a
// definition bug rather than missing data.
func (ie *instEval) notComputed(si int, err error) *ScoreError {
	fe, ne, missing := missingData(err)
	switch {
	case !missing:
		return evalError(ie.inst.key, "scores."+ie.inst.scores[si].id, err)
	case fe != nil:
		ie.notes = append(ie.notes, noteRec{kind: noteNotComputed, about: si, field: fe})
	default:
		ie.notes = append(ie.notes, noteRec{kind: noteTooFew, about: si, a: ne.missing, b: ne.allowed})
	}
	ie.ss[si] = scoreNotComputed
	ie.incomplete = true
	return nil
}

func (s *score) band(v Value) (Value, bool) {
	f, ok := v.Float()
	if !ok || math.IsNaN(f) {
		return Value{}, false
	}
	for i := range s.bands {
		b := &s.bands[i]
		if f < b.lo || (b.loOpen && f == b.lo) || f > b.hi || (b.hiOpen && f == b.hi) {
			continue
		}
		return b.label, true
	}
	return Value{}, false
}

func (s *score) lookupValue(v Value) (Value, bool) {
	k, ok := v.Int()
	if !ok {
		return Value{}, false
	}
	lo, hi := 0, len(s.lookup)
	for lo < hi {
		m := (lo + hi) / 2
		switch {
		case s.lookup[m].Key == k:
			return s.lookupVals[m], true
		case s.lookup[m].Key < k:
			lo = m + 1
		default:
			hi = m
		}
	}
	return Value{}, false
}

// scoreComposite applies the rule set.
func (ev *evalState) scoreComposite() error {
	ce := &ev.comp
	rs := ce.rs
	for i, in := range rs.inputs {
		ie := &ev.insts[in.inst.index]
		if ie.present {
			ce.inputs[i] = ie
			continue
		}
		ce.inputs[i] = &ce.placeholders[i]
		for _, j := range ev.used {
			if ev.insts[j].inst.id == in.id {
				ce.mismatch[i] = &ev.insts[j]
			}
		}
	}
	ce.applied = true
	for i, in := range rs.inputs {
		if in.required && !ce.inputs[i].present {
			ce.applied, ce.reason = false, in.absentReason
			return nil
		}
	}
	for _, g := range rs.anyOf {
		ok := false
		for _, i := range g {
			ok = ok || ce.inputs[i].present
		}
		if !ok {
			var ids []string
			for _, i := range g {
				ids = append(ids, rs.inputs[i].id)
			}
			ce.applied, ce.reason = false, "none of "+strings.Join(ids, ", ")+" is present; at least one is required"
			return nil
		}
	}
	for di, d := range rs.domains {
		start := int32(len(ev.reads))
		out, err := ev.run(d.prog, nil, true)
		if err != nil {
			if _, _, missing := missingData(err); !missing || d.notAssessed.kind == KindNull {
				return evalError(rs.key, d.name, err)
			}
			out = d.notAssessed
		}
		if d.values != nil && !slices.Contains(d.values, out) {
			return scoreErr(ErrEvaluation, rs.key, d.name, "domain %s produced a value outside its declared values (a definition bug)", d.id)
		}
		ce.dv[di] = out
		ce.dr[di] = span{start, int32(len(ev.reads))}
	}
	start := int32(len(ev.reads))
	ce.tier = -1
	for ti, t := range rs.tiers {
		if t.when == nil {
			ce.tier = ti
			break
		}
		out, err := ev.run(t.when, nil, true)
		if err != nil {
			return evalError(rs.key, "tiers."+t.id, err)
		}
		if out.isTrue() {
			ce.tier = ti
			break
		}
	}
	ce.tr = span{start, int32(len(ev.reads))}
	ce.tierVal = rs.tiers[ce.tier].val
	for ri, r := range rs.referrals {
		start := int32(len(ev.reads))
		out, err := ev.run(r.when, nil, true)
		if err != nil {
			return evalError(rs.key, "referrals."+r.def.ID, err)
		}
		if out.isTrue() {
			ce.fired[ri] = true
			for ai, a := range r.addenda {
				out, err := ev.run(a, nil, true)
				if err != nil {
					return evalError(rs.key, "referrals."+r.def.ID+".addenda", err)
				}
				ce.addFired[ri][ai] = out.isTrue()
			}
		}
		ce.fr[ri] = span{start, int32(len(ev.reads))}
	}
	return nil
}
