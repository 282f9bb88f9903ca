package screen

// Item aggregates shared by the fast path and the CEL function bindings.

const (
	aggSum = iota
	aggMean
	aggAnswered
	aggProrated
)

// aggregate computes answers.sum/mean/answered/prorated_sum over item indices.
func aggregate(ie *instEval, idxs []int, mode int, allowed int64) (Value, error) {
	var sum, listed, answered int64
	for _, idx := range idxs {
		switch ie.st[idx] {
		case itemAnswered:
			ie.ev.record(ie, readItem, idx)
			sum += ie.vals[idx]
			answered++
			listed++
		case itemDisabled:
			if mode == aggSum || mode == aggMean {
				return Value{}, ie.inst.itemDisabled[idx]
			}
		default:
			if mode == aggSum || mode == aggMean {
				return Value{}, ie.inst.itemUnset[idx]
			}
			listed++
		}
	}
	switch mode {
	case aggSum:
		return IntValue(sum), nil
	case aggMean:
		return DoubleValue(float64(sum) / float64(answered)), nil
	case aggAnswered:
		return IntValue(answered), nil
	}
	missing := listed - answered
	if answered == 0 || missing > allowed {
		return Value{}, &notEnoughError{missing: int(missing), allowed: int(allowed)}
	}
	if missing == 0 {
		return DoubleValue(float64(sum)), nil
	}
	ie.prorated(int(answered), int(listed))
	// Round half-up to one decimal in exact integer arithmetic: round(10·sum·listed / answered) / 10.
	num := 10 * sum * listed
	tenths := (2*num + answered) / (2 * answered)
	if num < 0 {
		tenths = -((-2*num + answered) / (2 * answered))
	}
	return DoubleValue(float64(tenths) / 10), nil
}
