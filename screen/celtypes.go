package screen

import (
	"errors"
	"fmt"
	"reflect"

	"cel.dev/cel-go/common/types"
	"cel.dev/cel-go/common/types/ref"
)

// The CEL surface of definitions. Each instrument expression sees three objects:
//
//	answers.<item>    int; set when the item was answered (has(answers.x) tests that)
//	scores.<score>    the type of that score; set when it was computed (only earlier scores are visible)
//	context.<field>   int or string, as the instrument declares; set when the response gives it
//
// A rule-set expression sees one object per input instrument (<id>.status, <id>.<score>, <id>.answers.<item>,
// <id>.flags.<flag>), domains.<domain> (earlier domains), context, and in referrals `tier`.
//
// The objects are views over the evaluation state: reading a field records the read (that is how reports
// explain what each result was computed from) and reading a field that is not set fails with a fieldError,
// which the engine turns into "not computed" (instruments) or "not_assessed" (domains).

// structType is a CEL object type whose fields the engine defines.
type structType struct {
	typ    *types.Type
	fields map[string]*types.FieldType
	names  []string
}

func (s *structType) add(name string, t *types.Type, isSet ref.FieldTester, get ref.FieldGetter) {
	s.fields[name] = &types.FieldType{Type: t, IsSet: isSet, GetFrom: get}
	s.names = append(s.names, name)
}

// provider adds the engine's object types to CEL's standard registry. Type names contain '/', which cannot
// occur in a CEL identifier, so they can never be confused with variables such as `phq9.answers`.
type provider struct {
	types.Provider
	structs map[string]*structType
}

func newProvider() (*provider, error) {
	reg, err := types.NewRegistry()
	if err != nil {
		return nil, err
	}
	return &provider{Provider: reg, structs: map[string]*structType{}}, nil
}

func (p *provider) newStruct(name string) *structType {
	s := &structType{typ: types.NewObjectType(name), fields: map[string]*types.FieldType{}}
	p.structs[name] = s
	return s
}

func (p *provider) FindStructType(name string) (*types.Type, bool) {
	if s, ok := p.structs[name]; ok {
		return types.NewTypeTypeWithParam(s.typ), true
	}
	return p.Provider.FindStructType(name)
}

func (p *provider) FindStructFieldNames(name string) ([]string, bool) {
	if s, ok := p.structs[name]; ok {
		return s.names, true
	}
	return p.Provider.FindStructFieldNames(name)
}

func (p *provider) FindStructFieldType(name, field string) (*types.FieldType, bool) {
	if s, ok := p.structs[name]; ok {
		ft, found := s.fields[field]
		return ft, found
	}
	return p.Provider.FindStructFieldType(name, field)
}

func (p *provider) NewValue(name string, fields map[string]ref.Val) ref.Val {
	if _, ok := p.structs[name]; ok {
		return types.NewErr("%s objects cannot be created in expressions", name)
	}
	return p.Provider.NewValue(name, fields)
}

// fieldError is the error of reading a field that is not set. One is made per field at compile time, so
// the failure path of evaluation does not allocate either.
type fieldError struct {
	kind     readKind
	idx      int
	name     string // as written in expressions: answers.q9, scores.total, phq9.total, context.sex
	disabled bool   // an item that skip logic disabled (a definition bug when read)
	inst     *instrument
}

func (e *fieldError) Error() string {
	if e.disabled {
		return fmt.Sprintf("%s is not asked (skip logic) but the expression reads it", e.name)
	}
	return e.name + " is not set"
}

// notEnoughError: a prorated sum with more missing items than it allows.
type notEnoughError struct {
	missing, allowed int
}

func (e *notEnoughError) Error() string {
	return fmt.Sprintf("%d items missing; at most %d allowed", e.missing, e.allowed)
}

var errNotObject = errors.New("engine objects cannot be converted")

