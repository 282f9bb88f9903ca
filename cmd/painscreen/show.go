package main

import (
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/painscreen/painscreen/screen/diag"

	"github.com/painscreen/painscreen/screen"
)

const listAbout = `List the loaded instruments (id, version, status, domain, title) and the rule set the engine applies,
with the instrument version each of its inputs is bound to. When an instrument has several versions, *
marks the one an unpinned answers key ("phq9") selects.`

const listExamples = `  painscreen list
  painscreen list --instruments my-instruments/`

func runList(args []string, _ io.Reader, stdout, stderr io.Writer) int {
	f := newFlags("list", "painscreen list [flags]", listAbout, listExamples)
	var df defFlags
	df.register(f, false)
	asJSON := formatFlag(f)
	widthFlag := registerWidth(f)
	pos, code, ok := f.parse(args, stdout, stderr)
	if !ok {
		return code
	}
	width, err := widthFlag(stdout)
	if err != nil {
		return f.fail(stderr, "%v", err)
	}
	jsonOut, err := asJSON()
	if err != nil {
		return f.fail(stderr, "%v", err)
	}
	if len(pos) > 0 {
		return f.fail(stderr, "unexpected argument %q", pos[0])
	}
	eng, err := newEngineQuiet(&df, "")
	var several []string
	if isSeveralRuleSets(err) {
		// Several rule sets and none chosen: list the instruments, and name the rule sets.
		df2 := df
		df2.noRules = true
		if e2, err2 := newEngineQuiet(&df2, ""); err2 == nil {
			eng, err = e2, nil
			several = ruleSetRefs(df.sources())
		}
	}
	if err != nil {
		eng, code := buildEngine(f, &df, "", stderr)
		if eng == nil {
			return code
		}
	}
	if jsonOut {
		return writeJSON(stdout, listJSON(eng, several))
	}
	infos := eng.Instruments()
	versions := map[string]int{}
	for _, in := range infos {
		versions[in.ID]++
	}
	rows := [][]string{{"ID", "VERSION", "STATUS", "DOMAIN", "TITLE"}}
	for _, in := range infos {
		v := in.Version
		if versions[in.ID] > 1 && in.Default {
			v += " *"
		}
		rows = append(rows, []string{safe(in.ID), safe(v), safe(in.Status), safe(in.Domain), safe(in.Title)})
	}
	_, _ = stdout.Write(appendTable(nil, rows, width))
	line := func(s string) { _, _ = stdout.Write(appendWrappedWidth(nil, s, 0, 2, width)) }
	if rs, ok := eng.RuleSet(); ok {
		fmt.Fprintln(stdout)
		line(fmt.Sprintf("Rule set: %s %s (%s): %s", rs.ID, rs.Version, rs.Status, rs.Title))
		ids := make([]string, 0, len(rs.Inputs))
		for id := range rs.Inputs {
			ids = append(ids, id)
		}
		sort.Strings(ids)
		var parts []string
		for _, id := range ids {
			parts = append(parts, id+" "+rs.Inputs[id])
		}
		if len(parts) > 0 { // "  inputs: …", continuation lines under the value
			_, _ = stdout.Write(appendWrappedWidth([]byte("  inputs: "), strings.Join(parts, ", "), 10, 10, width))
		}
	} else if len(several) > 0 {
		fmt.Fprintln(stdout)
		line(fmt.Sprintf("Rule sets: %s (several are loaded: choose one with --rules ID)", strings.Join(several, ", ")))
	} else {
		fmt.Fprintln(stdout, "\nRule set: none")
	}
	return exitOK
}

// isSeveralRuleSets reports whether New failed only because several rule sets are loaded and none was
// chosen.
func isSeveralRuleSets(err error) bool {
	var ds diag.List
	return errors.As(err, &ds) && len(ds) == 1 && ds[0].Code == "rule_set" && strings.Contains(ds[0].Message, "several rule sets")
}

