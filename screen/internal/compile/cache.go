package compile

import (
	"crypto/sha256"
	_ "embed"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"

	"cel.dev/cel-go/cel"
	celast "cel.dev/cel-go/common/ast"
	"cel.dev/cel-go/common/types"
	"google.golang.org/protobuf/proto"

	"github.com/painscreen/painscreen/screen/internal/def"
	"github.com/painscreen/painscreen/screen/internal/plan"
	"github.com/painscreen/painscreen/screen/internal/semver"
)

// Work a load can take from an earlier one, because it depends only on the definitions' content: the
// parse of each CEL expression, and the verdict of the static checks over a set of definitions. A Cache
// holds both, keyed by content (definition digests and expression sources), so a definition that changes
// in any way simply misses and is parsed and checked again. The bundled definitions' cache is produced
// by a test (screen's TestBundledCache, which fails when it is stale) and embedded (Bundled).

// cacheFormat changes when what is keyed or how it is stored changes; it is part of every key.
const cacheFormat = "painscreen-compile-cache/1"

// Key identifies one cached entry.
type Key [sha256.Size]byte

// Cache is a read-only set of parses and clean static-check verdicts. The zero value is empty.
type Cache struct {
	parses  map[Key][]byte // a parsed expression (astcodec.go)
	checked map[Key][]byte // a checked expression (astcodec.go)
	clean   map[Key]bool   // definition sets whose static checks report nothing
	files   map[Key]string // rule-set files that parse cleanly: "<id> <version> <digest> <line> <col>"
}

// Recorder collects what a Build computed, to write a Cache (tests and the generator only).
type Recorder struct {
	mu      sync.Mutex
	Parses  map[Key][]byte
	Checked map[Key][]byte
	Clean   map[Key]bool
	Files   map[Key]string
	// Conflicts counts keys recorded twice with different parses: a key that does not say everything
	// a parse depends on. Unfaithful counts checked expressions whose encoding did not give them back.
	// The generator refuses to write a cache when either is not zero.
	Conflicts, Unfaithful int
}

func (r *Recorder) parse(k Key, src string, a *celast.AST) {
	b, err := encodeChecked(a)
	if err == nil {
		// The encoding must give back the same parse, as the protobuf form says it.
		var back *celast.AST
		back, err = decodeChecked(b, src, map[string]*types.Type{})
		if err == nil {
			want, err1 := celast.ExprToProto(a.Expr())
			got, err2 := celast.ExprToProto(back.Expr())
			wantInfo, err3 := celast.SourceInfoToProto(a.SourceInfo())
			gotInfo, err4 := celast.SourceInfoToProto(back.SourceInfo())
			if err1 != nil || err2 != nil || err3 != nil || err4 != nil || !proto.Equal(want, got) || !proto.Equal(wantInfo, gotInfo) || back.IsChecked() {
				err = errCodec
			}
		}
	}
	r.keep(&r.Parses, k, b, err)
}

func (r *Recorder) check(k Key, src string, a *celast.AST) {
	b, err := encodeChecked(a)
	if err == nil {
		// The encoding must give back the same expression, as the protobuf form says it.
		var back *celast.AST
		back, err = decodeChecked(b, src, map[string]*types.Type{})
		if err == nil {
			want, err1 := celast.ToProto(a)
			got, err2 := celast.ToProto(back)
			if err1 != nil || err2 != nil || !proto.Equal(want, got) {
				err = errCodec
			}
		}
	}
	r.keep(&r.Checked, k, b, err)
}

// keep records b under k in *m, counting an encoding that did not give its expression back (err) and a
// key recorded twice with different bytes.
func (r *Recorder) keep(m *map[Key][]byte, k Key, b []byte, err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if err != nil {
		r.Unfaithful++
		return
	}
	if *m == nil {
		*m = map[Key][]byte{}
	}
	if old, ok := (*m)[k]; ok && string(old) != string(b) {
		r.Conflicts++
	}
	(*m)[k] = b
}

func (r *Recorder) verdict(k Key, clean bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.Clean == nil {
		r.Clean = map[Key]bool{}
	}
	if !clean {
		r.Clean[k] = false // a set seen unclean once is never recorded clean
		return
	}
	if _, seen := r.Clean[k]; !seen {
		r.Clean[k] = true
	}
}

