package compile

import (
	"encoding/binary"
	"errors"
	"math"
	"slices"

	"cel.dev/cel-go/common"
	celast "cel.dev/cel-go/common/ast"
	"cel.dev/cel-go/common/types"
	"cel.dev/cel-go/common/types/ref"
	"google.golang.org/protobuf/proto"

	exprpb "google.golang.org/genproto/googleapis/api/expr/v1alpha1"
)

// A compact encoding of a checked (or only parsed) CEL expression for the compile cache: the expression tree, the offsets
// and macro calls of its source information, its reference map and its type map (each distinct type once,
// as the protobuf CEL's own conversion writes it). Reading it is several times cheaper than unmarshalling
// the protobuf CheckedExpr and converting that (cel.CheckedExprToAst), which was most of a cached load.
// Anything it does not know (a literal of another kind, source-info extensions) makes encoding fail, and
// the expression is then simply not cached; Recorder checks every encoding by decoding it and comparing
// the protobuf forms of both.

var errCodec = errors.New("compile cache: cannot encode or decode an expression")

type astEncoder struct {
	b     []byte
	types map[*types.Type]int
	table [][]byte
}

func (e *astEncoder) uint(v uint64) { e.b = binary.AppendUvarint(e.b, v) }
func (e *astEncoder) int(v int64)   { e.b = binary.AppendVarint(e.b, v) }
func (e *astEncoder) str(s string) {
	e.uint(uint64(len(s)))
	e.b = append(e.b, s...)
}

