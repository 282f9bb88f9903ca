#!/usr/bin/env bash
# Proves painscreen's FHIR R4 input and output with tools nobody here wrote:
#   roundtrip.mjs  LHC-Forms (npm lforms) renders every bundled instrument's Questionnaire in headless
#                  Chromium, answers are clicked in, LHC-Forms exports the QuestionnaireResponse, and
#                  painscreen must score it exactly as the same answers in native JSON Lines;
#   validate.mjs   FHIR.js (npm fhir) validates every Questionnaire, Bundle, Observation, RiskAssessment
#                  and OperationOutcome painscreen writes against the R4 core definitions.
# Needs Go, Node.js with npm, and Chromium (Debian: apt-get install chromium; or set CHROMIUM). The npm
# packages are installed from package-lock.json into node_modules/ (git-ignored); output goes to out/.
set -euo pipefail
cd "$(dirname "$0")"
export CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
if [ ! -x "$CHROMIUM" ]; then
	echo "fhir-roundtrip: $CHROMIUM not found (Debian: apt-get install chromium, or set CHROMIUM)" >&2
	exit 2
fi
npm ci --no-audit --no-fund --loglevel=error
rm -rf out
mkdir -p out
go build -o out/painscreen ../../cmd/painscreen
node roundtrip.mjs out/painscreen out
node validate.mjs out/painscreen ../.. out