// viewVal implements the ref.Val methods every view shares, given its CEL type.
func viewConvert(t ref.Type, _ ref.Val, own *types.Type) ref.Val {
	if t == types.TypeType {
		return own
	}
	return types.NewErr("type conversion error from '%s' to '%s'", own.TypeName(), t.TypeName())
}

// The views are CEL values.
var (
	_ ref.Val = (*answersView)(nil)
	_ ref.Val = (*scoresView)(nil)
	_ ref.Val = (*flagsView)(nil)
	_ ref.Val = (*resultView)(nil)
	_ ref.Val = (*contextView)(nil)
	_ ref.Val = (*domainsView)(nil)
)

// answersView exposes an instrument's answers.
type answersView instEval

func (v *answersView) ConvertToNative(reflect.Type) (any, error) { return nil, errNotObject }
func (v *answersView) ConvertToType(t ref.Type) ref.Val {
	return viewConvert(t, v, v.inst.answersT.typ)
}
func (v *answersView) Equal(o ref.Val) ref.Val { return types.Bool(ref.Val(v) == o) }
func (v *answersView) Type() ref.Type          { return v.inst.answersT.typ }
func (v *answersView) Value() any              { return v }

// scoresView exposes an instrument's computed scores.
type scoresView instEval

func (v *scoresView) ConvertToNative(reflect.Type) (any, error) { return nil, errNotObject }
func (v *scoresView) ConvertToType(t ref.Type) ref.Val          { return viewConvert(t, v, v.inst.scoresT.typ) }
func (v *scoresView) Equal(o ref.Val) ref.Val                   { return types.Bool(ref.Val(v) == o) }
func (v *scoresView) Type() ref.Type                            { return v.inst.scoresT.typ }
func (v *scoresView) Value() any                                { return v }

// flagsView exposes which flags fired (rule sets only).
type flagsView instEval

func (v *flagsView) ConvertToNative(reflect.Type) (any, error) { return nil, errNotObject }
func (v *flagsView) ConvertToType(t ref.Type) ref.Val          { return viewConvert(t, v, v.inst.flagsT.typ) }
func (v *flagsView) Equal(o ref.Val) ref.Val                   { return types.Bool(ref.Val(v) == o) }
func (v *flagsView) Type() ref.Type                            { return v.inst.flagsT.typ }
func (v *flagsView) Value() any                                { return v }

// resultView exposes an instrument's whole result to a rule set.
type resultView instEval

func (v *resultView) ConvertToNative(reflect.Type) (any, error) { return nil, errNotObject }
func (v *resultView) ConvertToType(t ref.Type) ref.Val          { return viewConvert(t, v, v.inst.resultT.typ) }
func (v *resultView) Equal(o ref.Val) ref.Val                   { return types.Bool(ref.Val(v) == o) }
func (v *resultView) Type() ref.Type                            { return v.inst.resultT.typ }
func (v *resultView) Value() any                                { return v }

// contextView exposes the respondent context with the fields one definition declares.
type contextView struct {
	ie  *instEval
	typ *types.Type
}

func (v *contextView) ConvertToNative(reflect.Type) (any, error) { return nil, errNotObject }
func (v *contextView) ConvertToType(t ref.Type) ref.Val          { return viewConvert(t, v, v.typ) }
func (v *contextView) Equal(o ref.Val) ref.Val                   { return types.Bool(ref.Val(v) == o) }
func (v *contextView) Type() ref.Type                            { return v.typ }
func (v *contextView) Value() any                                { return v }

// domainsView exposes a rule set's domains computed so far.
type domainsView compEval

func (v *domainsView) ConvertToNative(reflect.Type) (any, error) { return nil, errNotObject }
func (v *domainsView) ConvertToType(t ref.Type) ref.Val          { return viewConvert(t, v, v.rs.domainsT.typ) }
func (v *domainsView) Equal(o ref.Val) ref.Val                   { return types.Bool(ref.Val(v) == o) }
func (v *domainsView) Type() ref.Type                            { return v.rs.domainsT.typ }
func (v *domainsView) Value() any                                { return v }