// encodeChecked encodes a checked AST.
func encodeChecked(a *celast.AST) ([]byte, error) {
	info := a.SourceInfo()
	if len(info.Extensions()) > 0 {
		return nil, errCodec
	}
	e := &astEncoder{types: map[*types.Type]int{}}
	if err := e.expr(a.Expr()); err != nil {
		return nil, err
	}
	// Offsets and macro calls, in id order so the same AST gives the same bytes.
	offs := info.OffsetRanges()
	ids := make([]int64, 0, len(offs))
	for id := range offs {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	e.uint(uint64(len(ids)))
	for _, id := range ids {
		e.int(id)
		e.int(int64(offs[id].Start))
		e.int(int64(offs[id].Stop))
	}
	macros := info.MacroCalls()
	ids = ids[:0]
	for id := range macros {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	e.uint(uint64(len(ids)))
	for _, id := range ids {
		e.int(id)
		if err := e.expr(macros[id]); err != nil {
			return nil, err
		}
	}
	refs := a.ReferenceMap()
	ids = ids[:0]
	for id := range refs {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	e.uint(uint64(len(ids)))
	for _, id := range ids {
		r := refs[id]
		e.int(id)
		e.str(r.Name)
		e.uint(uint64(len(r.OverloadIDs)))
		for _, o := range r.OverloadIDs {
			e.str(o)
		}
		if r.Value == nil {
			e.b = append(e.b, 0)
		} else {
			e.b = append(e.b, 1)
			if err := e.literal(r.Value); err != nil {
				return nil, err
			}
		}
	}
	tm := a.TypeMap()
	ids = ids[:0]
	for id := range tm {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	body := e.b
	e.b = nil
	var idx []int
	for _, id := range ids {
		i, err := e.typeIndex(tm[id])
		if err != nil {
			return nil, err
		}
		idx = append(idx, i)
	}
	// The type table first, so that reading it comes before the ids that point into it.
	e.uint(uint64(len(e.table)))
	for _, t := range e.table {
		e.str(string(t))
	}
	e.b = append(e.b, body...)
	e.uint(uint64(len(ids)))
	for k, id := range ids {
		e.int(id)
		e.uint(uint64(idx[k]))
	}
	return e.b, nil
}

func (e *astEncoder) typeIndex(t *types.Type) (int, error) {
	if i, ok := e.types[t]; ok {
		return i, nil
	}
	pt, err := types.TypeToExprType(t)
	if err != nil {
		return 0, err
	}
	b, err := proto.MarshalOptions{Deterministic: true}.Marshal(pt)
	if err != nil {
		return 0, err
	}
	for i, have := range e.table {
		if string(have) == string(b) {
			e.types[t] = i
			return i, nil
		}
	}
	e.table = append(e.table, b)
	e.types[t] = len(e.table) - 1
	return len(e.table) - 1, nil
}

const (
	litNull byte = iota
	litBool
	litInt
	litUint
	litDouble
	litString
	litBytes
)

func (e *astEncoder) literal(v ref.Val) error {
	switch v := v.(type) {
	case types.Null:
		e.b = append(e.b, litNull)
	case types.Bool:
		e.b = append(e.b, litBool)
		if v {
			e.b = append(e.b, 1)
		} else {
			e.b = append(e.b, 0)
		}
	case types.Int:
		e.b = append(e.b, litInt)
		e.int(int64(v))
	case types.Uint:
		e.b = append(e.b, litUint)
		e.uint(uint64(v))
	case types.Double:
		e.b = append(e.b, litDouble)
		e.b = binary.LittleEndian.AppendUint64(e.b, math.Float64bits(float64(v)))
	case types.String:
		e.b = append(e.b, litString)
		e.str(string(v))
	case types.Bytes:
		e.b = append(e.b, litBytes)
		e.str(string(v))
	default:
		return errCodec
	}
	return nil
}

func (e *astEncoder) expr(x celast.Expr) error {
	e.b = append(e.b, byte(x.Kind()))
	e.int(x.ID())
	switch x.Kind() {
	case celast.UnspecifiedExprKind:
	case celast.IdentKind:
		e.str(x.AsIdent())
	case celast.LiteralKind:
		return e.literal(x.AsLiteral())
	case celast.SelectKind:
		s := x.AsSelect()
		e.str(s.FieldName())
		if s.IsTestOnly() {
			e.b = append(e.b, 1)
		} else {
			e.b = append(e.b, 0)
		}
		return e.expr(s.Operand())
	case celast.CallKind:
		c := x.AsCall()
		e.str(c.FunctionName())
		if c.IsMemberFunction() {
			e.b = append(e.b, 1)
			if err := e.expr(c.Target()); err != nil {
				return err
			}
		} else {
			e.b = append(e.b, 0)
		}
		return e.exprs(c.Args())
	case celast.ListKind:
		l := x.AsList()
		e.uint(uint64(len(l.OptionalIndices())))
		for _, i := range l.OptionalIndices() {
			e.int(int64(i))
		}
		return e.exprs(l.Elements())
	case celast.MapKind:
		m := x.AsMap()
		e.uint(uint64(len(m.Entries())))
		for _, en := range m.Entries() {
			me := en.AsMapEntry()
			e.int(en.ID())
			e.bool(me.IsOptional())
			if err := e.expr(me.Key()); err != nil {
				return err
			}
			if err := e.expr(me.Value()); err != nil {
				return err
			}
		}
	case celast.StructKind:
		s := x.AsStruct()
		e.str(s.TypeName())
		e.uint(uint64(len(s.Fields())))
		for _, en := range s.Fields() {
			f := en.AsStructField()
			e.int(en.ID())
			e.str(f.Name())
			e.bool(f.IsOptional())
			if err := e.expr(f.Value()); err != nil {
				return err
			}
		}
	case celast.ComprehensionKind:
		c := x.AsComprehension()
		e.str(c.IterVar())
		e.str(c.IterVar2())
		e.str(c.AccuVar())
		for _, sub := range []celast.Expr{c.IterRange(), c.AccuInit(), c.LoopCondition(), c.LoopStep(), c.Result()} {
			if err := e.expr(sub); err != nil {
				return err
			}
		}
	default:
		return errCodec
	}
	return nil
}

func (e *astEncoder) bool(v bool) {
	if v {
		e.b = append(e.b, 1)
	} else {
		e.b = append(e.b, 0)
	}
}

func (e *astEncoder) exprs(xs []celast.Expr) error {
	e.uint(uint64(len(xs)))
	for _, x := range xs {
		if err := e.expr(x); err != nil {
			return err
		}
	}
	return nil
}

// astDecoder reads what encodeChecked wrote. Any malformed input is errCodec (never a panic): the cache
// then misses.
type astDecoder struct {
	b     []byte
	fac   celast.ExprFactory
	err   error
	types map[string]*types.Type // the compiler's: each distinct type decoded once per load
}

func (d *astDecoder) fail() { d.err = errCodec; d.b = nil }

func (d *astDecoder) uint() uint64 {
	v, n := binary.Uvarint(d.b)
	if n <= 0 {
		d.fail()
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *astDecoder) int() int64 {
	v, n := binary.Varint(d.b)
	if n <= 0 {
		d.fail()
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *astDecoder) byte() byte {
	if len(d.b) == 0 {
		d.fail()
		return 0
	}
	c := d.b[0]
	d.b = d.b[1:]
	return c
}

func (d *astDecoder) str() string {
	n := d.uint()
	if n > uint64(len(d.b)) {
		d.fail()
		return ""
	}
	s := string(d.b[:n])
	d.b = d.b[n:]
	return s
}

// count reads a length, bounded by what is left (every element takes a byte at least).
func (d *astDecoder) count() int {
	n := d.uint()
	if n > uint64(len(d.b)) {
		d.fail()
		return 0
	}
	return int(n)
}

func (d *astDecoder) literal() ref.Val {
	switch d.byte() {
	case litNull:
		return types.NullValue
	case litBool:
		return types.Bool(d.byte() == 1)
	case litInt:
		return types.Int(d.int())
	case litUint:
		return types.Uint(d.uint())
	case litDouble:
		if len(d.b) < 8 {
			d.fail()
			return types.NullValue
		}
		v := math.Float64frombits(binary.LittleEndian.Uint64(d.b))
		d.b = d.b[8:]
		return types.Double(v)
	case litString:
		return types.String(d.str())
	case litBytes:
		return types.Bytes(d.str())
	}
	d.fail()
	return types.NullValue
}

// maxDecodeDepth bounds the nesting read (the parser's recursion limit is far below it).
const maxDecodeDepth = 250

func (d *astDecoder) expr(depth int) celast.Expr {
	if depth > maxDecodeDepth {
		d.fail()
	}
	kind := celast.ExprKind(d.byte())
	id := d.int()
	if d.err != nil {
		return d.fac.NewUnspecifiedExpr(id)
	}
	switch kind {
	case celast.UnspecifiedExprKind:
		return d.fac.NewUnspecifiedExpr(id)
	case celast.IdentKind:
		return d.fac.NewIdent(id, d.str())
	case celast.LiteralKind:
		return d.fac.NewLiteral(id, d.literal())
	case celast.SelectKind:
		field := d.str()
		test := d.byte() == 1
		op := d.expr(depth + 1)
		if test {
			return d.fac.NewPresenceTest(id, op, field)
		}
		return d.fac.NewSelect(id, op, field)
	case celast.CallKind:
		fn := d.str()
		if d.byte() == 1 {
			target := d.expr(depth + 1)
			return d.fac.NewMemberCall(id, fn, target, d.exprs(depth)...)
		}
		return d.fac.NewCall(id, fn, d.exprs(depth)...)
	case celast.ListKind:
		n := d.count()
		var opt []int32
		for range n {
			opt = append(opt, int32(d.int()))
		}
		return d.fac.NewList(id, d.exprs(depth), opt)
	case celast.MapKind:
		n := d.count()
		entries := make([]celast.EntryExpr, 0, n)
		for range n {
			eid := d.int()
			optional := d.byte() == 1
			k := d.expr(depth + 1)
			v := d.expr(depth + 1)
			entries = append(entries, d.fac.NewMapEntry(eid, k, v, optional))
		}
		return d.fac.NewMap(id, entries)
	case celast.StructKind:
		name := d.str()
		n := d.count()
		fields := make([]celast.EntryExpr, 0, n)
		for range n {
			eid := d.int()
			f := d.str()
			optional := d.byte() == 1
			fields = append(fields, d.fac.NewStructField(eid, f, d.expr(depth+1), optional))
		}
		return d.fac.NewStruct(id, name, fields)
	case celast.ComprehensionKind:
		iv, iv2, av := d.str(), d.str(), d.str()
		var sub [5]celast.Expr
		for i := range sub {
			sub[i] = d.expr(depth + 1)
		}
		if iv2 != "" {
			return d.fac.NewComprehensionTwoVar(id, sub[0], iv, iv2, av, sub[1], sub[2], sub[3], sub[4])
		}
		return d.fac.NewComprehension(id, sub[0], iv, av, sub[1], sub[2], sub[3], sub[4])
	}
	d.fail()
	return d.fac.NewUnspecifiedExpr(id)
}

func (d *astDecoder) exprs(depth int) []celast.Expr {
	n := d.count()
	out := make([]celast.Expr, 0, n)
	for range n {
		out = append(out, d.expr(depth+1))
	}
	return out
}

// decodeChecked reads a checked AST of the expression src; memo shares decoded types across the calls of
// one load.
func decodeChecked(b []byte, src string, memo map[string]*types.Type) (*celast.AST, error) {
	d := &astDecoder{b: b, fac: celast.NewExprFactory(), types: memo}
	nt := d.count()
	table := make([]*types.Type, nt)
	for i := range table {
		raw := d.str()
		if d.err != nil {
			return nil, d.err
		}
		if t, ok := memo[raw]; ok {
			table[i] = t
			continue
		}
		var pt exprpb.Type
		if err := proto.Unmarshal([]byte(raw), &pt); err != nil {
			return nil, errCodec
		}
		t, err := types.ExprTypeToType(&pt)
		if err != nil {
			return nil, errCodec
		}
		memo[raw] = t
		table[i] = t
	}
	root := d.expr(0)
	info := celast.NewSourceInfo(common.NewTextSource(src))
	for range d.count() {
		id, start, stop := d.int(), d.int(), d.int()
		info.SetOffsetRange(id, celast.OffsetRange{Start: int32(start), Stop: int32(stop)})
	}
	for range d.count() {
		id := d.int()
		info.SetMacroCall(id, d.expr(0))
	}
	refs := map[int64]*celast.ReferenceInfo{}
	for range d.count() {
		id := d.int()
		r := &celast.ReferenceInfo{Name: d.str()}
		for range d.count() {
			r.OverloadIDs = append(r.OverloadIDs, d.str())
		}
		if d.byte() == 1 {
			r.Value = d.literal()
		}
		refs[id] = r
	}
	tm := map[int64]*types.Type{}
	for range d.count() {
		id := d.int()
		i := d.uint()
		if i >= uint64(len(table)) {
			return nil, errCodec
		}
		tm[id] = table[i]
	}
	if d.err != nil || len(d.b) != 0 {
		return nil, errCodec
	}
	if len(tm) == 0 && len(refs) == 0 {
		return celast.NewAST(root, info), nil // a parse, not checked
	}
	return celast.NewCheckedAST(celast.NewAST(root, info), tm, refs), nil
}
