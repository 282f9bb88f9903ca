package eval

import (
	"cmp"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/painscreen/painscreen/screen/internal/celenv"
	"github.com/painscreen/painscreen/screen/internal/plan"
	"github.com/painscreen/painscreen/screen/internal/value"
)

// rankedErr orders a record's errors so they come out the same whatever the map iteration order.
type rankedErr struct {
	err      *Error
	key, sub string
}

// load resolves the response's answers and context into the state, validating every value. Invalid
// answers, unknown items and instruments and invalid context are errors of the record (State.Errors) that
// spoil only themselves: an invalid answer is unknown, and its instrument's status is "error". With Strict,
// the first of them (in a stable order) is returned instead, as is every problem that leaves nothing to
// score.
func (st *State) load(subject string, ctxVals map[string]any, answers map[string]map[string]any) *Error {
	p := st.Plan
	if len(subject) > MaxSubjectBytes {
		return Errorf(KindInvalidSubject, "", "subject", "subject id is longer than %d bytes", MaxSubjectBytes)
	}
	if !utf8.ValidString(subject) {
		return Errorf(KindInvalidSubject, "", "subject", "subject id is not valid UTF-8")
	}
	if len(answers) == 0 {
		return Errorf(KindNoAnswers, "", "", "the response set has no answers")
	}
	var errs []rankedErr
	fail := func(err *Error, key, sub string) { errs = append(errs, rankedErr{err, key, sub}) }
	answered := 0
	for key, items := range answers {
		in, rerr := st.keys.resolve(p, key)
		if rerr != nil {
			kind := KindUnknownInstrument
			if rerr.Loaded != nil {
				kind = KindUnknownVersion
			}
			fail(Errorf(kind, key, "", "%s", rerr.Error()), key, "")
			continue
		}
		ie := &st.Insts[in.Index]
		dup := false
		for _, j := range st.answeredAs(in) {
			if st.Insts[j].Inst.ID == in.ID {
				dup = true
				fail(Errorf(KindDuplicateInstrument, key, "", "instrument %s is answered under two keys (%q and %q)", in.ID, st.Insts[j].Key, key), max(key, st.Insts[j].Key), "")
			}
		}
		if dup {
			continue
		}
		ie.Present, ie.Key = true, key
		st.Used = append(st.Used, in.Index)
		here, bad := 0, 0
		for itemID, v := range items {
			idx, mask, ok := st.keys.item(in, itemID)
			if !ok {
				fail(Errorf(KindUnknownItem, key, itemID, "%s has no item %q", in.Key, itemID), key, itemID)
				bad++
				continue
			}
			if v == nil {
				continue
			}
			if n, small := smallInt(v); small && mask>>n&1 != 0 {
				// One of the item's options, as convertItem would find reading the item.
				ie.Vals[idx], ie.St[idx], ie.given[idx] = int64(n), ItemAnswered, true
				here++
				continue
			}
			if list, ok := v.([]any); ok && len(list) > 1 {
				// Answered more than once: an error of the item that keeps its answers (conflict.go).
				err := ie.loadConflict(idx, list)
				err.Instrument, err.Item = key, itemID
				fail(err, key, itemID)
				ie.St[idx] = ItemUnknown
				bad++
				continue
			}
			val, err := convertItem(in.Items[idx], v)
			if err != nil {
				err.Instrument, err.Item = key, itemID
				fail(err, key, itemID)
				ie.St[idx] = ItemUnknown
				bad++
				continue
			}
			ie.Vals[idx], ie.St[idx], ie.given[idx] = val, ItemAnswered, true
			here++
		}
		switch {
		case bad > 0:
			// A corrupted form: no score that reads an invalid answer is prorated (aggregate.go: a prorated
			// total from it would be a guess), and what the valid answers settle is still reported.
			ie.Error = true
			ie.Notes = append(ie.Notes, NoteRec{Kind: NoteUnknownAnswers, A: bad})
		case here == 0:
			// Nothing answered (every item null or left out, as a row of empty CSV cells): the instrument
			// was not administered. It is left out of the report and is absent for the rule set.
			ie.Present, ie.Key = false, ""
			st.Used = st.Used[:len(st.Used)-1]
		}
		answered += here + bad
	}
	for k, v := range ctxVals {
		f, ok := p.CtxIdx[k]
		if !ok {
			fail(Errorf(KindUnknownContext, "", "context."+k, "no loaded definition declares the context field %q", k), "\xff", k)
			continue
		}
		if v == nil {
			continue
		}
		cv, err := convertContext(f, v)
		if err != nil {
			fail(err, "\xff", k)
			continue
		}
		st.Ctx.Vals[f.Slot], st.Ctx.Set[f.Slot] = cv, true
	}
	slices.SortStableFunc(errs, func(a, b rankedErr) int {
		return cmp.Or(cmp.Compare(a.key, b.key), cmp.Compare(a.sub, b.sub))
	})
	if len(errs) > 0 && st.Strict {
		return errs[0].err
	}
	for _, e := range errs {
		st.Errors = append(st.Errors, e.err)
	}
	if answered == 0 && len(errs) == 0 {
		return Errorf(KindNoAnswers, "", "", "every answer in the response set is empty")
	}
	slices.Sort(st.Used)
	for _, i := range st.Used {
		ie := &st.Insts[i]
		ie.ctxView.ie = ie
		if ie.Inst.HasSkip {
			if err := st.applySkipLogic(ie); err != nil {
				return err
			}
		}
	}
	st.Reads = st.Reads[:0]
	return nil
}

