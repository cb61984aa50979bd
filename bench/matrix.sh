#!/usr/bin/env bash
# `gov matrix 1.21 1.22 -- go test ./...` against the same two runs back to
# back (`gov run 1.21 go test ./... ; gov run 1.22 go test ./...`), on a
# small real module (four packages with tests, `go 1.21`), with real Go 1.21
# and 1.22 installed from the mirror of scripts/go-mirror.sh.
#
# Cold, the headline: every build cache is emptied before each run (the
# matrix's per-release caches under GOV_HOME/cache/go, and the one GOCACHE
# the back-to-back runs share), so both build the standard library and the
# module under each release. Warm: the caches kept, so both ways go test
# reports cached results and what is left is starting Go twice.
# Needs hyperfine and python3.
#
#   bench/matrix.sh
set -euo pipefail
. "$(dirname "$0")/common.sh"
mirror="$here/target/go-mirror"
[ -f "$mirror/index.json" ] || { echo "run scripts/go-mirror.sh target/go-mirror first" >&2; exit 1; }
export HOME="$tmp/home" GOCACHE="$tmp/gocache" GOPROXY=off GOFLAGS=
unset GOMODCACHE GOPATH
mkdir -p "$HOME"
GOV_INDEX_URL="$mirror/index.json" GOV_DOWNLOAD_URL="$mirror" "$gov" --quiet install 1.21 1.22

# The module: a root package and three below it, each with a test.
mod="$tmp/mod"
mkdir -p "$mod/text" "$mod/codec" "$mod/stats"
printf 'module example.com/bench\n\ngo 1.21\n' > "$mod/go.mod"
cat > "$mod/bench.go" <<'GO'
// Package bench ties the others together.
package bench

import (
	"fmt"

	"example.com/bench/codec"
	"example.com/bench/stats"
	"example.com/bench/text"
)

// Report describes xs.
func Report(xs []float64) (string, error) {
	b, err := codec.Encode(xs)
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("%s mean=%.2f %s", text.Title("report"), stats.Mean(xs), b), nil
}
GO
cat > "$mod/bench_test.go" <<'GO'
package bench

import "testing"

func TestReport(t *testing.T) {
	got, err := Report([]float64{1, 2, 3})
	if err != nil || got != "Report mean=2.00 [1,2,3]" {
		t.Fatalf("%q %v", got, err)
	}
}
GO
cat > "$mod/text/text.go" <<'GO'
// Package text has string helpers.
package text

import (
	"strings"
	"unicode"
)

// Title upper-cases the first letter of s.
func Title(s string) string {
	if s == "" {
		return s
	}
	r := []rune(s)
	r[0] = unicode.ToUpper(r[0])
	return strings.TrimSpace(string(r))
}
GO
cat > "$mod/text/text_test.go" <<'GO'
package text

import "testing"

func TestTitle(t *testing.T) {
	for in, want := range map[string]string{"": "", "go": "Go", "émile ": "Émile"} {
		if got := Title(in); got != want {
			t.Errorf("Title(%q) = %q, want %q", in, got, want)
		}
	}
}
GO
cat > "$mod/codec/codec.go" <<'GO'
// Package codec writes values as JSON.
package codec

import "encoding/json"

// Encode is xs as JSON.
func Encode(xs []float64) (string, error) {
	b, err := json.Marshal(xs)
	return string(b), err
}
GO
cat > "$mod/codec/codec_test.go" <<'GO'
package codec

import "testing"

func TestEncode(t *testing.T) {
	if got, _ := Encode([]float64{1.5, 2}); got != "[1.5,2]" {
		t.Fatal(got)
	}
}
GO
cat > "$mod/stats/stats.go" <<'GO'
// Package stats has small statistics.
package stats

import (
	"math"
	"sort"
)

// Mean of xs; NaN for none.
func Mean(xs []float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	sum := 0.0
	for _, x := range xs {
		sum += x
	}
	return sum / float64(len(xs))
}

// Median of xs; NaN for none.
func Median(xs []float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}
GO
cat > "$mod/stats/stats_test.go" <<'GO'
package stats

import (
	"math"
	"testing"
)

func TestMeanMedian(t *testing.T) {
	if Mean([]float64{1, 2, 6}) != 3 || Median([]float64{6, 1, 2}) != 2 || !math.IsNaN(Mean(nil)) {
		t.Fatal("stats")
	}
}
GO
cd "$mod"

matrix="$gov --quiet matrix 1.21 1.22 -- go test ./..."
sequential="$gov run 1.21 go test ./... ; $gov run 1.22 go test ./..."
# Both must pass, or the figures mean nothing.
$matrix >/dev/null
sh -c "$sequential" >/dev/null

summary() {
  python3 - "$1" "$2" <<'PY'
import json, sys
m, s = json.load(open(sys.argv[1]))["results"]
print(f"{sys.argv[2]}: gov matrix {m['median']:.2f} s, back to back {s['median']:.2f} s, ratio {m['median'] / s['median']:.2f} (medians of {len(m['times'])})")
PY
}
hyperfine --runs 5 --export-json "$tmp/cold.json" \
  --prepare "rm -rf $GOV_HOME/cache/go $GOCACHE" \
  -n "gov matrix (cold)" "$matrix" \
  -n "gov run; gov run (cold)" "$sequential" >/dev/null
hyperfine --warmup 2 --runs 20 --export-json "$tmp/warm.json" \
  -n "gov matrix (warm)" "$matrix" \
  -n "gov run; gov run (warm)" "$sequential" >/dev/null
summary "$tmp/cold.json" "cold caches"
summary "$tmp/warm.json" "warm caches"
