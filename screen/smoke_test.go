package screen

import (
	"context"
	"os"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestSmoke(t *testing.T) {
	e, err := New(WithDefinitions(os.DirFS("testdata/basic"), "basic"))
	require.NoError(t, err)
	rep, err := e.Score(context.Background(), &Response{Subject: "x", Answers: map[string]map[string]any{
		"phq9": {"q1": 2, "q2": 2, "q3": 2, "q4": 2, "q5": 1, "q6": 1, "q7": 2, "q8": 0, "q9": "LA6569-3"},
	}})
	require.NoError(t, err)
	b, _ := rep.MarshalJSON()
	t.Log(string(b))
	rep, err = e.Score(context.Background(), &Response{Subject: "x", Answers: map[string]map[string]any{
		"phq9": {"q1": 2, "q2": 2, "q3": 1, "q4": 1, "q5": 1, "q6": 0, "q7": 1, "q8": 0},
	}})
	require.NoError(t, err)
	b, _ = rep.MarshalJSON()
	t.Log(string(b))
}