// Encode writes the recorded entries in the cache's format, a text file sorted so that the same
// recording gives the same bytes: a header line, then a line per entry: "p <key> <parse>" or
// "c <key> <checked>" (the key in hex, the encoded parse or checked expression in base64: astcodec.go),
// "v <key>" (a clean verdict), or "r <key> <id> <version> <digest> <line> <col>" (a rule-set file that
// parses cleanly, and its header).
func (r *Recorder) Encode() []byte {
	var lines []string
	for k, b := range r.Parses {
		lines = append(lines, "p "+hex.EncodeToString(k[:])+" "+base64.StdEncoding.EncodeToString(b))
	}
	for k, b := range r.Checked {
		lines = append(lines, "c "+hex.EncodeToString(k[:])+" "+base64.StdEncoding.EncodeToString(b))
	}
	for k, clean := range r.Clean {
		if clean {
			lines = append(lines, "v "+hex.EncodeToString(k[:]))
		}
	}
	for k, h := range r.Files {
		lines = append(lines, "r "+hex.EncodeToString(k[:])+" "+h)
	}
	slices.Sort(lines)
	return []byte(cacheFormat + "\n" + strings.Join(lines, "\n") + "\n")
}

var errCacheFormat = errors.New("compile cache: not in the expected format")

// DecodeCache reads what Recorder.Encode wrote.
func DecodeCache(b []byte) (*Cache, error) {
	text, ok := strings.CutPrefix(string(b), cacheFormat+"\n")
	if !ok {
		return nil, errCacheFormat
	}
	c := &Cache{parses: map[Key][]byte{}, checked: map[Key][]byte{}, clean: map[Key]bool{}, files: map[Key]string{}}
	for line := range strings.Lines(text) {
		line = strings.TrimSuffix(line, "\n")
		kind, rest, _ := strings.Cut(line, " ")
		hexKey, data, _ := strings.Cut(rest, " ")
		var k Key
		if len(hexKey) != hex.EncodedLen(len(k)) {
			return nil, errCacheFormat
		}
		if n, err := hex.Decode(k[:], []byte(hexKey)); err != nil || n != len(k) {
			return nil, errCacheFormat
		}
		switch kind {
		case "p", "c":
			pb, err := base64.StdEncoding.DecodeString(data)
			if err != nil {
				return nil, errCacheFormat
			}
			if kind == "p" {
				c.parses[k] = pb
			} else {
				c.checked[k] = pb
			}
		case "v":
			c.clean[k] = true
		case "r":
			c.files[k] = data
		default:
			return nil, errCacheFormat
		}
	}
	return c, nil
}

// Len returns the number of parses, checked expressions, clean verdicts and rule-set files held.
func (c *Cache) Len() (parses, checked, verdicts, files int) {
	if c == nil {
		return 0, 0, 0, 0
	}
	return len(c.parses), len(c.checked), len(c.clean), len(c.files)
}

// fileKey keys a definition file's exact content, read under the limits lim.
func fileKey(src []byte, lim def.Limits) Key {
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00file\x00%+v\x00", cacheFormat, lim)
	h.Write(src)
	var k Key
	h.Sum(k[:0])
	return k
}

// RuleSetFile records that the file src (read under lim) parses with no diagnostic to the rule set whose
// header is h.
func (r *Recorder) RuleSetFile(src []byte, lim def.Limits, h *def.Header) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.Files == nil {
		r.Files = map[Key]string{}
	}
	r.Files[fileKey(src, lim)] = fmt.Sprintf("%s %s %s %d %d", h.ID, h.Version.String(), h.Digest, h.IDPos.Line, h.IDPos.Col)
}

// RuleSetFile returns the rule set of the file name, when the cache knows its content (read under lim) to
// parse cleanly: deferred, to be parsed only if it is chosen (load.Known).
func (c *Cache) RuleSetFile(name string, src []byte, lim def.Limits) (*def.RuleSet, bool) {
	if c == nil || len(c.files) == 0 {
		return nil, false
	}
	entry, ok := c.files[fileKey(src, lim)]
	if !ok {
		return nil, false
	}
	f := strings.Fields(entry)
	if len(f) != 5 {
		return nil, false
	}
	v, err := semver.Parse(f[1])
	if err != nil {
		return nil, false
	}
	line, err1 := strconv.Atoi(f[3])
	col, err2 := strconv.Atoi(f[4])
	if err1 != nil || err2 != nil {
		return nil, false
	}
	h := def.Header{File: name, ID: f[0], IDPos: def.Pos{File: name, Line: line, Col: col}, Version: v, Digest: f[2]}
	return def.NewDeferredRuleSet(h, name, src, lim), true
}

// parseKey keys the parse of src in an environment: envTag says which (its macros decide the parse; an
// instrument's aggregate macros expand to its own item indices, so its tag holds its digest).
func parseKey(envTag, src string) Key { return exprKey("parse", envTag, src) }

