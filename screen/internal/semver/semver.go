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
// Versions are parsed, ordered and compared here, by the precedence github.com/Masterminds/semver/v3
// gives them (its tests compare the two on every pair of a set of versions; a package with regular
// expressions compiled at init has no place in every command's start-up). Where Masterminds' syntax is
// more lenient or means something else, this package keeps the syntax above and its meaning:
//   - It rejects what Masterminds accepts beyond the syntax above: a "v" prefix, leading zeros (^01),
//     partial versions where a full one is needed, build metadata, wildcards (1.x, 1.2.*), !=, ~>, hyphen ranges (1 - 2), commas,
//     and an operator apart from its version (">= 1.2.0"). Its errors name the version or constraint and
//     what is wrong with it, since they surface as diagnostics in definitions.
//   - It turns every term into plain comparisons of full versions (^1.2 is >=1.2.0 <2.0.0, 1.2 is
//     >=1.2.0 <1.3.0, >1 is >=2.0.0): Masterminds matches ^, ~ and partial versions by their numbers, so
//     that ^1 would exclude 2.0.0-rc.1 even when the pre-release rule below admits it, and ~0.0.0 would
//     match any version.
//   - It keeps npm's pre-release rule (see Constraint.Check), narrower than Masterminds' (a pre-release
//     satisfies a group of comparisons that names any pre-release).
package semver

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// maxLen is the longest version parsed (as Masterminds' MaxVersionLen).
const maxLen = 256

// ver is a parsed version: MAJOR.MINOR.PATCH and the pre-release, as check accepted them.
type ver struct {
	major, minor, patch uint64
	pre                 string
}

func newVer(major, minor, patch uint64) *ver { return &ver{major: major, minor: minor, patch: patch} }

func (v *ver) Major() uint64      { return v.major }
func (v *ver) Minor() uint64      { return v.minor }
func (v *ver) Patch() uint64      { return v.patch }
func (v *ver) Prerelease() string { return v.pre }

// String formats the version as MAJOR.MINOR.PATCH[-PRE].
func (v *ver) String() string {
	b := strconv.AppendUint(nil, v.major, 10)
	b = append(b, '.')
	b = strconv.AppendUint(b, v.minor, 10)
	b = append(b, '.')
	b = strconv.AppendUint(b, v.patch, 10)
	if v.pre != "" {
		b = append(b, '-')
		b = append(b, v.pre...)
	}
	return string(b)
}

// Compare orders v and o by semver precedence: the numbers, then a version without a pre-release after
// one with it, then the pre-releases identifier by identifier (comparePre).
func (v *ver) Compare(o *ver) int {
	for _, d := range [3][2]uint64{{v.major, o.major}, {v.minor, o.minor}, {v.patch, o.patch}} {
		if d[0] != d[1] {
			if d[0] < d[1] {
				return -1
			}
			return 1
		}
	}
	switch {
	case v.pre == "" && o.pre == "":
		return 0
	case v.pre == "":
		return 1
	case o.pre == "":
		return -1
	}
	sp, op := strings.Split(v.pre, "."), strings.Split(o.pre, ".")
	for i := range max(len(sp), len(op)) {
		s, t := "", ""
		if i < len(sp) {
			s = sp[i]
		}
		if i < len(op) {
			t = op[i]
		}
		if d := comparePre(s, t); d != 0 {
			return d
		}
	}
	return 0
}

// comparePre orders two pre-release identifiers ("" is a missing one, which orders first): numbers as
// numbers, before words; words, and a number too large for 64 bits, as text.
func comparePre(s, o string) int {
	switch {
	case s == o:
		return 0
	case s == "":
		return -1
	case o == "":
		return 1
	}
	oi, oErr := strconv.ParseUint(o, 10, 64)
	si, sErr := strconv.ParseUint(s, 10, 64)
	switch {
	case oErr != nil && sErr != nil:
		if s > o {
			return 1
		}
		return -1
	case oErr != nil: // s is a number, o is not
		return -1
	case sErr != nil:
		return 1
	case si > oi:
		return 1
	}
	return -1
}

// Version is a parsed semantic version. The zero Version is 0.0.0.
type Version struct {
	v *ver
}

var zero = newVer(0, 0, 0)

func (v Version) ver() *ver {
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
	core, pre, _ := strings.Cut(s, "-")
	parts := strings.Split(core, ".")
	if len(parts) != 3 {
		// check accepts nothing else: this would be a bug in check.
		return Version{}, fmt.Errorf("version %q must have three parts, MAJOR.MINOR.PATCH", s)
	}
	var n [3]uint64
	for i, p := range parts {
		var err error
		if n[i], err = strconv.ParseUint(p, 10, 64); err != nil {
			return Version{}, fmt.Errorf("version %q: %q is not a number", s, p)
		}
	}
	return Version{&ver{major: n[0], minor: n[1], patch: n[2], pre: pre}}, nil
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
	cmps []comparison // each a comparison with a full version, pre-releases included
	pre  []*ver       // the pre-release versions the comparisons name
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
func (a *alt) between(lo, hi *ver) error {
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
	v  *ver
}

func (c comparison) holds(v *ver) bool {
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
func (a *alt) cmp(op string, v *ver) error {
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
func partialUpper(v *ver, n int) *ver {
	if n == 1 {
		return newVer(v.Major()+1, 0, 0)
	}
	return newVer(v.Major(), v.Minor()+1, 0)
}

func caretUpper(v *ver, n int) *ver {
	switch {
	case v.Major() > 0 || n == 1:
		return newVer(v.Major()+1, 0, 0)
	case v.Minor() > 0 || n == 2:
		return newVer(0, v.Minor()+1, 0)
	default:
		return newVer(0, 0, v.Patch()+1)
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

func (a alt) check(v *ver) bool {
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

func (a alt) namesPreOf(v *ver) bool {
	for _, p := range a.pre {
		if p.Major() == v.Major() && p.Minor() == v.Minor() && p.Patch() == v.Patch() {
			return true
		}
	}
	return false
}

// String returns the constraint as written.
func (c Constraint) String() string { return c.src }
