package main

import (
	"io/fs"
	"sort"
	"testing"
)

func TestKeep(t *testing.T) {
	for name, want := range map[string]bool{
		"VERSION":                                true,
		"go.env":                                 true,
		"src/cmd/go/main.go":                     true,
		"src/go.mod":                             true,
		"bin/go":                                 true,
		"bin/gofmt":                              true,
		"bin/linux_arm64/go":                     false,
		"bin/other":                              false,
		"pkg/include/textflag.h":                 true,
		"pkg/tool/linux_amd64/compile":           true,
		"pkg/tool/linux_amd64/dist":              false,
		"pkg/tool/linux_amd64/distpack":          false,
		"pkg/tool/linux_amd64/api":               false,
		"pkg/tool/linux_amd64/metadata":          false,
		"pkg/tool/linux_arm64/compile":           false,
		"pkg/linux_amd64/runtime.a":              false,
		"api/go1.21.txt":                         false,
		"doc/go_spec.html":                       false,
		"misc/wasm/wasm_exec.js":                 false,
		"test/fixedbugs/issue1.go":               false,
		".git/HEAD":                              false,
		".gitattributes":                         false,
		"src/.DS_Store":                          false,
		".DS_Store":                              false,
		"src/cmd/dist/dist":                      false,
		"src/cmd/dist/dist.go":                   true,
		"src/x.exe~":                             false,
		"VERSION.cache":                          false,
		"src/cmd/vendor/golang.org/x/mod/go.mod": true,
	} {
		if got := keep(name); got != want {
			t.Errorf("keep(%q) = %v, want %v", name, got, want)
		}
	}
}

func TestFileMode(t *testing.T) {
	for name, want := range map[string]fs.FileMode{
		"bin/go":                                0o755,
		"pkg/tool/linux_amd64/compile":          0o755,
		"src/make.bash":                         0o755,
		"src/all.rc":                            0o755,
		"src/regexp/syntax/make_perl_groups.pl": 0o755,
		"src/cmd/go/testdata/script.sh":         0o755,
		"misc/wasm/go_js_wasm_exec":             0o755,
		"misc/go_x_exec":                        0o644, // ?* needs a character
		"src/cmd/go/main.go":                    0o644,
		"pkg/include/textflag.h":                0o644,
		"VERSION":                               0o644,
	} {
		if got := fileMode(name); got != want {
			t.Errorf("fileMode(%q) = %o, want %o", name, got, want)
		}
	}
}

func TestNameOrder(t *testing.T) {
	// A directory's subdirectories before its files with a longer name.
	names := []string{"a/b.go", "a/b/c", "VERSION", "a/b/d/e", "a/a.go", "bin/go"}
	sort.Slice(names, func(i, j int) bool { return nameLess(names[i], names[j]) })
	want := []string{"VERSION", "a/a.go", "a/b/c", "a/b/d/e", "a/b.go", "bin/go"}
	for i := range want {
		if names[i] != want[i] {
			t.Fatalf("sorted %q, want %q", names, want)
		}
	}
}
