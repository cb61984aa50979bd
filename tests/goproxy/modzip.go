package main

// The module form of a Go release, as cmd/distpack (Go 1.21+) writes it for
// GOTOOLCHAIN switching: golang.org/toolchain@v0.0.1-<version>.<goos>-<goarch>.
//
// From the Go root, distpack keeps every regular file except
//   - repository and build leftovers (.git/, .gitattributes, .github/,
//     .gitignore, VERSION.cache, misc/cgo/*/_obj/, .DS_Store, *.exe~,
//     src/cmd/dist/dist),
//   - bin/ except bin/go and bin/gofmt,
//   - pkg/ except pkg/include/ and pkg/tool/<goos>_<goarch>/ (without the
//     helper tools api, dist, distpack and metadata),
//   - api/, doc/, misc/ and test/ (the module form only);
//
// names every file <module>@<version>/<name>, renames every go.mod to
// _go.mod (a module zip holds no other module), sorts the names ("a/b/c"
// before "a/b.go"), stamps every file with the time of VERSION's "time"
// line, and gives mode 0755 to bin/, pkg/tool/, *.bash, *.sh, *.pl, *.rc and
// go_*_*_exec, 0644 to everything else. Entries are deflated at the best
// compression. Beside the zip it writes the .mod ("module
// golang.org/toolchain\n") and .info ({"Version":…, "Time":…}) files.

import (
	"archive/zip"
	"compress/flate"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"golang.org/x/mod/semver"
	"golang.org/x/mod/sumdb/dirhash"
)

const (
	toolchainModule = "golang.org/toolchain"
	toolchainPrefix = "v0.0.1"
	goos            = "linux"
	goarch          = "amd64"
)

type entry struct {
	name string // in the archive
	src  string // on disk
	mode fs.FileMode
}

// writeToolchainModule writes the module form of the Go root goroot into the
// static GOPROXY tree proxyDir (proxyDir/golang.org/toolchain/@v/…) and
// rewrites its list.
func writeToolchainModule(goroot, proxyDir string) error {
	version, stamp, err := readVersionFile(filepath.Join(goroot, "VERSION"))
	if err != nil {
		return err
	}
	files, err := moduleFiles(goroot)
	if err != nil {
		return err
	}
	modVersion := toolchainPrefix + "-" + version + "." + goos + "-" + goarch
	prefix := toolchainModule + "@" + modVersion + "/"
	for i := range files {
		files[i].name = prefix + files[i].name
	}
	sort.Slice(files, func(i, j int) bool { return nameLess(files[i].name, files[j].name) })

	dir := filepath.Join(proxyDir, toolchainModule, "@v")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	base := filepath.Join(dir, modVersion)
	if err := writeZip(base+".zip", files, stamp); err != nil {
		return err
	}
	h1, err := dirhash.HashZip(base+".zip", dirhash.Hash1)
	if err != nil {
		return err
	}
	info := fmt.Sprintf("{%q:%q, %q:%q}\n", "Version", modVersion, "Time", stamp.Format(time.RFC3339))
	for name, text := range map[string]string{
		".mod":     "module " + toolchainModule + "\n",
		".info":    info,
		".ziphash": h1 + "\n",
	} {
		if err := writeAtomically(base+name, []byte(text)); err != nil {
			return err
		}
	}
	if err := writeList(dir); err != nil {
		return err
	}
	fmt.Printf("%s %s %d files\n", modVersion, h1, len(files))
	return nil
}

// readVersionFile reads a Go root's VERSION: the version, then "time T"
// (RFC 3339); a file without a time line gives the zero time, as distpack.
func readVersionFile(file string) (string, time.Time, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return "", time.Time{}, err
	}
	lines := strings.Split(string(data), "\n")
	version := strings.TrimSpace(lines[0])
	if !strings.HasPrefix(version, "go") || version == "go" {
		return "", time.Time{}, fmt.Errorf("%s: first line %q is not a Go version", file, lines[0])
	}
	var stamp time.Time
	for _, line := range lines[1:] {
		f := strings.Fields(line)
		if len(f) == 0 {
			continue
		}
		if f[0] != "time" || len(f) != 2 {
			return "", time.Time{}, fmt.Errorf("%s: unexpected line %q", file, line)
		}
		stamp, err = time.ParseInLocation(time.RFC3339, f[1], time.UTC)
		if err != nil {
			return "", time.Time{}, fmt.Errorf("%s: bad time: %v", file, err)
		}
	}
	return version, stamp, nil
}

