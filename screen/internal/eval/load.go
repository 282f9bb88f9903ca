package eval

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/painscreen/painscreen/screen/internal/celenv"
	"github.com/painscreen/painscreen/screen/internal/plan"
	"github.com/painscreen/painscreen/screen/internal/value"
)

// errRank orders candidate errors so the one reported is the same whatever the map iteration order.
type errRank struct {
	err      *Error
	key, sub string
}

func (r *errRank) offer(err *Error, key, sub string) {
	if r.err == nil || key < r.key || (key == r.key && sub < r.sub) {
		r.err, r.key, r.sub = err, key, sub
	}
}

// load resolves the response's answers and context into the state, validating every value.
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
	var worst errRank
	answered := 0
	for key, items := range answers {
		in, rerr := p.Resolve(key)
		if rerr != nil {
			kind := KindUnknownInstrument
			if rerr.Loaded != nil {
				kind = KindUnknownVersion
			}
			worst.offer(Errorf(kind, key, "", "%s", rerr.Error()), key, "")
			continue
		}
		ie := &st.Insts[in.Index]
		dup := false
		for _, j := range st.Used {
			if st.Insts[j].Inst.ID == in.ID {
				dup = true
				worst.offer(Errorf(KindDuplicateInstrument, key, "", "instrument %s is answered under two keys (%q and %q)", in.ID, st.Insts[j].Key, key), max(key, st.Insts[j].Key), "")
			}
		}
		if dup {
			continue
		}
		ie.Present, ie.Key = true, key
		st.Used = append(st.Used, in.Index)
		here := 0
		for itemID, v := range items {
			idx, ok := in.ItemIdx[itemID]
			if !ok {
				worst.offer(Errorf(KindUnknownItem, key, itemID, "%s has no item %q", in.Key, itemID), key, itemID)
				continue
			}
			if v == nil {
				continue
			}
			val, err := convertItem(in.Items[idx], v)
			if err != nil {
				err.Instrument, err.Item = key, itemID
				worst.offer(err, key, itemID)
				continue
			}
			ie.Vals[idx], ie.St[idx] = val, ItemAnswered
			here++
		}
		if here == 0 {
			// Nothing answered (every item null or left out, as a row of empty CSV cells): the instrument
			// was not administered. It is left out of the report and is absent for the rule set.
			ie.Present, ie.Key = false, ""
			st.Used = st.Used[:len(st.Used)-1]
		}
		answered += here
	}
	for k, v := range ctxVals {
		f, ok := p.CtxIdx[k]
		if !ok {
			worst.offer(Errorf(KindUnknownContext, "", "context."+k, "no loaded definition declares the context field %q", k), "\xff", k)
			continue
		}
		if v == nil {
			continue
		}
		cv, err := convertContext(f, v)
		if err != nil {
			worst.offer(err, "\xff", k)
			continue
		}
		st.Ctx.Vals[f.Slot], st.Ctx.Set[f.Slot] = cv, true
	}
	if worst.err != nil {
		return worst.err
	}
	if answered == 0 {
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

// applySkipLogic evaluates enable_when in item order. A condition that reads an unanswered item leaves its
// item enabled (absence then counts as missing, the conservative choice); one that reads a disabled item
// disables its item too.
func (st *State) applySkipLogic(ie *InstEval) *Error {
	for i, it := range ie.Inst.Items {
		if it.Enable == nil {
			continue
		}
		out, err := st.run(it.Enable, ie, false)
		enabled := true
		if err != nil {
			fe, ok := err.(*plan.FieldError)
			if !ok {
				return evalError(ie.Inst.Key, it.ID+".enable_when", err)
			}
			enabled = !fe.Disabled
		} else {
			enabled = out.IsTrue()
		}
		if !enabled {
			if ie.St[i] == ItemAnswered {
				return Errorf(KindDisabledItem, ie.Key, it.ID, "item %s is not asked with these answers (skip logic: %s), but it was answered", it.ID, strings.TrimSpace(it.Enable.Expr.Src))
			}
			ie.St[i] = ItemDisabled
		}
	}
	return nil
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
	if it.Options != nil {
		for _, o := range it.Options {
			if o.Value == n {
				return n, nil
			}
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
		return value.OfString(s), nil
	}
	n, err := convertItem(anyWholeNumber, v)
	if err != nil {
		return bad("context field %s must be a whole number", f.ID)
	}
	if f.Bounded && (n < f.Min || n > f.Max) {
		return bad("context field %s must be a whole number from %d to %d", f.ID, f.Min, f.Max)
	}
	return value.OfInt(n), nil
}
