package diag_test

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/painscreen/painscreen/screen/diag"
)

var sample = diag.List{
	{Pos: diag.Pos{File: "defs/mini.v1.yaml", Line: 32, Col: 11}, Code: "band_range", Message: `the value 12 of "total" (0–12) falls in no band`, Source: "        - {min: 9, max: 11, label: severe}"},
	{Pos: diag.Pos{File: "defs/é\x1b[2J.yaml", Line: 2, Col: 8}, Severity: diag.Warning, Code: "draft", Message: "a, b: 100%\nforged", Source: "é: \u202ex"},
	{Code: "rule_set", Message: "several rule sets are loaded"},
}

func TestWriteText(t *testing.T) {
	var b strings.Builder
	require.NoError(t, sample.WriteText(&b, diag.TextOptions{Snippets: true, Prefix: "painscreen: "}))
	assert.Equal(t, `defs/mini.v1.yaml:32:11: band_range: the value 12 of "total" (0–12) falls in no band
            - {min: 9, max: 11, label: severe}
              ^
defs/é\x1b[2J.yaml:2:8: warning: draft: a, b: 100%\nforged
    é: \u202ex
             ^
painscreen: rule_set: several rule sets are loaded
`, b.String())
}

func TestWriteGitHub(t *testing.T) {
	var b strings.Builder
	require.NoError(t, sample.WriteGitHub(&b))
	assert.Equal(t, `::error file=defs/mini.v1.yaml,line=32,col=11,title=painscreen band_range::the value 12 of "total" (0–12) falls in no band
::warning file=defs/é\x1b[2J.yaml,line=2,col=8,title=painscreen draft::a, b: 100%25\nforged
::error title=painscreen rule_set::several rule sets are loaded
`, b.String())
}

func TestWriteSARIF(t *testing.T) {
	var b strings.Builder
	require.NoError(t, sample.WriteSARIF(&b))
	var log struct {
		Version string `json:"version"`
		Runs    []struct {
			Results []struct {
				RuleID    string `json:"ruleId"`
				Level     string `json:"level"`
				Locations []struct {
					PhysicalLocation struct {
						Region struct{ StartLine, StartColumn int } `json:"region"`
					} `json:"physicalLocation"`
				} `json:"locations"`
			} `json:"results"`
		} `json:"runs"`
	}
	require.NoError(t, json.Unmarshal([]byte(b.String()), &log))
	require.Len(t, log.Runs[0].Results, 3)
	assert.Equal(t, "warning", log.Runs[0].Results[1].Level)
	// "é: \u202e" is 7 bytes and 4 code points: column 8 in bytes is 5 in code points.
	assert.Equal(t, 5, log.Runs[0].Results[1].Locations[0].PhysicalLocation.Region.StartColumn)
	assert.Empty(t, log.Runs[0].Results[2].Locations)
}

// TestJSONRoundTrip: a List encodes as the documented JSON and reads back as it was.
func TestJSONRoundTrip(t *testing.T) {
	b, err := json.Marshal(sample)
	require.NoError(t, err)
	assert.Contains(t, string(b), `{"file":"defs/mini.v1.yaml","line":32,"col":11,"severity":"error","code":"band_range",`)
	assert.Contains(t, string(b), `{"severity":"error","code":"rule_set","message":"several rule sets are loaded"}`)
	var back diag.List
	require.NoError(t, json.Unmarshal(b, &back))
	assert.Equal(t, sample, back)
	require.Error(t, json.Unmarshal([]byte(`[{"severity":"fatal","code":"x","message":"y"}]`), &back))
}

func ExampleList_WriteText() {
	list := diag.List{{Pos: diag.Pos{File: "mini.v1.yaml", Line: 9, Col: 12}, Code: "cel_syntax",
		Message: `"=>" is not an operator in CEL; did you mean ">="?`, Source: "    when: answers.q9 => 1"}}
	_ = list.WriteText(os.Stdout, diag.TextOptions{Snippets: true})
	// Output:
	// mini.v1.yaml:9:12: cel_syntax: "=>" is not an operator in CEL; did you mean ">="?
	//         when: answers.q9 => 1
	//                ^
}

func ExampleList_WriteGitHub() {
	list := diag.List{{Pos: diag.Pos{File: "mini.v1.yaml", Line: 9, Col: 12}, Severity: diag.Warning, Code: "draft", Message: "the definition is a draft"}}
	_ = list.WriteGitHub(os.Stdout)
	// Output: ::warning file=mini.v1.yaml,line=9,col=12,title=painscreen draft::the definition is a draft
}

func ExampleList_WriteSARIF() {
	list := diag.List{{Pos: diag.Pos{File: "mini.v1.yaml", Line: 9, Col: 12}, Code: "band_range", Message: "the value 12 falls in no band"}}
	var b strings.Builder
	_ = list.WriteSARIF(&b)
	var log struct {
		Runs []struct {
			Results []struct {
				RuleID string `json:"ruleId"`
				Level  string `json:"level"`
			} `json:"results"`
		} `json:"runs"`
	}
	_ = json.Unmarshal([]byte(b.String()), &log)
	fmt.Println(log.Runs[0].Results[0].RuleID, log.Runs[0].Results[0].Level)
	// Output: band_range error
}