// answeredAs returns st.Used when an instrument of in's id (in itself or another version) is already
// answered, else nothing: versions of one id are neighbours in the plan, so most keys need no search.
func (st *State) answeredAs(in *plan.Instrument) []int {
	insts := st.Plan.Insts
	lo, hi := in.Index, in.Index+1
	for lo > 0 && insts[lo-1].ID == in.ID {
		lo--
	}
	for hi < len(insts) && insts[hi].ID == in.ID {
		hi++
	}
	for i := lo; i < hi; i++ {
		if st.Insts[i].Present {
			return st.Used
		}
	}
	return nil
}

// fail records a problem met while scoring: with Strict it ends the record; otherwise it is one of the
// record's errors and scoring goes on.
func (st *State) fail(err *Error) *Error {
	if st.Strict {
		return err
	}
	st.Errors = append(st.Errors, err)
	return nil
}

// enabled evaluates an item's skip logic on ie. A condition that reads an unanswered (or unknown) item
// leaves its item enabled (absence then counts as missing, the conservative choice); one that reads a
// disabled item disables its item too.
func (st *State) enabled(ie *InstEval, it *plan.Item) (bool, error) {
	out, err := st.run(it.Enable, ie, false)
	if err != nil {
		fe, ok := err.(*plan.FieldError)
		if !ok {
			return true, err
		}
		return !fe.Disabled, nil
	}
	return out.IsTrue(), nil
}

// applySkipLogic evaluates enable_when in item order. An answer to an item that is not asked is kept but
// not scored (note answered_when_skipped); with Strict it is an error, as before.
func (st *State) applySkipLogic(ie *InstEval) *Error {
	for i, it := range ie.Inst.Items {
		if it.Enable == nil {
			continue
		}
		on, err := st.enabled(ie, it)
		if err != nil {
			ie.Error = true
			if ferr := st.fail(evalError(ie.Inst.Key, it.ID+".enable_when", err)); ferr != nil {
				return ferr
			}
			continue
		}
		if on {
			continue
		}
		if ie.St[i] == ItemAnswered {
			if st.Strict {
				return Errorf(KindDisabledItem, ie.Key, it.ID, "item %s is not asked with these answers (skip logic: %s), but it was answered", it.ID, strings.TrimSpace(it.Enable.Expr.Src))
			}
			ie.Notes = append(ie.Notes, NoteRec{Kind: NoteAnsweredWhenSkipped, About: i})
		}
		ie.St[i] = ItemDisabled
	}
	return nil
}

// smallInt returns v when it is a Go integer in 0..63 (as decoders and programs give answers).
func smallInt(v any) (uint64, bool) {
	switch x := v.(type) {
	case int64:
		return uint64(x), uint64(x) < 64
	case int:
		return uint64(x), uint64(x) < 64
	}
	return 0, false
}