// buildEngine builds the engine of list and show. A load error is reported; the engine is then nil.
func buildEngine(f *cmdFlags, df *defFlags, ruleSet string, stderr io.Writer) (*screen.Engine, int) {
	opts, _, err := df.options()
	if err != nil {
		return nil, f.fail(stderr, "%v", err)
	}
	if ruleSet != "" {
		opts = append(opts, screen.WithRuleSet(ruleSet))
	}
	eng, err := newEngine(opts...)
	if err != nil {
		return nil, reportLoadError(stderr, err)
	}
	return eng, exitOK
}

const showAbout = `Describe an instrument: its items (options with values, labels and codes, or the integer range;
whether required; skip logic), scores (expressions, bands, lookup tables), flags, context fields,
citation, licence and notes. ID alone is the version an unpinned answers key selects; ID@VERSION picks
one. The id of a rule set shows the rule set: inputs, domains, tiers and referrals with their text,
rationale and source.`

const showExamples = `  painscreen show phq9
  painscreen show gcps_r@1.0.0
  painscreen show pain_oud`

func runShow(args []string, _ io.Reader, stdout, stderr io.Writer) int {
	f := newFlags("show", "painscreen show [flags] ID[@VERSION]", showAbout, showExamples)
	var df defFlags
	df.register(f, false)
	asJSON := formatFlag(f)
	widthFlag := registerWidth(f)
	pos, code, ok := f.parse(args, stdout, stderr)
	if !ok {
		return code
	}
	width, err := widthFlag(stdout)
	if err != nil {
		return f.fail(stderr, "%v", err)
	}
	jsonOut, err := asJSON()
	if err != nil {
		return f.fail(stderr, "%v", err)
	}
	if len(pos) != 1 {
		return f.fail(stderr, "want one ID[@VERSION]")
	}
	ref := pos[0]
	if _, _, err := df.options(); err != nil {
		return f.fail(stderr, "%v", err)
	}
	eng, err := newEngineQuiet(&df, "")
	if isSeveralRuleSets(err) {
		// Several rule sets and none chosen: ref may be one of them; otherwise describe instruments
		// without a rule set.
		if e2, err2 := newEngineQuiet(&df, ref); err2 == nil {
			eng, err = e2, nil
		} else {
			df2 := df
			df2.noRules = true
			if e3, err3 := newEngineQuiet(&df2, ""); err3 == nil {
				eng, err = e3, nil
			}
		}
	}
	if err != nil {
		return reportLoadError(stderr, err)
	}
	if doc, err := eng.Describe(ref); err == nil {
		if jsonOut {
			return writeJSON(stdout, doc)
		}
		_ = doc.WriteText(stdout, width)
		return exitOK
	}
	// A rule set? The engine describes the one it applies, so build one that applies ref.
	id, _, _ := strings.Cut(ref, "@")
	if rs, ok := eng.RuleSet(); !ok || rs.ID != id || strings.Contains(ref, "@") {
		if refPattern().MatchString(ref) {
			if e2, err := newEngineQuiet(&df, ref); err == nil {
				eng = e2
			}
		}
	}
	if rs, ok := eng.RuleSet(); ok && (rs.ID == ref || rs.ID+"@"+rs.Version == ref) {
		doc, err := eng.DescribeRuleSet()
		if err == nil {
			if jsonOut {
				return writeJSON(stdout, doc)
			}
			_ = doc.WriteText(stdout, width)
			return exitOK
		}
	}
	var names []string
	for _, in := range eng.Instruments() {
		names = append(names, in.ID+"@"+in.Version)
	}
	if rs, ok := eng.RuleSet(); ok {
		names = append(names, rs.ID+"@"+rs.Version+" (rule set)")
	}
	fmt.Fprintf(stderr, "painscreen show: no instrument or rule set %q is loaded (loaded: %s)\n", ref, safe(strings.Join(names, ", ")))
	return exitUsage
}

// newEngineQuiet builds an engine without reporting errors; ruleSet, when not empty, selects the rule set.
func newEngineQuiet(df *defFlags, ruleSet string) (*screen.Engine, error) {
	opts, _, err := df.options()
	if err != nil {
		return nil, err
	}
	if ruleSet != "" {
		opts = append(opts, screen.WithRuleSet(ruleSet))
	}
	return newEngine(opts...)
}
