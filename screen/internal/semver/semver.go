// Package semver parses semantic versions (MAJOR.MINOR.PATCH, semver.org 2.0.0) and the version constraints
// that rule sets use to select instrument versions.
//
// Constraint syntax (a small, npm-like subset):
//
//	1.2.3        exactly 1.2.3 (also "=1.2.3")
//	^1, ^1.2, ^1.2.3   compatible: same major (for 0.x: same minor), at least the given version
//	~1.2, ~1.2.3       same major.minor, at least the given version
//	>=1.2.0 <2   comparison operators >, >=, <, <=, =, joined by spaces (all must hold)
//	*            any version
//	a || b       either constraint
//
// Pre-release versions (1.2.3-rc.1) parse and order per semver (a numeric identifier too large for 64 bits
// orders as text); build metadata (+x) is rejected, since two definitions that differ only in build
// metadata would be indistinguishable in a report. A version is at most 256 bytes long.
//
// github.com/Masterminds/semver/v3 parses and orders the versions; the comparisons are evaluated here. This
// package is the strict front end that keeps the syntax above and its meaning, where Masterminds is more
// lenient or means something else:
//   - It rejects what Masterminds accepts beyond the syntax above: a "v" prefix, leading zeros (^01),
//     partial versions where a full one is needed, build metadata, wildcards (1.x, 1.2.*), !=, ~>, hyphen ranges (1 - 2), commas,
//     and an operator apart from its version (">= 1.2.0"). Its errors name the version or constraint and
//     what is wrong with it, since they surface as diagnostics in definitions.
//   - It turns every term into plain comparisons of full versions (^1.2 is >=1.2.0 <2.0.0, 1.2 is
//     >=1.2.0 <1.3.0, >1 is >=2.0.0) before Masterminds sees them: Masterminds matches ^, ~ and partial
//     versions by their numbers, so that ^1 excludes 2.0.0-rc.1 even when the pre-release rule below
//     admits it, and ~0.0.0 matches any version.
//   - It keeps npm's pre-release rule (see Constraint.Check), narrower than Masterminds' (a pre-release
//     satisfies a group of comparisons that names any pre-release).
package semver

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	mm "github.com/Masterminds/semver/v3"
)

// maxLen is the longest version Masterminds parses.
const maxLen = mm.MaxVersionLen

// Version is a parsed semantic version. The zero Version is 0.0.0.
type Version struct {
	v *mm.Version
}

var zero = mm.New(0, 0, 0, "", "")

func (v Version) ver() *mm.Version {
	if v.v == nil {
		return zero
	}
	return v.v
}

// Parse parses a full MAJOR.MINOR.PATCH[-PRE] version.
func Parse(s string) (Version, error) {
	n, err := check(s)
	if err != nil {
		return Version{}, err
	}
	if n != 3 {
		return Version{}, fmt.Errorf("version %q must have three parts, MAJOR.MINOR.PATCH", s)
	}
	return parseChecked(s)
}

// parseChecked parses a full version that check accepted.
func parseChecked(s string) (Version, error) {
	v, err := mm.StrictNewVersion(s)
	if err != nil {
		// check accepts no more than StrictNewVersion does: this would be a bug in check.
		return Version{}, fmt.Errorf("version %q: %v", s, err)
	}
	return Version{v}, nil
}

// check checks 1, 1.2 or 1.2.3[-pre] against the strict syntax and reports how many numeric parts it has.
func check(s string) (int, error) {
	if s == "" {
		return 0, errors.New("empty version")
	}
	if len(s) > maxLen {
		return 0, fmt.Errorf("version is %d bytes; the limit is %d", len(s), maxLen)
	}
	if strings.ContainsRune(s, '+') {
		return 0, fmt.Errorf("version %q: build metadata (+...) is not allowed", s)
	}
	core, pre, hasPre := strings.Cut(s, "-")
	parts := strings.Split(core, ".")
	if len(parts) > 3 {
		return 0, fmt.Errorf("version %q has more than three parts", s)
	}
	for _, p := range parts {
		if err := checkNum(p); err != nil {
			return 0, fmt.Errorf("version %q: %v", s, err)
		}
	}
	if hasPre {
		if len(parts) != 3 {
			return 0, fmt.Errorf("version %q: a pre-release needs MAJOR.MINOR.PATCH", s)
		}
		if pre == "" {
			return 0, fmt.Errorf("version %q: empty pre-release", s)
		}
		for _, id := range strings.Split(pre, ".") {
			if id == "" || strings.Trim(id, "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-") != "" {
				return 0, fmt.Errorf("version %q: invalid pre-release identifier %q", s, id)
			}
			if isNumeric(id) && len(id) > 1 && id[0] == '0' {
				return 0, fmt.Errorf("version %q: numeric pre-release identifier %q has a leading zero", s, id)
			}
		}
	}
	return len(parts), nil
}

