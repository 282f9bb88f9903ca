package compile

import (
	"fmt"
	"slices"
	"strings"

	"cel.dev/cel-go/cel"
	"cel.dev/cel-go/common/types"

	"github.com/painscreen/painscreen/screen/diag"
	"github.com/painscreen/painscreen/screen/internal/celenv"
	"github.com/painscreen/painscreen/screen/internal/def"
	"github.com/painscreen/painscreen/screen/internal/plan"
	"github.com/painscreen/painscreen/screen/internal/value"
)

// instrument builds the CEL types, environment and programs of one instrument.
func (c *compiler) instrument(d *def.Instrument, index int) *plan.Instrument {
	in := &plan.Instrument{Def: d, ID: d.ID, Version: d.Version.String(), Key: d.Key(), Index: index,
		ItemIdx: map[string]int{}, Label: plan.InstrumentLabel(d)}
	errs := c.errors()
	switch d.Status {
	case "draft":
		in.Notes = append(in.Notes, plan.Note{Code: "draft_definition", About: in.Key,
			Message: in.Key + " is a draft definition: check its results before relying on them"})
		c.warnAt(d.StatusPos, "draft", "%s is a draft; reports will say so", in.Key)
	case "retired":
		in.Notes = append(in.Notes, plan.Note{Code: "retired_definition", About: in.Key,
			Message: in.Key + " is retired: prefer a newer version"})
		c.warnAt(d.StatusPos, "retired", "%s is retired; reports will say so", in.Key)
	}
	p, err := celenv.NewProvider()
	if err != nil {
		c.errAt(d.IDPos, "internal", "CEL type registry: %v", err)
		return nil
	}
	prefix := in.Key + "/"
	answersT := p.NewStruct(prefix + "answers")
	scoresT := p.NewStruct(prefix + "scores")
	flagsT := p.NewStruct(prefix + "flags")
	resultT := p.NewStruct(prefix + "result")
	contextT := p.NewStruct(prefix + "context")
	in.AnswersType, in.ScoresType, in.FlagsType, in.ResultType, in.ContextType = answersT.Type, scoresT.Type, flagsT.Type, resultT.Type, contextT.Type
	baselineT := p.NewStruct(prefix + "baseline")
	currentT := p.NewStruct(prefix + "current")
	followupT := p.NewStruct(prefix + "followup")
	in.BaselineType, in.CurrentType, in.FollowupType = baselineT.Type, currentT.Type, followupT.Type

	// Items: answers.<id> is an int.
	for i, it := range d.Items {
		in.ItemIdx[it.ID] = i
		ci := &plan.Item{ID: it.ID, Required: it.Required, Names: plan.NewNames("answers."+it.ID, in.ID+".answers."+it.ID),
			Label: plan.ItemLabel(it), Number: i + 1}
		if it.Scale != nil {
			ci.Options = it.Scale.Options
			ci.OptMask, ci.OptMaskAll = plan.OptionMask(ci.Options)
			ci.Codes = map[string]int64{}
			var vals []string
			for _, o := range it.Scale.Options {
				if o.Code != "" {
					ci.Codes[o.Code] = o.Value
				}
				vals = append(vals, fmt.Sprint(o.Value))
			}
			ci.Allowed = "one of " + strings.Join(vals, ", ")
			if len(it.Scale.Options) == 0 {
				c.errAt(it.ScalePos, "schema", "item %q has no options", it.ID)
			}
		} else if it.Min != nil {
			ci.Min = *it.Min
			ci.Allowed = fmt.Sprintf("a whole number ≥ %d", ci.Min)
			if it.Max != nil {
				ci.Max, ci.HasMax = *it.Max, true
				ci.Allowed = fmt.Sprintf("a whole number from %d to %d", ci.Min, ci.Max)
			}
		}
		ci.SkippedNote = it.SkippedNote
		words := plan.ItemWords(in.Label, ci, len(d.Items) == 1)
		ci.Unset = &plan.FieldError{Kind: plan.ReadItem, Idx: i, Name: ci.Names.Local, Words: words}
		ci.Disabled = &plan.FieldError{Kind: plan.ReadItem, Idx: i, Name: ci.Names.Local, Disabled: true, Words: words}
		in.Items = append(in.Items, ci)
		has, get := c.rt.ItemField(i)
		answersT.Add(it.ID, types.IntType, has, get)
	}

	// Context fields.
	for _, cf := range d.Context {
		f, t := c.declareContext(cf)
		if f == nil {
			continue
		}
		unset := &plan.FieldError{Kind: plan.ReadContext, Idx: f.Slot, Name: f.Names.Local, Words: ctxWords(f)}
		in.CtxSlots = append(in.CtxSlots, f.Slot)
		in.CtxUnset = append(in.CtxUnset, unset)
		has, get := c.rt.ContextField(f.Slot, unset)
		contextT.Add(cf.ID, t, has, get)
	}

	// The rule-set view: status, answers, flags, then each score as it is compiled.
	in.Status = plan.NewNames(in.ID+".status", in.ID+".status")
	has, get := c.rt.StatusField()
	resultT.Add("status", types.StringType, has, get)
	has, get = c.rt.AnswersField()
	resultT.Add("answers", answersT.Type, has, get)
	has, get = c.rt.FlagsField()
	resultT.Add("flags", flagsT.Type, has, get)
	has, get = c.rt.BaselineViewField()
	resultT.Add("baseline", baselineT.Type, has, get)
	has, get = c.rt.FollowupViewField()
	resultT.Add("followup", followupT.Type, has, get)

	env, err := c.base.Extend(
		cel.CustomTypeProvider(p),
		cel.Variable("answers", answersT.Type),
		cel.Variable("scores", scoresT.Type),
		cel.Variable("context", contextT.Type),
		celenv.AnswerFunctions(in.Key, answersT.Type, in.ItemIdx, c.rt.Aggregate),
	)
	if err != nil {
		c.errAt(d.IDPos, "internal", "CEL environment: %v", err)
		return nil
	}
	c.tagEnv(env, "i "+d.Digest)
	scope := &exprScope{kind: scopeInstrument, inst: in}

	// Skip logic: enable_when may read earlier items only.
	for i, it := range d.Items {
		if it.EnableWhen == nil {
			continue
		}
		in.HasSkip = true
		scope.itemLimit = i
		in.Items[i].Enable = c.compileExpr(env, scope, it.EnableWhen, types.BoolType,
			fmt.Sprintf("%s#items.%s.enable_when", in.Key, it.ID))
	}
	scope.itemLimit = -1

	for si, s := range d.Scores {
		cs := &plan.Score{ID: s.ID, Rule: in.Key + "#scores." + s.ID, Names: plan.NewNames("scores."+s.ID, in.ID+"."+s.ID),
			Label: s.Label, Short: s.Short}
		scope.scoreLimit = si
		// when: the score applies only if this holds (it may read items and earlier scores).
		cs.When = c.compileExpr(env, scope, s.When, types.BoolType, cs.Rule+".when")
		if slices.Contains([]string{"status", "answers", "flags", "baseline", "followup"}, s.ID) {
			c.errAt(s.Pos, "reserved_id", "score id %q is reserved (rule sets read %s.%s)", s.ID, in.ID, s.ID)
		}
		switch {
		case s.Expr != nil:
			cs.Kind = plan.ScoreExpr
			var want *types.Type
			if s.Type != "" {
				want = typeNamed(s.Type)
			}
			cs.Expr = c.compileExpr(env, scope, s.Expr, want, cs.Rule)
			if cs.Expr != nil {
				cs.Type = cs.Expr.Type
				if !slices.Contains([]*types.Type{types.IntType, types.DoubleType, types.BoolType, types.StringType}, cs.Type) {
					c.errAt(s.Expr.Pos, "wrong_type", "score %q must be an int, double, bool or string; the expression gives %s", s.ID, typeName(cs.Type))
					cs.Expr, cs.Type = nil, nil
				}
			}
		case s.Bands != nil:
			cs.Kind = plan.ScoreBands
			cs.Type = types.StringType
			cs.Of = c.scoreRef(in, s.Bands.Of, s.Bands.OfPos, si, "bands")
			if cs.Of >= 0 {
				ofT := in.Scores[cs.Of].Type
				if ofT != nil && ofT != types.IntType && ofT != types.DoubleType {
					c.errAt(s.Bands.OfPos, "wrong_type", "bands need a numeric score; %q is %s", s.Bands.Of, typeName(ofT))
				} else if ofT != nil {
					cs.Bands = c.compileBands(s, ofT == types.IntType)
				}
			}
			if s.Type != "" && s.Type != "string" {
				c.errAt(s.TypePos, "wrong_type", "a banded score is a string (its label), not %s", s.Type)
			}
		case s.Lookup != nil:
			cs.Kind = plan.ScoreLookup
			cs.Type = types.DoubleType
			cs.Lookup = s.Lookup.Table
			for _, row := range s.Lookup.Table {
				cs.LookupVals = append(cs.LookupVals, value.OfDouble(row.Value))
			}
			cs.Of = c.scoreRef(in, s.Lookup.Of, s.Lookup.OfPos, si, "lookup")
			if cs.Of >= 0 && in.Scores[cs.Of].Type != nil && in.Scores[cs.Of].Type != types.IntType {
				c.errAt(s.Lookup.OfPos, "wrong_type", "a lookup table needs an int score; %q is %s", s.Lookup.Of, typeName(in.Scores[cs.Of].Type))
			}
			if s.Type != "" && s.Type != "double" {
				c.errAt(s.TypePos, "wrong_type", "a lookup score is a double, not %s", s.Type)
			}
		}
		sw := plan.ScoreWords(in.Label, cs.Named(), s.ID, "")
		cs.Unset = &plan.FieldError{Kind: plan.ReadScore, Idx: si, Name: cs.Names.Local, Words: sw}
		cs.QUnset = &plan.FieldError{Kind: plan.ReadScore, Idx: si, Name: cs.Names.Qualified, Words: sw}
		cs.Base = plan.NewNames("baseline."+s.ID, in.ID+".baseline."+s.ID)
		cs.Cur = plan.NewNames("current."+s.ID, in.ID+"."+s.ID)
		cs.BaseUnset = &plan.FieldError{Kind: plan.ReadBaseline, Idx: si, Name: cs.Base.Local, Words: sw + " at baseline"}
		cs.BaseQUnset = &plan.FieldError{Kind: plan.ReadBaseline, Idx: si, Name: cs.Base.Qualified, Words: sw + " at baseline"}
		cs.CurUnset = &plan.FieldError{Kind: plan.ReadCurrent, Idx: si, Name: cs.Cur.Local, Words: sw + " now"}
		in.Scores = append(in.Scores, cs)
		if cs.Type == nil {
			continue
		}
		has, get := c.rt.ScoreField(si, cs.Unset)
		scoresT.Add(s.ID, cs.Type, has, get)
		has, get = c.rt.ScoreField(si, cs.QUnset)
		resultT.Add(s.ID, cs.Type, has, get)
		// A follow-up measure reads baseline.<id> and current.<id>; a rule set <inst>.baseline.<id>. (A rule
		// set's view and a measure's share the baseline type: their names differ only in the report.)
		has, get = c.rt.BaselineField(si, cs.BaseUnset)
		baselineT.Add(s.ID, cs.Type, has, get)
		has, get = c.rt.CurrentField(si, cs.CurUnset)
		currentT.Add(s.ID, cs.Type, has, get)
	}
	scope.scoreLimit = len(d.Scores)

	for fi, f := range d.Flags {
		cf := &plan.Flag{ID: f.ID, Level: f.Level, Message: f.Message, Rule: in.Key + "#flags." + f.ID,
			Names: plan.NewNames(in.ID+".flags."+f.ID, in.ID+".flags."+f.ID)}
		cf.When = c.compileExpr(env, scope, f.When, types.BoolType, cf.Rule)
		cf.Unset = &plan.FieldError{Kind: plan.ReadFlag, Idx: fi, Name: cf.Names.Qualified,
			Words: string(plan.AppendClean(nil, in.Label)) + " " + plan.Words(f.ID) + " flag"}
		in.Flags = append(in.Flags, cf)
		has, get := c.rt.FlagField(fi)
		flagsT.Add(f.ID, types.BoolType, has, get)
	}
	for _, n := range d.ConditionalNotes {
		in.CondNotes = append(in.CondNotes, &plan.CondNote{ID: n.ID, Message: n.Message,
			When: c.compileExpr(env, scope, n.When, types.BoolType, in.Key+"#conditional_notes."+n.ID)})
	}
	c.followUps(in, p, followupT)
	instrumentDeps(in)
	if c.errors() > errs {
		return nil
	}
	c.provs[in] = p
	return in
}

