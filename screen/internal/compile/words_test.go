package compile_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/painscreen/painscreen/screen/internal/compile"
	"github.com/painscreen/painscreen/screen/internal/compile/compiletest"
)

// A referral a clinician would read without words — no text, or a condition that reads nothing, so an
// empty "Because:" — is a warning; the labels reasons use are resolved once, with fallbacks.
func TestClinicianWords(t *testing.T) {
	rules := `id: r
version: 1.0.0
title: R
status: active
description: R.
citation: none
license: none
inputs:
  t: {version: "^1", required: true}
context:
  dose: {type: number, label: opioid dose, unit: MME/day}
domains:
  - id: oud
    label: Opioid use disorder
    values: [mild, none]
    expr: "has(t.total) && t.total >= 2 ? 'mild' : 'none'"
  - id: drug_use
    values: [positive, none]
    expr: "'none'"
tiers:
  - {id: low}
referrals:
  - id: always
    priority: routine
    when: "true"
    text: Always.
    rationale: X.
    source: none
  - id: silent
    priority: routine
    when: "domains.oud == 'mild'"
    text: "  "
    rationale: X.
    source: none
`
	inst := compiletest.Instrument("- {id: total, label: Total score, expr: 'answers.sum([\"q1\", \"q2\"])'}\n", "label: T-4\n")
	res, list := compiletest.Build(t, map[string]string{"t.v1.yaml": inst, "r.v1.yaml": rules}, compile.Options{})
	require.Empty(t, list.Errors(), "%v", list)
	codes := map[string]string{}
	for _, d := range list {
		codes[d.Code] = d.Message
	}
	assert.Contains(t, codes["empty_reason"], `referral "always" reads nothing`)
	assert.Contains(t, codes["empty_text"], `referral "silent" has no text`)

	p := res.Plan
	in := p.Insts[0]
	assert.Equal(t, "T-4", in.Label)
	assert.Equal(t, "Q1", in.Items[0].Label, "the text stands in for a missing label")
	assert.Equal(t, 1, in.Items[0].Number)
	assert.Equal(t, "T-4 item 2 (Q2) is not answered", in.Items[1].Unset.Said()+" is not answered")
	assert.Equal(t, "T-4 total score", in.Scores[0].Unset.Said(), "the score's label, first letter lowered")
	require.NotNil(t, p.Rules)
	assert.Equal(t, "Opioid use disorder", p.Rules.Domains[0].Label)
	assert.Equal(t, "drug use", p.Rules.Domains[1].Label, "the id in words")
	cf := p.CtxIdx["dose"]
	require.NotNil(t, cf)
	assert.Equal(t, "opioid dose", cf.Label)
	assert.Equal(t, "MME/day", cf.Unit)
}
