package screen_test

import (
	"context"
	"encoding/json"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/painscreen/painscreen/screen"
)

// The failed record is the CLI's documented shape, whichever way it is encoded.
func TestRecordErrorJSON(t *testing.T) {
	re := screen.RecordError{Record: 7, Line: 7, File: "in.jsonl", Subject: "pt-1", HasSubject: true, Code: "invalid_value",
		Message: "value is not among the options (one of 0, 1, 2, 3)", Instrument: "phq9", Item: "q1"}
	want := `{"record":7,"line":7,"file":"in.jsonl","subject":"pt-1","error":{"code":"invalid_value",` +
		`"message":"value is not among the options (one of 0, 1, 2, 3)","instrument":"phq9","item":"q1"}}`
	assert.Equal(t, want, string(re.AppendJSON(nil)))
	b, err := json.Marshal(re)
	require.NoError(t, err)
	assert.Equal(t, want, string(b))

	fatal := screen.RecordError{Record: 3, File: "-", Fatal: true, Code: "syntax", Message: "the input cannot be read further", ErrLine: 2, ErrCol: 9}
	assert.Equal(t, `{"record":3,"line":0,"file":"-","fatal":true,"error":{"code":"syntax","message":"the input cannot be read further",`+
		`"instrument":"","item":"","line":2,"col":9}}`, string(fatal.AppendJSON(nil)))
	assert.Equal(t, `{"code":"syntax","message":"the input cannot be read further","instrument":"","item":"","line":2,"col":9}`,
		string(fatal.AppendErrorJSON(nil)))
}

// RecordErrorOf: the failed record of a response set Score could not score, never holding a value.
func TestRecordErrorOf(t *testing.T) {
	eng := safetyEngine(t, screen.WithStrictAnswers())
	_, err := eng.Score(context.Background(), &screen.Response{Subject: "pt-SECRET", Answers: map[string]map[string]any{"phq9": {"q1": "SECRET"}}})
	require.Error(t, err)
	re := screen.RecordErrorOf(err)
	assert.Equal(t, "phq9", re.Instrument)
	assert.Equal(t, "q1", re.Item)
	assert.NotEmpty(t, re.Code)
	assert.NotContains(t, string(re.AppendJSON(nil)), "SECRET")

	re = screen.RecordErrorOf(context.Canceled)
	assert.Equal(t, "internal", re.Code)
	re = screen.RecordErrorOf(errors.Join(errors.New("x"), &screen.ScoreError{Code: "no_answers", Message: "m"}))
	assert.Equal(t, "no_answers", re.Code)
}