// followUps compiles the instrument's follow-up measures: CEL over baseline.<score>, current.<score> and
// days, each an int, double, bool or string.
func (c *compiler) followUps(in *plan.Instrument, p *celenv.Provider, followupT *celenv.StructType) {
	d := in.Def
	if len(d.FollowUps) == 0 {
		return
	}
	env, err := c.base.Extend(cel.CustomTypeProvider(p),
		cel.Variable("baseline", in.BaselineType), cel.Variable("current", in.CurrentType), cel.Variable("days", types.IntType))
	if err != nil {
		c.errAt(d.IDPos, "internal", "CEL environment: %v", err)
		return
	}
	c.tagEnv(env, "f "+d.Digest)
	scope := &exprScope{kind: scopeFollowUp, inst: in, itemLimit: -1, scoreLimit: len(d.Scores)}
	for fi, f := range d.FollowUps {
		if in.ScoreIndex(f.ID) >= 0 {
			c.errAt(f.Pos, "duplicate_id", "follow-up measure %q has the same id as a score; reasons name both, so they must differ", f.ID)
		}
		m := &plan.FollowUp{ID: f.ID, Label: f.Label, Short: f.Short, Description: f.Description, Rule: in.Key + "#followup." + f.ID,
			Names: plan.NewNames("followup."+f.ID, in.ID+".followup."+f.ID), MinDays: f.MinDays}
		var want *types.Type
		if f.Type != "" {
			want = typeNamed(f.Type)
		}
		m.Prog = c.compileExpr(env, scope, f.Expr, want, m.Rule)
		if m.Prog != nil {
			m.BaseScores, m.CurScores = followUpReads(in, m.Prog)
			m.Type = m.Prog.Type
			if !slices.Contains([]*types.Type{types.IntType, types.DoubleType, types.BoolType, types.StringType}, m.Type) {
				c.errAt(f.Expr.Pos, "wrong_type", "follow-up measure %q must be an int, double, bool or string; the expression gives %s", f.ID, typeName(m.Type))
				m.Type = nil
			}
		}
		m.QUnset = &plan.FieldError{Kind: plan.ReadFollowup, Idx: fi, Name: m.Names.Qualified,
			Words: plan.ScoreWords(in.Label, m.Named(), f.ID, "")}
		in.FollowUps = append(in.FollowUps, m)
		if m.Type != nil {
			has, get := c.rt.FollowupField(fi, m.QUnset)
			followupT.Add(f.ID, m.Type, has, get)
		}
	}
}