// checkKey keys the checked form of src in an environment: envTag says which (its declarations decide the
// check: an instrument's come from its own definition, a rule set's from its own and the bound inputs', so
// its tag holds all their digests).
func checkKey(envTag, src string) Key { return exprKey("check", envTag, src) }

func exprKey(what, envTag, src string) Key {
	h := sha256.New()
	h.Write([]byte(cacheFormat + "\x00" + what + "\x00"))
	h.Write([]byte(envTag))
	h.Write([]byte{0})
	h.Write([]byte(src))
	var k Key
	h.Sum(k[:0])
	return k
}

// lintKey keys the static checks' verdict over what they read: every instrument loaded and the rule sets
// checked, each with the instrument versions it binds.
func lintKey(insts []*plan.Instrument, rules []*plan.RuleSet) Key {
	h := sha256.New()
	h.Write([]byte(cacheFormat + "\x00lint\x00"))
	for _, in := range insts {
		h.Write([]byte("i " + in.Def.Digest + "\n"))
	}
	for _, rs := range rules {
		h.Write([]byte("r " + rs.Def.Digest + "\n"))
		for _, ri := range rs.Inputs {
			if ri.Inst != nil {
				h.Write([]byte("b " + ri.Inst.Def.Digest + "\n"))
			} else {
				h.Write([]byte("b -\n"))
			}
		}
	}
	var k Key
	h.Sum(k[:0])
	return k
}

// parse parses src in env, from the cache when it holds the parse (and the source is within the size
// limit the parser would enforce), and records it when recording.
func (c *compiler) parse(env *cel.Env, src string) (*celast.AST, *cel.Issues) {
	tag, tagged := c.envTags[env]
	c.res.Parses++
	var k Key
	if tagged && (c.cache != nil || c.rec != nil) {
		k = parseKey(tag, src)
		if b, ok := c.cache.lookup(k); ok && len(src) <= c.maxExprBytes {
			if c.typeMemo == nil {
				c.typeMemo = map[string]*types.Type{}
			}
			if a, err := decodeChecked(b, src, c.typeMemo); err == nil {
				c.res.ParseHits++
				return a, nil
			}
		}
	}
	a, iss := env.Parse(src)
	if iss.Err() != nil {
		return nil, iss
	}
	if tagged && c.rec != nil {
		c.rec.parse(k, src, a.NativeRep())
	}
	return a.NativeRep(), iss
}

func (c *Cache) lookup(k Key) ([]byte, bool) {
	if c == nil {
		return nil, false
	}
	b, ok := c.parses[k]
	return b, ok
}

// checkedTag is the environment part of an expression's checked-form key: the environment's tag and the
// cost limit every cached expression was found within.
func (c *compiler) checkedTag(env *cel.Env) (string, bool) {
	tag, ok := c.envTags[env]
	return fmt.Sprintf("%s cost<=%d", tag, c.maxCost), ok
}

// checked returns the checked form of src in env from the cache, when it holds it.
func (c *compiler) checked(env *cel.Env, src string) (*celast.AST, bool) {
	if c.cache == nil || len(c.cache.checked) == 0 || len(src) > c.maxExprBytes {
		return nil, false
	}
	tag, ok := c.checkedTag(env)
	if !ok {
		return nil, false
	}
	b, ok := c.cache.checked[checkKey(tag, src)]
	if !ok {
		return nil, false
	}
	if c.typeMemo == nil {
		c.typeMemo = map[string]*types.Type{}
	}
	a, err := decodeChecked(b, src, c.typeMemo)
	if err != nil {
		return nil, false
	}
	return a, true
}

// recordChecked records the checked form of an expression that compiled, when recording.
func (c *compiler) recordChecked(env *cel.Env, src string, a *celast.AST) {
	if c.rec == nil {
		return
	}
	tag, ok := c.checkedTag(env)
	if !ok {
		return
	}
	c.rec.check(checkKey(tag, src), src, a)
}

// tagEnv names env for the parse cache.
func (c *compiler) tagEnv(env *cel.Env, tag string) {
	if c.envTags == nil {
		c.envTags = map[*cel.Env]string{}
	}
	c.envTags[env] = tag
}

//go:generate go test ../.. -run ^TestBundledCache$ -count=1 -update

// bundledCache is the cache of the bundled definitions (screen's TestBundledCache writes it, and fails
// when it is stale).
//
//go:embed bundled.cache
var bundledCache []byte

// Bundled returns the embedded cache of the bundled definitions, decoded on first use; an empty cache if
// it cannot be read (every load then parses and checks everything, as without a cache).
var Bundled = sync.OnceValue(func() *Cache {
	c, err := DecodeCache(bundledCache)
	if err != nil {
		return &Cache{}
	}
	return c
})