// convertItem validates one answer: an integer among the options (or in range), or an option code.
func convertItem(it *plan.Item, v any) (int64, *Error) {
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
			return 0, Errorf(KindInvalidValue, "", "", "value is out of range (%s)", it.Allowed)
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
			return 0, Errorf(KindInvalidValue, "", "", "value is out of range (%s)", it.Allowed)
		}
		n = int64(x)
	case float64:
		if x != math.Trunc(x) || math.IsInf(x, 0) || math.Abs(x) > 1<<53 {
			return 0, Errorf(KindNotInteger, "", "", "answer is not a whole number (%s)", it.Allowed)
		}
		n = int64(x)
	case float32:
		f := float64(x)
		if f != math.Trunc(f) || math.IsInf(f, 0) || math.Abs(f) > 1<<24 {
			return 0, Errorf(KindNotInteger, "", "", "answer is not a whole number (%s)", it.Allowed)
		}
		n = int64(f)
	case json.Number:
		i, err := x.Int64()
		if err != nil {
			return 0, Errorf(KindNotInteger, "", "", "answer is not a whole number (%s)", it.Allowed)
		}
		n = i
	case string:
		if c, ok := it.Codes[x]; ok {
			return c, nil
		}
		if len(it.Codes) == 0 {
			return 0, Errorf(KindWrongType, "", "", "answer must be a whole number (%s), not text: the item's options have no codes", it.Allowed)
		}
		return 0, Errorf(KindInvalidValue, "", "", "answer is not one of the item's option codes")
	default:
		return 0, Errorf(KindWrongType, "", "", "answer must be a whole number or an option code, not %s", goKind(v))
	}
	if it.OptMaskAll && uint64(n) < 64 && it.OptMask>>uint64(n)&1 != 0 {
		return n, nil // the common case, inline
	}
	if it.Options != nil {
		if it.IsOption(n) {
			return n, nil
		}
		return 0, Errorf(KindInvalidValue, "", "", "value is not among the options (%s)", it.Allowed)
	}
	if n < it.Min || (it.HasMax && n > it.Max) {
		return 0, Errorf(KindInvalidValue, "", "", "value is out of range (%s)", it.Allowed)
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

var anyWholeNumber = &plan.Item{Min: math.MinInt64, Allowed: "a whole number"}

func convertContext(f *plan.CtxField, v any) (value.Value, *Error) {
	bad := func(format string, args ...any) (value.Value, *Error) {
		return value.Value{}, Errorf(KindInvalidContext, "", "context."+f.ID, format, args...)
	}
	if f.Type == "string" {
		s, ok := v.(string)
		if !ok {
			return bad("context field %s must be text", f.ID)
		}
		if len(s) > celenv.MaxContextString || !utf8.ValidString(s) {
			return bad("context field %s must be valid UTF-8 text of at most %d bytes", f.ID, celenv.MaxContextString)
		}
		if f.Sex {
			return value.OfString(normalizeSex(s)), nil
		}
		return value.OfString(s), nil
	}
	var out value.Value
	switch f.Type {
	case "bool":
		b, ok := v.(bool)
		if !ok {
			return bad("context field %s must be true or false", f.ID)
		}
		return value.OfBool(b), nil
	case "number":
		x, ok := contextNumber(v)
		if !ok {
			return bad("context field %s must be a finite number", f.ID)
		}
		out = value.OfDouble(x)
	default:
		n, err := convertItem(anyWholeNumber, v)
		if err != nil {
			return bad("context field %s must be a whole number", f.ID)
		}
		out = value.OfInt(n)
	}
	x, _ := out.Float()
	if (f.HasMin && x < f.Min) || (f.HasMax && x > f.Max) {
		return bad("context field %s must be %s", f.ID, boundsText(f))
	}
	return out, nil
}

// boundsText describes a context field's accepted range.
func boundsText(f *plan.CtxField) string {
	what := "a number"
	if f.Type == "int" {
		what = "a whole number"
	}
	num := func(x float64) string { return strconv.FormatFloat(x, 'g', -1, 64) }
	switch {
	case f.HasMin && f.HasMax:
		return what + " from " + num(f.Min) + " to " + num(f.Max)
	case f.HasMin:
		return what + " of at least " + num(f.Min)
	}
	return what + " of at most " + num(f.Max)
}

// contextNumber converts a number context value: any Go integer, a finite float, or a json.Number.
func contextNumber(v any) (float64, bool) {
	var x float64
	switch n := v.(type) {
	case float64:
		x = n
	case float32:
		x = float64(n)
	case json.Number:
		f, err := strconv.ParseFloat(string(n), 64)
		if err != nil {
			return 0, false
		}
		x = f
	default:
		i, err := convertItem(anyWholeNumber, v)
		if err != nil {
			return 0, false
		}
		x = float64(i)
	}
	return x, !math.IsNaN(x) && !math.IsInf(x, 0)
}

// normalizeSex matches sex as composite contract §1 says: trimmed and case-insensitive, with m and f for male
// and female (FHIR writes male/female, exports often Male or M). Anything else is kept as given: unknown.
func normalizeSex(s string) string {
	t := strings.ToLower(strings.TrimSpace(s))
	switch t {
	case "male", "m":
		return "male"
	case "female", "f":
		return "female"
	}
	return s
}