func typeNamed(s string) *types.Type {
	switch s {
	case "int":
		return types.IntType
	case "double":
		return types.DoubleType
	case "bool":
		return types.BoolType
	case "string":
		return types.StringType
	}
	return nil
}

func typeName(t *types.Type) string {
	if t == nil {
		return "unknown"
	}
	return t.String()
}

// scoreRef resolves bands.of / lookup.of to an earlier score.
func (c *compiler) scoreRef(in *plan.Instrument, id string, pos diag.Pos, self int, what string) int {
	for i := 0; i < self && i < len(in.Scores); i++ {
		if in.Scores[i].ID == id {
			if in.Scores[i].Type == nil {
				return -1 // its own error was reported
			}
			return i
		}
	}
	if in.Def.Scores[self].ID == id {
		c.errAt(pos, "self_reference", "%s of %q: the score reads itself; a score may only read earlier ones", what, id)
		return -1
	}
	for _, s := range in.Def.Scores[self:] {
		if s.ID == id {
			c.errAt(pos, "forward_reference", "%s of %q: score %q is defined later; a score may only read earlier ones", what, in.Def.Scores[self].ID, id)
			return -1
		}
	}
	c.errAt(pos, "unknown_score", "%s of %q: no score %q in %s%s", what, in.Def.Scores[self].ID, id, in.Key, didYouMean(id, scoreIDs(in.Def)))
	return -1
}

func scoreIDs(d *def.Instrument) []string {
	var out []string
	for _, s := range d.Scores {
		out = append(out, s.ID)
	}
	return out
}

func itemIDs(d *def.Instrument) []string {
	var out []string
	for _, s := range d.Items {
		out = append(out, s.ID)
	}
	return out
}

// followUpReads lists the scores a follow-up measure reads at baseline and now (baseline.<score>,
// current.<score>), from the paths its program reads.
func followUpReads(in *plan.Instrument, p *plan.Program) (base, cur []int) {
	for _, path := range p.Reads.Paths {
		if len(path) < 2 {
			continue
		}
		si := in.ScoreIndex(path[1])
		if si < 0 {
			continue
		}
		switch path[0] {
		case "baseline":
			if !slices.Contains(base, si) {
				base = append(base, si)
			}
		case "current":
			if !slices.Contains(cur, si) {
				cur = append(cur, si)
			}
		}
	}
	return base, cur
}
