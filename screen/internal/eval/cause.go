package eval

import (
	celast "cel.dev/cel-go/common/ast"
	"cel.dev/cel-go/common/operators"
	"cel.dev/cel-go/common/types"
	"cel.dev/cel-go/common/types/ref"
	"cel.dev/cel-go/interpreter"
)

// Causes. A result's reasons are the reads its evaluation leaves in State.Reads, and both evaluators leave
// only the reads that caused the result:
//
//   - a || b that is true cites every term that holds (b is read even when a already decided, and a term
//     that does not hold is dropped); false, it cites both terms;
//   - a && b that is false cites the term that decided it (the first false one); true, both;
//   - !a cites a; a comparison, arithmetic, `in` and a function call cite everything they read;
//   - c ? t : f cites c and the branch taken, except that a count term (c ? 1 : 0, c ? 1.0 : 0.0) whose
//     condition does not hold cites nothing: it adds nothing to the count.
//
// An error keeps every read (a failed expression's reasons say what it read). Reading the right term of a
// true || is for its reads only: it does not ask for pending items or baseline scores, so what the answers
// settle (§1a rule 3) is decided exactly as before.

// cut removes the reads [from, to) and keeps the ones after them.
func (st *State) cut(from, to int) {
	st.Reads = append(st.Reads[:from], st.Reads[to:]...)
}

// IsCountTerm reports whether e, the else branch of a conditional, is the literal 0 or 0.0: the
// conditional is then a count term.
func IsCountTerm(e celast.Expr) bool {
	if e.Kind() != celast.LiteralKind {
		return false
	}
	switch v := e.AsLiteral().(type) {
	case types.Int:
		return v == 0
	case types.Double:
		return v == 0
	}
	return false
}

// stateVar is the name under which an activation gives the running State to the interpreter's logic
// nodes; no CEL identifier can spell it.
const stateVar = "\x00state"

// CauseDecorator returns the interpreter decorator that makes CEL's interpreter leave the same causes as
// the fast path: it replaces the interpreter's &&, || and conditional nodes of the checked expression a by
// ones that trim the reads as described above (and read the right term of a true ||).
func CauseDecorator(a *celast.AST) interpreter.InterpretableDecoratorV2 {
	exprs := map[int64]celast.Expr{}
	celast.PostOrderVisit(a.Expr(), celast.NewExprVisitor(func(e celast.Expr) {
		if e.Kind() == celast.CallKind {
			switch e.AsCall().FunctionName() {
			case operators.LogicalAnd, operators.LogicalOr, operators.Conditional:
				exprs[e.ID()] = e
			}
		}
	}))
	planned := map[int64]interpreter.InterpretableV2{}
	return func(i interpreter.InterpretableV2) (interpreter.InterpretableV2, error) {
		planned[i.ID()] = i
		e, ok := exprs[i.ID()]
		if !ok {
			return i, nil
		}
		args := e.AsCall().Args()
		terms := make([]interpreter.InterpretableV2, len(args))
		for k, arg := range args {
			if terms[k], ok = planned[arg.ID()]; !ok {
				return i, nil // not planned as a term of its own: keep the interpreter's node
			}
		}
		var n interpreter.InterpretableV2
		switch e.AsCall().FunctionName() {
		case operators.LogicalOr:
			n = &causeLogic{id: i.ID(), a: terms[0], b: terms[1], decide: true}
		case operators.LogicalAnd:
			n = &causeLogic{id: i.ID(), a: terms[0], b: terms[1], decide: false}
		default:
			n = &causeCond{id: i.ID(), c: terms[0], t: terms[1], f: terms[2], count: IsCountTerm(args[2])}
		}
		planned[i.ID()] = n
		return n, nil
	}
}

// frameState returns the State of the evaluation f belongs to (nil outside one).
func frameState(f *interpreter.ExecutionFrame) *State {
	v, ok := f.ResolveName(stateVar)
	if !ok {
		return nil
	}
	st, _ := v.(*State)
	return st
}

// causeLogic is && (decide false) or || (decide true) with CEL's semantics (as cel-go's evalAnd and
// evalOr) and the fast path's causes (fast_ops.go logic).
type causeLogic struct {
	id     int64
	a, b   interpreter.InterpretableV2
	decide bool
}

func (n *causeLogic) ID() int64 { return n.id }

func (n *causeLogic) Eval(act interpreter.Activation) ref.Val {
	return interpreter.EvalActivation(act, n.Exec)
}

func (n *causeLogic) Exec(f *interpreter.ExecutionFrame) ref.Val {
	st := frameState(f)
	m0 := st.mark()
	l := n.a.Exec(f)
	lb, lok := l.(types.Bool)
	if lok && bool(lb) == n.decide {
		if n.decide && st != nil {
			m1 := st.mark()
			need, bneed := st.needItem, st.bneed
			r := n.b.Exec(f)
			st.needItem, st.bneed = need, bneed
			if rb, ok := r.(types.Bool); !ok || !bool(rb) {
				st.Reads = st.Reads[:m1]
			}
		}
		return lb
	}
	m1 := st.mark()
	r := n.b.Exec(f)
	rb, rok := r.(types.Bool)
	if rok && bool(rb) == n.decide {
		if st != nil {
			st.cut(m0, m1)
		}
		return rb
	}
	if !lok {
		return errVal(l)
	}
	if !rok {
		return errVal(r)
	}
	return types.Bool(!n.decide)
}

// causeCond is c ? t : f (as cel-go's conditional) with the fast path's causes.
type causeCond struct {
	id      int64
	c, t, f interpreter.InterpretableV2
	count   bool
}

func (n *causeCond) ID() int64 { return n.id }

func (n *causeCond) Eval(act interpreter.Activation) ref.Val {
	return interpreter.EvalActivation(act, n.Exec)
}

func (n *causeCond) Exec(f *interpreter.ExecutionFrame) ref.Val {
	st := frameState(f)
	m0 := st.mark()
	c := n.c.Exec(f)
	cb, ok := c.(types.Bool)
	if !ok {
		return errVal(c)
	}
	if cb {
		return n.t.Exec(f)
	}
	if n.count && st != nil {
		st.Reads = st.Reads[:m0]
	}
	return n.f.Exec(f)
}

// mark is the number of reads so far (0 without a state).
func (st *State) mark() int {
	if st == nil {
		return 0
	}
	return len(st.Reads)
}

// errVal is a non-boolean term's value as the result of a logic node: an error as it is, anything else
// CEL's no-such-overload error.
func errVal(v ref.Val) ref.Val {
	if types.IsError(v) {
		return v
	}
	return types.MaybeNoSuchOverloadErr(v)
}