// moduleFiles lists the files of goroot that the module form keeps, with
// names relative to goroot and the modes distpack gives them.
func moduleFiles(goroot string) ([]entry, error) {
	var files []entry
	err := filepath.WalkDir(goroot, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(goroot, p)
		if err != nil {
			return err
		}
		name := filepath.ToSlash(rel)
		if keep(name) {
			files = append(files, entry{name: name, src: p, mode: fileMode(name)})
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	for i := range files {
		if strings.HasSuffix("/"+files[i].name, "/go.mod") {
			files[i].name = strings.TrimSuffix(files[i].name, "go.mod") + "_go.mod"
		}
	}
	return files, nil
}

func keep(name string) bool {
	for _, p := range []string{
		".git/**", ".gitattributes", ".github/**", ".gitignore", "VERSION.cache",
		"misc/cgo/*/_obj/**", "**/.DS_Store", "**/*.exe~",
		"src/cmd/dist/dist", "src/cmd/dist/dist.exe",
		// The module form drops these too.
		"api/**", "doc/**", "misc/**", "test/**",
	} {
		if match(p, name) {
			return false
		}
	}
	switch {
	case strings.HasPrefix(name, "bin/"):
		return name == "bin/go" || name == "bin/gofmt"
	case strings.HasPrefix(name, "pkg/include/"):
		return true
	case strings.HasPrefix(name, "pkg/"):
		tools := "pkg/tool/" + goos + "_" + goarch + "/"
		if !strings.HasPrefix(name, tools) {
			return false
		}
		switch path.Base(name) {
		case "api", "dist", "distpack", "metadata":
			return false
		}
	}
	return true
}

func fileMode(name string) fs.FileMode {
	for _, suffix := range []string{".bash", ".sh", ".pl", ".rc"} {
		if strings.HasSuffix(name, suffix) {
			return 0o755
		}
	}
	if strings.HasPrefix(name, "bin/") || strings.HasPrefix(name, "pkg/tool/") || match("**/go_?*_?*_exec", name) {
		return 0o755
	}
	return 0o644
}

// match is path.Match, where a leading "**/" matches any number of leading
// elements and a trailing "/**" any number of trailing ones.
func match(pattern, name string) bool {
	elems := strings.Split(name, "/")
	if strings.HasPrefix(pattern, "**/") {
		p := strings.TrimPrefix(pattern, "**/")
		n := strings.Count(p, "/") + 1
		if n > len(elems) {
			n = len(elems)
		}
		ok, _ := path.Match(p, strings.Join(elems[len(elems)-n:], "/"))
		return ok
	}
	if strings.HasSuffix(pattern, "/**") {
		p := strings.TrimSuffix(pattern, "/**")
		n := strings.Count(p, "/") + 1
		if n > len(elems) {
			n = len(elems)
		}
		ok, _ := path.Match(p, strings.Join(elems[:n], "/"))
		return ok
	}
	ok, _ := path.Match(pattern, name)
	return ok
}

// nameLess orders names as distpack does: a directory's files after its
// subdirectories' ("a/b/c" before "a/b.go").
func nameLess(x, y string) bool {
	for i := 0; i < len(x) && i < len(y); i++ {
		if x[i] == y[i] {
			continue
		}
		if x[i] == '/' {
			return true
		}
		if y[i] == '/' {
			return false
		}
		return x[i] < y[i]
	}
	return len(x) < len(y)
}

type stampedInfo struct {
	fs.FileInfo
	name  string
	mode  fs.FileMode
	stamp time.Time
}

func (i stampedInfo) Name() string       { return path.Base(i.name) }
func (i stampedInfo) Mode() fs.FileMode  { return i.mode }
func (i stampedInfo) ModTime() time.Time { return i.stamp }

func writeZip(file string, files []entry, stamp time.Time) error {
	tmp, err := os.CreateTemp(filepath.Dir(file), ".zip-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	zw := zip.NewWriter(tmp)
	zw.RegisterCompressor(zip.Deflate, func(w io.Writer) (io.WriteCloser, error) {
		return flate.NewWriter(w, flate.BestCompression)
	})
	for _, f := range files {
		info, err := os.Stat(f.src)
		if err != nil {
			return err
		}
		h, err := zip.FileInfoHeader(stampedInfo{info, f.name, f.mode, stamp})
		if err != nil {
			return err
		}
		h.Name = f.name
		h.Method = zip.Deflate
		w, err := zw.CreateHeader(h)
		if err != nil {
			return err
		}
		r, err := os.Open(f.src)
		if err != nil {
			return err
		}
		_, err = io.Copy(w, r)
		r.Close()
		if err != nil {
			return fmt.Errorf("%s: %v", f.src, err)
		}
	}
	if err := zw.Close(); err != nil {
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), file)
}

func writeAtomically(file string, data []byte) error {
	tmp := file + ".tmp"
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, file)
}

// writeList writes @v/list: every version with a zip, in semver order.
func writeList(dir string) error {
	zips, err := filepath.Glob(filepath.Join(dir, "*.zip"))
	if err != nil {
		return err
	}
	var versions []string
	for _, z := range zips {
		versions = append(versions, strings.TrimSuffix(filepath.Base(z), ".zip"))
	}
	sort.Slice(versions, func(i, j int) bool { return semver.Compare(versions[i], versions[j]) < 0 })
	var list string
	for _, v := range versions {
		list += v + "\n"
	}
	return writeAtomically(filepath.Join(dir, "list"), []byte(list))
}
