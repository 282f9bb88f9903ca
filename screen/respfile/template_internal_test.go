package respfile

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/painscreen/painscreen/screen/catalog"
)

func TestTemplateREDCapRejectsPinnedNonDefault(t *testing.T) {
	_, err := templateREDCap([]tmplInst{{key: "phq9@0.9.0", doc: &catalog.InstrumentDoc{Info: catalog.Info{ID: "phq9"}}}})
	assert.ErrorContains(t, err, "cannot pin a version")
	_, err = templateREDCap([]tmplInst{{key: "x", doc: &catalog.InstrumentDoc{Info: catalog.Info{ID: "x"}, Default: true,
		Items: []catalog.ItemDoc{{ID: "Q1"}}}}})
	assert.ErrorContains(t, err, `"Q1" cannot be part of a REDCap variable name`)
}
