package celenv

import (
	"cel.dev/cel-go/common/types"
	"cel.dev/cel-go/common/types/ref"
)

// StructType is a CEL object type whose fields the engine defines: each field has a type, a presence test
// and a getter, which the eval package supplies (they read the evaluation state and record the read).
type StructType struct {
	Type   *types.Type
	fields map[string]*types.FieldType
	names  []string
}

// Add declares a field.
func (s *StructType) Add(name string, t *types.Type, isSet ref.FieldTester, get ref.FieldGetter) {
	s.fields[name] = &types.FieldType{Type: t, IsSet: isSet, GetFrom: get}
	s.names = append(s.names, name)
}

// Provider adds the engine's object types to CEL's standard registry. Type names contain '/', which cannot
// occur in a CEL identifier, so they can never be confused with variables such as `phq9.answers`.
type Provider struct {
	types.Provider
	structs map[string]*StructType
}

// NewProvider returns a provider with no engine types yet.
func NewProvider() (*Provider, error) {
	reg, err := types.NewRegistry()
	if err != nil {
		return nil, err
	}
	return &Provider{Provider: reg, structs: map[string]*StructType{}}, nil
}

// NewStruct declares an object type.
func (p *Provider) NewStruct(name string) *StructType {
	s := &StructType{Type: types.NewObjectType(name), fields: map[string]*types.FieldType{}}
	p.structs[name] = s
	return s
}

// Import makes every object type of q known to p (a rule set reads its inputs' types).
func (p *Provider) Import(q *Provider) {
	for name, st := range q.structs {
		p.structs[name] = st
	}
}

// FindStructType implements types.Provider.
func (p *Provider) FindStructType(name string) (*types.Type, bool) {
	if s, ok := p.structs[name]; ok {
		return types.NewTypeTypeWithParam(s.Type), true
	}
	return p.Provider.FindStructType(name)
}

// FindStructFieldNames implements types.Provider.
func (p *Provider) FindStructFieldNames(name string) ([]string, bool) {
	if s, ok := p.structs[name]; ok {
		return s.names, true
	}
	return p.Provider.FindStructFieldNames(name)
}

// FindStructFieldType implements types.Provider.
func (p *Provider) FindStructFieldType(name, field string) (*types.FieldType, bool) {
	if s, ok := p.structs[name]; ok {
		ft, found := s.fields[field]
		return ft, found
	}
	return p.Provider.FindStructFieldType(name, field)
}

// NewValue refuses to build engine objects in expressions.
func (p *Provider) NewValue(name string, fields map[string]ref.Val) ref.Val {
	if _, ok := p.structs[name]; ok {
		return types.NewErr("%s objects cannot be created in expressions", name)
	}
	return p.Provider.NewValue(name, fields)
}