func isNumeric(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func checkNum(p string) error {
	if !isNumeric(p) {
		return fmt.Errorf("%q is not a number", p)
	}
	if len(p) > 1 && p[0] == '0' {
		return fmt.Errorf("%q has a leading zero", p)
	}
	if _, err := strconv.ParseUint(p, 10, 64); err != nil {
		return fmt.Errorf("%q is too large", p)
	}
	return nil
}

// String formats the version canonically.
func (v Version) String() string { return v.ver().String() }

// Compare returns -1, 0 or +1 as v orders before, equal to, or after w (semver precedence).
func (v Version) Compare(w Version) int { return v.ver().Compare(w.ver()) }

// Constraint is a parsed version constraint.
type Constraint struct {
	src  string
	alts []alt // any alternative
}

// alt is one alternative: comparisons that must all hold.
type alt struct {
	cmps []comparison  // each a comparison with a full version, pre-releases included
	pre  []*mm.Version // the pre-release versions the comparisons name
}

// ParseConstraint parses a constraint in the syntax of the package documentation.
func ParseConstraint(s string) (Constraint, error) {
	c := Constraint{src: strings.TrimSpace(s)}
	if c.src == "" {
		return c, errors.New("empty version constraint")
	}
	for _, fields := range strings.Split(c.src, "||") {
		terms := strings.Fields(fields)
		if len(terms) == 0 {
			return c, fmt.Errorf("constraint %q: empty alternative", s)
		}
		var a alt
		for _, t := range terms {
			if err := a.add(t); err != nil {
				return c, fmt.Errorf("constraint %q: %v", s, err)
			}
		}
		c.alts = append(c.alts, a)
	}
	return c, nil
}

// add adds the comparisons of term t: "*", or an operator and a (partial) version.
func (a *alt) add(t string) error {
	if t == "*" || t == "x" {
		return nil
	}
	op := ""
	for _, o := range []string{">=", "<=", ">", "<", "=", "^", "~"} {
		if strings.HasPrefix(t, o) {
			op = o
			break
		}
	}
	s := t[len(op):]
	n, err := check(s)
	if err != nil {
		return err
	}
	v, err := parseChecked(s + strings.Repeat(".0", 3-n))
	if err != nil {
		return err
	}
	lo := v.v
	switch {
	case op == "^":
		return a.between(lo, caretUpper(lo, n))
	case op == "~":
		// ~1 is <2.0.0, ~1.2 and ~1.2.3 are <1.3.0: the upper bound of the partial versions 1 and 1.2
		return a.between(lo, partialUpper(lo, n))
	case n == 3 && op == "":
		return a.cmp("=", lo)
	case n == 3:
		return a.cmp(op, lo)
	case op == "=" || op == "":
		// 1.2 is >=1.2.0 <1.3.0
		return a.between(lo, partialUpper(lo, n))
	case op == ">":
		// >1 is >=2.0.0
		return a.cmp(">=", partialUpper(lo, n))
	case op == "<=":
		// <=1.2 is <1.3.0
		return a.cmp("<", partialUpper(lo, n))
	}
	// >=1.2 is >=1.2.0, <1.2 is <1.2.0
	return a.cmp(op, lo)
}

// between adds >=lo <hi.
func (a *alt) between(lo, hi *mm.Version) error {
	if err := a.cmp(">=", lo); err != nil {
		return err
	}
	return a.cmp("<", hi)
}

// comparison is one comparison of a version with v by semver precedence: what a Masterminds constraint of
// one full version with IncludePrerelease evaluates (npm's pre-release rule is applied in Check), without
// parsing a constraint string with its regular expressions at every load.
type comparison struct {
	op string // =, <, <=, >, >=
	v  *mm.Version
}

func (c comparison) holds(v *mm.Version) bool {
	r := v.Compare(c.v)
	switch c.op {
	case "=":
		return r == 0
	case "<":
		return r < 0
	case "<=":
		return r <= 0
	case ">":
		return r > 0
	case ">=":
		return r >= 0
	}
	return false
}

// cmp adds the comparison op v.
func (a *alt) cmp(op string, v *mm.Version) error {
	switch op {
	case "=", "<", "<=", ">", ">=":
	default:
		// the term was checked: this would be a bug in add.
		return fmt.Errorf("%s%s: unknown comparison", op, v)
	}
	a.cmps = append(a.cmps, comparison{op, v})
	if v.Prerelease() != "" {
		a.pre = append(a.pre, v)
	}
	return nil
}

// partialUpper is the first version after the partial version 1 or 1.2 (n parts): 2.0.0 or 1.3.0.
func partialUpper(v *mm.Version, n int) *mm.Version {
	if n == 1 {
		return mm.New(v.Major()+1, 0, 0, "", "")
	}
	return mm.New(v.Major(), v.Minor()+1, 0, "", "")
}

func caretUpper(v *mm.Version, n int) *mm.Version {
	switch {
	case v.Major() > 0 || n == 1:
		return mm.New(v.Major()+1, 0, 0, "", "")
	case v.Minor() > 0 || n == 2:
		return mm.New(0, v.Minor()+1, 0, "", "")
	default:
		return mm.New(0, 0, v.Patch()+1, "", "")
	}
}

// Check reports whether v satisfies the constraint. A pre-release version satisfies only alternatives that
// name a pre-release of the same MAJOR.MINOR.PATCH (npm's rule), so "^1" never selects 2.0.0-rc.1 or
// 1.1.0-rc.1, and ">=1.0.0-rc.1" selects 1.0.0-rc.2 but not 1.1.0-rc.1.
func (c Constraint) Check(v Version) bool {
	for _, a := range c.alts {
		if a.check(v.ver()) {
			return true
		}
	}
	return false
}

func (a alt) check(v *mm.Version) bool {
	if v.Prerelease() != "" && !a.namesPreOf(v) {
		return false
	}
	for _, c := range a.cmps {
		if !c.holds(v) {
			return false
		}
	}
	return true
}

func (a alt) namesPreOf(v *mm.Version) bool {
	for _, p := range a.pre {
		if p.Major() == v.Major() && p.Minor() == v.Minor() && p.Patch() == v.Patch() {
			return true
		}
	}
	return false
}

// String returns the constraint as written.
func (c Constraint) String() string { return c.src }
